/**
 * Argo CD's ordering across Applications of an app-of-apps: the root syncs its children wave by
 * wave (`argocd.argoproj.io/sync-wave` on each child Application) and, with the Application health
 * check, waits for a wave to be healthy before the next. A custom resource whose
 * CustomResourceDefinition another Application installs must therefore come in a later wave than
 * that Application, or its first sync fails ("the server could not find the requested resource").
 * Sources: Argo CD's sync-waves documentation (user-guide/sync-waves) and its app-of-apps health
 * note (operator-manual/upgrading/1.7-1.8, "Application health").
 *
 * CRDs the environment does not install (a cluster fact, such as the Prometheus Operator's) are
 * not judged: nothing in the tree says when they arrive.
 */
import { groupOf } from '../core/kinds';
import type { SyncedApplication } from './argocd-project';
import { ManifestLike, rec, waveOf } from './objects';

export interface OrderFinding {
  readonly application: string;
  readonly object: string;
  readonly message: string;
}

/** Every custom resource that an Application syncs no later than the Application installing its CRD. */
export function crdOrderFindings(apps: readonly SyncedApplication[]): OrderFinding[] {
  const installer = new Map<string, ManifestLike>();
  for (const { application, objects } of apps) {
    for (const o of objects) {
      if (o.kind !== 'CustomResourceDefinition' || groupOf(o.apiVersion) !== 'apiextensions.k8s.io') continue;
      const spec = rec(o.spec);
      const kind = rec(spec.names).kind;
      if (typeof spec.group === 'string' && typeof kind === 'string') installer.set(`${spec.group}/${kind}`, application);
    }
  }
  const out: OrderFinding[] = [];
  for (const { application, objects } of apps) {
    for (const o of objects) {
      const owner = installer.get(`${groupOf(o.apiVersion)}/${o.kind}`);
      if (!owner || owner === application) continue;
      if (waveOf(application) <= waveOf(owner)) {
        const name = o.metadata.namespace ? `${o.kind}/${o.metadata.namespace}/${o.metadata.name}` : `${o.kind}/${o.metadata.name}`;
        out.push({
          application: application.metadata.name,
          object: name,
          message: `its CustomResourceDefinition comes with Application '${owner.metadata.name}' (wave ${waveOf(owner)}), not before this Application (wave ${waveOf(application)}): the first sync fails until it exists; declare the dependency`,
        });
      }
    }
  }
  return out;
}
