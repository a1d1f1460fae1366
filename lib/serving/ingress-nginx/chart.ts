import type { GroupKind } from '../../core/kinds';
import type { ChartPortValues } from '../../checks/ports';

// What Kompile relies on in the upstream ingress-nginx chart, at the version charts.lock.json pins
// (4.12.8): read from kubernetes/ingress-nginx, tag helm-chart-4.12.8, charts/ingress-nginx/
// values.yaml and templates/. A bump of the chart re-checks each of these against the new tag.
//
// Value keys set by the construct (ingress-nginx.ts): controller.replicaCount, controller.image
// {repository, tag, digest}, controller.ingressClassResource {name, enabled, default},
// controller.ingressClass, controller.service {type, nodePorts.http, nodePorts.https},
// controller.resources, controller.admissionWebhooks.patch.image {repository, tag, digest},
// controller.admissionWebhooks.{createSecretJob,patchWebhookJob}.resources.

/** The Helm repository of the ingress-nginx chart (kubernetes/ingress-nginx charts/ingress-nginx/README.md). */
export const INGRESS_NGINX_CHARTS = 'https://kubernetes.github.io/ingress-nginx';

/** Ports of the controller container (`controller.containerPort`, values.yaml of chart 4.12.8). */
export const HTTP_PORT = 80;
export const HTTPS_PORT = 443;
/** The validating webhook's container port (`controller.admissionWebhooks.port`, chart 4.12.8). */
export const WEBHOOK_PORT = 8443;

/** Pod labels of the controller (`ingress-nginx.selectorLabels` plus `app.kubernetes.io/component`, templates of chart 4.12.8). */
export const CONTROLLER_PODS = { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' };

/**
 * The chart's cluster-scoped objects (templates of chart 4.12.8): its RBAC, the admission webhook,
 * and the IngressClass: what its Argo CD project must permit (lib/core/project.ts).
 */
export const CLUSTER_RESOURCES: readonly GroupKind[] = [
  { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' },
  { group: 'rbac.authorization.k8s.io', kind: 'ClusterRoleBinding' },
  { group: 'admissionregistration.k8s.io', kind: 'ValidatingWebhookConfiguration' },
  { group: 'networking.k8s.io', kind: 'IngressClass' },
];

/**
 * How the chart's values set the controller Service's node ports, for the port rule where the chart
 * is not rendered (lib/checks/ports.ts): charts/ingress-nginx/values.yaml of 4.12.8
 * (controller.service.type LoadBalancer, enableHttp/enableHttps true, ports.http 80, ports.https 443,
 * nodePorts.http/https "") and templates/controller-service.yaml, which writes each listener only
 * when enabled and its nodePort only with type NodePort or LoadBalancer. (The Service as a whole also
 * needs controller.service.enabled and .external.enabled, both true by default; Kompile sets neither.
 * nodePorts.tcp/udp maps are not set.)
 */
export const NODE_PORT_VALUES: ChartPortValues = {
  chart: 'ingress-nginx',
  ingressController: true,
  services: [
    { enabled: { path: 'controller.service.enableHttp', default: true }, type: 'controller.service.type', typeDefault: 'LoadBalancer', port: 'controller.service.ports.http', portDefaults: [80], nodePort: 'controller.service.nodePorts.http' },
    { enabled: { path: 'controller.service.enableHttps', default: true }, type: 'controller.service.type', typeDefault: 'LoadBalancer', port: 'controller.service.ports.https', portDefaults: [443], nodePort: 'controller.service.nodePorts.https' },
  ],
};
