/**
 * Vendored charts: at synth time each environment's vendored charts are rendered with the real helm,
 * before any construct is built, and handed to `buildEnvironment` as plain objects. (Charts are put
 * into the repository by `kompile charts pull`, lib/tools/charts.ts.)
 */
import * as path from 'node:path';
import type { EnvironmentConfig } from '../core/config';
import type { RenderedCharts } from '../core/vendored-chart';
import { renderChart } from './helm';

/**
 * Renders every vendored chart of an environment with helm, chart paths resolved against `repoRoot`.
 * The step between parsing an environment and building it: `buildEnvironment(config, rendered)`.
 */
export function renderVendoredCharts(config: EnvironmentConfig, helm: string, repoRoot: string): RenderedCharts {
  const rendered = new Map<string, ReturnType<typeof renderChart>>();
  for (const chart of config.components.vendored.charts) {
    rendered.set(
      chart.name,
      renderChart(helm, {
        chartDir: path.resolve(repoRoot, chart.chart),
        releaseName: chart.name,
        namespace: chart.namespace,
        values: chart.values,
        kubeVersion: `${config.cluster.kubernetesVersion}.0`,
        apiVersions: chart.apiVersions,
      }),
    );
  }
  return rendered;
}
