/**
 * Kompile's entry point, used by both `npm run synth` and `cdk8s synth`: compiles every environment
 * in `stacks/` and writes `dist/` atomically. The only file with side effects.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isWriteBack, writeOutputs } from './lib/core/writer';
import { environments } from './stacks';
import { compileAll } from './stacks/compile';

const DIST = path.join(__dirname, 'dist');

try {
  const outputs = compileAll(environments);
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
