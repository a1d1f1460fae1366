import { defineComponent } from '../core/component-definition';
import { ServingSchema, servingClusterIssues } from '../core/config/serving';
import { ServingStack } from './serving-stack';

/** `components.serving`: cert-manager, Istio, Knative and KServe (lib/serving/serving-stack.ts). */
export const servingComponent = defineComponent({
  key: 'serving',
  schema: ServingSchema.default({}),
  clusterIssues: servingClusterIssues,
  build: (serving, { platform, cluster, registry, charts, namespaces }) => {
    if (!serving.enabled) return undefined;
    return new ServingStack(platform, 'Serving', {
      config: serving,
      charts,
      namespaces,
      apiServer: cluster.apiServer,
      replicas: cluster.replicas,
      gpu: cluster.gpu,
      storageClass: cluster.storageClasses.shared ?? cluster.storageClasses.default,
      storageShared: cluster.storageClasses.shared !== undefined,
      mirror: registry.mirror,
      distribution: cluster.distribution,
    });
  },
});
