/**
 * Argo CD's project permissions, as its controller checks them before a sync: an Application's
 * source repository must be one of the AppProject's `sourceRepos`, its destination (server and
 * namespace — an empty namespace matches no destination, argo-cd#11510) one of the project's
 * `destinations`, and every object it syncs must land in a permitted namespace and, if
 * cluster-scoped, be of a kind in `clusterResourceWhitelist` ("namespace X is not permitted in
 * project Y" fails the whole sync). Sources: Argo CD's Projects documentation (user-guide/projects)
 * and `util/argo` `ValidateDestination` / `pkg/apis/application/v1alpha1` `AppProject.IsDestinationPermitted`.
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

function display(o: ManifestLike): string {
  return o.metadata.namespace ? `${o.kind}/${o.metadata.namespace}/${o.metadata.name}` : `${o.kind}/${o.metadata.name}`;
}

/** Every way the Applications of one project break its permissions. */
export function projectFindings(project: ManifestLike | undefined, apps: readonly SyncedApplication[]): ProjectFinding[] {
  const out: ProjectFinding[] = [];
  const spec = rec(project?.spec);
  const repos = Array.isArray(spec.sourceRepos) ? spec.sourceRepos.map(String) : [];
  const destinations = list(spec.destinations).map((d) => ({ server: String(d.server ?? '*'), namespace: String(d.namespace ?? '*') }));
  const whitelist = list(spec.clusterResourceWhitelist).map((g) => ({ group: String(g.group ?? ''), kind: String(g.kind ?? '') }));
  const permitted = (server: string, namespace: string) => destinations.some((d) => matches(d.server, server) && matches(d.namespace, namespace));

  for (const { application, objects } of apps) {
    const name = application.metadata.name;
    const appSpec = rec(application.spec);
    if (!project || appSpec.project !== project.metadata.name) {
      out.push({ application: name, message: `Application '${name}' is in project '${String(appSpec.project)}', which the environment does not define` });
      continue;
    }
    const repo = String(rec(appSpec.source).repoURL ?? '');
    if (!repos.some((r) => matches(r, repo))) out.push({ application: name, message: `source '${repo}' is not among the project's sourceRepos; Argo CD refuses the Application` });
    const destination = rec(appSpec.destination);
    const server = String(destination.server ?? '');
    const namespace = typeof destination.namespace === 'string' ? destination.namespace : '';
    if (!permitted(server, namespace)) {
      out.push({ application: name, message: `destination '${server}' namespace '${namespace}' is not among the project's destinations; Argo CD refuses the Application (InvalidSpecError)` });
    }
    for (const o of objects) {
      if (isClusterScoped(o.apiVersion, o.kind)) {
        const [group, kind] = groupKind(o).split('/');
        if (!whitelist.some((w) => matches(w.group, group) && matches(w.kind, kind))) {
          out.push({ application: name, object: display(o), message: `cluster-scoped ${group ? `${group}/` : ''}${kind} is not in the project's clusterResourceWhitelist; the sync fails` });
        }
        continue;
      }
      const ns = o.metadata.namespace ?? namespace;
      if (!permitted(server, ns)) out.push({ application: name, object: display(o), message: `namespace '${ns}' is not permitted in project '${project.metadata.name}'; the whole sync of the Application fails` });
    }
  }
  return out;
}
