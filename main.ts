/**
 * Kompile's entry point, used by both `npm run synth` and `cdk8s synth`: compiles every environment
 * in `stacks/` (rendering vendored upstream charts with the real helm between two compiles) and
 * writes `dist/` atomically. The only file with side effects.
 *
 * `npm run synth -- --charts-mode hydrated|referenced` overrides every environment's `gitops.chartsMode`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isWriteBack, writeOutputs } from './lib/core/writer';
import { helmBinary } from './lib/tools/helm';
import { loadEnvironments, synthesizeAll } from './lib/tools/synth';

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

async function main(): Promise<void> {
  // Loaded here, not imported: a stack file that does not load is reported, and nothing written.
  const environments = loadEnvironments(path.join(__dirname, 'stacks'), () => (require('./stacks') as typeof import('./stacks')).environments);
  const { outputs, unchecked } = await synthesizeAll(environments, {
    chartsMode: chartsModeArg(process.argv.slice(2)),
    chartsDir: path.join(__dirname, 'charts'),
    render: () => ({ helm: helm(), cacheDir: path.join(__dirname, 'node_modules', '.cache', 'kompile', 'renders') }),
  });
  writeOutputs(DIST, outputs, { preserve: isWriteBack });
  // `cdk8s synth` empties its output folder before running the app, which would break atomicity
  // if that folder were dist/; cdk8s.yaml points it at a scratch folder, which gets a copy.
  const cdk8sOut = process.env.CDK8S_OUTDIR;
  if (cdk8sOut && path.resolve(cdk8sOut) !== DIST) fs.cpSync(DIST, cdk8sOut, { recursive: true });
  for (const o of outputs) console.log(`dist/${o.environment}: ${o.files.size} files, ${o.images.size} images`);
  for (const o of outputs) for (const w of o.warnings ?? []) console.warn(`warning: ${o.environment}: [${w.path}] ${w.message}`);
  if (unchecked.length > 0) {
    const charts = [...new Set(unchecked.map((u) => u.chart))].sort();
    console.log(`${charts.length} upstream chart(s) not vendored, so referenced and not rendered or checked: ${charts.join(', ')} (kompile charts pull)`);
  }
}

main().catch((e: unknown) => {
  console.error((e as Error).message);
  console.error('\nNothing was written: dist/ is unchanged.');
  process.exit(1);
});
