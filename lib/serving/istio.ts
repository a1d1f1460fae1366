import { Construct } from 'constructs';
import { ContainerResourceSpec } from '../core/pod-security';
import { ChartSource, UpstreamChart } from '../core/upstream-chart';

/** Istio's Helm repository (base, istiod and gateway charts). */
export const ISTIO_CHARTS = 'https://istio-release.storage.googleapis.com/charts';

/** Labels of the ingress gateway pods; Knative's and Kompile's Gateways select them. */
export const INGRESS_GATEWAY_LABELS: Readonly<Record<string, string>> = { istio: 'ingressgateway', app: 'istio-ingressgateway' };
/** Name (Deployment, Service, ServiceAccount) of the ingress gateway: what Knative's net-istio expects. */
export const INGRESS_GATEWAY_NAME = 'istio-ingressgateway';

export interface IstioProps {
  /** Istio release, e.g. `1.24.6`: chart version and image tag. */
  readonly version: string;
  /** Namespace of istiod and the ingress gateway. */
  readonly namespace: string;
  /** Replicas of istiod and the ingress gateway. @default 1 */
  readonly replicas?: number;
  /**
   * Service type of the ingress gateway. On bare metal `LoadBalancer` needs MetalLB or similar.
   * @default 'LoadBalancer'
   */
  readonly gatewayServiceType?: 'LoadBalancer' | 'NodePort' | 'ClusterIP';
  /** Resources of istiod. @default 200m/512Mi requested, 1/2Gi limit */
  readonly istiodResources?: ContainerResourceSpec;
  /** Resources of every injected sidecar and of the gateway. @default 100m/128Mi requested, 1/512Mi limit */
  readonly proxyResources?: ContainerResourceSpec;
}

const DEFAULT_ISTIOD: ContainerResourceSpec = { requests: { cpu: '200m', memory: '512Mi' }, limits: { cpu: '1', memory: '2Gi' } };
const DEFAULT_PROXY: ContainerResourceSpec = { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '512Mi' } };

/**
 * Istio as three upstream charts: `base` (CRDs and the default validating webhook), `istiod` (the
 * control plane and sidecar injector), and `gateway` (the ingress gateway, named
 * `istio-ingressgateway` as Knative expects). istiod and the gateway sync after base.
 *
 * Images: istiod's image and the proxy image are set as full references (istiod's templates use a
 * value containing '/' as it is), so relocation rewrites them. The gateway chart's pod says
 * `image: auto` and gets the proxy image from istiod's injection template, so relocating istiod's
 * `global.proxy.image` relocates the gateway and every sidecar (and its init container) too.
 */
export class Istio extends Construct {
  readonly base: UpstreamChart;
  readonly istiod: UpstreamChart;
  readonly gateway: UpstreamChart;

  constructor(scope: Construct, id: string, props: IstioProps) {
    super(scope, id);
    const { version, namespace } = props;
    const replicas = props.replicas ?? 1;
    const proxyResources = props.proxyResources ?? DEFAULT_PROXY;

    this.base = new UpstreamChart(this, 'Base', {
      name: 'istio-base',
      namespace,
      source: ChartSource.helmRepo(ISTIO_CHARTS, 'base', version),
      values: { defaultRevision: 'default' },
      // The Istio CRDs are large (crd-all is ~800 KB); server-side apply.
      includesCrds: true,
      clusterResources: [
        { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' },
        { group: 'admissionregistration.k8s.io', kind: 'ValidatingWebhookConfiguration' },
      ],
    });

    this.istiod = new UpstreamChart(this, 'Istiod', {
      name: 'istiod',
      namespace,
      source: ChartSource.helmRepo(ISTIO_CHARTS, 'istiod', version),
      values: {
        pilot: {
          replicaCount: replicas,
          autoscaleEnabled: false,
          resources: props.istiodResources ?? DEFAULT_ISTIOD,
        },
        global: {
          proxy: { resources: proxyResources },
        },
        meshConfig: {
          // Sidecars wait for their proxy before the application starts (model servers call out at start).
          defaultConfig: { holdApplicationUntilProxyStarts: true },
        },
      },
      images: [
        { image: `docker.io/istio/pilot:${version}`, valuePath: 'pilot.image' },
        { image: `docker.io/istio/proxyv2:${version}`, valuePath: 'global.proxy.image' },
        { image: `docker.io/istio/proxyv2:${version}`, valuePath: 'global.proxy_init.image' },
      ],
    });
    this.istiod.dependsOn(this.base);

    this.gateway = new UpstreamChart(this, 'Gateway', {
      name: INGRESS_GATEWAY_NAME,
      namespace,
      source: ChartSource.helmRepo(ISTIO_CHARTS, 'gateway', version),
      values: {
        labels: { ...INGRESS_GATEWAY_LABELS },
        replicaCount: replicas,
        autoscaling: { enabled: false },
        resources: proxyResources,
        service: { type: props.gatewayServiceType ?? 'LoadBalancer' },
      },
      // Namespaced only: Deployment, Service, ServiceAccount, Role.
      clusterResources: [],
    });
    this.gateway.dependsOn(this.istiod);
  }
}
