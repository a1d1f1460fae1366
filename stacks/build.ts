import { Bootstrap } from '../lib/core/bootstrap';
import { EnvironmentConfig } from '../lib/core/config';
import { Namespaces } from '../lib/core/namespaces';
import { Platform } from '../lib/core/platform';
import { Project } from '../lib/core/project';
import { RegistryPolicy } from '../lib/core/registry-policy';
import { RenderedCharts, VendoredChart } from '../lib/core/vendored-chart';
import { ToolHive } from '../lib/operators/toolhive';

/** One environment's construct tree and the policy its images and references are held to. */
export interface BuiltEnvironment {
  readonly platform: Platform;
  readonly policy: RegistryPolicy;
}

/**
 * Builds an environment's construct tree from its parsed configuration: one component (or group of
 * components) per enabled part of the platform, each handed only its slice of the configuration.
 * Pure: no I/O, no clock, no process environment.
 *
 * @param rendered the objects of the environment's vendored charts, rendered beforehand with helm
 *   (`renderVendoredCharts` in lib/tools/vendor.ts): rendering runs a subprocess, so it happens
 *   before construction. @default - none (an environment with vendored charts then fails to build)
 */
export function buildEnvironment(config: EnvironmentConfig, rendered: RenderedCharts = new Map()): BuiltEnvironment {
  const platform = new Platform({ environment: config.name, gitops: config.gitops });
  const { cluster, components } = config;
  const namespaces = new Namespaces(platform, 'Namespaces', { kubernetesVersion: cluster.kubernetesVersion });

  if (components.toolhive.enabled) {
    new ToolHive(platform, 'ToolHive', { config: components.toolhive, namespaces, apiServer: cluster.apiServer, replicas: cluster.replicas });
  }

  components.vendored.charts.forEach((chart, i) => {
    const objects = rendered.get(chart.name);
    if (!objects) {
      throw new Error(`components.vendored.charts[${i}] ('${chart.name}'): chart ${chart.chart} was not rendered; render vendored charts (renderVendoredCharts) before buildEnvironment`);
    }
    namespaces.add({ name: chart.namespace, podSecurity: chart.podSecurity, podSecurityReason: chart.podSecurityReason });
    new VendoredChart(platform, `Vendored-${chart.name}`, { name: chart.name, namespace: chart.namespace, objects }).dependsOn(namespaces);
  });

  // Last: both read the components above.
  new Project(platform, 'Project');
  new Bootstrap(platform, 'Bootstrap');
  return { platform, policy: new RegistryPolicy(config.registry) };
}
