// The small core extensions this branch needed (lib/core): extra files in a component's folder,
// plain Git-directory sources, platform registries in the registry policy, and cluster-scoped
// objects without the chart's default namespace.
import { k8s } from 'cdk8s-plus-28';
import { describe, expect, it } from 'vitest';
import { Component } from '../../lib/core/component';
import { Image } from '../../lib/core/image';
import { RegistryPolicy } from '../../lib/core/registry-policy';
import { ChartSource, UpstreamChart } from '../../lib/core/upstream-chart';
import { findObject, objectsIn, synthPlatform, testPlatform } from '../helpers';
import { dig } from './dig';

function component() {
  const platform = testPlatform();
  const c = new Component(platform, 'C', { name: 'app', namespace: 'apps' });
  new k8s.KubeConfigMap(c, 'Cm', { metadata: { name: 'cm' } });
  return { platform, c };
}

describe('Component.addOutputFile', () => {
  it('writes the file beside manifests.yaml', () => {
    const { platform, c } = component();
    c.addOutputFile('kustomization.yml', 'resources: [manifests.yaml]\n');
    const out = synthPlatform(platform);
    expect(out.files.get('app/kustomization.yml')).toBe('resources: [manifests.yaml]\n');
    expect(out.files.has('app/manifests.yaml')).toBe(true);
  });

  it.each([
    ['manifests.yaml', /not a plain file name other than manifests.yaml/],
    ['../escape.yaml', /not a plain file name/],
    ['sub/file.yaml', /not a plain file name/],
  ])('refuses %s', (name, message) => {
    expect(() => component().c.addOutputFile(name, '')).toThrow(message);
  });

  it('refuses the same file twice, and files on upstream charts', () => {
    const { platform, c } = component();
    c.addOutputFile('a.yml', '');
    expect(() => c.addOutputFile('a.yml', '')).toThrow(/added twice/);
    const chart = new UpstreamChart(platform, 'U', { name: 'u', namespace: 'u', source: ChartSource.helmRepo('https://charts.example.org', 'u', '1.0.0') });
    expect(() => chart.addOutputFile('a.yml', '')).toThrow(/upstream chart/);
  });
});

describe('ChartSource.gitDirectory', () => {
  it('syncs a folder of plain manifests, mirrored like any source', () => {
    const platform = testPlatform('test', { sourceMirrors: { 'https://github.com/org/repo.git': 'https://git.site/mirrors/org/repo.git' } });
    new UpstreamChart(platform, 'U', { name: 'crds', namespace: 'x', source: ChartSource.gitDirectory('https://github.com/org/repo.git', 'config/crd', 'v1.0.0', 'crds.yaml') });
    const app = findObject(objectsIn(synthPlatform(platform), 'apps/crds.yaml'), 'Application', 'crds');
    expect(dig(app, 'spec.source')).toEqual({ repoURL: 'https://git.site/mirrors/org/repo.git', targetRevision: 'v1.0.0', path: 'config/crd', directory: { include: 'crds.yaml' } });
  });

  it('takes no values or images', () => {
    const platform = testPlatform();
    expect(() => new UpstreamChart(platform, 'U', { name: 'crds', namespace: 'x', source: ChartSource.gitDirectory('https://g/r.git', 'p', 'v1'), values: { a: 1 } })).toThrow(/takes no values or images/);
  });
});

describe('RegistryPolicy platform registries', () => {
  const policy = new RegistryPolicy({ mirror: 'mirror:5000', allowedRegistries: ['mirror:5000'], allowedHosts: [] }, ['registry.local:30500']);

  it('never relocates or refuses images of the platform registry', () => {
    const built = Image.parse('registry.local:30500/team/app:1.0');
    expect(policy.relocate(built).toString()).toBe('registry.local:30500/team/app:1.0');
    expect(policy.allowsImage(built)).toBe(true);
  });

  it('still relocates and refuses everything else', () => {
    expect(policy.relocate(Image.parse('nginx:1.27')).toString()).toBe('mirror:5000/library/nginx:1.27');
    expect(policy.allowsImage(Image.parse('ghcr.io/a/b:1'))).toBe(false);
  });
});

describe('cluster-scoped objects in a component with a namespace', () => {
  it('carry no namespace', () => {
    const { platform, c } = component();
    new k8s.KubeClusterRole(c, 'Role', { metadata: { name: 'r' }, rules: [] });
    const objects = objectsIn(synthPlatform(platform), 'app/manifests.yaml');
    expect(findObject(objects, 'ClusterRole', 'r').metadata.namespace).toBeUndefined();
    expect(findObject(objects, 'ConfigMap', 'cm').metadata.namespace).toBe('apps');
  });
});
