import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compiledEnvironment, findObject, K8sObject, objectsIn } from '../helpers';
import { dig } from '../ci/dig';
import { airgap } from '../../stacks/airgap';
import { BOOTSTRAP_FIELD_MANAGER } from '../../lib/core/bootstrap';
import { projectBoundaryFindings, projectFindings } from '../../lib/checks/argocd-project';

describe('Argo CD objects', () => {
  const out = compiledEnvironment();

  it('bootstraps a root app-of-apps in its own project that syncs the apps folder', () => {
    const root = findObject(objectsIn(out, 'bootstrap/bootstrap.yaml'), 'Application', 'dev-root');
    expect(root.metadata.namespace).toBe('argocd');
    expect(root.spec).toMatchObject({
      project: 'kompile-dev-root',
      source: { repoURL: 'https://git.example.com/platform/kompile-gitops.git', targetRevision: 'main', path: 'dist/dev/apps' },
      destination: { server: 'https://kubernetes.default.svc', namespace: 'argocd' },
      syncPolicy: { automated: { prune: true, selfHeal: true } },
    });
  });

  it('lets the root project create Applications and AppProjects in argocd from the GitOps repository, nothing else', () => {
    const bootstrap = objectsIn(out, 'bootstrap/bootstrap.yaml');
    const rootProject = findObject(bootstrap, 'AppProject', 'kompile-dev-root', 'argocd');
    expect(rootProject.spec).toEqual({
      description: 'Kompile root app-of-apps, environment dev: child Applications and their projects only',
      sourceRepos: ['https://git.example.com/platform/kompile-gitops.git'],
      destinations: [{ server: 'https://kubernetes.default.svc', namespace: 'argocd' }],
      namespaceResourceWhitelist: [
        { group: 'argoproj.io', kind: 'Application' },
        { group: 'argoproj.io', kind: 'AppProject' },
      ],
    });
    // Applied before the root Application that names it.
    expect(bootstrap.map((o) => o.kind)).toEqual(['ConfigMap', 'AppProject', 'Application']);
    // Everything the root syncs (apps/) fits it, and no project but the root's may create Applications or Secrets in argocd.
    const apps = [...out.files.keys()].filter((f) => f.startsWith('apps/')).flatMap((f) => objectsIn(out, f));
    const root = findObject(bootstrap, 'Application', 'dev-root');
    expect(projectFindings([rootProject], [{ application: root, objects: apps }])).toEqual([]);
    expect(projectBoundaryFindings([rootProject, ...apps.filter((o) => o.kind === 'AppProject')])).toEqual([]);
  });

  it('keeps every component project but the one for argocd out of Argo CD’s namespace, and that one to the kinds it uses', () => {
    const projects = objectsIn(out, 'apps/project.yaml');
    expect(projects.map((p) => p.metadata.name)).toEqual(['kompile-dev', 'kompile-dev-argocd']);
    const platform = projects[0].spec as { destinations: { namespace: string }[] };
    expect(platform.destinations.map((d) => d.namespace)).not.toContain('argocd');
    const argocd = projects[1].spec as { destinations: { namespace: string }[]; namespaceResourceWhitelist: { group: string; kind: string }[] };
    expect(argocd.destinations.map((d) => d.namespace)).toEqual(['argocd']);
    expect(argocd.namespaceResourceWhitelist).toContainEqual({ group: 'argocd-image-updater.argoproj.io', kind: 'ImageUpdater' });
    expect(argocd.namespaceResourceWhitelist.filter((k) => k.group === 'argoproj.io' || k.kind === 'Secret')).toEqual([]);
    const projectOf = (name: string) => (findObject(objectsIn(out, `apps/${name}.yaml`), 'Application', name).spec as { project: string }).project;
    expect(projectOf('argocd-image-updater')).toBe('kompile-dev-argocd');
    expect(projectOf('image-automation')).toBe('kompile-dev-argocd');
    expect(projectOf('jenkins')).toBe('kompile-dev');
  });

  it('writes argocd-cm as a partial with the one data key it needs: no labels or annotations to take over or conflict with', () => {
    const cm = findObject(objectsIn(out, 'bootstrap/bootstrap.yaml'), 'ConfigMap', 'argocd-cm', 'argocd');
    expect(cm.metadata).toEqual({ name: 'argocd-cm', namespace: 'argocd' });
    expect(Object.keys(cm.data as object)).toEqual(['resource.customizations.health.argoproj.io_Application']);
    expect(Object.keys(cm).sort()).toEqual(['apiVersion', 'data', 'kind', 'metadata']);
    // The root Application beside it is Kompile's own and labelled as such.
    expect(findObject(objectsIn(out, 'bootstrap/bootstrap.yaml'), 'Application', 'dev-root').metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'kompile' });
  });

  it("tells operators to apply the bootstrap under Kompile's own field manager", () => {
    const readme = fs.readFileSync(path.join(__dirname, '../../README.md'), 'utf8');
    expect(readme).toContain(`kubectl apply --server-side --field-manager=${BOOTSTRAP_FIELD_MANAGER} -n argocd -f dist/prod/bootstrap/`);
    expect(readme).not.toMatch(/kubectl apply --server-side -n argocd/);
  });

  it('ships the Application health check that makes app-of-apps waves wait', () => {
    const cm = findObject(objectsIn(out, 'bootstrap/bootstrap.yaml'), 'ConfigMap', 'argocd-cm', 'argocd');
    const lua = (cm.data as Record<string, string>)['resource.customizations.health.argoproj.io_Application'];
    expect(lua).toContain('obj.status.health.status');
    expect(lua).toContain('return hs');
  });

  it('gives each component a child Application with automated prune, self-heal and retry, pointing at its folder', () => {
    const app = findObject(objectsIn(out, 'apps/mcp-servers.yaml'), 'Application', 'mcp-servers');
    expect(app.spec).toEqual({
      project: 'kompile-dev',
      source: { repoURL: 'https://git.example.com/platform/kompile-gitops.git', targetRevision: 'main', path: 'dist/dev/mcp-servers' },
      destination: { server: 'https://kubernetes.default.svc', namespace: 'toolhive' },
      syncPolicy: {
        automated: { prune: true, selfHeal: true },
        syncOptions: ['CreateNamespace=false', 'PruneLast=true'],
        retry: { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '3m' } },
      },
    });
    expect(out.files.has('mcp-servers/manifests.yaml')).toBe(true);
  });

  const childApps = () => [...out.files.keys()].filter((f) => f.startsWith('apps/') && f !== 'apps/project.yaml').flatMap((f) => objectsIn(out, f));
  const CRD_APPS = ['argocd-image-updater', 'cert-manager', 'istio-base', 'kcloud-crds', 'kserve-crd', 'toolhive-operator-crds', 'trust-manager'];

  it('gives every child Application that prunes the cascade finalizer, so removing a component removes its objects', () => {
    const apps = childApps();
    const pruning = apps.filter((a) => !CRD_APPS.includes(a.metadata.name));
    expect(pruning.length).toBeGreaterThan(10);
    for (const app of pruning) {
      expect(dig(app, 'metadata.finalizers'), app.metadata.name).toEqual(['resources-finalizer.argocd.argoproj.io']);
      expect(dig(app, 'spec.syncPolicy.automated.prune'), app.metadata.name).toBe(true);
    }
  });

  it('never lets an Application that installs CRDs prune or cascade-delete', () => {
    const apps = childApps().filter((a) => CRD_APPS.includes(a.metadata.name));
    expect(apps.map((a) => a.metadata.name).sort()).toEqual(CRD_APPS);
    for (const app of apps) {
      expect(dig(app, 'metadata.finalizers'), app.metadata.name).toBeUndefined();
      expect(dig(app, 'spec.syncPolicy.automated'), app.metadata.name).toEqual({ prune: false, selfHeal: true });
      expect(dig(app, 'spec.syncPolicy.syncOptions'), app.metadata.name).toContain('Prune=false');
      expect(app.metadata.annotations?.['kompile.dev/installs-crds'], app.metadata.name).toBe('true');
    }
  });

  it('leaves the platform in place when the root Application is deleted, even cascading', () => {
    const root = findObject(objectsIn(out, 'bootstrap/bootstrap.yaml'), 'Application', 'dev-root');
    expect(dig(root, 'metadata.finalizers')).toBeUndefined();
    for (const app of childApps()) expect(app.metadata.annotations?.['argocd.argoproj.io/sync-options'], app.metadata.name).toBe('Delete=false');
    expect(findObject(objectsIn(out, 'apps/mcp-servers.yaml'), 'Application', 'mcp-servers').metadata.annotations?.['kompile.dev/installs-crds']).toBeUndefined();
    const project = findObject(objectsIn(out, 'apps/project.yaml'), 'AppProject', 'kompile-dev', 'argocd');
    expect(project.metadata.annotations?.['argocd.argoproj.io/sync-options']).toBe('Delete=false');
  });

  it('restricts the AppProject to the sources, namespaces and cluster kinds the platform uses', () => {
    const project = findObject(objectsIn(out, 'apps/project.yaml'), 'AppProject', 'kompile-dev', 'argocd');
    const spec = project.spec as { sourceRepos: string[]; destinations: { namespace: string; server: string }[]; clusterResourceWhitelist: { group: string; kind: string }[] };
    expect(project.metadata.annotations!['argocd.argoproj.io/sync-wave']).toBe('-1');
    expect(spec.sourceRepos).toContain('https://git.example.com/platform/kompile-gitops.git');
    expect(spec.sourceRepos).toContain('https://github.com/stacklok/toolhive.git');
    expect(spec.sourceRepos).not.toContain('*');
    expect(spec.destinations).toContainEqual({ server: 'https://kubernetes.default.svc', namespace: 'toolhive' });
    expect(spec.destinations.every((d) => d.namespace !== '*')).toBe(true);
    expect(spec.clusterResourceWhitelist).toContainEqual({ group: '', kind: 'Namespace' });
    expect(spec.clusterResourceWhitelist).toContainEqual({ group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' });
    expect(spec.clusterResourceWhitelist.every((k) => k.kind !== '*')).toBe(true);
  });

  it('points the airgapped project only at the site’s own Git server and registry (OCI charts)', () => {
    const air = compiledEnvironment(airgap);
    const site = /^(https:\/\/git\.airgap\.internal\/|registry\.airgap\.internal:35000\/)/;
    const spec = findObject(objectsIn(air, 'apps/project.yaml'), 'AppProject', 'kompile-airgap').spec as { sourceRepos: string[] };
    for (const repo of spec.sourceRepos) expect(repo).toMatch(site);
    const apps: K8sObject[] = [...air.files.keys()].filter((f) => f.startsWith('apps/') && f !== 'apps/project.yaml').flatMap((f) => objectsIn(air, f));
    expect(apps.length).toBeGreaterThan(5);
    for (const app of apps) expect((app.spec as { source: { repoURL: string } }).source.repoURL).toMatch(site);
  });
});
