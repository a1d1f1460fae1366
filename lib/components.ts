import type { PortFacts } from './checks/ports';
import { ciComponent } from './ci/ci-component';
import { AnyClusterComponentDefinition, AnyComponentDefinition } from './core/component-definition';
import { ClusterConfig, clusterPortFacts } from './core/config/cluster';
import { chartsComponent } from './core/charts-component';
import { gpuRuntimeComponent } from './core/gpu-runtime-component';
import { chatbotComponent } from './mlops/chatbot';
import { mlopsComponent } from './mlops/mlops-component';
import { kcloudComponent } from './operators/kcloud';
import { toolhiveComponent } from './operators/toolhive';
import { ingressNginxComponent } from './serving/ingress-nginx';
import { servingComponent } from './serving/serving-component';

/**
 * Every component of the platform, registered once. The environment schema's `components` object
 * (lib/core/config/environment.ts) and `buildEnvironment` (stacks/build.ts) are derived from these
 * lists; adding a component is its folder and one entry here (README, "Adding a component").
 *
 * Order is build order: a component may read what an earlier one built (`ctx.built`), and the
 * output lists components in this order.
 */
export const COMPONENTS = [toolhiveComponent, chartsComponent, servingComponent, mlopsComponent, chatbotComponent, ciComponent, kcloudComponent] as const;

/** Components the cluster's facts switch on, built after the configured ones. */
export const CLUSTER_COMPONENTS = [gpuRuntimeComponent, ingressNginxComponent] as const;

/** How the registered components' charts set node ports from values (each component's `chartPorts`). */
export function chartPortValues() {
  return [...(COMPONENTS as readonly AnyComponentDefinition[]), ...(CLUSTER_COMPONENTS as readonly AnyClusterComponentDefinition[])].flatMap((c) => c.chartPorts ?? []);
}

/** An environment's facts for the port rule: its cluster's (`clusterPortFacts`) and its charts'. */
export function environmentPortFacts(cluster: ClusterConfig): PortFacts {
  return { ...clusterPortFacts(cluster), charts: chartPortValues() };
}
