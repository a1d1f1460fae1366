import type { GroupKind } from '../../core/kinds';

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
