/**
 * Kompile's entry point, used by both `npm run synth` and `cdk8s synth`: compiles every environment
 * in `stacks/` (rendering vendored upstream charts with the real helm between two compiles) and
 * writes `dist/` atomically. The only file with side effects.
 *
 * `npm run synth -- --charts-mode hydrated|referenced` overrides every environment's `gitops.chartsMode`.
 * When neither the inputs nor dist/ changed since the last synth, nothing is compiled
 * (lib/tools/synth-stamp.ts); `--no-cache` or `KOMPILE_SYNTH_CACHE=off` compiles anyway.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isWriteBack, writeOutputs } from './lib/core/writer';
import { helmBinary } from './lib/tools/helm';
import { loadEnvironments, synthesizeAll, synthWarningLines } from './lib/tools/synth';
import { inputsDigest, outputDigest, readStamp, stampFile, unchangedSince, writeStamp } from './lib/tools/synth-stamp';

const DIST = path.join(__dirname, 'dist');
/** `KOMPILE_HELM` points at another helm binary; by default it comes from an npm package (see lib/tools/helm.ts). */
const helm = () => process.env.KOMPILE_HELM ?? helmBinary();

function chartsModeArg(argv: readonly string[]): 'hydrated' | 'referenced' | undefined {
  const i = argv.indexOf('--charts-mode');
  if (i < 0) return undefined;
  const mode = argv[i + 1];
  if (mode !== 'hydrated' && mode !== 'referenced') {
    console.error(`--charts-mode takes 'hydrated' or 'referenced', not '${mode ?? ''}'`);
    process.exit(2);
  }
  return mode;
}

/** `cdk8s synth` empties its output folder before running the app, which would break atomicity if
 * that folder were dist/; cdk8s.yaml points it at a scratch folder, which gets a copy. */
function copyForCdk8s(): void {
  const cdk8sOut = process.env.CDK8S_OUTDIR;
  if (cdk8sOut && path.resolve(cdk8sOut) !== DIST) fs.cpSync(DIST, cdk8sOut, { recursive: true });
}

async function main(): Promise<void> {
  const args = process.argv.slice(2).filter((a) => a !== '--no-cache');
  const useStamp = !process.argv.includes('--no-cache') && process.env.KOMPILE_SYNTH_CACHE !== 'off';
  const inputs = inputsDigest(__dirname, args);
  const unchanged = useStamp ? unchangedSince(readStamp(stampFile(__dirname)), inputs, DIST) : undefined;
  if (unchanged) {
    copyForCdk8s();
    for (const line of unchanged.summary) console.log(line);
    for (const line of unchanged.warnings) console.warn(line);
    console.log('(inputs and dist/ unchanged since the last synth: nothing compiled; --no-cache compiles anyway)');
    return;
  }
  // Loaded here, not imported: a stack file that does not load is reported, and nothing written.
  const environments = loadEnvironments(path.join(__dirname, 'stacks'), () => (require('./stacks') as typeof import('./stacks')).environments);
  const { outputs, unchecked } = await synthesizeAll(environments, {
    chartsMode: chartsModeArg(args),
    chartsDir: path.join(__dirname, 'charts'),
    render: () => ({ helm: helm(), cacheDir: path.join(__dirname, 'node_modules', '.cache', 'kompile', 'renders') }),
  });
  writeOutputs(DIST, outputs, { preserve: isWriteBack });
  copyForCdk8s();
  const summary = outputs.map((o) => `dist/${o.environment}: ${o.files.size} files, ${o.images.size} images`);
  const warnings = synthWarningLines(outputs);
  if (unchecked.length > 0) {
    const charts = [...new Set(unchecked.map((u) => u.chart))].sort();
    summary.push(`${charts.length} upstream chart(s) not vendored, so referenced and not rendered or checked: ${charts.join(', ')} (kompile charts pull)`);
  }
  for (const line of summary) console.log(line);
  for (const line of warnings) console.warn(line);
  writeStamp(stampFile(__dirname), { inputs, output: outputDigest(DIST), summary, warnings });
}

main().catch((e: unknown) => {
  console.error((e as Error).message);
  console.error('\nNothing was written: dist/ is unchanged.');
  process.exit(1);
});
