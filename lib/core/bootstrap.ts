import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Application, AppProject } from '../../imports/argoproj.io';
import { ROOT_PROJECT_KINDS } from '../checks/argocd-project';
import { IN_CLUSTER } from './component';
import { OutputChart } from './output-chart';
import { markPartial } from './partial-object';
import { Platform } from './platform';

/**
 * Argo CD's health assessment of Application resources, removed from Argo CD's defaults in 1.8.
 * Without it an app-of-apps treats a child Application as healthy as soon as it exists, so sync
 * waves between child Applications do not wait for anything.
 */
const APPLICATION_HEALTH_LUA = [
  'local hs = {}',
  'hs.status = "Progressing"',
  'hs.message = ""',
  'if obj.status ~= nil and obj.status.health ~= nil then',
  '  hs.status = obj.status.health.status',
  '  if obj.status.health.message ~= nil then',
  '    hs.message = obj.status.health.message',
  '  end',
  'end',
  'return hs',
  '',
].join('\n');

/** The `argocd-cm` key of the Application health check (Argo CD docs/operator-manual/health.md, v3.1.16). */
export const APPLICATION_HEALTH_KEY = 'resource.customizations.health.argoproj.io_Application';

/**
 * The field manager the bootstrap is applied with (README, "Handing an environment to Argo CD").
 *
 * Server-side apply makes the applier's field manager own every field its object carries, and a
 * later apply by the same manager removes the fields that manager owned and no longer sends. With
 * no `--field-manager`, `kubectl apply --server-side` is manager `kubectl`
 * (kubernetes/kubectl pkg/cmd/apply/apply.go: `fieldManagerServerSideApply = "kubectl"`), the
 * manager of anything else applied server-side by hand, e.g. an Argo CD installed with
 * `kubectl apply --server-side -f install.yaml`: applying this partial as `kubectl` would then drop
 * every other field of `argocd-cm` that install set, and reinstalling Argo CD would drop the health
 * check. A manager of its own shares the object without taking anything from the others.
 */
export const BOOTSTRAP_FIELD_MANAGER = 'kompile-bootstrap';

/**
 * What an operator applies once, by hand, to hand an environment to Argo CD
 * (`kubectl apply --server-side --field-manager=kompile-bootstrap -f dist/<env>/bootstrap/`):
 * - the Application health check in `argocd-cm`, as a partial ConfigMap that server-side apply
 *   merges into Argo CD's own;
 * - the root project `<project>-root`: sources the GitOps repository only, destination Argo CD's
 *   namespace only, namespaced kinds Application and AppProject only, no cluster-scoped kind. It is
 *   the one project that may create Applications (rule `argocd-project`): not `default`, which
 *   permits every source, destination and kind, so a file in `apps/` can create child
 *   Applications and their projects and nothing else (no Secret in Argo CD's namespace, no
 *   RoleBinding, nothing outside it);
 * - the root app-of-apps Application in that project, syncing `dist/<env>/apps/` (every child
 *   Application and the components' AppProjects).
 *
 * Removing a component: the root's automated prune deletes the child Application that left
 * `apps/`, and the child's own `resources-finalizer.argocd.argoproj.io` makes Argo CD delete the
 * component's objects (all but those marked Delete=false). Nothing more is needed on the root.
 *
 * Deleting the root does not take the platform down: the root has no cascade finalizer (a plain
 * `kubectl delete` leaves its children), and every object it syncs (child Applications, AppProject)
 * is marked `Delete=false`, so even a cascading delete (`argocd app delete`, which cascades by
 * default) leaves them (https://argo-cd.readthedocs.io/en/stable/user-guide/app_deletion/,
 * https://argo-cd.readthedocs.io/en/stable/user-guide/sync-options/#no-resource-deletion).
 * Tearing an environment down is therefore deliberate: delete the child Applications one by one.
 */
export class Bootstrap extends OutputChart {
  /** The root Application's project: it may create Applications and AppProjects in Argo CD's namespace, nothing else. */
  readonly rootProject: AppProject;
  readonly root: Application;
  /** The partial `argocd-cm`: the Application health check, nothing else. */
  readonly applicationHealth: k8s.KubeConfigMap;

  constructor(scope: Construct, id: string) {
    super(scope, id, 'bootstrap/bootstrap.yaml');
    const platform = Platform.of(this);
    const ns = platform.gitops.argocdNamespace;

    // Only the one data key: every field of this partial becomes owned by the field manager that
    // applies it, so labels would take over (or, with another value, conflict with) the labels Argo
    // CD's installer set (see BOOTSTRAP_FIELD_MANAGER).
    this.applicationHealth = new k8s.KubeConfigMap(this, 'ApplicationHealth', {
      metadata: { name: 'argocd-cm', namespace: ns },
      data: { [APPLICATION_HEALTH_KEY]: APPLICATION_HEALTH_LUA },
    });
    markPartial(this.applicationHealth);

    this.rootProject = new AppProject(this, 'RootProject', {
      metadata: { name: `${platform.project}-root`, namespace: ns },
      spec: {
        description: `Kompile root app-of-apps, environment ${platform.environment}: child Applications and their projects only`,
        sourceRepos: [platform.gitops.repoURL],
        destinations: [{ server: IN_CLUSTER, namespace: ns }],
        // No clusterResourceWhitelist: an absent or empty one permits no cluster-scoped kind; the
        // namespaced whitelist permits exactly these kinds (AppProject.IsGroupKindPermitted, v3.1.16).
        namespaceResourceWhitelist: ROOT_PROJECT_KINDS.map((k) => ({ ...k })),
      },
    });

    this.root = new Application(this, 'Root', {
      metadata: { name: `${platform.environment}-root`, namespace: ns },
      spec: {
        project: `${platform.project}-root`,
        source: { repoUrl: platform.gitops.repoURL, targetRevision: platform.gitops.targetRevision, path: platform.repoPath('apps') },
        destination: { server: IN_CLUSTER, namespace: ns },
        syncPolicy: {
          automated: { prune: true, selfHeal: true },
          retry: { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '3m' } },
        },
      },
    });
  }
}
