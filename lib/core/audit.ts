import { Image, ImageReferenceError } from './image';
import { escapeSegment } from './images-walk';
import { RegistryPolicy } from './registry-policy';

/** A reference that points outside what the environment allows. */
export interface AuditFinding {
  readonly pointer: string;
  readonly message: string;
}

/** A whole string value that is a URL: scheme, `://`, host. */
const URL_VALUE = /^[a-z][a-z0-9+.-]*:\/\/[^\s/]+/i;
/** scp-like Git URLs, `git@host:org/repo.git`. */
const SCP_GIT = /^[\w.-]+@([\w.-]+):/;
/** Fields that hold a source location without a scheme (Argo CD OCI Helm sources). */
const SCHEMELESS_SOURCE_KEYS = new Set(['repoURL']);

/**
 * Checks every string of a rendered object against the environment's policy: any value at an
 * `image` key must be an image from an allowed registry; URLs, Git remotes and chart sources must
 * name an allowed or in-cluster host. Runs after relocation, so it reports what relocation missed
 * (an image field nobody declared, a URL in a value).
 *
 * @param checked pointers of images already checked through relocation; skipped here
 */
export function auditObject(obj: unknown, checked: ReadonlySet<string>, policy: RegistryPolicy): AuditFinding[] {
  const findings: AuditFinding[] = [];
  const checkImage = (pointer: string, value: string) => {
    try {
      const image = Image.parse(value);
      if (!policy.allowsImage(image)) findings.push({ pointer, message: `image '${value}' is outside the allowed registries` });
    } catch (e) {
      if (e instanceof ImageReferenceError) findings.push({ pointer, message: e.message });
      else throw e;
    }
  };
  const walk = (node: unknown, pointer: string, key: string): void => {
    if (typeof node === 'string') {
      if (checked.has(pointer)) return;
      if (key === 'image') return checkImage(pointer, node);
      const scp = SCP_GIT.exec(node);
      const isUrl = URL_VALUE.test(node) || scp !== null || (SCHEMELESS_SOURCE_KEYS.has(key) && node.includes('/'));
      if (isUrl && !policy.allowsUrl(scp ? `ssh://${scp[1]}` : node)) {
        findings.push({ pointer, message: `'${node}' points outside the allowed hosts` });
      }
      return;
    }
    if (Array.isArray(node)) return node.forEach((v, i) => walk(v, `${pointer}/${i}`, key));
    if (typeof node === 'object' && node !== null) {
      for (const [k, v] of Object.entries(node)) walk(v, `${pointer}/${escapeSegment(k)}`, k);
    }
  };
  walk(obj, '', '');
  return findings;
}
