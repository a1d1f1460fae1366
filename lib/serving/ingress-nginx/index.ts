import { defineClusterComponent } from '../../core/component-definition';
import { NODE_PORT_VALUES } from './chart';
import { IngressNginx, ingressNamespaces } from './ingress-nginx';

export { INGRESS_NGINX_CHARTS, IngressNginx, ingressNamespaces } from './ingress-nginx';
export type { IngressNginxProps } from './ingress-nginx';

/**
 * The `ingress-nginx` component, where the cluster lacks an ingress controller
 * (`cluster.ingress.install`: one line in a stack file). `cluster.ingress` is the one description of
 * the controller — class, namespace, node ports — whether the cluster runs it or the platform does.
 * Once every component exists, each one with an Ingress of the controller's class waits for it, and
 * the controller may reach the back ends in their namespaces.
 */
export const ingressNginxComponent = defineClusterComponent({
  name: 'ingress-nginx',
  chartPorts: [NODE_PORT_VALUES],
  build: ({ platform, cluster, charts, namespaces }) => {
    const { install, className, namespace, nodePorts } = cluster.ingress;
    if (!install || !nodePorts) return undefined;
    return new IngressNginx(platform, 'IngressNginx', { chartVersion: charts.version('ingress-nginx'), namespace, namespaces, className, nodePorts, apiServer: cluster.apiServer, replicas: cluster.replicas });
  },
  connect: (controller, ctx) => {
    for (const c of ctx.componentsByName().values()) {
      if (c === controller) continue;
      const backends = ingressNamespaces(c, ctx.cluster.ingress.className);
      if (backends.length > 0) c.dependsOn(controller);
      controller.allowBackends(backends);
    }
  },
});
