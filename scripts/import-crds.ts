/**
 * Regenerates `imports/` from every CustomResourceDefinition under `../shared/crds` with the real
 * `cdk8s import`.
 *
 * `cdk8s import` names its output after the API group (`imports/<group>.ts`), so importing two files
 * of one group one after the other leaves only the second. This script therefore gathers every CRD
 * document by `spec.group` first and imports each group once, from one multi-document file.
 *
 * Run with `npm run import`; commit the result. Never edit `imports/` by hand.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';

const root = path.resolve(__dirname, '..');
const crdRoot = path.resolve(root, process.argv[2] ?? '../shared/crds');
const outDir = path.join(root, 'imports');

function yamlFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((e) => {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) return yamlFiles(p);
      return /\.ya?ml$/.test(e.name) ? [p] : [];
    });
}

const byGroup = new Map<string, unknown[]>();
for (const file of yamlFiles(crdRoot)) {
  for (const doc of parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
    const crd = doc.toJS() as { kind?: string; spec?: { group?: string } } | null;
    if (crd?.kind !== 'CustomResourceDefinition' || !crd.spec?.group) continue;
    const list = byGroup.get(crd.spec.group) ?? [];
    list.push(crd);
    byGroup.set(crd.spec.group, list);
  }
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kompile-import-'));
const staging = path.join(tmp, 'imports');
const cli = path.join(root, 'node_modules', '.bin', 'cdk8s');
try {
  for (const group of [...byGroup.keys()].sort()) {
    const file = path.join(tmp, `${group}.yaml`);
    fs.writeFileSync(file, byGroup.get(group)!.map((d) => stringify(d)).join('---\n'));
    execFileSync(cli, ['import', file, '--language', 'typescript', '--output', staging, '--no-check-upgrade'], {
      cwd: tmp,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    console.log(`imported ${group} (${byGroup.get(group)!.length} CRDs)`);
  }
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.renameSync(staging, outDir);
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
