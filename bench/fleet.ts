/**
 * The fleet section of `npm run bench`: 100 environments derived from the three of `stacks/` (dev,
 * prod, airgap, with varied names), synthesized the way `npm run synth` does (lib/tools/synth.ts, then
 * writeOutputs with the atomic swap) into a scratch dist/: once into an empty folder, then again with
 * nothing changed; then split across as many processes as the machine has cores, each compiling a
 * share of the environments, to see whether compiling environments in parallel helps. Each synth runs
 * in a child process of its own (`tsx bench/fleet.ts child <count> <outdir> [<share> <shares>]`), so
 * its peak memory is its own. Prints numbers; asserts nothing. BENCH_FLEET_SIZE changes the count.
 *
 * Run alone with `tsx bench/fleet.ts`.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { EnvironmentInput } from '../lib/core/config';

const ROOT = path.join(__dirname, '..');

/** `count` environments: dev, prod, airgap, dev-1, prod-1, airgap-1, … */
export function fleet(base: readonly EnvironmentInput[], count: number): EnvironmentInput[] {
  return Array.from({ length: count }, (_, i) => {
    const env = base[i % base.length];
    const round = Math.floor(i / base.length);
    return round === 0 ? env : { ...env, name: `${env.name}-${round}` };
  });
}

interface FleetRun {
  /** Synth time after module loading (the slowest process, when several). */
  readonly ms: number;
  /** Peak resident size (summed over processes, when several). */
  readonly maxRssMiB: number;
  readonly environments: number;
  readonly files: number;
}

async function child(count: number, outdir: string, share: number, shares: number): Promise<void> {
  // As main.ts does: nothing is compiled when neither the inputs nor the output changed since the
  // last synth into this folder (lib/tools/synth-stamp.ts), checked before the stacks are loaded.
  const stamps = await import('../lib/tools/synth-stamp');
  const stampAt = `${outdir}.stamp.json`;
  const inputsKey = stamps.inputsDigest(ROOT, ['fleet', String(count), String(share), String(shares)]);
  const before = process.hrtime.bigint();
  const unchanged = stamps.unchangedSince(stamps.readStamp(stampAt), inputsKey, outdir);
  if (unchanged) {
    // The stamp's one summary line is this bench's own record of what the synth wrote.
    const counts = JSON.parse(unchanged.summary[0]) as Pick<FleetRun, 'environments' | 'files'>;
    const run: FleetRun = { ms: Number(process.hrtime.bigint() - before) / 1e6, maxRssMiB: process.resourceUsage().maxRSS / 1024, ...counts };
    process.stdout.write(`${JSON.stringify(run)}\n`);
    return;
  }
  const { environments } = await import('../stacks');
  const { synthesizeAll } = await import('../lib/tools/synth');
  const { writeOutputs, isWriteBack } = await import('../lib/core/writer');
  const { helmBinary } = await import('../lib/tools/helm');
  const start = process.hrtime.bigint();
  const inputs = fleet(environments, count).filter((_, i) => i % shares === share);
  const { outputs } = await synthesizeAll(inputs, {
    chartsDir: path.join(ROOT, 'charts'),
    render: () => ({ helm: helmBinary(), cacheDir: path.join(ROOT, 'node_modules', '.cache', 'kompile', 'renders') }),
  });
  writeOutputs(outdir, outputs, { preserve: isWriteBack });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const counts = { environments: outputs.length, files: outputs.reduce((n, o) => n + o.files.size, 0) };
  stamps.writeStamp(stampAt, { inputs: inputsKey, output: stamps.outputDigest(outdir), summary: [JSON.stringify(counts)], warnings: [] });
  const run: FleetRun = { ms, maxRssMiB: process.resourceUsage().maxRSS / 1024, ...counts };
  process.stdout.write(`${JSON.stringify(run)}\n`);
}

/**
 * `shares` child processes at once, each compiling every `shares`-th environment (into `outdir`, or
 * `outdir-<share>` when several); wall time from the first spawn to the last exit, module loading included.
 */
async function runChildren(count: number, outdir: string, shares: number): Promise<FleetRun & { wallMs: number }> {
  const start = process.hrtime.bigint();
  const runs = await Promise.all(
    Array.from(
      { length: shares },
      (_, share) =>
        new Promise<FleetRun>((resolve, reject) => {
          const args = ['--import', 'tsx', __filename, 'child', String(count), shares === 1 ? outdir : `${outdir}-${share}`, String(share), String(shares)];
          execFile(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 24 }, (error, stdout) => {
            if (error) reject(error);
            else resolve(JSON.parse(stdout.trim().split('\n').pop()!) as FleetRun);
          });
        }),
    ),
  );
  return {
    wallMs: Number(process.hrtime.bigint() - start) / 1e6,
    ms: Math.max(...runs.map((r) => r.ms)),
    maxRssMiB: runs.reduce((n, r) => n + r.maxRssMiB, 0),
    environments: runs.reduce((n, r) => n + r.environments, 0),
    files: runs.reduce((n, r) => n + r.files, 0),
  };
}

export async function benchFleet(): Promise<void> {
  const count = Number(process.env.BENCH_FLEET_SIZE ?? 100);
  const cores = os.availableParallelism();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kompile-bench-fleet-'));
  try {
    const dist = path.join(tmp, 'dist');
    const cold = await runChildren(count, dist, 1);
    const unchanged = await runChildren(count, dist, 1);
    // The same synth again with its stamp removed: what a no-change synth costs without the shortcut.
    fs.rmSync(`${dist}.stamp.json`);
    const forced = await runChildren(count, dist, 1);
    const parallel = cores > 1 ? await runChildren(count, path.join(tmp, 'parallel'), cores) : undefined;
    const line = (what: string, r: FleetRun & { wallMs: number }) =>
      `  ${what.padEnd(30)} ${(r.wallMs / 1000).toFixed(2).padStart(7)} s wall ${(r.ms / 1000).toFixed(2).padStart(7)} s synth ${(r.ms / r.environments).toFixed(0).padStart(5)} ms/environment  peak ${r.maxRssMiB.toFixed(0)} MiB`;
    console.log(`fleet: ${cold.environments} environments derived from stacks/ (${cold.files} files), synthesized as \`npm run synth\` does (wall: process start to exit; synth: after module loading)`);
    console.log(line('into an empty dist/', cold));
    console.log(line('again, nothing changed', unchanged));
    console.log(line('again, without the stamp', forced));
    if (parallel) console.log(`${line(`${cores} processes, a share each`, parallel)} (summed over processes)`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const [mode, count, outdir, share, shares] = process.argv.slice(2);
  (mode === 'child' ? child(Number(count), outdir, Number(share ?? 0), Number(shares ?? 1)) : benchFleet()).catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
