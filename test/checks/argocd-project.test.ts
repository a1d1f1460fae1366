import { k8s } from 'cdk8s-plus-28';
import { describe, expect, it } from 'vitest';
import { ManifestLike } from '../../lib/checks/objects';
import { crdOrderFindings } from '../../lib/checks/argocd-order';
import { projectBoundaryFindings, projectFindings, ROOT_PROJECT_KINDS } from '../../lib/checks/argocd-project';
import { Component } from '../../lib/core/component';
import { UpstreamChart, ChartSource } from '../../lib/core/upstream-chart';
import { Project } from '../../lib/core/project';
import { findObject, objectsIn, synthPlatform, testPlatform } from '../helpers';
import { treeFromFiles } from '../../lib/tools/tree';
import { validateTree } from '../../lib/tools/validate';
import { files, yamlDocs } from '../tools/fixtures';

const SERVER = 'https://kubernetes.default.svc';
const project: ManifestLike = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'AppProject',
  metadata: { name: 'kompile-dev', namespace: 'argocd' },
  spec: {
    sourceRepos: ['https://git.example.com/gitops.git', 'https://charts.example.com/*'],
    destinations: [
      { server: SERVER, namespace: 'apps' },
      { server: SERVER, namespace: 'web-*' },
    ],
    clusterResourceWhitelist: [{ group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' }],
  },
};

function app(name: string, over: { repoURL?: string; namespace?: string; project?: string } = {}): ManifestLike {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name, namespace: 'argocd' },
    spec: { project: over.project ?? 'kompile-dev', source: { repoURL: over.repoURL ?? 'https://git.example.com/gitops.git' }, destination: { server: SERVER, ...(over.namespace === undefined ? {} : { namespace: over.namespace }) } },
  };
}
const obj = (apiVersion: string, kind: string, name: string, namespace?: string): ManifestLike => ({ apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}) } });
const messages = (apps: { application: ManifestLike; objects: ManifestLike[] }[], p: ManifestLike | undefined = project) => projectFindings(p ? [p] : [], apps).map((f) => `${f.application}${f.object ? ` ${f.object}` : ''}: ${f.message}`);

describe('Argo CD project permissions', () => {
  it('accepts Applications, namespaced objects and whitelisted cluster kinds the project permits, globs included', () => {
    expect(
      messages([
        { application: app('a', { namespace: 'apps' }), objects: [obj('v1', 'ConfigMap', 'c', 'apps'), obj('v1', 'ConfigMap', 'd'), obj('rbac.authorization.k8s.io/v1', 'ClusterRole', 'r')] },
        { application: app('b', { namespace: 'web-1', repoURL: 'https://charts.example.com/stable' }), objects: [obj('v1', 'Service', 's', 'web-2')] },
      ]),
    ).toEqual([]);
  });

  it('refuses an Application without a destination namespace, outside the destinations, sources or project', () => {
    expect(messages([{ application: app('nons'), objects: [] }])).toEqual([
      "nons: destination 'https://kubernetes.default.svc' namespace '' is not among the project's destinations; Argo CD refuses the Application (InvalidSpecError)",
    ]);
    expect(messages([{ application: app('repo', { namespace: 'apps', repoURL: 'https://github.com/x/y.git' }), objects: [] }])).toEqual([
      "repo: source 'https://github.com/x/y.git' is not among the project's sourceRepos; Argo CD refuses the Application",
    ]);
    expect(messages([{ application: app('other', { namespace: 'apps', project: 'elsewhere' }), objects: [] }])).toEqual(["other: Application 'other' is in project 'elsewhere', which the environment does not define"]);
  });

  it('fails the sync of an object in a namespace the project does not permit, or of a cluster kind it does not whitelist', () => {
    expect(messages([{ application: app('cm', { namespace: 'apps' }), objects: [obj('rbac.authorization.k8s.io/v1', 'Role', 'leader', 'kube-system'), obj('v1', 'Namespace', 'apps')] }])).toEqual([
      "cm Role/kube-system/leader: namespace 'kube-system' is not permitted in project 'kompile-dev'; the whole sync of the Application fails",
      "cm Namespace/apps: cluster-scoped Namespace is not in the project's clusterResourceWhitelist; the sync fails",
    ]);
  });
});

describe('Argo CD projects as a boundary', () => {
  const withSpec = (name: string, spec: Record<string, unknown>): ManifestLike => ({ apiVersion: 'argoproj.io/v1alpha1', kind: 'AppProject', metadata: { name, namespace: 'argocd' }, spec: { sourceRepos: ['https://git.example.com/gitops.git'], ...spec } });
  const root = withSpec('root', { destinations: [{ server: SERVER, namespace: 'argocd' }], namespaceResourceWhitelist: ROOT_PROJECT_KINDS });
  const boundary = (...projects: ManifestLike[]) => projectBoundaryFindings(projects).map((f) => `${projects[f.index].metadata.name}: ${f.message}`);

  it("refuses an Application in project 'default', even where the environment defines one of that name", () => {
    const fine = app('a', { namespace: 'apps' });
    expect(messages([{ application: fine, objects: [] }])).toEqual([]);
    const msg = "a: Application 'a' is in project 'default', which permits every source, destination and kind; put it in a project of the environment";
    expect(messages([{ application: app('a', { namespace: 'apps', project: 'default' }), objects: [] }])).toEqual([msg]);
    expect(projectFindings([{ ...project, metadata: { name: 'default', namespace: 'argocd' } }], [{ application: app('a', { namespace: 'apps', project: 'default' }), objects: [] }]).map((f) => `${f.application}: ${f.message}`)).toEqual([msg]);
  });

  it('checks namespaced kinds against the whitelist and blacklist of the project, in every namespace it permits', () => {
    const listed = { ...project, spec: { ...(project.spec as object), namespaceResourceWhitelist: [{ group: '', kind: 'ConfigMap' }], namespaceResourceBlacklist: [{ group: '', kind: 'Secret' }] } };
    const objects = [obj('v1', 'ConfigMap', 'c', 'apps'), obj('v1', 'Secret', 's', 'apps'), obj('apps/v1', 'Deployment', 'd', 'web-1')];
    expect(messages([{ application: app('a', { namespace: 'apps' }), objects }], listed)).toEqual([
      "a Secret/apps/s: Secret is not permitted by project 'kompile-dev' (namespaceResourceWhitelist/Blacklist); the sync fails",
      "a Deployment/web-1/d: apps/Deployment is not permitted by project 'kompile-dev' (namespaceResourceWhitelist/Blacklist); the sync fails",
    ]);
    // Without a whitelist every namespaced kind is permitted; an empty one permits none.
    expect(messages([{ application: app('a', { namespace: 'apps' }), objects }])).toEqual([]);
    const none = { ...project, spec: { ...(project.spec as object), namespaceResourceWhitelist: [] } };
    expect(messages([{ application: app('a', { namespace: 'apps' }), objects: [objects[0]] }], none)).toEqual([
      "a ConfigMap/apps/c: ConfigMap is not permitted by project 'kompile-dev' (namespaceResourceWhitelist/Blacklist); the sync fails",
    ]);
  });

  it('accepts the root project and projects that cannot create argoproj.io objects or Secrets in Argo CD’s namespace', () => {
    const elsewhere = withSpec('platform', { destinations: [{ server: SERVER, namespace: 'apps' }] });
    const listed = withSpec('in-argocd', { destinations: [{ server: SERVER, namespace: 'argocd' }], namespaceResourceWhitelist: [{ group: 'apps', kind: 'Deployment' }, { group: '', kind: 'ConfigMap' }] });
    const blacklisted = withSpec('blacklisted', { destinations: [{ server: SERVER, namespace: '*' }], namespaceResourceBlacklist: [{ group: 'argoproj.io', kind: '*' }, { group: '', kind: 'Secret' }] });
    expect(boundary(root, elsewhere, listed, blacklisted)).toEqual([]);
  });

  it('refuses a project that may create Applications, AppProjects or Secrets in Argo CD’s namespace, naming what it permits', () => {
    const open = withSpec('open', { destinations: [{ server: SERVER, namespace: 'argocd' }, { server: SERVER, namespace: 'apps' }] });
    const secrets = withSpec('secrets', { destinations: [{ server: SERVER, namespace: 'argo*' }], namespaceResourceWhitelist: [{ group: '', kind: 'Secret' }, { group: 'apps', kind: 'Deployment' }] });
    // Shaped like the root but with a cluster kind, or a second destination: no longer the root project.
    const rootPlus = withSpec('root-plus', { destinations: [{ server: SERVER, namespace: 'argocd' }], namespaceResourceWhitelist: ROOT_PROJECT_KINDS, clusterResourceWhitelist: [{ group: '', kind: 'Namespace' }] });
    const rootWide = withSpec('root-wide', { destinations: [{ server: SERVER, namespace: 'argocd' }, { server: SERVER, namespace: 'apps' }], namespaceResourceWhitelist: ROOT_PROJECT_KINDS });
    const rootSecret = withSpec('root-secret', { destinations: [{ server: SERVER, namespace: 'argocd' }], namespaceResourceWhitelist: [...ROOT_PROJECT_KINDS, { group: '', kind: 'Secret' }] });
    const tail = "; only the root project (Applications and AppProjects in 'argocd', nothing else) may: list the kinds its components need in namespaceResourceWhitelist, or move them out of 'argocd'";
    expect(boundary(open, secrets, rootPlus, rootWide, rootSecret)).toEqual([
      `open: project 'open' may deploy to Argo CD's namespace 'argocd' and permits argoproj.io/Application, argoproj.io/ApplicationSet, argoproj.io/AppProject, Secret there${tail}`,
      `secrets: project 'secrets' may deploy to Argo CD's namespace 'argocd' and permits Secret there${tail}`,
      `root-plus: project 'root-plus' may deploy to Argo CD's namespace 'argocd' and permits argoproj.io/Application, argoproj.io/AppProject there${tail}`,
      `root-wide: project 'root-wide' may deploy to Argo CD's namespace 'argocd' and permits argoproj.io/Application, argoproj.io/AppProject there${tail}`,
      `root-secret: project 'root-secret' may deploy to Argo CD's namespace 'argocd' and permits argoproj.io/Application, argoproj.io/AppProject, Secret there${tail}`,
    ]);
  });
});

describe('the synth and the project', () => {
  const chart = (p: ReturnType<typeof testPlatform>, namespace: string, namespaceResources?: { group: string; kind: string }[]) =>
    new UpstreamChart(p, 'Chart', { name: 'tool', namespace, source: ChartSource.helmRepo('https://charts.example.com', 'tool', '1.0.0'), values: {}, ...(namespaceResources ? { namespaceResources } : {}) });

  it('puts components that deploy to Argo CD’s namespace in a project of their own that lists exactly their kinds', () => {
    const p = testPlatform();
    const c = new Component(p, 'Own', { name: 'own', namespace: 'argocd' });
    new k8s.KubeConfigMap(c, 'C', { metadata: { name: 'c' } });
    chart(p, 'argocd', [{ group: 'apps', kind: 'Deployment' }]);
    // Only cluster-scoped objects: its destination falls back to argocd, and so does its project.
    const cluster = new Component(p, 'Cluster', { name: 'cluster' });
    new k8s.KubeClusterRole(cluster, 'R', { metadata: { name: 'r' } });
    const other = new Component(p, 'Other', { name: 'other', namespace: 'team-a' });
    new k8s.KubeSecret(other, 'S', { metadata: { name: 's' } });
    new Project(p, 'Project');
    const out = synthPlatform(p);
    const projects = objectsIn(out, 'apps/project.yaml');
    const argocd = findObject(projects, 'AppProject', 'kompile-test-argocd', 'argocd').spec as Record<string, unknown>;
    expect(argocd.destinations).toEqual([{ server: SERVER, namespace: 'argocd' }]);
    expect(argocd.namespaceResourceWhitelist).toEqual([{ group: '', kind: 'ConfigMap' }, { group: 'apps', kind: 'Deployment' }]);
    expect(argocd.sourceRepos).toEqual(['https://charts.example.com', 'https://git.example.com/gitops.git']);
    expect(argocd.clusterResourceWhitelist).toContainEqual({ group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' });
    const platform = findObject(projects, 'AppProject', 'kompile-test', 'argocd').spec as Record<string, unknown>;
    expect(platform.destinations).toEqual([{ server: SERVER, namespace: 'team-a' }]);
    expect(platform.namespaceResourceWhitelist).toBeUndefined();
    const projectOf = (file: string, name: string) => (findObject(objectsIn(out, file), 'Application', name).spec as { project: string }).project;
    expect(projectOf('apps/own.yaml', 'own')).toBe('kompile-test-argocd');
    expect(projectOf('apps/tool.yaml', 'tool')).toBe('kompile-test-argocd');
    expect(projectOf('apps/other.yaml', 'other')).toBe('kompile-test');
    expect(projectOf('apps/cluster.yaml', 'cluster')).toBe('kompile-test-argocd');
    expect(projectBoundaryFindings(projects)).toEqual([]);
  });

  it('permits no namespaced kind at all where the components in Argo CD’s namespace create none', () => {
    const p = testPlatform();
    new k8s.KubeClusterRole(new Component(p, 'Cluster', { name: 'cluster' }), 'R', { metadata: { name: 'r' } });
    new Project(p, 'Project');
    const projects = objectsIn(synthPlatform(p), 'apps/project.yaml');
    const spec = findObject(projects, 'AppProject', 'kompile-test-argocd').spec as Record<string, unknown>;
    expect(spec.namespaceResourceWhitelist).toBeUndefined();
    expect(spec.namespaceResourceBlacklist).toEqual([{ group: '*', kind: '*' }]);
    expect(projectBoundaryFindings(projects)).toEqual([]);
  });

  it('refuses a chart in Argo CD’s namespace that does not declare its namespaced kinds', () => {
    const p = testPlatform();
    chart(p, 'argocd');
    expect(() => new Project(p, 'Project')).toThrow("chart 'tool' deploys to Argo CD's namespace 'argocd': declare the namespaced kinds it creates (namespaceResources)");
  });

  it('fails the synth of a component that creates a Secret in Argo CD’s namespace', () => {
    const p = testPlatform();
    const c = new Component(p, 'Own', { name: 'own', namespace: 'argocd' });
    new k8s.KubeSecret(c, 'S', { metadata: { name: 'repo-creds' } });
    new Project(p, 'Project');
    expect(() => synthPlatform(p)).toThrow("project 'kompile-test-argocd' may deploy to Argo CD's namespace 'argocd' and permits Secret there");
  });


  it('gives a component without a default namespace the first namespace its objects use, which the project permits', () => {
    const p = testPlatform();
    const c = new Component(p, 'Policies', { name: 'policies' });
    new k8s.KubeConfigMap(c, 'B', { metadata: { name: 'b', namespace: 'team-b' } });
    new k8s.KubeConfigMap(c, 'A', { metadata: { name: 'a', namespace: 'team-a' } });
    new Project(p, 'Project');
    const out = synthPlatform(p);
    expect((findObject(objectsIn(out, 'apps/policies.yaml'), 'Application', 'policies').spec as { destination: unknown }).destination).toEqual({ server: SERVER, namespace: 'team-a' });
  });
});

describe('CRDs before their custom resources, across Applications', () => {
  const wave = (a: ManifestLike, w: number): ManifestLike => ({ ...a, metadata: { ...a.metadata, annotations: { 'argocd.argoproj.io/sync-wave': String(w) } } });
  const crd: ManifestLike = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.com' }, spec: { group: 'example.com', names: { kind: 'Widget' } } };
  const widget = obj('example.com/v1', 'Widget', 'w', 'apps');

  it('accepts a custom resource in a later wave than the Application installing its CRD, or beside it', () => {
    expect(crdOrderFindings([{ application: wave(app('crds'), 1), objects: [crd] }, { application: wave(app('use'), 2), objects: [widget] }])).toEqual([]);
    expect(crdOrderFindings([{ application: wave(app('both'), 0), objects: [crd, widget] }])).toEqual([]);
    // A CRD the environment does not install is the cluster's business.
    expect(crdOrderFindings([{ application: wave(app('use'), 0), objects: [widget] }])).toEqual([]);
  });

  it('fails a custom resource synced no later than the Application installing its CRD, naming both', () => {
    expect(crdOrderFindings([{ application: wave(app('crds'), 2), objects: [crd] }, { application: wave(app('use'), 2), objects: [widget] }])).toEqual([
      { application: 'use', object: 'Widget/apps/w', message: "its CustomResourceDefinition comes with Application 'crds' (wave 2), not before this Application (wave 2): the first sync fails until it exists; declare the dependency" },
    ]);
  });
});

describe("validate's 'argocd-project' rule", () => {
  const rootProject = (whitelist: unknown): ManifestLike => ({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AppProject',
    metadata: { name: 'kompile-dev-root', namespace: 'argocd' },
    spec: { sourceRepos: ['https://git.example.com/gitops.git'], destinations: [{ server: SERVER, namespace: 'argocd' }], namespaceResourceWhitelist: whitelist },
  });
  const root = (projectName: string) => app('dev-root', { namespace: 'argocd', project: projectName });
  const findings = (bootstrap: ManifestLike[]) =>
    validateTree(treeFromFiles(files({ 'dev/bootstrap/bootstrap.yaml': yamlDocs(...bootstrap), 'dev/apps/project.yaml': yamlDocs(project) })))
      .filter((f) => f.rule === 'argocd-project')
      .map((f) => `${f.file} ${f.object}: ${f.message}`);

  it('accepts the bootstrap’s root Application in the root project', () => {
    expect(findings([rootProject(ROOT_PROJECT_KINDS), root('kompile-dev-root')])).toEqual([]);
  });

  it('refuses the root Application in project default, and a root project that may create Secrets too', () => {
    expect(findings([root('default')])).toEqual([
      "dev/bootstrap/bootstrap.yaml Application/argocd/dev-root: Application 'dev-root' is in project 'default', which permits every source, destination and kind; put it in a project of the environment",
    ]);
    expect(findings([rootProject([...ROOT_PROJECT_KINDS, { group: '', kind: 'Secret' }]), root('kompile-dev-root')])).toEqual([
      expect.stringMatching(/^dev\/bootstrap\/bootstrap.yaml AppProject\/argocd\/kompile-dev-root: project 'kompile-dev-root' may deploy to Argo CD's namespace 'argocd' and permits argoproj.io\/Application, argoproj.io\/AppProject, Secret there/),
    ]);
  });
});
