import { Construct } from 'constructs';
import { ChartSource, UpstreamChart } from '../../core/upstream-chart';
import { IMAGE_PINS } from '../../core/image-pins';
import { parseQuantity } from '../../core/quantity';
import { ContainerResourceSpec } from '../../core/pod-security';

/** The ToolHive project, whose repository carries both charts (seed 000 installs from a Git path). */
export const TOOLHIVE_REPO = 'https://github.com/stacklok/toolhive.git';

export interface ToolHiveOperatorProps {
  /** ToolHive release, e.g. `0.44.0`: the Git tag `v<version>` and the tag of every image. */
  readonly version: string;
  /** Namespace the operator runs in. */
  readonly namespace: string;
  /** Operator replicas; more than one uses the chart's leader election. @default 1 */
  readonly replicas?: number;
  /** Let the operator call ToolHive's update-check API. @default false */
  readonly updateCheck?: boolean;
  /** Requests and limits of the operator container. @default - the chart's (10m/64Mi requested, 500m/128Mi limit) */
  readonly resources?: ContainerResourceSpec;
  /** The namespaces whose MCPServers the operator manages, and the only ones it may act in. */
  readonly watchNamespaces: readonly string[];
}

/** The chart's Go soft memory limit is 110MiB under its 128Mi limit: the same share of another limit. */
const GOMEMLIMIT_SHARE = 110 / 128;
const MIB = 1024 * 1024;

/** The chart's `operator.resources` and the matching `operator.gc.gomemlimit`. */
function resourceValues(res: ContainerResourceSpec | undefined): Record<string, unknown> {
  if (!res) return {};
  const limit = parseQuantity(res.limits.memory);
  if (limit === undefined) throw new Error(`prop 'resources.limits.memory' '${res.limits.memory}' is not a Kubernetes quantity`);
  return {
    resources: { requests: { cpu: res.requests.cpu, memory: res.requests.memory }, limits: { cpu: res.limits.cpu, memory: res.limits.memory } },
    // Left at 110MiB, a larger limit would go unused: Go collects garbage hard from the soft limit on.
    gc: { gomemlimit: `${Math.floor((limit * GOMEMLIMIT_SHARE) / MIB)}MiB` },
  };
}

/**
 * The ToolHive operator, as two upstream charts from the ToolHive Git repository: the CRDs chart
 * (`deploy/charts/operator-crds`) and the operator chart (`deploy/charts/operator`), the operator
 * synced only once the CRDs are in.
 *
 * The operator injects the proxy-runner, vMCP and registry-API images into the workloads it creates
 * at run time; they are set through the chart values here, so that an airgapped environment
 * relocates them with everything else (otherwise the first MCPServer fails with ImagePullBackOff).
 */
export class ToolHiveOperator extends Construct {
  readonly crds: UpstreamChart;
  readonly operator: UpstreamChart;

  constructor(scope: Construct, id: string, props: ToolHiveOperatorProps) {
    super(scope, id);
    const tag = `v${props.version}`;

    this.crds = new UpstreamChart(this, 'Crds', {
      name: 'toolhive-operator-crds',
      namespace: props.namespace,
      source: ChartSource.git(TOOLHIVE_REPO, 'deploy/charts/operator-crds', tag),
      // Keep the CRDs when the release goes away: deleting a CRD deletes every MCPServer.
      values: { crds: { keep: true } },
      includesCrds: true,
      clusterResources: [{ group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' }],
    });

    this.operator = new UpstreamChart(this, 'Operator', {
      name: 'toolhive-operator',
      namespace: props.namespace,
      source: ChartSource.git(TOOLHIVE_REPO, 'deploy/charts/operator', tag),
      values: {
        operator: {
          replicaCount: props.replicas ?? 1,
          env: props.updateCheck ? undefined : [{ name: 'TOOLHIVE_SKIP_UPDATE_CHECK', value: 'true' }],
          // Namespace-scoped: the operator's ClusterRole is bound by a RoleBinding in each namespace it
          // manages (where its MCPServers live), not cluster-wide, and it watches only those
          // (WATCH_NAMESPACE). Chart v0.44.0: templates/clusterrole/rolebinding.yaml, deployment.yaml.
          // The StorageVersionMigrator needs cluster scope (templates/validate-features.yaml fails the
          // render otherwise), so it is off: when a later ToolHive drops a CRD version, the stored
          // versions are cleaned up by hand (docs/security.md).
          rbac: { scope: 'namespace', allowedNamespaces: [...props.watchNamespaces] },
          features: { storageVersionMigrator: false },
          ...resourceValues(props.resources),
        },
      },
      images: [
        { image: `ghcr.io/stacklok/toolhive/operator:${tag}`, valuePath: 'operator.image' },
        { image: `ghcr.io/stacklok/toolhive/proxyrunner:${tag}`, valuePath: 'operator.toolhiveRunnerImage' },
        { image: `ghcr.io/stacklok/toolhive/vmcp:${tag}`, valuePath: 'operator.vmcpImage' },
        // The registry API ships on its own release line (images.pins.json; v1.3.0 is what chart 0.44.0 pins).
        { image: IMAGE_PINS.reference('thv-registry-api'), valuePath: 'registryAPI.image' },
      ],
    });
    this.operator.dependsOn(this.crds);
  }
}
