import { k8s } from 'cdk8s-plus-28';
import { describe, expect, it } from 'vitest';
import { ManifestLike } from '../../lib/checks/objects';
import { crdOrderFindings } from '../../lib/checks/argocd-order';
import { projectFindings } from '../../lib/checks/argocd-project';
import { Component } from '../../lib/core/component';
import { Project } from '../../lib/core/project';
import { findObject, objectsIn, synthPlatform, testPlatform } from '../helpers';

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
const messages = (apps: { application: ManifestLike; objects: ManifestLike[] }[], p: ManifestLike | undefined = project) => projectFindings(p, apps).map((f) => `${f.application}${f.object ? ` ${f.object}` : ''}: ${f.message}`);

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
    expect(messages([{ application: app('other', { namespace: 'apps', project: 'default' }), objects: [] }])).toEqual(["other: Application 'other' is in project 'default', which the environment does not define"]);
  });

  it('fails the sync of an object in a namespace the project does not permit, or of a cluster kind it does not whitelist', () => {
    expect(messages([{ application: app('cm', { namespace: 'apps' }), objects: [obj('rbac.authorization.k8s.io/v1', 'Role', 'leader', 'kube-system'), obj('v1', 'Namespace', 'apps')] }])).toEqual([
      "cm Role/kube-system/leader: namespace 'kube-system' is not permitted in project 'kompile-dev'; the whole sync of the Application fails",
      "cm Namespace/apps: cluster-scoped Namespace is not in the project's clusterResourceWhitelist; the sync fails",
    ]);
  });
});

describe('the synth and the project', () => {
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
