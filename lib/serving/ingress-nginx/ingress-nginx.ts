import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { Component } from '../../core/component';
import { IMAGE_PINS } from '../../core/image-pins';
import { Namespaces } from '../../core/namespaces';
import { PlatformNamespace } from '../../core/platform-namespace';
import { ContainerResourceSpec } from '../../core/pod-security';
import { ChartSource, UpstreamChart } from '../../core/upstream-chart';
import { CLUSTER_RESOURCES, CONTROLLER_PODS, HTTP_PORT, HTTPS_PORT, INGRESS_NGINX_CHARTS, WEBHOOK_PORT } from './chart';

export { INGRESS_NGINX_CHARTS } from './chart';

export interface IngressNginxProps {
  /** Version of the `ingress-nginx` chart (from charts.lock.json), e.g. `4.12.8`. */
  readonly chartVersion: string;
  /** Namespace of the controller; added to `namespaces`. */
  readonly namespace: string;
  readonly namespaces: Namespaces;
  /** Name of the IngressClass the chart creates, which the platform's Ingresses name. */
  readonly className: string;
  /** Node ports of the controller's Service (seed 002: 31302 for HTTP, 31084 for HTTPS). */
  readonly nodePorts: { readonly http: number; readonly https: number };
  /** The API server's addresses: the controller watches through it, and it calls the controller's webhook. */
  readonly apiServer: { readonly cidrs: readonly string[]; readonly ports: readonly number[] };
  /** Controller replicas. @default 1 */
  readonly replicas?: number;
  /**
   * Namespaces of the Ingresses' back ends: the controller proxies to their pods directly.
   * @default - none (add with {@link IngressNginx.allowBackends})
   */
  readonly backendNamespaces?: readonly string[];
  /** Resources of the controller. @default 100m/90Mi requested (the chart's requests), 1 CPU/512Mi limit */
  readonly resources?: ContainerResourceSpec;
}

const DEFAULT_RESOURCES: ContainerResourceSpec = { requests: { cpu: '100m', memory: '90Mi' }, limits: { cpu: '1', memory: '512Mi' } };
/** The certificate Jobs of the admission webhook (short-lived `kube-webhook-certgen` runs). */
const JOB_RESOURCES: ContainerResourceSpec = { requests: { cpu: '10m', memory: '20Mi' }, limits: { cpu: '100m', memory: '64Mi' } };

/**
 * The `ingress-nginx` component: the ingress controller from its upstream chart, for clusters that
 * lack one (`cluster.ingress.install`). Its Service is a NodePort on the environment's ports, and
 * the chart creates the IngressClass the platform's Ingresses name.
 *
 * Images: the chart spells both as `{ registry, image, tag, digest }` or `{ repository, tag, digest }`
 * (values.yaml of chart 4.12.8: `controller.image`, `controller.admissionWebhooks.patch.image`, the
 * latter run by the certificate Jobs before and after install) and pins upstream digests; Kompile
 * pins tags (images.pins.json) and empties the digests, as for every other image it pins.
 *
 * Pod Security: the namespace enforces `restricted`. The controller binds 80/443 as uid 101 with
 * only NET_BIND_SERVICE added to a dropped ALL, no privilege escalation and the RuntimeDefault
 * seccomp profile (chart 4.12.8 `ingress-nginx.controller.containerSecurityContext` in
 * templates/_helpers.tpl with the `controller.image` defaults), which `restricted` allows (it lets
 * containers add back NET_BIND_SERVICE alone: kubernetes/kubernetes
 * staging/src/k8s.io/pod-security-admission/policy/check_capabilities_restricted.go); the Jobs run as
 * uid 65532 with ALL dropped (`createSecretJob`/`patchWebhookJob.securityContext`).
 *
 * The IngressClass is cluster-scoped and cannot be changed once created (values.yaml of chart 4.12.8,
 * `controller.ingressClassResource`): a new `className` needs the old class deleted. Removing the
 * component deletes it, and every Ingress naming it stops being served.
 */
export class IngressNginx extends UpstreamChart {
  private readonly ns: PlatformNamespace;
  private readonly backends = new Set<string>();

  constructor(scope: Construct, id: string, props: IngressNginxProps) {
    // The chart takes either `registry` + `image` or one full `repository` (which wins: templates of
    // chart 4.12.8 render `{{ if .repository }}{{ .repository }}{{ else }}{{ .registry }}/{{ .image }}{{ end }}:{{ .tag }}`).
    // Kompile sets `repository`: a key named `image` holding a path without registry would read as
    // an image of docker.io to every image check.
    const split = { kind: 'split', repositoryKey: 'repository', tagKey: 'tag' } as const;
    const resources = props.resources ?? DEFAULT_RESOURCES;
    super(scope, id, {
      name: 'ingress-nginx',
      namespace: props.namespace,
      source: ChartSource.helmRepo(INGRESS_NGINX_CHARTS, 'ingress-nginx', props.chartVersion),
      values: {
        controller: {
          replicaCount: props.replicas ?? 1,
          image: { digest: '' },
          ingressClassResource: { name: props.className, enabled: true, default: false },
          // The legacy `kubernetes.io/ingress.class` annotation value (`--ingress-class`), kept equal.
          ingressClass: props.className,
          service: { type: 'NodePort', nodePorts: { http: props.nodePorts.http, https: props.nodePorts.https } },
          resources,
          admissionWebhooks: {
            patch: { image: { digest: '' } },
            createSecretJob: { resources: JOB_RESOURCES },
            patchWebhookJob: { resources: JOB_RESOURCES },
          },
        },
      },
      images: [
        { image: IMAGE_PINS.reference('ingress-nginx-controller'), valuePath: 'controller.image', format: split },
        { image: IMAGE_PINS.reference('kube-webhook-certgen'), valuePath: 'controller.admissionWebhooks.patch.image', format: split },
      ],
      clusterResources: CLUSTER_RESOURCES,
    });

    this.ns = props.namespaces.add({ name: props.namespace });
    // Clients reach the controller through the NodePorts (source NATed to a node address).
    this.ns.allowIngress({ name: 'clients', podSelector: CONTROLLER_PODS, peers: [{ cidrs: ['0.0.0.0/0'] }], ports: [{ port: HTTP_PORT }, { port: HTTPS_PORT }], fromNodes: true });
    // The API server calls the validating webhook for every Ingress.
    this.ns.allowIngress({ name: 'kube-apiserver', podSelector: CONTROLLER_PODS, peers: [{ cidrs: props.apiServer.cidrs }], ports: [{ port: WEBHOOK_PORT }], fromNodes: true });
    // The controller watches Ingresses, Services and EndpointSlices; the certificate Jobs write the
    // webhook's Secret and caBundle.
    this.ns.allowEgress({ name: 'kube-apiserver', peers: [{ cidrs: props.apiServer.cidrs }], ports: props.apiServer.ports.map((port) => ({ port })) });
    this.dependsOn(props.namespaces);
    this.allowBackends(props.backendNamespaces ?? []);
  }

  /**
   * Lets the controller reach the pods of `namespaces` (the back ends of Ingresses there; each
   * namespace's own policies say which pods and ports). One egress policy per namespace.
   */
  allowBackends(namespaces: readonly string[]): void {
    for (const name of namespaces) {
      if (this.backends.has(name)) continue;
      this.backends.add(name);
      this.ns.allowEgress({ name: `backends-${name}`, podSelector: CONTROLLER_PODS, peers: [{ namespaces: [name] }] });
    }
  }
}

/**
 * Namespaces of the component's Ingresses that name IngressClass `className`, sorted: the component
 * needs the controller (its webhook admits the Ingress, it publishes the address Argo CD waits for)
 * and the controller needs to reach the back ends there.
 */
export function ingressNamespaces(component: Component, className: string): string[] {
  const out = new Set<string>();
  for (const c of component.node.findAll()) {
    if (!(c instanceof ApiObject) || c.kind !== 'Ingress' || !c.apiVersion.startsWith('networking.k8s.io/')) continue;
    let spec: { ingressClassName?: unknown } | undefined;
    try {
      spec = (c.toJson() as { spec?: { ingressClassName?: unknown } }).spec;
    } catch {
      continue; // the synth reports an object that does not render, with its path
    }
    if (spec?.ingressClassName === className && c.metadata.namespace) out.add(c.metadata.namespace);
  }
  return [...out].sort();
}
