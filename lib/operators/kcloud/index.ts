import { defineComponent } from '../../core/component-definition';
import { KCloudSchema } from './config';
import type { Mlops } from '../../mlops/mlops';
import { KCloud } from './kcloud';

/**
 * `components.kcloud`: the KCloud optimizer operator and its policies (kcloud.ts). It
 * optimizes the MLOps namespaces where `components.mlops` built them, and its certificate waits for
 * cert-manager.
 */
export const kcloudComponent = defineComponent({
  key: 'kcloud',
  schema: KCloudSchema.default({}),
  build: (kcloud, ctx) => {
    if (!kcloud.enabled) return undefined;
    const { platform, cluster, charts, namespaces } = ctx;
    const mlops = ctx.built<Mlops>('mlops');
    return new KCloud(platform, 'KCloud', {
      config: kcloud,
      charts,
      namespaces,
      apiServer: cluster.apiServer,
      replicas: cluster.replicas,
      prometheusOperator: cluster.prometheusOperator ? { namespace: cluster.monitoringNamespace } : undefined,
      mlopsNamespaces: { training: mlops?.trainingNamespace.name, serving: mlops?.servingNamespace?.name },
    });
  },
  connect: (optimizer, _kcloud, ctx) => {
    const certManager = ctx.componentsByName().get('cert-manager');
    if (certManager) optimizer.operator.dependsOn(certManager);
  },
});
