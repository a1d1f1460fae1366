import { ConfigError, EnvironmentConfig, EnvironmentInput, formatConfigErrors, parseEnvironment } from '../lib/core/config';
import type { ChartLock } from '../lib/core/chart-lock';
import type { RenderedChart } from '../lib/core/chart-render';
import { SynthError } from '../lib/core/errors';
import { withExtraFiles } from '../lib/core/extra-files';
import { nodeTrustFiles } from '../lib/core/node-trust';
import { EnvironmentOutput, synthesize } from '../lib/core/synthesize';
import { buildEnvironment } from './build';

export interface CompileOptions {
  /** Overrides every environment's `gitops.chartsMode`. @default - each environment's own */
  readonly chartsMode?: EnvironmentConfig['gitops']['chartsMode'];
  /**
   * Upstream charts rendered with helm after a first compile (from its outputs' `charts`), by
   * environment, then component. @default - none: charts are referenced and not checked
   */
  readonly renderedCharts?: ReadonlyMap<string, ReadonlyMap<string, RenderedChart>>;
  /** The chart lock. @default - the repository's charts.lock.json */
  readonly charts?: ChartLock;
  /** Plan only (see `SynthesizeOptions.plan`): problems go into the outputs instead of failing. @default false */
  readonly plan?: boolean;
}

/**
 * Every environment's problems, when any environment has one. Configuration problems come first,
 * each once, naming the stack file and every environment it affects.
 */
export class CompileError extends Error {
  constructor(readonly failures: readonly (ConfigError | SynthError | Error)[]) {
    const config = failures.filter((f): f is ConfigError => f instanceof ConfigError);
    const others = failures.filter((f) => !(f instanceof ConfigError));
    super([...(config.length > 0 ? [formatConfigErrors(config)] : []), ...others.map((f) => f.message)].join('\n'));
    this.name = 'CompileError';
  }
}

/**
 * Parses, builds and synthesizes every environment, in memory. All environments are attempted and
 * all of their problems reported together; on any problem nothing is returned, so nothing is written.
 */
export function compileAll(inputs: readonly EnvironmentInput[], options: CompileOptions = {}): EnvironmentOutput[] {
  const failures: Error[] = [];
  const outputs: EnvironmentOutput[] = [];
  const names = new Set<string>();
  for (const input of inputs) {
    try {
      const parsed = parseEnvironment(input);
      const config = options.chartsMode ? { ...parsed, gitops: { ...parsed.gitops, chartsMode: options.chartsMode } } : parsed;
      if (names.has(config.name)) throw new Error(`environment name '${config.name}' is used twice`);
      names.add(config.name);
      const { platform, policy } = buildEnvironment(config, { charts: options.charts, renderedCharts: options.renderedCharts?.get(config.name) });
      const out = synthesize(platform, policy, { plan: options.plan });
      outputs.push(out.issues ? out : withExtraFiles(out, nodeFilesOf(config)));
    } catch (e) {
      if (e instanceof SynthError) failures.push(new SynthError(e.issues.map((i) => ({ ...i, path: `${input.name}:${i.path}` }))));
      else failures.push(e instanceof Error ? e : new Error(String(e)));
    }
  }
  if (failures.length > 0) throw new CompileError(failures);
  return outputs;
}

/**
 * The node configuration an environment needs beside its manifests (lib/core/node-trust.ts): trust
 * for the platform registry where CI runs one; nothing otherwise.
 */
export function nodeFilesOf(config: EnvironmentConfig): Map<string, string> {
  const { ci } = config.components;
  if (!ci.enabled) return new Map();
  // The CA from the ConfigMap trust-manager writes for Kaniko (lib/ci/registry-trust.ts), never from a Secret.
  const caConfigMap = { namespace: ci.jenkins.agentsNamespace, name: ci.kaniko.caConfigMap };
  return nodeTrustFiles({ registryHost: ci.registry.host, distribution: config.cluster.distribution, caConfigMap }, config.name);
}
