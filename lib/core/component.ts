import { ApiObject, Chart, Lazy } from 'cdk8s';
import { isClusterScoped } from './kinds';
import { Construct, IConstruct } from 'constructs';
import { Application, ApplicationSpecIgnoreDifferences, ApplicationSpecSource } from '../../imports/argoproj.io';
import { Platform } from './platform';

/** The in-cluster API server, as Argo CD names the cluster it runs in. */
export const IN_CLUSTER = 'https://kubernetes.default.svc';

/**
 * Argo CD's cascade-deletion finalizer. On an Application being deleted (here: pruned by the root
 * app-of-apps when the component disappears), the application controller deletes the Application's
 * resources first, with foreground propagation; the `/background` suffix would select background
 * propagation instead. Argo CD 2.x and 3.x spell it the same
 * (https://argo-cd.readthedocs.io/en/release-3.3/user-guide/app_deletion/: "Adding the finalizer
 * enables cascading deletes when implementing the App of Apps pattern").
 *
 * The cascade skips, per resource (controller/appcontroller.go `shouldBeDeleted`, unchanged from
 * v2.7.0 to v3.3.0): CustomResourceDefinitions (always, since v2.0), objects annotated
 * `argocd.argoproj.io/sync-options: Delete=false` (since v2.7) and objects annotated
 * `helm.sh/resource-policy: keep`.
 */
export const CASCADE_FINALIZER = 'resources-finalizer.argocd.argoproj.io';

/**
 * Annotation on the Application of an upstream source that installs CRDs. Its objects are not in the
 * tree, so this is how `kompile diff` knows that removing it leaves CRDs behind.
 */
export const INSTALLS_CRDS = 'kompile.dev/installs-crds';

export interface ComponentProps {
  /**
   * The component's name: its folder under `dist/<env>/`, its child Application's name and the
   * `kompile.dev/component` label. Renaming it renames the Application, which Argo CD then prunes
   * and recreates, so treat it as stable.
   */
  readonly name: string;
  /**
   * Default namespace of the component's namespaced objects and of its Application's destination.
   * @default - objects must set their own namespace
   */
  readonly namespace?: string;
  /**
   * Differences between Git and the cluster that Argo CD is to ignore, for fields that a controller
   * in the cluster changes after the sync (the Application's `spec.ignoreDifferences`). With any,
   * the Application also gets the sync option `RespectIgnoreDifferences=true`, so that a sync (and
   * self-heal) leaves those fields as the cluster has them instead of writing Git's value back
   * (https://github.com/argoproj/argo-cd/blob/v3.1.16/docs/user-guide/diffing.md, "Application
   * Level Configuration"; docs/user-guide/sync-options.md, "Respect ignore differences configs":
   * effective only once the object exists, so the first sync applies Git's value). The sync
   * normalizes Git's object with the same ignore rules and takes the ignored fields from the live
   * object (controller/sync.go `normalizeTargetResources`, v3.1.16), jqPathExpressions included.
   * @default - none
   */
  readonly ignoreDifferences?: readonly ApplicationSpecIgnoreDifferences[];
  /**
   * How often Argo CD retries a failed sync (backing off from 10 s, doubling, up to 3 min between
   * tries). More for a component whose first sync fails until something of its own is ready, such as
   * objects its own admission webhook validates. @default 5
   */
  readonly syncRetries?: number;
}

/** Internal: what an upstream chart puts in place of the component's own folder. */
export interface ComponentSource {
  readonly source: ApplicationSpecSource;
  /** Extra Argo CD sync options for this source. */
  readonly syncOptions?: readonly string[];
  /**
   * Argo CD never deletes anything this source synced: no automated prune (an object the source
   * stops rendering stays, OutOfSync), and no cascade finalizer (removing the component leaves its
   * objects, unmanaged). For sources that install CRDs, whose objects Kompile cannot annotate.
   * @default false
   */
  readonly keepsObjects?: boolean;
  /** The source installs CRDs (marks the Application with {@link INSTALLS_CRDS}). @default false */
  readonly installsCrds?: boolean;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * One deployable unit of the platform: a cdk8s Chart whose objects are written to
 * `dist/<env>/<name>/manifests.yaml` and synced by a child Application of its own, which the root
 * app-of-apps picks up from `dist/<env>/apps/<name>.yaml`.
 *
 * Order between components is declared with {@link Component.dependsOn} and becomes the child
 * Applications' sync waves at synth time.
 */
export class Component extends Chart {
  /**
   * cdk8s' Chart answers `instanceof` for any chart (`Chart.isChart`), which would make every chart
   * an instance of every Chart subclass; restore the prototype check for Component and subclasses.
   */
  static [Symbol.hasInstance]<T>(this: abstract new (...args: never[]) => T, x: unknown): x is T {
    return Function.prototype[Symbol.hasInstance].call(this, x);
  }

  static isComponent(x: unknown): x is Component {
    return x instanceof Component;
  }

  /** The component a construct belongs to. */
  static of(c: IConstruct): Component {
    for (let s: IConstruct | undefined = c; s; s = s.node.scope) {
      if (s instanceof Component) return s;
    }
    throw new Error(`[${c.node.path}] is not inside a Kompile Component`);
  }

  readonly name: string;
  readonly defaultNamespace?: string;
  /** This component's entry in the app-of-apps. Sync wave and sync options are set at synth time. */
  readonly application: Application;
  /** True when the component is an upstream chart rather than a folder of manifests. */
  readonly isUpstream: boolean;
  private readonly extraFiles = new Map<string, string>();

  constructor(scope: Construct, id: string, props: ComponentProps, upstream?: ComponentSource) {
    super(scope, id, { namespace: props.namespace, disableResourceNameHashes: true });
    if (!DNS_LABEL.test(props.name) || props.name.length > 53) {
      // 53: Helm's release-name limit, since upstream components become Helm releases.
      throw new Error(`[${this.node.path}] component name '${props.name}' must be a DNS-1123 label of at most 53 characters`);
    }
    this.name = props.name;
    this.defaultNamespace = props.namespace;
    this.isUpstream = upstream !== undefined;

    const platform = Platform.of(this);
    const keeps = upstream?.keepsObjects ?? false;
    const ignores = props.ignoreDifferences ?? [];
    this.application = new Application(this, 'Application', {
      metadata: {
        name: props.name,
        namespace: platform.gitops.argocdNamespace,
        // Removing the component from the tree prunes this Application; the finalizer makes that
        // delete the component's objects too (stateful kinds excepted: they carry Delete=false).
        ...(keeps ? {} : { finalizers: [CASCADE_FINALIZER] }),
        // Read by the root Application, not by this one: deleting the root (even cascading, e.g.
        // `argocd app delete` without `--cascade=false`) leaves this Application, and so the
        // platform, in place. Pruning by the root is unaffected: Delete=false only concerns cascade
        // deletion (`shouldBeDeleted`), pruning only reads Prune= (gitops-engine `isPruningDisabled`).
        annotations: { 'argocd.argoproj.io/sync-options': 'Delete=false', ...(upstream?.installsCrds ? { [INSTALLS_CRDS]: 'true' } : {}) },
      },
      spec: {
        project: platform.project,
        source: upstream?.source ?? {
          repoUrl: platform.gitops.repoURL,
          targetRevision: platform.gitops.targetRevision,
          path: platform.repoPath(props.name),
        },
        // Argo CD matches the destination namespace against the project's destinations even where
        // every object names its own namespace; an empty one matches none and the Application is
        // refused (InvalidSpecError; argo-cd#11510). Without a default namespace the component
        // names the first namespace its objects use (resolved once its objects exist).
        destination: { server: IN_CLUSTER, namespace: props.namespace ?? Lazy.any({ produce: () => this.destinationNamespace() }) },
        ...(ignores.length > 0 ? { ignoreDifferences: ignores.map((d) => ({ ...d })) } : {}),
        syncPolicy: {
          automated: { prune: !keeps, selfHeal: true },
          // Namespaces are objects of the `namespaces` component, with their Pod Security labels,
          // never created implicitly by Argo CD without them. `Prune=false` at the application
          // level also stops manual syncs from pruning; Argo CD reads it from v3.4 on (argo-cd PR
          // #23370) and ignores it before, where only the automated policy above applies.
          syncOptions: ['CreateNamespace=false', 'PruneLast=true', ...(keeps ? ['Prune=false'] : []), ...(upstream?.syncOptions ?? []), ...(ignores.length > 0 ? ['RespectIgnoreDifferences=true'] : [])],
          retry: { limit: props.syncRetries ?? 5, backoff: { duration: '10s', factor: 2, maxDuration: '3m' } },
        },
      },
    });
  }

  /** The namespace an Application without a default one is destined for: the first its objects use, else Argo CD's. */
  private destinationNamespace(): string {
    const used = this.node
      .findAll()
      .filter((c): c is ApiObject => c instanceof ApiObject && c !== this.application && !isClusterScoped(c.apiVersion, c.kind))
      .map((o) => o.metadata.namespace)
      .filter((n): n is string => n !== undefined)
      .sort();
    return used[0] ?? Platform.of(this).gitops.argocdNamespace;
  }

  /**
   * Adds a file beside `manifests.yaml` in the component's folder (e.g. a `kustomization.yaml` that
   * makes the folder a Kustomize application, which Argo CD Image Updater can write back to).
   * Only for components synced from their own folder; the name is a plain file name.
   */
  addOutputFile(fileName: string, content: string): void {
    if (this.isUpstream) throw new Error(`[${this.node.path}] component '${this.name}' is an upstream chart; it has no folder to add '${fileName}' to`);
    if (!/^[A-Za-z0-9._-]+$/.test(fileName) || fileName === 'manifests.yaml') {
      throw new Error(`[${this.node.path}] '${fileName}' is not a plain file name other than manifests.yaml`);
    }
    if (this.extraFiles.has(fileName)) throw new Error(`[${this.node.path}] file '${fileName}' is added twice`);
    this.extraFiles.set(fileName, content);
  }

  /** Files added with {@link addOutputFile}, by file name. */
  get outputFiles(): ReadonlyMap<string, string> {
    return this.extraFiles;
  }

  /** Declares that this component is synced only after `others` are synced and healthy. */
  dependsOn(...others: Component[]): this {
    this.addDependency(...others);
    return this;
  }
}
