import { Construct } from 'constructs';
import { JETSTACK_CHARTS } from './cert-manager';
import { Namespaces } from '../core/namespaces';
import { ContainerResourceSpec } from '../core/pod-security';
import { ChartSource, UpstreamChart } from '../core/upstream-chart';

/** Port of trust-manager's validating webhook (`app.webhook.port`, values.yaml of chart v0.20.2). */
const WEBHOOK_PORT = 6443;

export interface TrustManagerProps {
  /** Chart version from charts.lock.json, with its `v` (e.g. `v0.20.2`): also the image tag. */
  readonly chartVersion: string;
  /** Namespace of the controller; added to `namespaces`. */
  readonly namespace: string;
  readonly namespaces: Namespaces;
  /**
   * The trust namespace: the only namespace whose Secrets trust-manager reads (Bundle sources). It
   * must exist before trust-manager starts (values.yaml of chart v0.20.2, `app.trust.namespace`).
   */
  readonly trustNamespace: string;
  /** The only namespaces trust-manager writes its ConfigMaps to (and is given rights in). At least one. */
  readonly targetNamespaces: readonly string[];
  /** The API server's addresses: trust-manager watches through it, and it calls the webhook. */
  readonly apiServer: { readonly cidrs: readonly string[]; readonly ports: readonly number[] };
  /** Controller replicas. @default 1 */
  readonly replicas?: number;
  /** @default 10m/64Mi requested, 200m/256Mi limit */
  readonly resources?: ContainerResourceSpec;
}

const DEFAULT_RESOURCES: ContainerResourceSpec = { requests: { cpu: '10m', memory: '64Mi' }, limits: { cpu: '200m', memory: '256Mi' } };

/**
 * cert-manager's trust-manager from Jetstack's chart, CRD included (`crds.enabled`, kept with the
 * release gone: `crds.keep`), which publishes CA certificates without their keys: each `Bundle`
 * (lib/core/trust-bundle.ts) copies one certificate key of a Secret in the trust namespace into
 * ConfigMaps of the namespaces that need it.
 *
 * Version: chart v0.20.2 is the newest release whose own end-to-end tests install the cert-manager
 * line Kompile pins (1.18: `cert_manager_version := v1.18.2` in make/_shared/cert-manager/00_mod.mk
 * at v0.20.2; v0.20.3 moved to 1.19); it needs Kubernetes 1.25 or newer (Chart.yaml `kubeVersion`).
 * The chart's webhook certificate comes from a cert-manager Issuer and Certificate it renders
 * (templates/certificate.yaml, `app.webhook.tls.helmCert.enabled: false` by default), so it
 * syncs after cert-manager.
 *
 * Values, all read in values.yaml / values.schema.json / templates of chart v0.20.2:
 * - `app.trust.namespace`: the trust namespace; the chart's Role reading Secrets is there and only
 *   there (templates/role.yaml), and the controller caches Secrets of that namespace only
 *   (pkg/bundle/controller.go `CacheOpts`).
 * - `app.targetNamespaces`: ConfigMaps are written only there, and the controller watches only
 *   them and the trust namespace (`--target-namespaces`, pkg/bundle/bundle.go and controller.go).
 * - `global.rbac.create: false`: the RBAC comes from Kompile (lib/serving/trust-manager-rbac.ts): the
 *   chart's rules for target namespaces, one Role per namespace instead of a ClusterRole over every
 *   ConfigMap, each in the component of its namespace.
 * - `secretTargets.enabled` stays false (its default): writing Secrets "will grant trust-manager read
 *   access to all secrets in the cluster" (values.yaml).
 * - `defaultPackage.enabled: false`: no public CA package (its init container and image
 *   `trust-pkg-debian-bookworm`); the platform's Bundles carry only its own CAs.
 * - The image is `image.repository` with `image.tag`, default the chart's appVersion, which the
 *   release sets to the chart version (make/_shared/helm/helm.mk `--app-version`).
 *
 * Pod Security: the container runs non-root with ALL capabilities dropped, no privilege escalation,
 * a read-only root file system and the RuntimeDefault seccomp profile (templates/deployment.yaml,
 * `app.securityContext.seccompProfileEnabled: true` default): "restricted" admits it.
 */
export class TrustManager extends UpstreamChart {
  constructor(scope: Construct, id: string, props: TrustManagerProps) {
    if (props.targetNamespaces.length === 0) throw new Error(`[${scope.node.path}/${id}] prop 'targetNamespaces' must name at least one namespace: without it trust-manager may write ConfigMaps in every namespace`);
    const split = { kind: 'split', repositoryKey: 'repository', tagKey: 'tag' } as const;
    super(scope, id, {
      name: 'trust-manager',
      namespace: props.namespace,
      source: ChartSource.helmRepo(JETSTACK_CHARTS, 'trust-manager', props.chartVersion),
      values: {
        crds: { enabled: true, keep: true },
        global: { rbac: { create: false } },
        replicaCount: props.replicas ?? 1,
        resources: props.resources ?? DEFAULT_RESOURCES,
        defaultPackage: { enabled: false },
        secretTargets: { enabled: false },
        app: { trust: { namespace: props.trustNamespace }, targetNamespaces: [...new Set(props.targetNamespaces)].sort() },
      },
      images: [{ image: `quay.io/jetstack/trust-manager:${props.chartVersion}`, valuePath: 'image', format: split }],
      includesCrds: true,
    });
    const ns = props.namespaces.add({ name: props.namespace });
    const pods = { app: 'trust-manager' };
    // The API server calls the webhook (Bundle admission); the controller watches through it.
    ns.allowIngress({ name: 'kube-apiserver', podSelector: pods, peers: [{ cidrs: props.apiServer.cidrs }], ports: [{ port: WEBHOOK_PORT }], fromNodes: true });
    ns.allowEgress({ name: 'kube-apiserver', podSelector: pods, peers: [{ cidrs: props.apiServer.cidrs }], ports: props.apiServer.ports.map((port) => ({ port })) });
    this.dependsOn(props.namespaces);
  }
}
