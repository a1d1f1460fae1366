import { defineComponent } from '../core/component-definition';
import { admissionEnabled, ciClusterIssues, CiSchema } from '../core/config/ci';
import { clusterPodCidrs } from '../core/config/cluster';
import { Delivery } from './delivery';
import { JENKINS_NODE_PORT_VALUES } from './jenkins';
import { RegistryTrust } from './registry-trust';

/**
 * `components.ci`: seed 002's delivery chain (lib/ci/delivery.ts) and the registry CA's publication
 * to its clients (lib/ci/registry-trust.ts). Once every component exists: the registry, the Jenkins
 * Ingress and trust-manager wait for cert-manager (their certificates), Image Updater rolls out the
 * images of the components it names, and the namespaces that run the platform registry's images
 * opt in to signature verification.
 */
export const ciComponent = defineComponent({
  key: 'ci',
  schema: CiSchema.default({}),
  clusterIssues: ciClusterIssues,
  chartPorts: [JENKINS_NODE_PORT_VALUES],
  build: (ci, { platform, environment, tier, cluster, gitops, registry, charts, namespaces }) => {
    if (!ci.enabled) return undefined;
    const delivery = new Delivery(platform, 'Delivery', {
      config: ci,
      charts,
      namespaces,
      storageClass: cluster.storageClasses.default,
      waitForFirstConsumer: cluster.storageClasses.waitForFirstConsumer,
      ingressClassName: cluster.ingress.className,
      ingressNamespace: cluster.ingress.namespace,
      apiServer: cluster.apiServer,
      argocdNamespace: gitops.argocdNamespace,
      network: { ...cluster.network, podCidrs: clusterPodCidrs(cluster) },
      mirror: registry.mirror,
      environment,
      admission: admissionEnabled(ci, tier) ? { replicas: cluster.replicas } : undefined,
    });
    // The registry's CA certificate, published by trust-manager to the ConfigMaps its clients mount.
    const registryTrust = new RegistryTrust(platform, 'RegistryTrust', {
      registryNamespace: ci.registry.namespace,
      targets: [
        { configMap: ci.kaniko.caConfigMap, namespace: ci.jenkins.agentsNamespace },
        ...(ci.imageUpdater.enabled ? [{ configMap: ci.imageUpdater.caConfigMap, namespace: gitops.argocdNamespace }] : []),
      ],
      chartVersion: charts.version('trust-manager'),
      namespaces,
      apiServer: cluster.apiServer,
      argocdNamespace: gitops.argocdNamespace,
      replicas: cluster.replicas,
    });
    // The source Secret is the registry's certificate; its clients mount the ConfigMaps.
    registryTrust.bundles.dependsOn(delivery.registry);
    delivery.jenkins.chart.dependsOn(registryTrust.bundles);
    delivery.imageUpdater?.dependsOn(registryTrust.bundles);
    return { delivery, registryTrust };
  },
  connect: ({ delivery, registryTrust }, ci, ctx) => {
    const byName = ctx.componentsByName();
    const certManager = byName.get('cert-manager');
    if (certManager) {
      delivery.registry.dependsOn(certManager);
      // trust-manager's webhook certificate is a cert-manager Certificate (its chart's templates/certificate.yaml).
      registryTrust.trustManager.dependsOn(certManager);
      delivery.jenkins.ingress.dependsOn(certManager);
    }
    if (ci.imageUpdater.enabled) {
      ci.imageUpdater.applications.forEach((app, i) => {
        const target = byName.get(app.component);
        if (!target) throw new Error(`components.ci.imageUpdater.applications[${i}].component: no component named '${app.component}' in environment '${ctx.environment}'`);
        delivery.automate(target, app.images);
      });
    }
    // Admission of the platform registry's images: the namespaces that run them opt in, after the policy.
    for (const c of byName.values()) delivery.requireSignatures(c);
  },
});
