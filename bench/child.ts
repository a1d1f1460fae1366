/**
 * One measurement, in a process of its own so that peak memory (maxRSS) belongs to it alone:
 *   tsx bench/child.ts json|lower|kompile|cdk8s <units> <outdir>
 * Prints one JSON line: { ms, maxRssMiB, baseRssMiB, objects, files }. Module loading is not timed
 * (baseRssMiB is the resident size once the modules are loaded, before the workload is built).
 *
 * - json: the JSON floor: the plain objects of the lower bound, written with `JSON.stringify`, one
 *   file per component (and one per Application), no constructs.
 * - lower: the YAML lower bound: the same plain objects written with `yaml.stringify`.
 * - kompile: the construct workload (bench/workload.ts) through Platform → Components → synthesize
 *   → writeOutputs.
 * - cdk8s: the same construct workload in a stock cdk8s `App`, one `Chart` per component, `App.synth()`.
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

const unitsOf = (c: number) => Array.from({ length: Math.min(units, (c + 1) * UNITS_PER_COMPONENT) - c * UNITS_PER_COMPONENT }, (_, i) => c * UNITS_PER_COMPONENT + i);

function startClock(): void {
  baseRssMiB = process.memoryUsage().rss / 2 ** 20;
  start = process.hrtime.bigint();
}

async function kompile(): Promise<{ objects: number; files: number }> {
  // Loaded here so that the plain modes' processes never load cdk8s.
  const { GitOpsSchema } = await import('../lib/core/config');
  const { Component } = await import('../lib/core/component');
  const { Namespaces } = await import('../lib/core/namespaces');
  const { Platform } = await import('../lib/core/platform');
  const { Project } = await import('../lib/core/project');
  const { RegistryPolicy } = await import('../lib/core/registry-policy');
  const { synthesize } = await import('../lib/core/synthesize');
  const { writeOutputs } = await import('../lib/core/writer');
  const { addUnit, NAMESPACE } = await import('./workload');
  startClock();
  const platform = new Platform({ environment: 'bench', gitops: GitOpsSchema.parse({ repoURL: 'https://git.example.com/gitops.git' }) });
  const namespaces = new Namespaces(platform, 'Namespaces', { kubernetesVersion: '1.28' });
  namespaces.add({ name: NAMESPACE });
  for (let c = 0; c < components; c++) {
    const component = new Component(platform, `C${c}`, { name: `c${c}`, namespace: NAMESPACE });
    component.dependsOn(namespaces);
    for (const u of unitsOf(c)) addUnit(component, u);
  }
  // An environment always has its AppProject (stacks/build.ts); the project rules check against it.
  new Project(platform, 'Project');
  const out = synthesize(platform, new RegistryPolicy({ allowedRegistries: [], allowedHosts: [] }));
  writeOutputs(outdir, [out]);
  return { objects: units * 5, files: out.files.size };
}

async function cdk8s(): Promise<{ objects: number; files: number }> {
  const { App, Chart } = await import('cdk8s');
  const { addUnit, NAMESPACE } = await import('./workload');
  startClock();
  const app = new App({ outdir });
  for (let c = 0; c < components; c++) {
    const chart = new Chart(app, `c${c}`, { namespace: NAMESPACE });
    for (const u of unitsOf(c)) addUnit(chart, u);
  }
  app.synth();
  return { objects: units * 5, files: components };
}

/**
 * The plain modes: the same objects Kompile writes (with the labels and sync-wave annotation it adds,
 * and one Application per component), built as plain data and written one file per component.
 */
function plain(write: (o: unknown) => string, separator: string, ext: string): { objects: number; files: number } {
  startClock();
  const root = path.join(outdir, 'bench');
  fs.mkdirSync(path.join(root, 'apps'), { recursive: true });
  for (let c = 0; c < components; c++) {
    const docs: string[] = [];
    for (const u of unitsOf(c)) for (const o of unitObjects(u, `c${c}`)) docs.push(write(o));
    fs.mkdirSync(path.join(root, `c${c}`), { recursive: true });
    fs.writeFileSync(path.join(root, `c${c}`, `manifests.${ext}`), docs.join(separator));
    fs.writeFileSync(path.join(root, 'apps', `c${c}.${ext}`), write(applicationObject(`c${c}`)));
  }
  return { objects: units * 5, files: 2 * components };
}

let baseRssMiB = 0;
let start = process.hrtime.bigint();

async function main(): Promise<void> {
  const run: Record<string, () => Promise<{ objects: number; files: number }> | { objects: number; files: number }> = {
    json: () => plain((o) => `${JSON.stringify(o)}\n`, '', 'json'),
    lower: () => plain((o) => stringify(o, YAML_OPTIONS), '---\n', 'yaml'),
    kompile,
    cdk8s,
  };
  if (!run[mode]) throw new Error(`mode must be one of ${Object.keys(run).join(', ')}, not '${mode}'`);
  const result = await run[mode]();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  // maxRSS is in KiB on Linux.
  process.stdout.write(`${JSON.stringify({ ms, maxRssMiB: process.resourceUsage().maxRSS / 1024, baseRssMiB, ...result })}\n`);
}

void main();
