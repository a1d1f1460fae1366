import { defineComponent } from '../core/component-definition';
import { ServingSchema, servingClusterIssues } from '../core/config/serving';
import { modelApiRoute } from '../mlops/model-api-route';
import { GATEWAY_NODE_PORT_VALUES } from './istio';
import { ServingStack } from './serving-stack';

/** `components.serving`: cert-manager, Istio, Knative and KServe (lib/serving/serving-stack.ts). */
export const servingComponent = defineComponent({
  key: 'serving',
  schema: ServingSchema.default({}),
  clusterIssues: servingClusterIssues,
  chartPorts: [GATEWAY_NODE_PORT_VALUES],
  build: (serving, { platform, cluster, registry, auth, peers, charts, namespaces }) => {
    if (!serving.enabled) return undefined;
    // Peers: the gateway routes the model API (components.mlops.serving.route) and authenticates
    // its clients; the chatbot's back end joins the mesh for its /api authentication.
    const apiRoute = modelApiRoute(serving, peers.mlops);
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
      egress: cluster.network.egress,
      distribution: cluster.distribution,
      oidc: auth.oidc,
      routes: apiRoute ? [apiRoute] : [],
      meshClients: peers.chatbot.enabled ? [peers.chatbot.namespace] : [],
    });
  },
});
