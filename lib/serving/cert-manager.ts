import { Construct } from 'constructs';
import { ContainerResourceSpec } from '../core/pod-security';
import { ChartSource, UpstreamChart } from '../core/upstream-chart';

/** Jetstack's Helm repository, where the cert-manager chart is published. */
export const JETSTACK_CHARTS = 'https://charts.jetstack.io';

export interface CertManagerProps {
  /** cert-manager release without `v`, e.g. `1.18.6`: the chart version and every image tag. */
  readonly version: string;
  /** Namespace of the controller, webhook and CA injector. */
  readonly namespace: string;
  /** Replicas of controller, webhook and CA injector. @default 1 */
  readonly replicas?: number;
  /** Resources of each cert-manager container. @default 50m/128Mi requested, 500m/512Mi limit */
  readonly resources?: ContainerResourceSpec;
}

const DEFAULT_RESOURCES: ContainerResourceSpec = { requests: { cpu: '50m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } };

/**
 * cert-manager from Jetstack's chart, CRDs included (`crds.enabled`) and kept when the release goes
 * away (`crds.keep`: deleting the CRDs would delete every Certificate). Every image the chart runs
 * (controller, webhook, CA injector, ACME solver, start-up API check) is set through the values, so
 * an airgapped environment relocates all of them. The chart's pods already meet Pod Security
 * "restricted"; requests and limits are added here.
 */
export class CertManager extends UpstreamChart {
  constructor(scope: Construct, id: string, props: CertManagerProps) {
    const tag = `v${props.version}`;
    const resources = props.resources ?? DEFAULT_RESOURCES;
    const replicaCount = props.replicas ?? 1;
    // The chart spells images as { registry?, repository, tag } (values.yaml of cert-manager 1.18).
    const split = { kind: 'split', repositoryKey: 'repository', tagKey: 'tag' } as const;
    super(scope, id, {
      name: 'cert-manager',
      namespace: props.namespace,
      source: ChartSource.helmRepo(JETSTACK_CHARTS, 'cert-manager', tag),
      values: {
        crds: { enabled: true, keep: true },
        // The leader-election Roles and leases default to kube-system (`global.leaderElection.namespace`,
        // values.yaml and templates/rbac.yaml, cainjector-rbac.yaml of v1.18.6), which is no
        // namespace of the platform's project: keep them in cert-manager's own.
        global: { leaderElection: { namespace: props.namespace } },
        replicaCount,
        resources,
        webhook: { replicaCount, resources },
        cainjector: { replicaCount, resources },
        startupapicheck: { resources },
      },
      images: [
        { image: `quay.io/jetstack/cert-manager-controller:${tag}`, valuePath: 'image', format: split },
        { image: `quay.io/jetstack/cert-manager-webhook:${tag}`, valuePath: 'webhook.image', format: split },
        { image: `quay.io/jetstack/cert-manager-cainjector:${tag}`, valuePath: 'cainjector.image', format: split },
        { image: `quay.io/jetstack/cert-manager-acmesolver:${tag}`, valuePath: 'acmesolver.image', format: split },
        { image: `quay.io/jetstack/cert-manager-startupapicheck:${tag}`, valuePath: 'startupapicheck.image', format: split },
      ],
      includesCrds: true,
    });
  }
}
