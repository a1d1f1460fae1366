import { Construct } from 'constructs';
import { ChartSource, UpstreamChart, UpstreamChartProps } from '../../core/upstream-chart';

export interface KCloudCrdsProps {
  /** The upstream repository (mirrored where the environment mirrors Git sources). */
  readonly repository: string;
  /** Git tag the CRDs are taken from; the same release as the operator image. */
  readonly revision: string;
  /** Namespace of the Application (the CRDs themselves are cluster-scoped). */
  readonly namespace: string;
}

/** The upstream file holding the three CRDs (plus a `kcloud-system` Namespace). */
export const KCLOUD_CRD_FILE = 'deployment.yaml';

/**
 * The KCloud CRDs (WorkloadOptimizer, CostPolicy, PowerPolicy), synced by Argo CD straight from the
 * upstream repository at a tag: Kompile copies no upstream file into the GitOps repository, and
 * `shared/crds` is not something Argo CD can reach. Upstream `config/crd/` has a kustomization that
 * points at controller-gen output it never committed, so the Application reads the folder as plain
 * YAML and includes only `deployment.yaml`, the hand-written CRDs the project applies itself.
 *
 * That file also declares an (unlabelled) `kcloud-system` Namespace, which this Application creates
 * and nothing uses: the operator runs in a namespace of its own, declared with Pod Security labels.
 * It cannot be left out: Argo CD's directory `include`/`exclude` globs select files, and at v0.1.0
 * `config/crd/` holds only `deployment.yaml` (the Namespace, then the three CRDs, in one file),
 * `kustomization.yaml` and `kustomizeconfig.yaml`. Like every source that installs CRDs, this
 * Application prunes nothing and has no cascade finalizer ({@link UpstreamChartProps.includesCrds}),
 * so Argo CD never deletes the Namespace either.
 */
export class KCloudCrds extends UpstreamChart {
  constructor(scope: Construct, id: string, props: KCloudCrdsProps) {
    super(scope, id, {
      name: 'kcloud-crds',
      namespace: props.namespace,
      source: ChartSource.gitDirectory(props.repository, 'config/crd', props.revision, KCLOUD_CRD_FILE),
      includesCrds: true,
      clusterResources: [
        { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' },
        { group: '', kind: 'Namespace' },
      ],
    });
  }
}
