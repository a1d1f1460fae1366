/**
 * Kompile's entry point, used by both `npm run synth` and `cdk8s synth`: compiles every environment
 * in `stacks/` and writes `dist/` atomically. The only file with side effects.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EnvironmentConfig } from './lib/core/config';
import { isWriteBack, writeOutputs } from './lib/core/writer';
import { helmBinary } from './lib/tools/helm';
import { renderVendoredCharts } from './lib/tools/vendor';
import { environments } from './stacks';
import { compileAll } from './stacks/compile';

const DIST = path.join(__dirname, 'dist');

/**
 * Vendored charts are rendered with the real helm before construction (constructs do no I/O).
 * `KOMPILE_HELM` points at another helm binary; by default it comes from an npm package (see lib/tools/helm.ts).
 */
const renderCharts = (config: EnvironmentConfig) =>
  config.components.vendored.charts.length === 0 ? new Map() : renderVendoredCharts(config, process.env.KOMPILE_HELM ?? helmBinary(), __dirname);

try {
  const outputs = compileAll(environments, { renderCharts });
  writeOutputs(DIST, outputs, { preserve: isWriteBack });
  // `cdk8s synth` empties its output folder before running the app, which would break atomicity
  // if that folder were dist/; cdk8s.yaml points it at a scratch folder, which gets a copy.
  const cdk8sOut = process.env.CDK8S_OUTDIR;
  if (cdk8sOut && path.resolve(cdk8sOut) !== DIST) fs.cpSync(DIST, cdk8sOut, { recursive: true });
  for (const o of outputs) console.log(`dist/${o.environment}: ${o.files.size} files, ${o.images.size} images`);
} catch (e) {
  console.error((e as Error).message);
  console.error('\nNothing was written: dist/ is unchanged.');
  process.exit(1);
}
