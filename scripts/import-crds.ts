/**
 * Regenerates `imports/` with the real `cdk8s import` from every CustomResourceDefinition in the CRD
 * files and folders `cdk8s.yaml` declares (`kompile.schemas.crds`, lib/tools/schema-sources.ts), or in
 * the paths given as arguments.
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
import { readSchemaSources } from '../lib/tools/schema-sources';

/** This repository: where cdk8s-cli is installed. */
const REPO = path.resolve(__dirname, '..');

function yamlFiles(dir: string): string[] {
  if (!fs.statSync(dir).isDirectory()) return [dir];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((e) => {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) return yamlFiles(p);
      return /\.ya?ml$/.test(e.name) ? [p] : [];
    });
}

/**
 * Regenerates `<root>/imports/` from the CRDs of `crdPaths`, or of `<root>/cdk8s.yaml`'s declaration
 * when none are given. The old `imports/` is replaced only once every group imported.
 * @returns the imported groups with their CRD counts
 */
export function importCrds(root: string, crdPaths: readonly string[] = readSchemaSources(root).crds, log: (line: string) => void = () => {}): Map<string, number> {
  const byGroup = new Map<string, unknown[]>();
  for (const file of crdPaths.flatMap(yamlFiles)) {
    for (const doc of parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
      const crd = doc.toJS() as { kind?: string; spec?: { group?: string } } | null;
      if (crd?.kind !== 'CustomResourceDefinition' || !crd.spec?.group) continue;
      const list = byGroup.get(crd.spec.group) ?? [];
      list.push(crd);
      byGroup.set(crd.spec.group, list);
    }
  }
  if (byGroup.size === 0) throw new Error(`no CustomResourceDefinition in ${crdPaths.join(', ')}`);

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kompile-import-'));
  const staging = path.join(tmp, 'imports');
  const cli = path.join(REPO, 'node_modules', '.bin', 'cdk8s');
  try {
    for (const group of [...byGroup.keys()].sort()) {
      const file = path.join(tmp, `${group}.yaml`);
      fs.writeFileSync(file, byGroup.get(group)!.map((d) => stringify(d)).join('---\n'));
      execFileSync(cli, ['import', file, '--language', 'typescript', '--output', staging, '--no-check-upgrade'], {
        cwd: tmp,
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      log(`imported ${group} (${byGroup.get(group)!.length} CRDs)`);
    }
    const outDir = path.join(root, 'imports');
    fs.rmSync(outDir, { recursive: true, force: true });
    fs.renameSync(staging, outDir);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return new Map([...byGroup].map(([g, crds]) => [g, crds.length]));
}

if (require.main === module) {
  const args = process.argv.slice(2);
  importCrds(REPO, args.length > 0 ? args.map((a) => path.resolve(a)) : undefined, (line) => console.log(line));
}
