import { Construct } from 'constructs';
import type { ChartPortValues } from '../checks/ports';
import { ApplicationSpecIgnoreDifferences } from '../../imports/argoproj.io';
import { ContainerResourceSpec } from '../core/pod-security';
import { ChartSource, UpstreamChart } from '../core/upstream-chart';

/** Istio's Helm repository (base, istiod and gateway charts). */
export const ISTIO_CHARTS = 'https://istio-release.storage.googleapis.com/charts';

/** Labels of the ingress gateway pods; Knative's and Kompile's Gateways select them. */
export const INGRESS_GATEWAY_LABELS: Readonly<Record<string, string>> = { istio: 'ingressgateway', app: 'istio-ingressgateway' };
/** Name (Deployment, Service, ServiceAccount) of the ingress gateway: what Knative's net-istio expects. */
export const INGRESS_GATEWAY_NAME = 'istio-ingressgateway';

/**
 * How the gateway chart's values set its Service's node ports, for the port rule where the chart is
 * not rendered (lib/checks/ports.ts): istio/istio 1.24.6 manifests/charts/gateway/values.yaml
 * (service.type LoadBalancer; service.ports status-port 15021, http2 80, https 443) and
 * templates/service.yaml, which writes service.ports as given.
 */
export const GATEWAY_NODE_PORT_VALUES: ChartPortValues = {
  chart: 'gateway',
  services: [{ type: 'service.type', typeDefault: 'LoadBalancer', port: 'service.ports[].port', portDefaults: [15021, 80, 443], nodePort: 'service.ports[].nodePort' }],
};

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
  /**
   * Redirect meshed pods' traffic with the Istio CNI node agent instead of the `istio-init` init
   * container, which needs NET_ADMIN and NET_RAW (refused by Pod Security "baseline"). The agent
   * itself runs privileged in a namespace of its own. @default - no CNI node agent
   */
  readonly cni?: IstioCniProps;
}

export interface IstioCniProps {
  /** Namespace of the node agent; it must enforce Pod Security "privileged". */
  readonly namespace: string;
  /** Where the cluster keeps its CNI binaries and configuration. @default - the chart's (kubeadm: /opt/cni/bin, /etc/cni/net.d) */
  readonly platform?: 'k3s';
  /** Resources of the node agent. @default 100m/100Mi requested (the chart's), 500m/512Mi limit */
  readonly resources?: ContainerResourceSpec;
}

/**
 * Why the node agent's namespace is "privileged": the `istio-cni-node` DaemonSet of chart `cni`
 * 1.24.6 (`manifests/charts/istio-cni/templates/daemonset.yaml`) runs as root, adds NET_ADMIN,
 * NET_RAW, SYS_PTRACE, SYS_ADMIN and DAC_OVERRIDE, and mounts the node's CNI directories (hostPath).
 */
export const ISTIO_CNI_POD_SECURITY_REASON =
  'the Istio CNI node agent (istio-cni-node) runs as root with NET_ADMIN, NET_RAW, SYS_ADMIN, SYS_PTRACE and DAC_OVERRIDE and mounts the node\'s CNI directories (hostPath), to set up each meshed pod\'s traffic redirection in place of the privileged istio-init container';

/**
 * Istio's validating webhooks fail open as rendered and istiod closes them once it serves: in charts
 * `base` and `istiod` 1.24.6 (`manifests/charts/base/templates/defaultrevision-validatingwebhookconfiguration.yaml`,
 * `manifests/charts/istio-control/istio-discovery/templates/validatingwebhookconfiguration.yaml`)
 * each webhook says `failurePolicy: Ignore` ("Fail open until the validation webhook is ready. The
 * webhook controller will update this to `Fail`"), and istiod's webhook controller
 * (`pkg/webhooks/validation/controller/controller.go` at 1.24.6: `updated.Webhooks[i].FailurePolicy =
 * ptr.Of(kubeApiAdmission.Fail)` once `readyForFailClose`) patches it to `Fail`. Git and the cluster
 * therefore always differ, and self-heal would write `Ignore` back each time (istio#44285, istio#52785).
 *
 * No value of these charts renders `Fail` safely: only `base.validationCABundle` does ("Disable
 * webhook controller in Pilot to stop patching it"), which needs a fixed CA for istiod's serving
 * certificate, and it would then reject all Istio config until istiod is up (istio#44285, maintainer
 * comment). So Argo CD ignores the field and leaves it as istiod set it.
 *
 * Names: `istiod-default-validator` (base, with `defaultRevision` set) and
 * `istio-validator-<global.istioNamespace>` (istiod with the default, empty `revision`);
 * Kompile sets neither `revision` nor `global.istioNamespace`, whose chart default is `istio-system`.
 */
function ignoreWebhookFailurePolicy(name: string): ApplicationSpecIgnoreDifferences {
  return { group: 'admissionregistration.k8s.io', kind: 'ValidatingWebhookConfiguration', name, jqPathExpressions: ['.webhooks[]?.failurePolicy'] };
}
/** The base chart's default-revision webhook configuration (see {@link ignoreWebhookFailurePolicy}). */
export const ISTIO_BASE_VALIDATOR = 'istiod-default-validator';
/** istiod's webhook configuration, for the chart's default `global.istioNamespace` (see {@link ignoreWebhookFailurePolicy}). */
export const ISTIOD_VALIDATOR = 'istio-validator-istio-system';

const DEFAULT_ISTIOD: ContainerResourceSpec = { requests: { cpu: '200m', memory: '512Mi' }, limits: { cpu: '1', memory: '2Gi' } };
const DEFAULT_PROXY: ContainerResourceSpec = { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '512Mi' } };
const DEFAULT_CNI: ContainerResourceSpec = { requests: { cpu: '100m', memory: '100Mi' }, limits: { cpu: '500m', memory: '512Mi' } };
const RUNTIME_DEFAULT = { type: 'RuntimeDefault' };

/**
 * Istio as three upstream charts: `base` (CRDs and the default validating webhook), `istiod` (the
 * control plane and sidecar injector), and `gateway` (the ingress gateway, named
 * `istio-ingressgateway` as Knative expects). istiod and the gateway sync after base.
 *
 * Images: istiod's image and the proxy image are set as full references (istiod's templates use a
 * value containing '/' as it is), so relocation rewrites them. The gateway chart's pod says
 * `image: auto` and gets the proxy image from istiod's injection template, so relocating istiod's
 * `global.proxy.image` relocates the gateway and every sidecar (and its init container) too.
 *
 * With `cni`, a fourth chart (`cni`, the node agent `istio-cni-node`) takes over traffic
 * redirection and istiod injects the unprivileged `istio-validation` init container instead of
 * `istio-init` (`pilot.cni.enabled`; injection template of Istio 1.24.6). istiod's own container gets
 * the RuntimeDefault seccomp profile (`pilot.seccompProfile`).
 */
export class Istio extends Construct {
  readonly base: UpstreamChart;
  readonly istiod: UpstreamChart;
  readonly gateway: UpstreamChart;
  /** The CNI node agent, when `cni` is set. */
  readonly cni?: UpstreamChart;

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
      ignoreDifferences: [ignoreWebhookFailurePolicy(ISTIO_BASE_VALIDATOR)],
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
      ignoreDifferences: [ignoreWebhookFailurePolicy(ISTIOD_VALIDATOR)],
      values: {
        pilot: {
          replicaCount: replicas,
          autoscaleEnabled: false,
          resources: props.istiodResources ?? DEFAULT_ISTIOD,
          seccompProfile: RUNTIME_DEFAULT,
          ...(props.cni ? { cni: { enabled: true } } : {}),
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

    if (props.cni) {
      this.cni = new UpstreamChart(this, 'Cni', {
        name: 'istio-cni',
        namespace: props.cni.namespace,
        source: ChartSource.helmRepo(ISTIO_CHARTS, 'cni', version),
        values: {
          // The agent reports its version from `tag` (ConfigMap CURRENT_AGENT_VERSION); the image is a full reference.
          tag: version,
          resources: props.cni.resources ?? DEFAULT_CNI,
          // The DaemonSet's priority class is system-node-critical (hard-coded); clusters that limit
          // critical pods to quota'd namespaces (as GKE does) need this quota where it runs.
          resourceQuotas: { enabled: true },
          ...(props.cni.platform ? { global: { platform: props.cni.platform } } : {}),
        },
        // The chart uses `image` as it is when it contains '/'.
        images: [{ image: `docker.io/istio/install-cni:${version}`, valuePath: 'image' }],
        clusterResources: [
          { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' },
          { group: 'rbac.authorization.k8s.io', kind: 'ClusterRoleBinding' },
        ],
      });
      // Pods injected before the agent runs on their node would start unredirected: agent first.
      this.istiod.dependsOn(this.cni);
    }
  }
}
