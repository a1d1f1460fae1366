import { App } from 'cdk8s';
import { IConstruct } from 'constructs';
import type { PortFacts } from '../checks/ports';
import type { ChartLock } from './chart-lock';
import type { RenderedChart } from './chart-render';
import { CHART_SOURCE_KIND_NAMES, chartMirrorURL, ChartSourceKind, GitOpsConfig } from './config/gitops';
import type { RegistryPolicy } from './registry-policy';

export interface PlatformProps {
  /** Environment name: the folder under `dist/` and the `kompile.dev/environment` label. */
  readonly environment: string;
  /** Where Argo CD finds this environment's output, and how sources are mirrored. */
  readonly gitops: GitOpsConfig;
  /**
   * The chart lock every upstream source must be in. @default - none: sources are not checked against
   * a lock (construct tests)
   */
  readonly chartLock?: ChartLock;
  /** Kubernetes version of the cluster, `1.28`: what charts are rendered for. @default - unknown (no chart is rendered) */
  readonly kubernetesVersion?: string;
  /**
   * Upstream charts rendered for this environment (by a first synth, then helm), by component name:
   * hydrated into the component's folder or, in `referenced` mode, only checked. @default - none
   */
  readonly renderedCharts?: ReadonlyMap<string, RenderedChart>;
  /**
   * API group/versions the cluster serves beyond the built-in ones and the CRDs the environment
   * installs (e.g. `monitoring.coreos.com/v1` where the Prometheus Operator runs): charts are rendered
   * with them, as Argo CD renders with the cluster's. @default []
   */
  readonly clusterApiVersions?: readonly string[];
  /**
   * The cluster's storage classes that bind a claim only when its first pod is scheduled
   * (`volumeBindingMode: WaitForFirstConsumer`): the synth refuses a claim of such a class in an
   * earlier sync wave than that pod (lib/checks/sync-waves.ts). @default []
   */
  readonly waitForFirstConsumer?: readonly string[];
  /**
   * Whether the cluster's ingress controller writes an address into Ingress status
   * (`cluster.ingress.publishesStatus`): where it does not, the synth refuses an Ingress in an
   * Application with a later-wave Application (lib/checks/ingress-health.ts). @default true - the
   * rule is off (construct tests); environments always pass their cluster's fact
   */
  readonly ingressPublishesStatus?: boolean;
  /** The cluster's facts for the port rule (lib/checks/ports.ts). @default - node-port range 30000-32767, nothing reserved */
  readonly ports?: PortFacts;
  /** The cluster's pod and service networks for the network rules (lib/checks/security-network.ts). @default - unknown */
  readonly clusterCidrs?: readonly string[];
  /**
   * Namespaces the cluster has without the environment creating them (besides Kubernetes' own and
   * Argo CD's). @default - unknown: the rule 'netpol-unknown-namespace' is off (construct tests);
   * environments always pass their cluster's
   */
  readonly clusterNamespaces?: readonly string[];
  /** The environment's tier: `production` turns on the supply-chain rule on mutable images. @default 'development' */
  readonly tier?: 'development' | 'production';
  /**
   * The environment's registry policy: where its hosts are restricted, a chart source neither
   * mirrored nor on an allowed host is refused when the chart is added, naming the fields to set.
   * @default - sources are not checked here (the airgap audit still reports them)
   */
  readonly registryPolicy?: RegistryPolicy;
}

/**
 * The root of one environment's construct tree: one cdk8s App per environment, never synthesized
 * with `App.synth()` (Kompile renders each component once, see `synthesize`).
 *
 * It carries what Argo CD objects need to point back at the GitOps repository, and what upstream
 * charts need to find their lock entry and their rendering; component configuration is handed to
 * each construct by the stack, never read from here.
 */
export class Platform extends App {
  /** The Platform a construct belongs to. */
  static of(c: IConstruct): Platform {
    const root = c.node.root;
    if (!(root instanceof Platform)) {
      throw new Error(`[${c.node.path}] is not inside a Kompile Platform; create it under 'new Platform(...)'`);
    }
    return root;
  }

  readonly environment: string;
  readonly gitops: GitOpsConfig;
  /** The Argo CD AppProject every component Application belongs to. */
  readonly project: string;
  /** The chart lock upstream sources are held to, if any. */
  readonly chartLock?: ChartLock;
  /** Kubernetes version of the cluster (`1.28`), if known. */
  readonly kubernetesVersion?: string;
  /** API group/versions the cluster serves beyond the built-ins and the environment's CRDs. */
  readonly clusterApiVersions: readonly string[];
  /** The cluster's WaitForFirstConsumer storage classes. */
  readonly waitForFirstConsumer: readonly string[];
  /** Whether the cluster's ingress controller writes an address into Ingress status. */
  readonly ingressPublishesStatus: boolean;
  /** The cluster's facts for the port rule. */
  readonly ports: PortFacts;
  /** The cluster's pod and service networks, where known. */
  readonly clusterCidrs?: readonly string[];
  /** Namespaces the cluster has without the environment creating them; undefined in construct tests. */
  readonly clusterNamespaces?: readonly string[];
  /** The environment's tier (`EnvironmentConfig.tier`). */
  readonly tier: 'development' | 'production';
  /** See `PlatformProps.registryPolicy`. */
  readonly registryPolicy?: RegistryPolicy;
  private readonly rendered: ReadonlyMap<string, RenderedChart>;

  constructor(props: PlatformProps) {
    // outdir is never used: Kompile writes its own output atomically.
    super({ outdir: '.' });
    this.environment = props.environment;
    this.gitops = props.gitops;
    this.project = props.gitops.project ?? `kompile-${props.environment}`;
    this.chartLock = props.chartLock;
    this.kubernetesVersion = props.kubernetesVersion;
    this.rendered = props.renderedCharts ?? new Map();
    this.clusterApiVersions = props.clusterApiVersions ?? [];
    this.waitForFirstConsumer = props.waitForFirstConsumer ?? [];
    this.ingressPublishesStatus = props.ingressPublishesStatus ?? true;
    this.ports = props.ports ?? {};
    this.clusterCidrs = props.clusterCidrs;
    this.clusterNamespaces = props.clusterNamespaces;
    this.tier = props.tier ?? 'development';
    this.registryPolicy = props.registryPolicy;
  }

  /** Path inside the GitOps repository of a folder of this environment's output. */
  repoPath(...segments: string[]): string {
    return [this.gitops.path, this.environment, ...segments].join('/');
  }

  /** The rendering of an upstream component's chart, when it was rendered. */
  renderedChart(component: string): RenderedChart | undefined {
    return this.rendered.get(component);
  }

  /**
   * Where Argo CD fetches a chart source of `kind`: its mirror (`gitops.sourceMirrors`, else derived
   * from `gitops.chartMirrors`), or the URL itself. Throws, naming the stack file's fields to set,
   * when the environment restricts hosts and the source is neither mirrored nor on an allowed host.
   */
  sourceFor(kind: ChartSourceKind, url: string): string {
    const mirror = chartMirrorURL(this.gitops, kind, url);
    if (mirror !== undefined) return mirror;
    if (this.registryPolicy?.restrictsHosts && !this.registryPolicy.allowsUrl(url)) {
      throw new Error(
        `chart source '${url}' (${CHART_SOURCE_KIND_NAMES[kind]}) has no mirror and its host is not in registry.allowedHosts: ` +
          `in environment '${this.environment}' (stacks/${this.environment}.ts) set gitops.chartMirrors.${kind}, the mirror base every ${CHART_SOURCE_KIND_NAMES[kind]} is derived from, ` +
          `or gitops.sourceMirrors['${url}'] for this source alone`,
      );
    }
    return url;
  }
}
