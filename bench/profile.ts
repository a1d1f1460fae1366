/**
 * Where a synth's time goes: runs one bench case (bench/child.ts) under `node --cpu-prof` and prints
 * the top entries of the profile by self time, by time including callees, and by file.
 *   tsx bench/profile.ts [kompile|lower|json|cdk8s] [units, default 10000] [top, default 25]
 * Prints numbers; asserts nothing. The profiler slows the run down (by about a third): read the
 * shares, not the milliseconds.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly columnNumber: number;
}
interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}
interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const [mode = 'kompile', unitsArg = '10000', topArg = '25'] = process.argv.slice(2);
const top = Number(topArg);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kompile-profile-'));
const outdir = path.join(tmp, 'out');
const profiles = path.join(tmp, 'profiles');

/** The file a frame is in, relative to the checkout or node_modules. */
const fileOf = (f: CallFrame) => f.url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, '').replace(`${path.resolve(__dirname, '..')}/`, '') || '(native)';
/** tsx writes each module on a line or two, so a column tells functions of a file apart, not a line. */
const nameOf = (f: CallFrame) => `${f.functionName || '(anonymous)'}  ${fileOf(f)}${f.url ? `:${f.columnNumber}` : ''}`;

function summarize(profile: Profile): void {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfOf = new Map<number, number>();
  profile.samples.forEach((id, i) => selfOf.set(id, (selfOf.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const files = new Map<string, number>();
  let all = 0;
  for (const [id, us] of selfOf) {
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === '(idle)') continue;
    all += us;
    self.set(nameOf(frame), (self.get(nameOf(frame)) ?? 0) + us);
    files.set(fileOf(frame), (files.get(fileOf(frame)) ?? 0) + us);
    // Each function once per sample, however deep its recursion.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const name = nameOf(byId.get(cur)!.callFrame);
      if (seen.has(name)) continue;
      seen.add(name);
      total.set(name, (total.get(name) ?? 0) + us);
    }
  }
  const print = (title: string, m: Map<string, number>) => {
    console.log(`\n${title}`);
    for (const [name, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${(us / 1000).toFixed(0).padStart(8)} ms ${((100 * us) / all).toFixed(1).padStart(5)}%  ${name}`);
  };
  console.log(`${(all / 1000).toFixed(0)} ms busy (module loading included, idle left out)`);
  print('self time', self);
  print('time including callees', total);
  print('self time by file', files);
}

try {
  const out = execFileSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${profiles}`, '--import', 'tsx', path.join(__dirname, 'child.ts'), mode, unitsArg, outdir], { encoding: 'utf8', maxBuffer: 1 << 24 });
  console.log(`${mode}, ${unitsArg} units: ${out.trim().split('\n').pop()}`);
  // tsx's loader thread writes a profile of its own; the run's is the one that ran bench/child.ts.
  const runs = fs.readdirSync(profiles).map((f) => JSON.parse(fs.readFileSync(path.join(profiles, f), 'utf8')) as Profile);
  summarize(runs.find((p) => p.nodes.some((n) => n.callFrame.url.endsWith('bench/child.ts')))!);
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
