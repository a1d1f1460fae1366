import { CLUSTER_COMPONENTS, COMPONENTS, environmentPortFacts } from '../lib/components';
import { Bootstrap } from '../lib/core/bootstrap';
import { ChartLock } from '../lib/core/chart-lock';
import type { RenderedChart } from '../lib/core/chart-render';
import { AnyClusterComponentDefinition, AnyComponentDefinition, ComponentContext, componentsByName } from '../lib/core/component-definition';
import { clusterNamespaces, clusterNetworkCidrs, EnvironmentConfig } from '../lib/core/config';
import { IMAGE_DIGESTS } from '../lib/core/image-digests';
import { Namespaces } from '../lib/core/namespaces';
import { Platform } from '../lib/core/platform';
import { Project } from '../lib/core/project';
import { RegistryPolicy } from '../lib/core/registry-policy';
import { CHARTS } from './charts';

/** What else an environment is built from, besides its configuration. */
export interface BuildOptions {
  /** The chart lock. @default - the repository's charts.lock.json */
  readonly charts?: ChartLock;
  /** Its upstream charts, rendered with helm after a first synth, by component. @default - none */
  readonly renderedCharts?: ReadonlyMap<string, RenderedChart>;
}

/** One environment's construct tree and the policy its images and references are held to. */
export interface BuiltEnvironment {
  readonly platform: Platform;
  readonly policy: RegistryPolicy;
}

/**
 * Builds an environment's construct tree from its parsed configuration: the components registered in
 * lib/components.ts, each handed its slice of the configuration.
 * Pure: no I/O, no clock, no process environment.
 *
 * @param rendered the objects of the environment's vendored charts, rendered beforehand with helm
 *   (`renderVendoredCharts` in lib/tools/vendor.ts): rendering runs a subprocess, so it happens
 *   before construction. @default - none (an environment with vendored charts then fails to build)
 */
export function buildEnvironment(config: EnvironmentConfig, options: BuildOptions = {}): BuiltEnvironment {
  const charts = options.charts ?? CHARTS;
  const platform = new Platform({
    environment: config.name,
    gitops: config.gitops,
    chartLock: charts,
    kubernetesVersion: config.cluster.kubernetesVersion,
    // The Prometheus Operator's CRDs exist where the cluster runs it; charts gate ServiceMonitors on them.
    clusterApiVersions: config.cluster.prometheusOperator ? ['monitoring.coreos.com/v1'] : [],
    renderedCharts: options.renderedCharts,
    waitForFirstConsumer: config.cluster.storageClasses.waitForFirstConsumer,
    ingressPublishesStatus: config.cluster.ingress.publishesStatus,
    ports: environmentPortFacts(config.cluster),
    clusterCidrs: clusterNetworkCidrs(config.cluster),
    clusterNamespaces: clusterNamespaces(config.cluster),
    tier: config.tier,
    registryPolicy: registryPolicyOf(config),
  });
  const { cluster, components } = config;
  const namespaces = new Namespaces(platform, 'Namespaces', { kubernetesVersion: cluster.kubernetesVersion, clusterCidrs: clusterNetworkCidrs(cluster) });

  // Every registered component (lib/components.ts), in order, each handed its slice; then, once all
  // exist, the wiring between them; then the components the cluster's facts call for.
  const built = new Map<string, unknown>();
  const ctx: ComponentContext = {
    platform,
    environment: config.name,
    tier: config.tier,
    cluster,
    gitops: config.gitops,
    registry: config.registry,
    auth: config.auth,
    peers: { serving: components.serving, mlops: components.mlops, chatbot: components.chatbot },
    charts,
    namespaces,
    built: <T>(key: string) => built.get(key) as T | undefined,
    componentsByName: () => componentsByName(platform),
  };
  const slices = components as Record<string, unknown>;
  const connects: (() => void)[] = [];
  for (const component of COMPONENTS as readonly AnyComponentDefinition[]) {
    const result = component.build(slices[component.key], ctx);
    if (result === undefined) continue;
    built.set(component.key, result);
    if (component.connect) connects.push(() => component.connect!(result, slices[component.key], ctx));
  }
  connects.forEach((connect) => connect());
  for (const component of CLUSTER_COMPONENTS as readonly AnyClusterComponentDefinition[]) {
    const result = component.build(ctx);
    if (result !== undefined) component.connect?.(result, ctx);
  }

  // A platform with nothing namespaced has no namespaces component (an empty one is an error).
  if (namespaces.names.length === 0) platform.node.tryRemoveChild(namespaces.node.id);

  // Last: both read the components above.
  new Project(platform, 'Project');
  new Bootstrap(platform, 'Bootstrap');
  return { platform, policy: registryPolicyOf(config) };
}

/**
 * The registry policy of an environment. The platform's own registry is the single source of the
 * images CI builds: never relocated, never mirrored. Pure, and cheap: `kompile images --check` reads
 * it without building the environment.
 */
export function registryPolicyOf(config: EnvironmentConfig): RegistryPolicy {
  const { ci } = config.components;
  return new RegistryPolicy(config.registry, ci.enabled ? [ci.registry.host] : [], IMAGE_DIGESTS);
}
