/**
 * Argo CD's project permissions, as its controller checks them before a sync: an Application's
 * source repository must be one of the AppProject's `sourceRepos`, its destination (server and
 * namespace — an empty namespace matches no destination, argo-cd#11510) one of the project's
 * `destinations`, and every object it syncs must land in a permitted namespace and be of a permitted
 * kind: cluster-scoped kinds only if in `clusterResourceWhitelist`; namespaced kinds, where the
 * project has a `namespaceResourceWhitelist`, only if in it, and never if in
 * `namespaceResourceBlacklist` ("namespace X is not permitted in project Y" fails the whole sync).
 * Kinds are permitted per project, not per destination: `AppProject.IsGroupKindPermitted` (v3.1.16,
 * `pkg/apis/application/v1alpha1/app_project_types.go`) looks at the kind alone, so a kind a project
 * permits is permitted in every namespace it may deploy to. Sources: Argo CD's Projects documentation
 * (user-guide/projects) and `util/argo` `ValidateDestination` / `AppProject.IsDestinationPermitted`.
 *
 * On top of what Argo CD enforces, the projects are a trust boundary (issue 15): whoever may create
 * Applications or AppProjects in Argo CD's namespace may deploy anything anywhere, and Secrets there
 * are Argo CD's repository and cluster credentials. So no Application is in project `default`
 * (which permits every source, destination and kind), and the only project that may create
 * `argoproj.io` objects or Secrets in Argo CD's namespace is the root project, which may create
 * nothing else.
 *
 * Run by the synth over Kompile's objects and every rendered chart object, and by `kompile validate`.
 */
import { isClusterScoped } from '../core/kinds';
import { groupKind, list, ManifestLike, rec } from './objects';

/** An Application and the objects it syncs (as written, or rendered from its chart). */
export interface SyncedApplication {
  readonly application: ManifestLike;
  readonly objects: readonly ManifestLike[];
}

/** What a project may never permit in Argo CD's namespace, unless it is the root project. */
const ARGOCD_GUARDED: readonly { group: string; kind: string }[] = [
  { group: 'argoproj.io', kind: 'Application' },
  { group: 'argoproj.io', kind: 'ApplicationSet' },
  { group: 'argoproj.io', kind: 'AppProject' },
  { group: '', kind: 'Secret' },
];

/** The only namespaced kinds the root project permits: the child Applications and their projects. */
export const ROOT_PROJECT_KINDS: readonly { group: string; kind: string }[] = [
  { group: 'argoproj.io', kind: 'Application' },
  { group: 'argoproj.io', kind: 'AppProject' },
];

export interface ProjectFinding {
  /** The Application the finding is about. */
  readonly application: string;
  /** `Kind/namespace/name` of the object, when the finding is about one. */
  readonly object?: string;
  readonly message: string;
}

/** Argo CD's glob for project fields: `*` matches any run of characters. */
function matches(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return re.test(value);
}

interface Permissions {
  readonly name: string;
  readonly repos: readonly string[];
  readonly destinations: readonly { server: string; namespace: string }[];
  readonly clusterWhitelist: readonly { group: string; kind: string }[];
  /** Undefined: the field is absent, every namespaced kind is permitted. */
  readonly namespacedWhitelist?: readonly { group: string; kind: string }[];
  readonly namespacedBlacklist: readonly { group: string; kind: string }[];
}

const groupKinds = (v: unknown) => list(v).map((g) => ({ group: String(g.group ?? ''), kind: String(g.kind ?? '') }));
const inList = (l: readonly { group: string; kind: string }[], group: string, kind: string) => l.some((w) => matches(w.group, group) && matches(w.kind, kind));

function permissionsOf(project: ManifestLike): Permissions {
  const spec = rec(project.spec);
  return {
    name: project.metadata.name,
    repos: Array.isArray(spec.sourceRepos) ? spec.sourceRepos.map(String) : [],
    destinations: list(spec.destinations).map((d) => ({ server: String(d.server ?? '*'), namespace: String(d.namespace ?? '*') })),
    clusterWhitelist: groupKinds(spec.clusterResourceWhitelist),
    namespacedWhitelist: Array.isArray(spec.namespaceResourceWhitelist) ? groupKinds(spec.namespaceResourceWhitelist) : undefined,
    namespacedBlacklist: groupKinds(spec.namespaceResourceBlacklist),
  };
}

const permitsDestination = (p: Permissions, server: string, namespace: string) => p.destinations.some((d) => matches(d.server, server) && matches(d.namespace, namespace));

/** `IsGroupKindPermitted` for a namespaced kind: an absent whitelist permits all, an empty one none. */
function permitsNamespacedKind(p: Permissions, group: string, kind: string): boolean {
  const white = p.namespacedWhitelist === undefined || inList(p.namespacedWhitelist, group, kind);
  return white && !inList(p.namespacedBlacklist, group, kind);
}

function display(o: ManifestLike): string {
  return o.metadata.namespace ? `${o.kind}/${o.metadata.namespace}/${o.metadata.name}` : `${o.kind}/${o.metadata.name}`;
}

/**
 * Every way the Applications break the permissions of their projects (`projects`: every AppProject
 * the environment defines).
 */
export function projectFindings(projects: readonly ManifestLike[], apps: readonly SyncedApplication[]): ProjectFinding[] {
  const out: ProjectFinding[] = [];
  const byName = new Map(projects.map((p) => [p.metadata.name, permissionsOf(p)]));

  for (const { application, objects } of apps) {
    const name = application.metadata.name;
    const appSpec = rec(application.spec);
    const projectName = String(appSpec.project ?? '');
    const p = byName.get(projectName);
    if (projectName === 'default' || projectName === '') {
      out.push({ application: name, message: `Application '${name}' is in project 'default', which permits every source, destination and kind; put it in a project of the environment` });
      continue;
    }
    if (!p) {
      out.push({ application: name, message: `Application '${name}' is in project '${projectName}', which the environment does not define` });
      continue;
    }
    const repo = String(rec(appSpec.source).repoURL ?? '');
    if (!p.repos.some((r) => matches(r, repo))) out.push({ application: name, message: `source '${repo}' is not among the project's sourceRepos; Argo CD refuses the Application` });
    const destination = rec(appSpec.destination);
    const server = String(destination.server ?? '');
    const namespace = typeof destination.namespace === 'string' ? destination.namespace : '';
    if (!permitsDestination(p, server, namespace)) {
      out.push({ application: name, message: `destination '${server}' namespace '${namespace}' is not among the project's destinations; Argo CD refuses the Application (InvalidSpecError)` });
    }
    for (const o of objects) {
      const [group, kind] = groupKind(o).split('/');
      if (isClusterScoped(o.apiVersion, o.kind)) {
        if (!inList(p.clusterWhitelist, group, kind)) {
          out.push({ application: name, object: display(o), message: `cluster-scoped ${group ? `${group}/` : ''}${kind} is not in the project's clusterResourceWhitelist; the sync fails` });
        }
        continue;
      }
      if (!permitsNamespacedKind(p, group, kind)) {
        out.push({ application: name, object: display(o), message: `${group ? `${group}/` : ''}${kind} is not permitted by project '${p.name}' (namespaceResourceWhitelist/Blacklist); the sync fails` });
        continue;
      }
      const ns = o.metadata.namespace ?? namespace;
      if (!permitsDestination(p, server, ns)) out.push({ application: name, message: `namespace '${ns}' is not permitted in project '${p.name}'; the whole sync of the Application fails`, object: display(o) });
    }
  }
  return out;
}

export interface ProjectBoundaryFinding {
  /** Index of the AppProject in the list given. */
  readonly index: number;
  readonly message: string;
}

/**
 * The root project's shape: it may deploy only to Argo CD's namespace (its own), only the
 * Applications and AppProjects of the app-of-apps there, and nothing cluster-scoped.
 */
function isRootShaped(p: Permissions, argocd: string): boolean {
  return (
    p.destinations.length > 0 &&
    p.destinations.every((d) => d.namespace === argocd) &&
    p.clusterWhitelist.length === 0 &&
    p.namespacedWhitelist !== undefined &&
    p.namespacedWhitelist.length > 0 &&
    p.namespacedWhitelist.every((w) => ROOT_PROJECT_KINDS.some((k) => k.group === w.group && k.kind === w.kind))
  );
}

/**
 * Projects that let their Applications create `argoproj.io` objects or Secrets in Argo CD's
 * namespace (where the AppProjects live), other than the root project: an Application created
 * there may name any project, and those Secrets are Argo CD's repository and cluster credentials.
 */
export function projectBoundaryFindings(projects: readonly ManifestLike[]): ProjectBoundaryFinding[] {
  const out: ProjectBoundaryFinding[] = [];
  projects.forEach((project, index) => {
    const argocd = project.metadata.namespace ?? '';
    const p = permissionsOf(project);
    if (isRootShaped(p, argocd)) return;
    if (!p.destinations.some((d) => matches(d.namespace, argocd))) return;
    const guarded = ARGOCD_GUARDED.filter((k) => permitsNamespacedKind(p, k.group, k.kind)).map((k) => (k.group ? `${k.group}/${k.kind}` : k.kind));
    if (guarded.length > 0) {
      out.push({
        index,
        message: `project '${p.name}' may deploy to Argo CD's namespace '${argocd}' and permits ${guarded.join(', ')} there; only the root project (Applications and AppProjects in '${argocd}', nothing else) may: list the kinds its components need in namespaceResourceWhitelist, or move them out of '${argocd}'`,
      });
    }
  });
  return out;
}
