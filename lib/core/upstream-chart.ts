import { Construct } from 'constructs';
import { ApplicationSpecIgnoreDifferences, ApplicationSpecSource } from '../../imports/argoproj.io';
import { pinnedCommit, type LockedChart } from './chart-lock';
import type { RenderedChart } from './chart-render';
import { Component } from './component';
import { GroupKind, OPERATOR_CLUSTER_KINDS } from './kinds';
import { declareCarriedImages, declareImageField, ImageFieldFormat, pointerOf } from './image-field';
import { addRenderedObjects } from './rendered-objects';
import { Platform } from './platform';

/** Where a chart comes from. Build with the static methods. */
export class ChartSource {
  /** A chart in a classic Helm repository (`index.yaml` over HTTP). */
  static helmRepo(repoURL: string, chart: string, version: string): ChartSource {
    return new ChartSource('helm', repoURL, version, chart, undefined);
  }

  /**
   * A chart in an OCI registry. `repoURL` names the registry path without `oci://`, the way Argo CD
   * expects it (e.g. `ghcr.io/stacklok/toolhive`).
   */
  static oci(repoURL: string, chart: string, version: string): ChartSource {
    return new ChartSource('oci', repoURL.replace(/^oci:\/\//, ''), version, chart, undefined);
  }

  /** A chart folder in a Git repository, at a tag or commit. */
  static git(repoURL: string, path: string, revision: string): ChartSource {
    return new ChartSource('git', repoURL, revision, undefined, path);
  }

  /** The source a chart lock entry names (a Git entry as a chart folder). */
  static locked(chart: LockedChart): ChartSource {
    if (chart.source === 'helm') return ChartSource.helmRepo(chart.repoURL, chart.chart!, chart.version);
    if (chart.source === 'oci') return ChartSource.oci(chart.repoURL, chart.chart!, chart.version);
    return ChartSource.git(chart.repoURL, chart.path!, chart.version);
  }

  /**
   * A folder of plain manifests in a Git repository, at a tag or commit, for projects that publish no
   * chart. `include` is Argo CD's directory glob (e.g. one file of the folder); setting it makes Argo
   * CD read the folder as plain YAML even where a (broken) `kustomization.yaml` sits beside it.
   * Such a source takes no values and no images.
   */
  static gitDirectory(repoURL: string, path: string, revision: string, include?: string): ChartSource {
    return new ChartSource('git-directory', repoURL, revision, undefined, path, include);
  }

  private constructor(
    readonly type: 'helm' | 'oci' | 'git' | 'git-directory',
    readonly repoURL: string,
    /** Chart version (helm, oci) or Git revision (git). */
    readonly revision: string,
    readonly chart: string | undefined,
    readonly path: string | undefined,
    /** Directory include glob (git-directory only). */
    readonly include?: string,
  ) {}
}

/** An image a chart runs, and where in its values it is set. */
export interface ChartImage {
  /** The upstream reference, e.g. `ghcr.io/stacklok/toolhive/operator:v0.44.0`. */
  readonly image: string;
  /** Dotted path of the value, e.g. `operator.image`. */
  readonly valuePath: string;
  /** How the chart spells the image at that path. @default - one reference string */
  readonly format?: ImageFieldFormat;
  /**
   * Tag suffixes the chart appends to this image for other workloads (e.g. KServe's `-gpu`
   * runtime): pulled too, so relocated and listed alike. @default - none
   */
  readonly derivedTagSuffixes?: readonly string[];
}

export interface UpstreamChartProps {
  /** Component name; also the Helm release name. */
  readonly name: string;
  /** Namespace the release is installed into. */
  readonly namespace: string;
  readonly source: ChartSource;
  /** Helm values, typed by the construct that wraps the chart. Images go in `images`, not here. */
  readonly values?: Record<string, unknown>;
  /**
   * Every image the chart runs, with the value that sets it, so that every one is relocated and
   * listed. An image the chart runs but cannot override cannot be relocated: wrap such a chart
   * differently instead.
   */
  readonly images?: readonly ChartImage[];
  /**
   * The chart installs CustomResourceDefinitions. Large CRDs do not fit in the 256 KiB
   * `last-applied-configuration` annotation of client-side apply, so such charts are synced with
   * server-side apply.
   *
   * Deleting a CRD deletes every custom resource of its kind, cluster-wide, and Kompile cannot mark
   * objects inside a chart it does not render. So Argo CD never deletes anything such a chart
   * synced: automated prune is off (a CRD a new chart version drops stays, and the Application
   * shows OutOfSync until someone prunes it by hand), and the Application has no cascade finalizer
   * (removing the component leaves its objects in the cluster, unmanaged; `kompile diff` lists
   * them). Argo CD's cascade deletion would skip CRDs anyway, but not the other objects such
   * sources carry (e.g. the `kcloud-system` Namespace in the KCloud CRD file).
   * @default false
   */
  readonly includesCrds?: boolean;
  /**
   * Cluster-scoped kinds the chart creates; the AppProject allows exactly these.
   * @default OPERATOR_CLUSTER_KINDS - CRDs, cluster RBAC and admission webhooks
   */
  readonly clusterResources?: readonly GroupKind[];
  /**
   * Namespaced kinds the chart creates, for a chart deployed to Argo CD's namespace: that project
   * lists its namespaced kinds exactly (see `Project`). Elsewhere unused. @default - none declared
   */
  readonly namespaceResources?: readonly GroupKind[];
  /**
   * Hydrate this chart (write its rendered objects as the component's folder) even where the
   * environment references its charts; it must then be vendored. @default - the environment's `gitops.chartsMode`
   */
  readonly hydrate?: boolean;
  /**
   * Fields of the chart's objects that a controller changes once they are in the cluster, which
   * Argo CD is to ignore (and leave alone when syncing): see `ComponentProps.ignoreDifferences`.
   * The construct that wraps the chart says which, with the upstream evidence next to it.
   * @default - none
   */
  readonly ignoreDifferences?: readonly ApplicationSpecIgnoreDifferences[];
  /** Sync retries: see `ComponentProps.syncRetries`. @default 5 */
  readonly syncRetries?: number;
}

/**
 * An upstream Helm chart installed as its own Argo CD Application (from a Helm repository, an OCI
 * registry or a Git path), with typed values and its images declared for relocation. In environments
 * that mirror chart sources (`gitops.chartMirrors` per kind, `gitops.sourceMirrors` per URL), the
 * source points at the mirror.
 *
 * Where the environment's chart was rendered (vendored under charts/, rendered with helm between
 * two synths), its objects are part of the component: in `hydrated` mode they are the component's
 * folder (the Application syncs that folder; the chart never reaches Argo CD); in `referenced` mode
 * they are only checked, standing for what Argo CD will render from the Helm source.
 */
export class UpstreamChart extends Component {
  /** Cluster-scoped kinds the chart creates. */
  readonly clusterResources: readonly GroupKind[];
  /** Namespaced kinds the chart declares it creates (`UpstreamChartProps.namespaceResources`). */
  readonly namespaceResources?: readonly GroupKind[];
  /** Where the chart comes from (before source mirrors). */
  readonly source: ChartSource;
  /** Its entry in the chart lock, where the environment has one. */
  readonly locked?: LockedChart;
  /** The chart's rendering, where the environment's chart was rendered. */
  readonly rendered?: RenderedChart;
  /** True when the rendered objects are the component's folder instead of a Helm source. */
  readonly hydrated: boolean;
  /** True when the chart is to be hydrated once rendered (the environment's mode, or `hydrate`). */
  readonly wantsHydrated: boolean;

  constructor(scope: Construct, id: string, props: UpstreamChartProps) {
    const { source } = props;
    const platform = Platform.of(scope);
    const repoURL = platform.sourceFor(source.type === 'git-directory' ? 'git' : source.type, source.repoURL);
    const rendered = platform.renderedChart(props.name);
    const wantsHydrated = props.hydrate ?? platform.gitops.chartsMode === 'hydrated';
    const hydrated = rendered !== undefined && wantsHydrated;
    const values = structuredClone(props.values ?? {});
    for (const img of props.images ?? []) setPath(values, img.valuePath, imageValue(img));
    if (source.type === 'git-directory' && (props.values !== undefined || (props.images ?? []).length > 0)) {
      throw new Error(`[${scope.node.path}/${id}] a plain Git directory source takes no values or images`);
    }
    // A Git source is synced at the commit its locked tag resolved to (charts pull records it): a
    // tag can be moved upstream or on a mirror, a commit cannot. Unresolved, the tag (rule
    // 'unpinned-git-source', lib/checks/security-supply-chain.ts).
    const lockedEntry = platform.chartLock?.find(source);
    const revision = (lockedEntry && pinnedCommit(lockedEntry)) ?? source.revision;
    const appSource: ApplicationSpecSource =
      source.type === 'git-directory'
        ? { repoUrl: repoURL, targetRevision: revision, path: source.path, directory: { include: source.include } }
        : {
            repoUrl: repoURL,
            targetRevision: revision,
            chart: source.chart,
            path: source.path,
            // Kompile renders charts without their test hooks (`helm template --skip-tests`); Argo CD
            // does the same only when told (util/helm/cmd.go: `--skip-tests` if SkipTests).
            helm: { releaseName: props.name, valuesObject: values, skipTests: true },
          };
    // Hydrated, the component is a folder like any other: its CRDs carry Prune=false,Delete=false
    // themselves, so the Application may prune and cascade.
    super(
      scope,
      id,
      { name: props.name, namespace: props.namespace, ignoreDifferences: props.ignoreDifferences, syncRetries: props.syncRetries },
      hydrated
        ? undefined
        : {
            source: appSource,
            syncOptions: props.includesCrds ? ['ServerSideApply=true'] : [],
            keepsObjects: props.includesCrds ?? false,
            installsCrds: props.includesCrds ?? false,
          },
    );
    this.rendered = rendered;
    this.hydrated = hydrated;
    this.wantsHydrated = wantsHydrated;
    this.clusterResources = props.clusterResources ?? OPERATOR_CLUSTER_KINDS;
    this.namespaceResources = props.namespaceResources;
    this.source = source;
    // Every source an environment installs is locked (charts.lock.json): one place for versions.
    const lock = Platform.of(scope).chartLock;
    this.locked = lock?.find(source);
    if (lock && !this.locked) this.node.addValidation({ validate: () => [lock.explainMissing(source)] });
    if (rendered) {
      if (rendered.objects.length === 0) throw new Error(`[${this.node.path}] chart '${rendered.request.chart.name}' rendered no objects`);
      addRenderedObjects(this, rendered.objects, props.namespace, !hydrated, rendered.request.chart.name);
    }
    if (hydrated) {
      declareCarriedImages(this, rendered.request.images);
      return;
    }
    for (const img of props.images ?? []) {
      declareImageField(this.application, pointerOf('spec', 'source', 'helm', 'valuesObject', ...img.valuePath.split('.')), img.format, img.derivedTagSuffixes);
    }
  }
}

function imageValue(img: ChartImage): unknown {
  const format = img.format ?? { kind: 'reference' };
  if (format.kind === 'reference') return img.image;
  // The split spelling is filled in from the parsed image at synth time; start from the reference.
  return { [format.repositoryKey]: img.image, [format.tagKey]: '' };
}

function setPath(target: Record<string, unknown>, dotted: string, value: unknown): void {
  const keys = dotted.split('.');
  let cur = target;
  for (const k of keys.slice(0, -1)) {
    const next = cur[k];
    if (next === undefined) cur[k] = {};
    else if (typeof next !== 'object' || next === null || Array.isArray(next)) throw new Error(`value '${k}' in '${dotted}' is not an object`);
    cur = cur[k] as Record<string, unknown>;
  }
  // A split image ({ repository, tag }) often shares its object with other values of the same
  // workload (resources, security context): merge into it instead of replacing it.
  const last = keys[keys.length - 1];
  const existing = cur[last];
  cur[last] = isPlainObject(existing) && isPlainObject(value) ? { ...existing, ...value } : value;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
