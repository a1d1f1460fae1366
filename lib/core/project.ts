import { ApiObject, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import { AppProject } from '../../imports/argoproj.io';
import { Component, IN_CLUSTER } from './component';
import { GroupKind, groupOf, isClusterScoped } from './kinds';
import { OutputChart } from './output-chart';
import { Platform } from './platform';
import { isRendered } from './rendered-objects';
import { UpstreamChart } from './upstream-chart';

/** What one component needs from its project. */
interface Needs {
  readonly component: Component;
  readonly repoURL: string;
  readonly namespaces: Set<string>;
  readonly clusterKinds: GroupKind[];
  /** The namespaced kinds it creates: its own objects' and those its chart declares. */
  readonly namespacedKinds: GroupKind[];
}

const key = (gk: GroupKind) => `${gk.group}/${gk.kind}`;
function sortedKinds(kinds: Iterable<GroupKind>): GroupKind[] {
  const byKey = new Map([...kinds].map((gk) => [key(gk), gk]));
  return [...byKey.keys()].sort().map((k) => byKey.get(k)!);
}

function needsOf(c: Component): Needs {
  const app = c.application.toJson() as { spec: { source: { repoURL: string }; destination: { namespace?: string } } };
  const namespaces = new Set<string>();
  if (app.spec.destination.namespace) namespaces.add(app.spec.destination.namespace);
  const clusterKinds: GroupKind[] = c instanceof UpstreamChart ? [...c.clusterResources] : [];
  const namespacedKinds: GroupKind[] = c instanceof UpstreamChart ? [...(c.namespaceResources ?? [])] : [];
  for (const obj of c.node.findAll()) {
    // What a chart renders does not widen the project: it must fit what Kompile declares
    // (destinations, the chart's declared kinds), or the synth says where it does not.
    if (!(obj instanceof ApiObject) || obj === c.application || isRendered(obj)) continue;
    const gk = { group: groupOf(obj.apiVersion), kind: obj.kind };
    if (isClusterScoped(obj.apiVersion, obj.kind)) clusterKinds.push(gk);
    else {
      namespacedKinds.push(gk);
      if (obj.metadata.namespace) namespaces.add(obj.metadata.namespace);
    }
  }
  return { component: c, repoURL: app.spec.source.repoURL, namespaces, clusterKinds, namespacedKinds };
}

/**
 * Exactly these namespaced kinds. No kinds at all is a blacklist of every kind: an empty whitelist
 * would permit none in Argo CD, but an empty list is left out of the output, and an absent whitelist
 * permits every kind.
 */
function namespacedPermissions(kinds: readonly GroupKind[]) {
  return kinds.length > 0 ? { namespaceResourceWhitelist: sortedKinds(kinds) } : { namespaceResourceBlacklist: [{ group: '*', kind: '*' }] };
}

/**
 * The Argo CD AppProjects of an environment's components, each restricted to what its components
 * use: their sources (the GitOps repository and each chart source, mirrored where the environment
 * mirrors), the namespaces they deploy to, and the cluster-scoped kinds they create.
 *
 * Argo CD permits kinds per project, not per destination (`AppProject.IsGroupKindPermitted` looks at
 * the kind alone), so Argo CD's own namespace gets a project of its own: components that deploy
 * there (the Image Updater and its ImageUpdater resources, and components of cluster-scoped objects
 * only, whose destination falls back to Argo CD's namespace) are in `<project>-argocd`, whose
 * `namespaceResourceWhitelist` lists exactly the namespaced kinds they create (a chart declares its
 * kinds, `UpstreamChartProps.namespaceResources`), so none of them may create Applications,
 * AppProjects or Secrets there; every other component is in `<project>`, which has no destination in
 * Argo CD's namespace at all. Only the root project (bootstrap) creates Applications (rule
 * `argocd-project`).
 *
 * Create it after every component: it reads them, and sets each child Application's project. The
 * root Application syncs it one wave before the child Applications that need it.
 */
export class Project extends OutputChart {
  /** Names of the projects written, platform project first. */
  readonly names: readonly string[];

  constructor(scope: Construct, id: string) {
    super(scope, id, 'apps/project.yaml');
    const platform = Platform.of(this);
    const argocd = platform.gitops.argocdNamespace;
    const needs = platform.node.findAll().filter(Component.isComponent).map(needsOf);
    const inArgocd = needs.filter((n) => n.namespaces.has(argocd));
    const rest = needs.filter((n) => !n.namespaces.has(argocd));

    const write = (name: string, members: readonly Needs[], listNamespaced: boolean) => {
      for (const n of members) {
        if (listNamespaced && n.component instanceof UpstreamChart && n.component.namespaceResources === undefined) {
          throw new Error(`[${n.component.node.path}] chart '${n.component.name}' deploys to Argo CD's namespace '${argocd}': declare the namespaced kinds it creates (namespaceResources), its project lists them exactly`);
        }
        if (name !== platform.project) n.component.application.addJsonPatch(JsonPatch.replace('/spec/project', name));
      }
      const sources = new Set<string>([...(listNamespaced ? [] : [platform.gitops.repoURL]), ...members.map((n) => n.repoURL)]);
      const namespaces = new Set(members.flatMap((n) => [...n.namespaces]));
      new AppProject(this, name === platform.project ? 'Resource' : 'Argocd', {
        metadata: {
          name,
          namespace: argocd,
          // Delete=false: deleting the root Application, even cascading, leaves the project its child
          // Applications (which carry Delete=false too) belong to.
          annotations: { 'argocd.argoproj.io/sync-wave': '-1', 'argocd.argoproj.io/sync-options': 'Delete=false' },
        },
        spec: {
          description: listNamespaced
            ? `Kompile platform, environment ${platform.environment}: components in Argo CD's namespace, exactly the kinds they create`
            : `Kompile platform, environment ${platform.environment}`,
          sourceRepos: [...sources].sort(),
          destinations: [...namespaces].sort().map((namespace) => ({ server: IN_CLUSTER, namespace })),
          clusterResourceWhitelist: sortedKinds(members.flatMap((n) => n.clusterKinds)),
          ...(listNamespaced ? namespacedPermissions(members.flatMap((n) => n.namespacedKinds)) : {}),
          orphanedResources: { warn: true },
        },
      });
    };

    write(platform.project, rest, false);
    const names = [platform.project];
    if (inArgocd.length > 0) {
      names.push(`${platform.project}-argocd`);
      write(names[1], inArgocd, true);
    }
    this.names = names;
  }
}
