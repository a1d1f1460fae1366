import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { compiledEnvironments } from '../helpers';

/** Keys whose value would be a credential if it were a literal. */
const CREDENTIAL_KEY = /^(password|passwd|token|apiToken|apiKey|secret|clientSecret|htpasswd|privateKey|accessKey|secretKey|\.dockerconfigjson)$/i;
/** A value that only refers to a credential: a JCasC/env reference or nothing. */
const REFERENCE = /^\$\{[A-Za-z0-9_.-]+\}$/;
/** Text that is a credential wherever it appears. */
const CREDENTIAL_TEXT = [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, /\$2[aby]\$\d{2}\$/, /"auths"\s*:/, /glpat-[A-Za-z0-9_-]{10,}/, /ghp_[A-Za-z0-9]{20,}/];

interface Finding {
  readonly where: string;
  readonly what: string;
}

function scan(node: unknown, where: string, key: string, findings: Finding[]): void {
  if (typeof node === 'string') {
    if (CREDENTIAL_KEY.test(key) && node !== '' && !REFERENCE.test(node)) findings.push({ where, what: `literal value at '${key}'` });
    for (const re of CREDENTIAL_TEXT) if (re.test(node)) findings.push({ where, what: `credential-like text ${re}` });
    // YAML embedded in values (JCasC scripts, pod templates): scan what it says too.
    if (node.includes('\n') && /:\s/.test(node)) {
      try {
        for (const doc of parseAllDocuments(node)) scan(doc.toJS(), `${where}(embedded)`, '', findings);
      } catch {
        /* not YAML */
      }
    }
    return;
  }
  if (Array.isArray(node)) return node.forEach((v, i) => scan(v, `${where}/${i}`, key, findings));
  if (typeof node === 'object' && node !== null) for (const [k, v] of Object.entries(node)) scan(v, `${where}/${k}`, k, findings);
}

describe('no Secret value in the output of any environment', () => {
  const outputs = compiledEnvironments();

  it.each(outputs.map((o) => [o.environment, o] as const))('%s', (_env, out) => {
    const findings: Finding[] = [];
    for (const [file, content] of out.files) {
      for (const re of CREDENTIAL_TEXT) if (re.test(content)) findings.push({ where: file, what: `credential-like text ${re}` });
      if (!file.endsWith('.yaml') && !file.endsWith('.yml')) continue;
      for (const doc of parseAllDocuments(content)) {
        const obj = doc.toJS() as { kind?: string; metadata?: { name?: string }; data?: unknown; stringData?: unknown } | null;
        if (!obj) continue;
        const where = `${file}:${obj.kind}/${obj.metadata?.name}`;
        if (obj.kind === 'Secret' && (obj.data !== undefined || obj.stringData !== undefined)) findings.push({ where, what: 'Secret with data' });
        scan(obj, where, '', findings);
      }
    }
    expect(findings).toEqual([]);
  });

  it('would catch a literal password, a Secret with data and a pasted key', () => {
    const findings: Finding[] = [];
    scan({ controller: { admin: { password: 'hunter2' } } }, 'x', '', findings);
    scan({ configScripts: { jenkins: 'users:\n  - id: admin\n    password: hunter2\n' } }, 'y', '', findings);
    scan({ data: { key: '-----BEGIN RSA PRIVATE KEY-----' } }, 'z', '', findings);
    scan({ apiToken: '${gitlab-token-token}' }, 'ok', '', findings);
    expect(findings.map((f) => f.where)).toEqual(['x/controller/admin/password', 'y/configScripts/jenkins(embedded)/users/0/password', 'z/data/key']);
  });
});
