import { Construct } from 'constructs';
import { ContainerResourceSpec } from '../core/pod-security';
import { ChartImage, ChartSource, UpstreamChart } from '../core/upstream-chart';
import { IMAGE_PINS } from '../core/image-pins';

/** Where KServe publishes its charts (OCI, without the `oci://` scheme, as Argo CD expects). */
export const KSERVE_CHARTS = 'ghcr.io/kserve/charts';

export type KServeDeploymentMode = 'Serverless' | 'RawDeployment';

export interface KServeProps {
  /** KServe release without `v`, e.g. `0.15.2`: chart version `v<version>` and tag of KServe's images. */
  readonly version: string;
  /** Namespace of the KServe controller. */
  readonly namespace: string;
  /** Default deployment mode of InferenceServices. */
  readonly deploymentMode: KServeDeploymentMode;
  /** Ingress domain of RawDeployment mode (Serverless takes Knative's). */
  readonly domain: string;
  /**
   * The Istio Gateway KServe attaches InferenceService routes to, as `<namespace>/<name>`.
   * @default 'knative-serving/knative-ingress-gateway'
   */
  readonly ingressGateway?: string;
  /**
   * Let KServe create an Ingress per InferenceService in RawDeployment mode. Off when routes come
   * from elsewhere (Kompile's VirtualServices); on, it needs an `istio` IngressClass.
   * @default true
   */
  readonly createIngress?: boolean;
  /** Resources of the controller. @default 100m/300Mi requested, 500m/512Mi limit */
  readonly resources?: ContainerResourceSpec;
}

const DEFAULT_RESOURCES: ContainerResourceSpec = { requests: { cpu: '100m', memory: '300Mi' }, limits: { cpu: '500m', memory: '512Mi' } };
/** How the KServe chart spells most images: `{ image: <repository>, tag }` (chart values.yaml, v0.15.2). */
const SPLIT = { kind: 'split', repositoryKey: 'image', tagKey: 'tag' } as const;

/**
 * Images KServe runs that are not in its own Deployment: they reach pods through the
 * `inferenceservice-config` ConfigMap (storage initializer, agent/logger/batcher, router) and the
 * ClusterServingRuntimes (model servers), all rendered from these chart values. Runtime images not
 * made by KServe keep the tags chart v0.15.2 pins, written in images.pins.json.
 */
function kserveImages(tag: string): ChartImage[] {
  const kserve = (name: string, valuePath: string): ChartImage => ({ image: `docker.io/kserve/${name}:${tag}`, valuePath, format: SPLIT });
  return [
    kserve('kserve-controller', 'kserve.controller'),
    // The controller's metrics proxy: one reference string.
    { image: IMAGE_PINS.reference('kube-rbac-proxy'), valuePath: 'kserve.controller.rbacProxyImage' },
    kserve('storage-initializer', 'kserve.storage'),
    kserve('agent', 'kserve.agent'),
    kserve('router', 'kserve.router'),
    kserve('sklearnserver', 'kserve.servingruntime.sklearnserver'),
    kserve('xgbserver', 'kserve.servingruntime.xgbserver'),
    kserve('lgbserver', 'kserve.servingruntime.lgbserver'),
    kserve('pmmlserver', 'kserve.servingruntime.pmmlserver'),
    kserve('paddleserver', 'kserve.servingruntime.paddleserver'),
    // The multi-node Hugging Face runtime, which chart v0.15.2 always installs (no value disables it),
    // runs `<huggingfaceserver image>:<tag>-gpu` (templates/clusterservingruntimes.yaml).
    { ...kserve('huggingfaceserver', 'kserve.servingruntime.huggingfaceserver'), derivedTagSuffixes: ['-gpu'] },
    { image: IMAGE_PINS.reference('torchserve'), valuePath: 'kserve.servingruntime.torchserve', format: SPLIT },
    { image: IMAGE_PINS.reference('tensorflow-serving'), valuePath: 'kserve.servingruntime.tensorflow', format: SPLIT },
    { image: IMAGE_PINS.reference('mlserver'), valuePath: 'kserve.servingruntime.mlserver', format: SPLIT },
    { image: IMAGE_PINS.reference('tritonserver'), valuePath: 'kserve.servingruntime.tritonserver', format: SPLIT },
    // The explainer's tag key is `defaultVersion`.
    { image: `docker.io/kserve/art-explainer:${tag}`, valuePath: 'kserve.servingruntime.art', format: { kind: 'split', repositoryKey: 'image', tagKey: 'defaultVersion' } },
  ];
}

/**
 * KServe as two upstream charts from its OCI registry: `kserve-crd` (CRDs, synced server-side: the
 * InferenceService CRD alone is ~1 MB) and `kserve` (controller, webhooks, ClusterServingRuntimes,
 * the `inferenceservice-config` ConfigMap), the controller after the CRDs.
 *
 * Every image KServe starts, including those it only names in its configuration (storage
 * initializer, agent, router, every model-server runtime), is set through the values and declared,
 * so an airgapped environment relocates them and lists them in images.txt. The multi-node
 * Hugging Face runtime derives its image from the Hugging Face one (`-gpu` appended to the tag), so
 * relocating that relocates both, and both are listed.
 *
 * The controller pod gets the RuntimeDefault seccomp profile through `kserve.controller.securityContext`
 * (pod level; chart v0.15.2 sets none anywhere, and its namespace enforces "restricted"). The
 * chart's default for that key (`runAsNonRoot: true`) is repeated, since a value replaces it.
 */
export class KServe extends Construct {
  readonly crds: UpstreamChart;
  readonly controller: UpstreamChart;

  constructor(scope: Construct, id: string, props: KServeProps) {
    super(scope, id);
    const tag = `v${props.version}`;

    this.crds = new UpstreamChart(this, 'Crds', {
      name: 'kserve-crd',
      namespace: props.namespace,
      source: ChartSource.oci(KSERVE_CHARTS, 'kserve-crd', tag),
      includesCrds: true,
      clusterResources: [{ group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' }],
    });

    this.controller = new UpstreamChart(this, 'Controller', {
      name: 'kserve',
      namespace: props.namespace,
      source: ChartSource.oci(KSERVE_CHARTS, 'kserve', tag),
      values: {
        kserve: {
          controller: {
            deploymentMode: props.deploymentMode,
            securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
            resources: props.resources ?? DEFAULT_RESOURCES,
            gateway: {
              domain: props.domain,
              disableIngressCreation: !(props.createIngress ?? true),
              ingressGateway: { className: 'istio', gateway: props.ingressGateway ?? 'knative-serving/knative-ingress-gateway' },
            },
          },
        },
      },
      images: kserveImages(tag),
      // The chart's ClusterServingRuntimes are validated by its own webhook
      // (clusterservingruntime.kserve-webhook-server.validator, failurePolicy Fail; chart v0.15.2
      // templates/webhookconfiguration.yaml), served by the controller the same sync starts: the
      // first sync fails until the controller answers. 10 tries back off for about 20 minutes,
      // instead of the 5 minutes of the default 5.
      syncRetries: 10,
      clusterResources: [
        { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' },
        { group: 'rbac.authorization.k8s.io', kind: 'ClusterRoleBinding' },
        { group: 'admissionregistration.k8s.io', kind: 'MutatingWebhookConfiguration' },
        { group: 'admissionregistration.k8s.io', kind: 'ValidatingWebhookConfiguration' },
        { group: 'serving.kserve.io', kind: 'ClusterServingRuntime' },
        { group: 'serving.kserve.io', kind: 'ClusterStorageContainer' },
      ],
    });
    this.controller.dependsOn(this.crds);
  }
}
