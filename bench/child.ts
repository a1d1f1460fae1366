/**
 * One measurement, in a process of its own so that peak memory (maxRSS) belongs to it alone:
 *   tsx bench/child.ts kompile|lower <units> <outdir>
 * Prints one JSON line: { ms, maxRssMiB, baseRssMiB, objects, files }.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { applicationObject, UNITS_PER_COMPONENT, unitObjects } from './plain';

/** The options Kompile's writer uses (lib/core/yaml-output.ts): the same bytes, without constructs. */
const YAML_OPTIONS = { lineWidth: 0, aliasDuplicateObjects: false } as const;

const [mode, unitsArg, outdir] = process.argv.slice(2);
const units = Number(unitsArg);
const components = Math.ceil(units / UNITS_PER_COMPONENT);

async function kompile(): Promise<{ objects: number; files: number }> {
  // Loaded here so that the lower bound's process never loads cdk8s.
  const { GitOpsSchema } = await import('../lib/core/config');
  const { Component } = await import('../lib/core/component');
  const { Namespaces } = await import('../lib/core/namespaces');
  const { Platform } = await import('../lib/core/platform');
  const { Project } = await import('../lib/core/project');
  const { RegistryPolicy } = await import('../lib/core/registry-policy');
  const { synthesize } = await import('../lib/core/synthesize');
  const { writeOutputs } = await import('../lib/core/writer');
  const { addUnit, NAMESPACE } = await import('./workload');
  baseRssMiB = process.memoryUsage().rss / 2 ** 20;
  start = process.hrtime.bigint();
  const platform = new Platform({ environment: 'bench', gitops: GitOpsSchema.parse({ repoURL: 'https://git.example.com/gitops.git' }) });
  const namespaces = new Namespaces(platform, 'Namespaces', { kubernetesVersion: '1.28' });
  namespaces.add({ name: NAMESPACE });
  for (let c = 0; c < components; c++) {
    const component = new Component(platform, `C${c}`, { name: `c${c}`, namespace: NAMESPACE });
    component.dependsOn(namespaces);
    for (let u = c * UNITS_PER_COMPONENT; u < Math.min(units, (c + 1) * UNITS_PER_COMPONENT); u++) addUnit(component, u);
  }
  // An environment always has its AppProject (stacks/build.ts); the project rules check against it.
  new Project(platform, 'Project');
  const out = synthesize(platform, new RegistryPolicy({ allowedRegistries: [], allowedHosts: [] }));
  writeOutputs(outdir, [out]);
  return { objects: units * 5, files: out.files.size };
}

/**
 * The lower bound: the same objects Kompile writes (with the labels and sync-wave annotation it adds,
 * and one Application per component), built as plain data and written as YAML, one file per component.
 */
function lower(): { objects: number; files: number } {
  const root = path.join(outdir, 'bench');
  fs.mkdirSync(path.join(root, 'apps'), { recursive: true });
  for (let c = 0; c < components; c++) {
    const docs: string[] = [];
    for (let u = c * UNITS_PER_COMPONENT; u < Math.min(units, (c + 1) * UNITS_PER_COMPONENT); u++) for (const o of unitObjects(u, `c${c}`)) docs.push(stringify(o, YAML_OPTIONS));
    fs.mkdirSync(path.join(root, `c${c}`), { recursive: true });
    fs.writeFileSync(path.join(root, `c${c}`, 'manifests.yaml'), docs.join('---\n'));
    fs.writeFileSync(path.join(root, 'apps', `c${c}.yaml`), stringify(applicationObject(`c${c}`), YAML_OPTIONS));
  }
  return { objects: units * 5, files: 2 * components };
}

let baseRssMiB = process.memoryUsage().rss / 2 ** 20;
let start = process.hrtime.bigint();

async function main(): Promise<void> {
  const result = mode === 'kompile' ? await kompile() : lower();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  // maxRSS is in KiB on Linux.
  process.stdout.write(`${JSON.stringify({ ms, maxRssMiB: process.resourceUsage().maxRSS / 1024, baseRssMiB, ...result })}\n`);
}

void main();
