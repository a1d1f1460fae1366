/**
 * `npm run bench`: Kompile's synth pipeline (Platform → Components → synthesize → writeOutputs) on
 * platforms of 100, 1,000 and 10,000 workload units (5 objects each, 10 units per component), beside a
 * lower bound measured in the same run (the same objects written as YAML with the `yaml` package, no
 * constructs); then `diff` and `validate` on 10,000 objects; then cold and warm chart renders
 * (bench/charts.ts).
 *
 * Each synth runs in a child process of its own (best of BENCH_REPEAT runs, default 5), so its peak
 * memory (maxRSS) is its own. Prints numbers; asserts nothing.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { diffTrees, formatMarkdown } from '../lib/tools/diff';
import { benchChartRenders } from './charts';
import { SchemaValidator } from '../lib/tools/schema-validator';
import { readTree } from '../lib/tools/tree';
import { validateTree } from '../lib/tools/validate';

interface Measurement {
  readonly ms: number;
  readonly maxRssMiB: number;
  readonly baseRssMiB: number;
  readonly objects: number;
  readonly files: number;
}

const SIZES = (process.env.BENCH_SIZES ?? '100,1000,10000').split(',').map(Number);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 5);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kompile-bench-'));

function measureOnce(mode: 'kompile' | 'lower', units: number, outdir: string): Measurement {
  fs.rmSync(outdir, { recursive: true, force: true });
  const out = execFileSync(process.execPath, ['--import', 'tsx', path.join(__dirname, 'child.ts'), mode, String(units), outdir], { encoding: 'utf8', maxBuffer: 1 << 24 });
  return JSON.parse(out.trim().split('\n').pop()!) as Measurement;
}

/**
 * Best of REPEAT runs of each, the two interleaved (lower, kompile, lower, …) so that a change in
 * machine load (other processes on a shared machine) affects both sides alike.
 */
function measurePair(units: number): { k: Measurement; l: Measurement } {
  let k: Measurement | undefined;
  let l: Measurement | undefined;
  for (let i = 0; i < REPEAT; i++) {
    const li = measureOnce('lower', units, path.join(tmp, `lower-${units}`));
    const ki = measureOnce('kompile', units, path.join(tmp, `kompile-${units}`));
    if (!l || li.ms < l.ms) l = li;
    if (!k || ki.ms < k.ms) k = ki;
  }
  return { k: k!, l: l! };
}

function time<T>(fn: () => T): { result: T; ms: number } {
  const start = process.hrtime.bigint();
  const result = fn();
  return { result, ms: Number(process.hrtime.bigint() - start) / 1e6 };
}

const f0 = (n: number) => n.toFixed(0);
const f2 = (n: number) => n.toFixed(2);
const row = (cells: readonly string[], widths: readonly number[]) => cells.map((c, i) => c.padStart(widths[i])).join('  ');

console.log(`Kompile bench: ${os.cpus().length} CPU(s), node ${process.version}, best of ${REPEAT}\n`);
const widths = [7, 8, 11, 11, 7, 12, 12, 11];
console.log(row(['units', 'objects', 'kompile ms', 'lower ms', 'ratio', 'kompile MiB', 'lower MiB', 'µs/object'], widths));
const results: Array<{ units: number; k: Measurement; l: Measurement }> = [];
for (const units of SIZES) {
  const { k, l } = measurePair(units);
  results.push({ units, k, l });
  console.log(row([String(units), String(k.objects), f0(k.ms), f0(l.ms), `${f2(k.ms / l.ms)}×`, f0(k.maxRssMiB), f0(l.maxRssMiB), f0((k.ms * 1000) / k.objects)], widths));
}
if (results.length > 1) {
  const first = results[0];
  const last = results[results.length - 1];
  const growth = last.k.ms / first.k.ms / (last.units / first.units);
  console.log(`\ngrowth ${first.units} → ${last.units} units: time ×${f2(last.k.ms / first.k.ms)} for ×${last.units / first.units} units (${f2(growth)} of linear)`);
}
console.log('(peak MiB is the child process maxRSS, including Node and loaded modules; module loading is not timed)\n');

// diff and validate on 10,000 objects: a 2,000-unit platform, and a copy with 10% of its images bumped and one component removed.
const before = path.join(tmp, 'tree-before');
const after = path.join(tmp, 'tree-after');
measureOnce('kompile', 2000, before);
fs.cpSync(before, after, { recursive: true });
for (let c = 0; c < 200; c += 10) {
  const file = path.join(after, 'bench', `c${c}`, 'manifests.yaml');
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/(ghcr\.io\/acme\/unit-\d+):1\.0\./g, '$1:1.1.'));
}
fs.rmSync(path.join(after, 'bench', 'c199'), { recursive: true });
const read = time(() => [readTree(before), readTree(after)] as const);
const [tb, ta] = read.result;
const diff = time(() => diffTrees(tb, ta));
const md = time(() => formatMarkdown(diff.result));
console.log(`diff (${tb.objects.length} → ${ta.objects.length} objects): read both trees ${f0(read.ms)} ms, compare ${f0(diff.ms)} ms, Markdown ${f0(md.ms)} ms; ${diff.result.objects.length} objects differ`);

const shared = path.join(__dirname, '../../shared/crds');
const load = time(() => SchemaValidator.load({ kubernetesDefinitions: path.join(shared, 'kubernetes/v1.28.0/_definitions.json'), crdPaths: [shared] }));
const validate = time(() => validateTree(tb, { schema: load.result }));
const errors = validate.result.filter((f) => f.severity === 'error').length;
console.log(`validate (${tb.objects.length} objects): load schemas ${f0(load.ms)} ms, check ${f0(validate.ms)} ms; ${errors} error(s), ${validate.result.length - errors} warning(s)`);

fs.rmSync(tmp, { recursive: true, force: true });

console.log('');
benchChartRenders().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
