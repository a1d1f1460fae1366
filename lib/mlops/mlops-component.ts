import { defineComponent } from '../core/component-definition';
import { MlopsSchema, mlopsClusterIssues } from '../core/config/mlops';
import { SERVING_NAMESPACES, ServingStack } from '../serving/serving-stack';
import { Mlops } from './mlops';
import { modelApiRoute } from './model-api-route';

/** `components.mlops`: MLflow training and the model API (lib/mlops/mlops.ts). */
export const mlopsComponent = defineComponent({
  key: 'mlops',
  schema: MlopsSchema.default({}),
  clusterIssues: mlopsClusterIssues,
  build: (mlops, ctx) => {
    if (!mlops.enabled) return undefined;
    // Peer: the serving domain names the model API's host on the gateway the serving stack built.
    const apiRoute = modelApiRoute(ctx.peers.serving, mlops);
    const serving = ctx.built<ServingStack>('serving');
    return new Mlops(ctx.platform, 'Mlops', {
      config: mlops,
      namespaces: ctx.namespaces,
      storageClasses: ctx.cluster.storageClasses,
      gpu: ctx.cluster.gpu,
      gateway: apiRoute && serving ? { ref: serving.gatewayRef, namespace: SERVING_NAMESPACES.istio, host: apiRoute.host } : undefined,
    });
  },
});
