import { Delivery } from '../lib/ci/delivery';
import { RegistryTrust } from '../lib/ci/registry-trust';
import { Bootstrap } from '../lib/core/bootstrap';
import { ChartLock } from '../lib/core/chart-lock';
import type { RenderedChart } from '../lib/core/chart-render';
import { Component } from '../lib/core/component';
import { admissionEnabled, clusterNamespaces, clusterNetworkCidrs, clusterPodCidrs, clusterPortFacts, EnvironmentConfig } from '../lib/core/config';
import { GpuRuntime, usesRuntimeClass } from '../lib/core/gpu-runtime';
import { Namespaces } from '../lib/core/namespaces';
import { Platform } from '../lib/core/platform';
import { Project } from '../lib/core/project';
import { RegistryPolicy } from '../lib/core/registry-policy';
import { ChartSource, UpstreamChart } from '../lib/core/upstream-chart';
import { Chatbot } from '../lib/mlops/chatbot';
import { IngressNginx, ingressNamespaces } from '../lib/serving/ingress-nginx';
import { Mlops } from '../lib/mlops/mlops';
import { KCloud } from '../lib/operators/kcloud';
import { ToolHive } from '../lib/operators/toolhive';
import { SERVING_NAMESPACES, ServingStack } from '../lib/serving/serving-stack';
import { CHARTS } from './charts';
import { IMAGE_DIGESTS } from '../lib/core/image-digests';

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
 * Builds an environment's construct tree from its parsed configuration: one component (or group of
 * components) per enabled part of the platform, each handed only its slice of the configuration.
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
    ports: clusterPortFacts(config.cluster),
    clusterCidrs: clusterNetworkCidrs(config.cluster),
    clusterNamespaces: clusterNamespaces(config.cluster),
    tier: config.tier,
    registryPolicy: registryPolicyOf(config),
  });
  const { cluster, components } = config;
  const namespaces = new Namespaces(platform, 'Namespaces', { kubernetesVersion: cluster.kubernetesVersion, clusterCidrs: clusterNetworkCidrs(cluster) });

  if (components.toolhive.enabled) {
    new ToolHive(platform, 'ToolHive', { config: components.toolhive, charts, namespaces, apiServer: cluster.apiServer, replicas: cluster.replicas });
  }

  components.charts.forEach((chart) => {
    namespaces.add({ name: chart.namespace, podSecurity: chart.podSecurity, podSecurityReason: chart.podSecurityReason });
    new UpstreamChart(platform, `Chart-${chart.name}`, {
      name: chart.name,
      namespace: chart.namespace,
      source: ChartSource.locked(charts.get(chart.chart)),
      values: chart.values,
      hydrate: chart.hydrate,
      images: chart.images.map((i) => ({ image: i.image, valuePath: i.value, format: i.split ? { kind: 'split', repositoryKey: i.split.repository, tagKey: i.split.tag, registryKey: i.split.registry } : undefined })),
    }).dependsOn(namespaces);
  });

  // The model API through the serving gateway, at `<name>.<serving domain>` (components.mlops.serving.route).
  const apiRoute = components.mlops.enabled && components.mlops.serving?.route && components.serving.enabled
    ? { host: `${components.mlops.serving.name}.${components.serving.domain}`, namespace: components.mlops.servingNamespace, port: components.mlops.serving.containerPort }
    : undefined;
  const serving = !components.serving.enabled ? undefined : new ServingStack(platform, 'Serving', {
      config: components.serving,
      charts,
      namespaces,
      apiServer: cluster.apiServer,
      replicas: cluster.replicas,
      gpu: cluster.gpu,
      storageClass: cluster.storageClasses.shared ?? cluster.storageClasses.default,
      storageShared: cluster.storageClasses.shared !== undefined,
      mirror: config.registry.mirror,
      egress: cluster.network.egress,
      distribution: cluster.distribution,
      oidc: config.auth.oidc,
      routes: apiRoute ? [apiRoute] : [],
      meshClients: components.chatbot.enabled ? [components.chatbot.namespace] : [],
    });

  const mlops = components.mlops.enabled ? new Mlops(platform, 'Mlops', { config: components.mlops, namespaces, storageClasses: cluster.storageClasses, gpu: cluster.gpu, gateway: apiRoute && serving ? { ref: serving.gatewayRef, namespace: SERVING_NAMESPACES.istio, host: apiRoute.host } : undefined }) : undefined;
  if (components.chatbot.enabled) {
    new Chatbot(platform, 'Chatbot', {
      config: components.chatbot,
      namespaces,
      storageClasses: cluster.storageClasses,
      ingressClassName: cluster.ingress.className,
      ingressNamespace: cluster.ingress.namespace,
      gpu: cluster.gpu,
      // The configuration requires both with the chatbot (auth.oidc, components.serving).
      auth: { oidc: config.auth.oidc!, istioNamespace: SERVING_NAMESPACES.istio },
    });
  }

  const { ci, kcloud } = components;
  const delivery = ci.enabled
    ? new Delivery(platform, 'Delivery', {
        config: ci,
        charts,
        namespaces,
        storageClass: cluster.storageClasses.default,
        waitForFirstConsumer: cluster.storageClasses.waitForFirstConsumer,
        ingressClassName: cluster.ingress.className,
        ingressNamespace: cluster.ingress.namespace,
        apiServer: cluster.apiServer,
        argocdNamespace: config.gitops.argocdNamespace,
        network: { ...cluster.network, podCidrs: clusterPodCidrs(cluster) },
        mirror: config.registry.mirror,
        environment: config.name,
        admission: admissionEnabled(ci, config.tier) ? { replicas: cluster.replicas } : undefined,
      })
    : undefined;

  // The registry's CA certificate, published by trust-manager to the ConfigMaps its clients mount.
  const registryTrust = delivery
    ? new RegistryTrust(platform, 'RegistryTrust', {
        registryNamespace: ci.registry.namespace,
        targets: [
          { configMap: ci.kaniko.caConfigMap, namespace: ci.jenkins.agentsNamespace },
          ...(ci.imageUpdater.enabled ? [{ configMap: ci.imageUpdater.caConfigMap, namespace: config.gitops.argocdNamespace }] : []),
        ],
        chartVersion: charts.version('trust-manager'),
        namespaces,
        apiServer: cluster.apiServer,
        argocdNamespace: config.gitops.argocdNamespace,
        replicas: cluster.replicas,
      })
    : undefined;
  if (delivery && registryTrust) {
    // The source Secret is the registry's certificate; its clients mount the ConfigMaps.
    registryTrust.bundles.dependsOn(delivery.registry);
    delivery.jenkins.chart.dependsOn(registryTrust.bundles);
    delivery.imageUpdater?.dependsOn(registryTrust.bundles);
  }

  const optimizer = kcloud.enabled ? new KCloud(platform, 'KCloud', { config: kcloud, charts, namespaces, apiServer: cluster.apiServer, replicas: cluster.replicas, prometheusOperator: cluster.prometheusOperator ? { namespace: cluster.monitoringNamespace } : undefined, mlopsNamespaces: { training: mlops?.trainingNamespace.name, serving: mlops?.servingNamespace?.name } }) : undefined;

  const byName = new Map(platform.node.findAll().filter(Component.isComponent).map((c) => [c.name, c]));
  // The registry's and the operator's certificates need cert-manager: after it, where the
  // environment installs it as a component of that name.
  const certManager = byName.get('cert-manager');
  if (certManager) {
    delivery?.registry.dependsOn(certManager);
    // trust-manager's webhook certificate is a cert-manager Certificate (its chart's templates/certificate.yaml).
    registryTrust?.trustManager.dependsOn(certManager);
    delivery?.jenkins.ingress.dependsOn(certManager);
    optimizer?.operator.dependsOn(certManager);
  }

  // After every component exists: image roll-out for the components CI builds images of.
  if (delivery && ci.imageUpdater.enabled) {
    ci.imageUpdater.applications.forEach((app, i) => {
      const target = byName.get(app.component);
      if (!target) throw new Error(`components.ci.imageUpdater.applications[${i}].component: no component named '${app.component}' in environment '${config.name}'`);
      delivery.automate(target, app.images);
    });
  }

  // Admission of the platform registry's images: the namespaces that run them opt in, after the policy.
  if (delivery) for (const c of byName.values()) delivery.requireSignatures(c);

  // The RuntimeClass of GPU pods, where the cluster lacks it: before every component that uses it.
  if (cluster.gpu?.createRuntimeClass && cluster.gpu.runtimeClassName) {
    const gpuRuntime = new GpuRuntime(platform, 'GpuRuntime', { runtimeClassName: cluster.gpu.runtimeClassName, handler: cluster.gpu.runtimeHandler });
    for (const c of byName.values()) if (usesRuntimeClass(c, cluster.gpu.runtimeClassName)) c.dependsOn(gpuRuntime);
  }

  // The ingress controller, where the cluster lacks it: before every component with an Ingress of
  // its class, and allowed to reach the back ends in their namespaces.
  if (cluster.ingress.install && cluster.ingress.nodePorts) {
    const { className, namespace, nodePorts } = cluster.ingress;
    const controller = new IngressNginx(platform, 'IngressNginx', { chartVersion: charts.version('ingress-nginx'), namespace, namespaces, className, nodePorts, apiServer: cluster.apiServer, replicas: cluster.replicas });
    for (const c of byName.values()) {
      const backends = ingressNamespaces(c, className);
      if (backends.length > 0) c.dependsOn(controller);
      controller.allowBackends(backends);
    }
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
