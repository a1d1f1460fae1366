import { defineComponent } from './component-definition';
import { ChartComponentsSchema } from './config/charts';
import { ChartSource, UpstreamChart } from './upstream-chart';

/**
 * `components.charts`: upstream charts of the lock installed by configuration alone, one component
 * each, in its own namespace.
 */
export const chartsComponent = defineComponent({
  key: 'charts',
  schema: ChartComponentsSchema.default([]),
  build: (charts, ctx) =>
    charts.map((chart) => {
      ctx.namespaces.add({ name: chart.namespace, podSecurity: chart.podSecurity, podSecurityReason: chart.podSecurityReason });
      return new UpstreamChart(ctx.platform, `Chart-${chart.name}`, {
        name: chart.name,
        namespace: chart.namespace,
        source: ChartSource.locked(ctx.charts.get(chart.chart)),
        values: chart.values,
        hydrate: chart.hydrate,
        images: chart.images.map((i) => ({ image: i.image, valuePath: i.value, format: i.split ? { kind: 'split', repositoryKey: i.split.repository, tagKey: i.split.tag, registryKey: i.split.registry } : undefined })),
      }).dependsOn(ctx.namespaces);
    }),
});
