import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { Component } from '../core/component';
import { Namespaces } from '../core/namespaces';
import { ContainerResourceSpec } from '../core/pod-security';
import { ChartSource, UpstreamChart } from '../core/upstream-chart';

/** The Sigstore Helm repository (sigstore/helm-charts README.md: `helm repo add sigstore …`). */
export const SIGSTORE_CHARTS = 'https://sigstore.github.io/helm-charts';

/**
 * The label a namespace opts in with: the chart's webhooks select namespaces whose
 * `policy.sigstore.dev/include` is `"true"` (chart policy-controller-0.10.6 values.yaml
 * `webhook.namespaceSelector`, used by templates/webhook/webhook_validating.yaml and
 * webhook_mutating.yaml; the same label in sigstore/policy-controller v0.13.1
 * config/500-webhook-configuration.yaml).
 */
export const POLICY_INCLUDE_LABEL = 'policy.sigstore.dev/include';

/** The webhook's container port (chart 0.10.6 templates/webhook/deployment_webhook.yaml `containerPort: 8443`). */
const WEBHOOK_PORT = 8443;
/** Pod labels of the webhook: `control-plane: <fullname>-webhook`, fullname being the release name here. */
const WEBHOOK_PODS = { 'control-plane': 'policy-controller-webhook' };

export interface PolicyControllerProps {
  /** Version of the `policy-controller` chart (charts.lock.json). */
  readonly chartVersion: string;
  readonly namespace: string;
  readonly namespaces: Namespaces;
  /** The webhook's image (images.pins.json `policy-controller`). */
  readonly image: string;
  /** The post-delete Job's kubectl image (images.pins.json `policy-controller-leases-cleanup`). */
  readonly cleanupImage: string;
  /** Webhook replicas: it fails closed, so a production platform runs at least 2. */
  readonly replicas: number;
  /** The API server's addresses: it calls the webhook, and the webhook watches through it. */
  readonly apiServer: { readonly cidrs: readonly string[]; readonly ports: readonly number[] };
  /** Where the webhook fetches signatures: the platform registry's namespace and ports. */
  readonly registry: {
    readonly namespace: string;
    readonly ports: readonly number[];
    /** The nodes' addresses, where its NodePort is reached (`cluster.network.nodeCidrs`). @default - anywhere */
    readonly nodeCidrs?: readonly string[];
  };
}

const RESOURCES: ContainerResourceSpec = { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '200m', memory: '512Mi' } };
const JOB_RESOURCES: ContainerResourceSpec = { requests: { cpu: '10m', memory: '32Mi' }, limits: { cpu: '100m', memory: '128Mi' } };
const RESTRICTED_CONTAINER = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, runAsUser: 65532, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } };

/**
 * The `policy-controller` component: Sigstore's admission webhook, which verifies image signatures
 * against ClusterImagePolicies in the namespaces labelled {@link POLICY_INCLUDE_LABEL}.
 *
 * Values (chart policy-controller-0.10.6 values.yaml and templates):
 * - `webhook.configData` becomes the `config-policy-controller` ConfigMap; `no-match-policy: allow`
 *   admits images no policy matches (the controller denies them by default: policy-controller
 *   v0.13.1 pkg/config/store.go `NewPolicyControllerConfigFromMap`), so only the images a policy
 *   names (the platform registry's) need signatures, and the opted-in namespaces keep running
 *   their mirrored upstream images.
 * - The chart spells images `{repository, version}`, `repository@version` when version starts with
 *   `sha256:`, else `repository:version` (templates/_helpers.tpl `policy-controller.image`); Kompile
 *   pins tags.
 * - `webhook.securityContext` is the pod's, `webhook.podSecurityContext` the container's (the
 *   deployment template puts them so), each written when `enabled`; the container gets seccomp
 *   RuntimeDefault and a non-root user for Pod Security `restricted`. The post-delete Job's container
 *   likewise (`leasescleanup.podSecurityContext`).
 */
export class PolicyController extends UpstreamChart {
  constructor(scope: Construct, id: string, props: PolicyControllerProps) {
    const split = { kind: 'split', repositoryKey: 'repository', tagKey: 'version' } as const;
    super(scope, id, {
      name: 'policy-controller',
      namespace: props.namespace,
      source: ChartSource.helmRepo(SIGSTORE_CHARTS, 'policy-controller', props.chartVersion),
      values: {
        // Names and the webhook pods' `control-plane` label from the release alone (templates/_helpers.tpl `policy-controller.fullname`).
        fullnameOverride: 'policy-controller',
        webhook: {
          replicaCount: props.replicas,
          configData: { 'no-match-policy': 'allow' },
          resources: RESOURCES,
          securityContext: { enabled: true, runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: 'RuntimeDefault' } },
          podSecurityContext: { enabled: true, ...RESTRICTED_CONTAINER },
        },
        leasescleanup: {
          resources: JOB_RESOURCES,
          podSecurityContext: { enabled: true, ...RESTRICTED_CONTAINER },
        },
      },
      images: [
        { image: props.image, valuePath: 'webhook.image', format: split },
        { image: props.cleanupImage, valuePath: 'leasescleanup.image', format: split },
      ],
    });
    const ns = props.namespaces.add({ name: props.namespace });
    // The API server calls the webhooks (Service port 443 → container 8443).
    ns.allowIngress({ name: 'kube-apiserver', podSelector: WEBHOOK_PODS, peers: [{ cidrs: props.apiServer.cidrs }], ports: [{ port: WEBHOOK_PORT }], fromNodes: true });
    // It watches ClusterImagePolicies, ConfigMaps and Secrets, and reads the service accounts' pull secrets.
    ns.allowEgress({ name: 'kube-apiserver', peers: [{ cidrs: props.apiServer.cidrs }], ports: props.apiServer.ports.map((port) => ({ port })) });
    // Signatures and digests come from the platform registry: its pods, or its NodePort on a node
    // address (the name clients use resolves to the nodes).
    ns.allowEgress({ name: 'registry', podSelector: WEBHOOK_PODS, peers: [{ namespaces: [props.registry.namespace] }, { cidrs: props.registry.nodeCidrs ?? ['0.0.0.0/0'] }], ports: props.registry.ports.map((port) => ({ port })) });
    this.dependsOn(props.namespaces);
  }
}

/** The component of the ClusterImagePolicies, after the chart that installs their CRD. */
export class ImagePolicies extends Component {
  constructor(scope: Construct, id: string, props: { readonly namespace: string; readonly controller: PolicyController }) {
    super(scope, id, { name: 'image-policy', namespace: props.namespace });
    this.dependsOn(props.controller);
  }
}

/**
 * Namespaces of the component's objects that run an image of `registry` (`host:port`), sorted: any
 * string under an `image` key, as the image walk sees pod specs and custom resources.
 */
export function namespacesRunning(component: Component, registry: string): string[] {
  const out = new Set<string>();
  const holds = (v: unknown): boolean => {
    if (Array.isArray(v)) return v.some(holds);
    if (typeof v !== 'object' || v === null) return false;
    return Object.entries(v).some(([k, x]) => (k === 'image' && typeof x === 'string' && x.startsWith(`${registry}/`)) || holds(x));
  };
  for (const c of component.node.findAll()) {
    if (!(c instanceof ApiObject) || !c.metadata.namespace) continue;
    let json: unknown;
    try {
      json = c.toJson();
    } catch {
      continue; // the synth reports an object that does not render, with its path
    }
    if (holds(json)) out.add(c.metadata.namespace);
  }
  return [...out].sort();
}
