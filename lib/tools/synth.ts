/**
 * The whole synth with upstream charts: compile every environment once (pure) to learn, from the
 * Applications as written, what each chart is rendered with; render the vendored ones with the real
 * helm (parallel, cached); compile again with the renderings, so every rendered object is held to
 * the same checks as Kompile's own and, in `hydrated` mode, written as the component's folder.
 *
 * The I/O (reading `charts/`, running helm) happens here, between the two pure compiles.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EnvironmentInput } from '../core/config';
import type { ChartRenderRequest, RenderedChart } from '../core/chart-render';
import type { EnvironmentOutput } from '../core/synthesize';
import { compileAll, CompileError, CompileOptions } from '../../stacks/compile';
import { crdApiVersions } from '../checks/objects';
import { renderCharts, RenderChartsOptions } from './chart-render';

/** A chart an environment installs that is not vendored, so nothing rendered from it was checked. */
export interface UncheckedChart {
  readonly environment: string;
  readonly component: string;
  /** Lock name: what `kompile charts pull` would put in `charts/<chart>/`. */
  readonly chart: string;
}

export interface SynthOptions extends Omit<CompileOptions, 'renderedCharts'> {
  /** Folder of vendored charts (`charts/<lock name>/`). */
  readonly chartsDir: string;
  /** How to run helm and where to cache renders; only used when some chart is vendored. */
  readonly render: () => Omit<RenderChartsOptions, 'chartsDir'>;
}

export interface SynthResult {
  readonly outputs: readonly EnvironmentOutput[];
  /** Charts that could not be checked because they are not vendored (referenced mode only). */
  readonly unchecked: readonly UncheckedChart[];
}

/**
 * The environments of the stack files, loaded by `load` (a `require` of `stacks/index.ts`). A stack
 * file that does not load (a syntax error, an exception while it runs) becomes an error naming that
 * file, so the synth reports it like any other problem, having written nothing.
 */
export function loadEnvironments(stacksDir: string, load: () => readonly EnvironmentInput[]): readonly EnvironmentInput[] {
  try {
    return load();
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    // stacks/ as given and as the module loader names it (symbolic links resolved).
    const dirs = [...new Set([path.resolve(stacksDir), fs.realpathSync(stacksDir)])];
    const relative = (text: string) => dirs.reduce((t, dir) => t.split(`${path.dirname(dir)}${path.sep}`).join(''), text);
    const escaped = dirs.map((d) => d.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
    // The first place under stacks/ the error points at: esbuild's message for a syntax error, the
    // top frame in a stack file for an exception.
    const at = new RegExp(`(?:${escaped})/[^\\s:()]+(?::\\d+:\\d+)?`).exec(`${error.message}\n${error.stack ?? ''}`)?.[0];
    throw new Error(`could not load ${at ? relative(at) : `${path.basename(stacksDir)}/`}: ${relative(error.message)}`);
  }
}

interface Job {
  readonly environment: string;
  request: ChartRenderRequest;
}

/**
 * Compiles every environment with its charts. Environments in `hydrated` mode need every chart
 * vendored; `referenced` ones check what is vendored and report the rest as unchecked. On any
 * problem (of any environment) throws {@link CompileError} listing them all; nothing is returned.
 */
export async function synthesizeAll(inputs: readonly EnvironmentInput[], options: SynthOptions): Promise<SynthResult> {
  const { chartsDir, render, ...compileOptions } = options;
  // A plan: what each chart is rendered from, even where the environment has problems.
  const first = compileAll(inputs, { ...compileOptions, plan: true });
  const vendored = (r: ChartRenderRequest) => fs.existsSync(path.join(chartsDir, r.chart.name));
  const jobs: Job[] = [];
  const unchecked: UncheckedChart[] = [];
  const missing: Error[] = [];
  for (const out of first) {
    for (const request of out.charts) {
      if (vendored(request)) jobs.push({ environment: out.environment, request });
      else if (request.hydrate) {
        missing.push(new Error(`${out.environment}: component '${request.component}' is hydrated but chart '${request.chart.name}' is not vendored in ${chartsDir}/ (run: npm run kompile -- charts pull --env ${out.environment})`));
      } else unchecked.push({ environment: out.environment, component: request.component, chart: request.chart.name });
    }
  }
  if (missing.length > 0) throw new CompileError(missing);
  // Nothing to render: the plan is the result, or its problems are (thrown by a final compile).
  if (jobs.length === 0) return { outputs: first.some((o) => o.issues) ? compileAll(inputs, compileOptions) : first, unchecked };

  const renderOptions = { ...render(), chartsDir };
  let rendered = await renderCharts(
    jobs.map((j) => j.request),
    renderOptions,
  );
  // Charts are rendered with the group/versions of every CRD the environment installs, charts'
  // own included (Argo CD renders against a cluster where earlier waves installed them): add those
  // the renderings define and render again until nothing new appears (cached renders are free).
  for (let round = 0; round < 3; round++) {
    const byEnv = new Map<string, Set<string>>();
    rendered.forEach((r, i) => {
      const set = byEnv.get(jobs[i].environment) ?? new Set<string>();
      for (const v of crdApiVersions(r.objects)) set.add(v);
      byEnv.set(jobs[i].environment, set);
    });
    let changed = false;
    for (const job of jobs) {
      const all = [...new Set([...job.request.apiVersions, ...(byEnv.get(job.environment) ?? [])])].sort();
      if (all.length !== job.request.apiVersions.length) {
        job.request = { ...job.request, apiVersions: all };
        changed = true;
      }
    }
    if (!changed) break;
    rendered = await renderCharts(
      jobs.map((j) => j.request),
      renderOptions,
    );
  }

  const byEnvironment = new Map<string, Map<string, RenderedChart>>();
  rendered.forEach((r, i) => {
    const env = byEnvironment.get(jobs[i].environment) ?? new Map<string, RenderedChart>();
    env.set(r.request.component, r);
    byEnvironment.set(jobs[i].environment, env);
  });
  return { outputs: compileAll(inputs, { ...compileOptions, renderedCharts: byEnvironment }), unchecked };
}

/**
 * The synth's warnings as printed lines: each environment's warnings of one rule (the `[rule]` a
 * message names) up to `perRule`, then one line saying how many more there are, so a rule that
 * judges every image (mutable-image) does not bury the rest. `kompile validate dist` lists them all.
 */
export function synthWarningLines(outputs: readonly Pick<EnvironmentOutput, 'environment' | 'warnings'>[], perRule = 3): string[] {
  const lines: string[] = [];
  for (const o of outputs) {
    const byRule = new Map<string, string[]>();
    for (const w of o.warnings ?? []) {
      const rule = [...w.message.matchAll(/\[([a-z0-9]+(?:-[a-z0-9]+)*)\]/g)].pop()?.[1] ?? '';
      const list = byRule.get(rule) ?? [];
      list.push(`warning: ${o.environment}: [${w.path}] ${w.message}`);
      byRule.set(rule, list);
    }
    for (const [rule, list] of byRule) {
      lines.push(...list.slice(0, perRule));
      if (list.length > perRule) lines.push(`warning: ${o.environment}: … and ${list.length - perRule} more${rule ? ` [${rule}]` : ''} (kompile validate dist lists every one)`);
    }
  }
  return lines;
}
