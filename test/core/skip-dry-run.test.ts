import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { describe, expect, it } from 'vitest';
import { Component } from '../../lib/core/component';
import { GitOpsSchema } from '../../lib/core/config';
import { Platform } from '../../lib/core/platform';
import { SYNC_OPTIONS } from '../../lib/core/synthesize';
import { allObjects, compiledEnvironment, findObject, objectsIn, synthPlatform, testPlatform } from '../helpers';

const SKIP = 'SkipDryRunOnMissingResource=true';

function widgetCrd(scope: Component): ApiObject {
  return new ApiObject(scope, 'Crd', {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.acme.io' },
    spec: { group: 'acme.io', names: { kind: 'Widget', plural: 'widgets' }, scope: 'Namespaced', versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }] },
  });
}

function widget(scope: Component, id: string, annotations?: Record<string, string>): ApiObject {
  return new ApiObject(scope, id, { apiVersion: 'acme.io/v1', kind: 'Widget', metadata: { name: id.toLowerCase(), namespace: 'apps', annotations } });
}

const optionsOf = (out: ReturnType<typeof synthPlatform>, file: string, kind: string, name: string) => findObject(objectsIn(out, file), kind, name).metadata.annotations?.[SYNC_OPTIONS];

describe('SkipDryRunOnMissingResource', () => {
  it('marks a custom resource whose CRD another component installs, keeping its other sync options', () => {
    const p = testPlatform();
    const crds = new Component(p, 'Crds', { name: 'crds' });
    widgetCrd(crds);
    const users = new Component(p, 'Users', { name: 'users' }).dependsOn(crds);
    widget(users, 'Plain');
    widget(users, 'Replaced', { [SYNC_OPTIONS]: 'Replace=true' });
    new k8s.KubeConfigMap(users, 'Cm', { metadata: { name: 'cm', namespace: 'apps' } });
    const out = synthPlatform(p);
    expect(optionsOf(out, 'users/manifests.yaml', 'Widget', 'plain')).toBe(SKIP);
    expect(optionsOf(out, 'users/manifests.yaml', 'Widget', 'replaced')).toBe(`Replace=true,${SKIP}`);
    // Built-in kinds, the CRD itself, and Argo CD's own Applications are left alone.
    expect(optionsOf(out, 'users/manifests.yaml', 'ConfigMap', 'cm')).toBeUndefined();
    expect(optionsOf(out, 'crds/manifests.yaml', 'CustomResourceDefinition', 'widgets.acme.io')).toBe('Prune=false,Delete=false');
    expect(optionsOf(out, 'apps/users.yaml', 'Application', 'users') ?? '').not.toContain(SKIP);
  });

  it('leaves a custom resource alone when its CRD is in the same component (Argo CD skips that dry run itself)', () => {
    const p = testPlatform();
    const c = new Component(p, 'Both', { name: 'both' });
    widgetCrd(c);
    widget(c, 'Local');
    expect(optionsOf(synthPlatform(p), 'both/manifests.yaml', 'Widget', 'local')).toBeUndefined();
  });

  it('leaves alone kinds the cluster already serves (clusterApiVersions)', () => {
    const p = new Platform({ environment: 'test', gitops: GitOpsSchema.parse({ repoURL: 'https://git.example.com/gitops.git' }), clusterApiVersions: ['acme.io/v1'] });
    const c = new Component(p, 'Users', { name: 'users' });
    widget(c, 'Served');
    expect(optionsOf(synthPlatform(p), 'users/manifests.yaml', 'Widget', 'served')).toBeUndefined();
  });

  it("marks dev's InferenceService, Certificates and MCPServer, and no built-in object", () => {
    const objects = allObjects(compiledEnvironment());
    const marked = (kind: string, name: string) => findObject(objects, kind, name).metadata.annotations?.[SYNC_OPTIONS]?.split(',').includes(SKIP);
    expect(marked('InferenceService', 'sklearn-iris')).toBe(true);
    expect(marked('Certificate', 'registry-tls')).toBe(true);
    expect(marked('MCPServer', 'fetch')).toBe(true);
    for (const o of objects) {
      const builtIn = !o.apiVersion.includes('.') || /\.k8s\.io\//.test(o.apiVersion);
      if (builtIn) expect(o.metadata.annotations?.[SYNC_OPTIONS] ?? '', `${o.kind}/${o.metadata.name}`).not.toContain(SKIP);
    }
  });
});
