/**
 * `npm run bench`: Kompile's synth pipeline (Platform → Components → synthesize → writeOutputs) on
 * platforms of 100, 1,000 and 10,000 workload units (5 objects each, 10 units per component), beside
 * its peers measured in the same run: the JSON floor (the same plain objects written with
 * `JSON.stringify`, one file per component), the YAML lower bound (the same plain objects written with
 * `yaml.stringify`) and stock cdk8s `App.synth()` on the same construct workload (skipped at sizes it
 * cannot finish in a minute, and said so); then `diff` and `validate` on 10,000 objects; then the
 * fleet (bench/fleet.ts); then cold and warm chart renders (bench/charts.ts).
 *
 * Each synth runs in a child process of its own (best of BENCH_REPEAT runs, default 3; the peers
 * interleaved, so that a change in machine load affects them alike), so its peak memory (maxRSS) is
 * its own. Prints numbers; asserts nothing. BENCH_SIZES=100,1000 picks the sizes; BENCH_FLEET=0 skips
 * the fleet; BENCH_COMPARE=<folder> adds the synth of another checkout (its bench/child.ts) as a peer.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { diffTrees, formatMarkdown } from '../lib/tools/diff';
import { benchChartRenders } from './charts';
import { benchFleet } from './fleet';
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

type Peer = 'json' | 'lower' | 'kompile' | 'compare' | 'cdk8s';
/** Another checkout of Kompile (a folder with bench/child.ts) whose synth runs as one more peer, e.g. the code before a change. */
const COMPARE = process.env.BENCH_COMPARE;
const PEERS: readonly Peer[] = ['json', 'lower', 'kompile', ...(COMPARE ? (['compare'] as const) : []), 'cdk8s'];
const LABEL: Record<Peer, string> = { json: 'JSON floor', lower: 'YAML lower bound', kompile: 'Kompile', compare: 'Kompile (compare)', cdk8s: 'cdk8s App.synth()' };

const SIZES = (process.env.BENCH_SIZES ?? '100,1000,10000').split(',').map(Number);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);
/** stock cdk8s is not run at a size it would not finish in this long (extrapolated linearly from the size before), nor beyond it. */
const CDK8S_LIMIT_MS = 60_000;
/** A run that takes longer than this is not repeated (stock cdk8s at 10,000 units). */
const REPEAT_BELOW_MS = 15_000;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kompile-bench-'));

function measureOnce(mode: Peer, units: number, outdir: string, timeoutMs?: number): Measurement | undefined {
  fs.rmSync(outdir, { recursive: true, force: true });
  try {
    const child = mode === 'compare' ? path.join(path.resolve(COMPARE!), 'bench', 'child.ts') : path.join(__dirname, 'child.ts');
    const out = execFileSync(process.execPath, ['--import', 'tsx', child, mode === 'compare' ? 'kompile' : mode, String(units), outdir], { encoding: 'utf8', maxBuffer: 1 << 24, timeout: timeoutMs });
    return JSON.parse(out.trim().split('\n').pop()!) as Measurement;
  } catch (e) {
    if (timeoutMs !== undefined && (e as { signal?: string }).signal === 'SIGTERM') return undefined;
    throw e;
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

function time<T>(fn: () => T): { result: T; ms: number } {
  const start = process.hrtime.bigint();
  const result = fn();
  return { result, ms: Number(process.hrtime.bigint() - start) / 1e6 };
}

const f0 = (n: number) => n.toFixed(0);
const f2 = (n: number) => n.toFixed(2);
const row = (cells: readonly string[], widths: readonly number[]) => cells.map((c, i) => (i === 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');

console.log(`Kompile bench: ${os.cpus().length} CPU(s), node ${process.version}, best of ${REPEAT} (a run over ${REPEAT_BELOW_MS / 1000} s is not repeated), peers interleaved\n`);
const widths = [6, 17, 9, 8, 8, 9, 10, 10];
console.log(row(['units', 'peer', 'ms', '×lower', '×JSON', 'peak MiB', 'MiB>base', 'µs/object'], widths));
const results = new Map<Peer, Map<number, Measurement>>(PEERS.map((p) => [p, new Map()]));
let cdk8sSkippedFrom: number | undefined;
let cdk8sTimedOut = false;
for (const units of SIZES) {
  const best = new Map<Peer, Measurement>();
  const prior = [...results.get('cdk8s')!].pop();
  const predicted = prior ? (prior[1].ms * units) / prior[0] : 0;
  const runCdk8s = cdk8sSkippedFrom === undefined && predicted <= CDK8S_LIMIT_MS;
  if (!runCdk8s && cdk8sSkippedFrom === undefined) cdk8sSkippedFrom = units;
  for (let i = 0; i < REPEAT; i++) {
    for (const peer of PEERS) {
      // Not at this size, or it already ran out of time at this size: one minute is spent once, not per repeat.
      if (peer === 'cdk8s' && (!runCdk8s || (cdk8sTimedOut && cdk8sSkippedFrom === units))) continue;
      const prev = best.get(peer);
      if (prev && prev.ms > REPEAT_BELOW_MS) continue;
      const m = measureOnce(peer, units, path.join(tmp, `${peer}-${units}`), peer === 'cdk8s' ? CDK8S_LIMIT_MS : undefined);
      if (!m) {
        cdk8sSkippedFrom = units;
        cdk8sTimedOut = true;
        continue;
      }
      if (!prev || m.ms < prev.ms) best.set(peer, m);
    }
  }
  const lower = best.get('lower')!;
  const json = best.get('json')!;
  for (const peer of PEERS) {
    const m = best.get(peer);
    if (!m) {
      const why = cdk8sTimedOut && cdk8sSkippedFrom === units ? 'stopped after' : `skipped: would take ~${f0(predicted / 1000)} s (from ${prior?.[0]} units), over`;
      console.log(row([String(units), LABEL[peer], `${why} ${CDK8S_LIMIT_MS / 1000} s`], widths));
      continue;
    }
    results.get(peer)!.set(units, m);
    console.log(row([String(units), LABEL[peer], f0(m.ms), `${f2(m.ms / lower.ms)}×`, `${f2(m.ms / json.ms)}×`, f0(m.maxRssMiB), f0(m.maxRssMiB - m.baseRssMiB), f2((m.ms * 1000) / m.objects)], widths));
  }
  const k = best.get('kompile')!;
  console.log(row(['', 'Kompile peak', '', '', '', `${f2(k.maxRssMiB / lower.maxRssMiB)}×`, `${f2((k.maxRssMiB - k.baseRssMiB) / (lower.maxRssMiB - lower.baseRssMiB))}×`, ''], widths).replace(/\s+$/, '') + '  (of the lower bound)');
}
if (SIZES.length > 1) {
  const first = SIZES[0];
  const last = SIZES[SIZES.length - 1];
  console.log('');
  for (const peer of PEERS) {
    const a = results.get(peer)!.get(first);
    const b = results.get(peer)!.get(last);
    if (a && b) console.log(`${LABEL[peer].padEnd(17)} ${first} → ${last} units: time ×${f2(b.ms / a.ms)} for ×${last / first} units (${f2(b.ms / a.ms / (last / first))} of linear)`);
  }
}
console.log('(peak MiB is the child process maxRSS, including Node and the loaded modules; MiB>base is that peak less the resident size once the modules are loaded; module loading is not timed)\n');

// diff and validate on 10,000 objects: a 2,000-unit platform, and a copy with 10% of its images bumped and one component removed.
const before = path.join(tmp, 'tree-before');
const after = path.join(tmp, 'tree-after');
execFileSync(process.execPath, ['--import', 'tsx', path.join(__dirname, 'child.ts'), 'kompile', '2000', before]);
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
(async () => {
  if (process.env.BENCH_FLEET !== '0') await benchFleet();
  console.log('');
  await benchChartRenders();
})().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
