import { Chart } from 'cdk8s';
import { Construct } from 'constructs';

/**
 * A chart of environment-wide objects that is not a component (no Application of its own), written
 * to a fixed file of the environment's output.
 */
export class OutputChart extends Chart {
  /** Prototype-based `instanceof` (cdk8s' Chart answers true for any chart); see Component. */
  static [Symbol.hasInstance]<T>(this: abstract new (...args: never[]) => T, x: unknown): x is T {
    return Function.prototype[Symbol.hasInstance].call(this, x);
  }

  /** File under `dist/<env>/`, e.g. `bootstrap/root.yaml`. */
  readonly outputFile: string;

  constructor(scope: Construct, id: string, outputFile: string) {
    super(scope, id, { disableResourceNameHashes: true });
    this.outputFile = outputFile;
  }
}
