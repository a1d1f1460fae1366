/**
 * The fleet section of `npm run bench`: 100 environments derived from the three of `stacks/` (dev,
 * prod, airgap, with varied names), synthesized the way `npm run synth` does (lib/tools/synth.ts, then
 * writeOutputs with the atomic swap) into a scratch dist/: once into an empty folder, then again with
 * nothing changed. Each synth runs in a child process of its own (`tsx bench/fleet.ts child <count>
 * <outdir>`), so its time includes nothing of the parent and its peak memory is its own. Prints numbers;
 * asserts nothing. BENCH_FLEET_SIZE changes the count.
 *
 * Run alone with `tsx bench/fleet.ts`.
 */
import { execFileSync } from 'node:child_process';
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
  readonly ms: number;
  readonly maxRssMiB: number;
  readonly environments: number;
  readonly files: number;
}

async function child(count: number, outdir: string): Promise<void> {
  const { environments } = await import('../stacks');
  const { synthesizeAll } = await import('../lib/tools/synth');
  const { writeOutputs, isWriteBack } = await import('../lib/core/writer');
  const { helmBinary } = await import('../lib/tools/helm');
  const start = process.hrtime.bigint();
  const { outputs } = await synthesizeAll(fleet(environments, count), {
    chartsDir: path.join(ROOT, 'charts'),
    render: () => ({ helm: helmBinary(), cacheDir: path.join(ROOT, 'node_modules', '.cache', 'kompile', 'renders') }),
  });
  writeOutputs(outdir, outputs, { preserve: isWriteBack });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const run: FleetRun = { ms, maxRssMiB: process.resourceUsage().maxRSS / 1024, environments: outputs.length, files: outputs.reduce((n, o) => n + o.files.size, 0) };
  process.stdout.write(`${JSON.stringify(run)}\n`);
}

function runChild(count: number, outdir: string): FleetRun {
  const out = execFileSync(process.execPath, ['--import', 'tsx', __filename, 'child', String(count), outdir], { encoding: 'utf8', maxBuffer: 1 << 24 });
  return JSON.parse(out.trim().split('\n').pop()!) as FleetRun;
}

export async function benchFleet(): Promise<void> {
  const count = Number(process.env.BENCH_FLEET_SIZE ?? 100);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kompile-bench-fleet-'));
  try {
    const dist = path.join(tmp, 'dist');
    const cold = runChild(count, dist);
    const unchanged = runChild(count, dist);
    const line = (what: string, r: FleetRun) =>
      `  ${what.padEnd(26)} ${(r.ms / 1000).toFixed(2).padStart(7)} s  ${(r.ms / r.environments).toFixed(0).padStart(5)} ms/environment  peak ${r.maxRssMiB.toFixed(0)} MiB`;
    console.log(`fleet: ${cold.environments} environments derived from stacks/ (${cold.files} files), synthesized as \`npm run synth\` does, module loading not timed`);
    console.log(line('into an empty dist/', cold));
    console.log(line('again, nothing changed', unchanged));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const [mode, count, outdir] = process.argv.slice(2);
  (mode === 'child' ? child(Number(count), outdir) : benchFleet()).catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
