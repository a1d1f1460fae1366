import { describe, expect, it } from 'vitest';
import { ChartSource, UpstreamChart } from '../../lib/core/upstream-chart';
import { findObject, objectsIn, synthPlatform, testPlatform } from '../helpers';

type Source = { repoURL: string; chart?: string; path?: string; targetRevision: string; helm: { releaseName: string; valuesObject: unknown } };

function source(chartSource: ChartSource, values?: Record<string, unknown>): Source {
  const p = testPlatform();
  new UpstreamChart(p, 'Chart', { name: 'thing', namespace: 'things', source: chartSource, values, images: [{ image: 'ghcr.io/org/thing:1.0.0', valuePath: 'controller.image' }] });
  const app = findObject(objectsIn(synthPlatform(p), 'apps/thing.yaml'), 'Application', 'thing');
  return (app.spec as { source: Source }).source;
}

describe('UpstreamChart', () => {
  it('has Argo CD ignore the given differences, and respect them when syncing', () => {
    const p = testPlatform();
    const ignore = { group: 'apps', kind: 'Deployment', name: 'thing', jsonPointers: ['/spec/replicas'] };
    new UpstreamChart(p, 'A', { name: 'a', namespace: 'x', source: ChartSource.helmRepo('https://c.example.com', 'a', '1'), ignoreDifferences: [ignore] });
    new UpstreamChart(p, 'B', { name: 'b', namespace: 'x', source: ChartSource.helmRepo('https://c.example.com', 'b', '1') });
    const out = synthPlatform(p);
    const spec = (name: string) => findObject(objectsIn(out, `apps/${name}.yaml`), 'Application', name).spec as { ignoreDifferences?: unknown; syncPolicy: { syncOptions: string[] } };
    expect(spec('a').ignoreDifferences).toEqual([ignore]);
    expect(spec('a').syncPolicy.syncOptions).toContain('RespectIgnoreDifferences=true');
    expect(spec('b').ignoreDifferences).toBeUndefined();
    expect(spec('b').syncPolicy.syncOptions).not.toContain('RespectIgnoreDifferences=true');
  });

  it('installs from a Helm repository', () => {
    expect(source(ChartSource.helmRepo('https://charts.example.com', 'thing', '1.2.3'))).toEqual({
      repoURL: 'https://charts.example.com',
      chart: 'thing',
      targetRevision: '1.2.3',
      helm: { releaseName: 'thing', skipTests: true, valuesObject: { controller: { image: 'ghcr.io/org/thing:1.0.0' } } },
    });
  });

  it('installs from an OCI registry, the way Argo CD names it (no oci:// scheme)', () => {
    expect(source(ChartSource.oci('oci://ghcr.io/org/charts', 'thing', '2.0.0'))).toMatchObject({ repoURL: 'ghcr.io/org/charts', chart: 'thing', targetRevision: '2.0.0' });
  });

  it('installs from a Git path at a revision', () => {
    const s = source(ChartSource.git('https://git.example.com/org/thing.git', 'deploy/chart', 'v3.0.0'));
    expect(s).toMatchObject({ repoURL: 'https://git.example.com/org/thing.git', path: 'deploy/chart', targetRevision: 'v3.0.0' });
    expect(s.chart).toBeUndefined();
  });

  it('merges image values into the typed values without touching the caller’s object', () => {
    const values = { controller: { replicas: 2 }, feature: true };
    const s = source(ChartSource.helmRepo('https://charts.example.com', 'thing', '1.2.3'), values);
    expect(s.helm.valuesObject).toEqual({ controller: { replicas: 2, image: 'ghcr.io/org/thing:1.0.0' }, feature: true });
    expect(values).toEqual({ controller: { replicas: 2 }, feature: true });
  });

  it('refuses an image path through a value that is no object', () => {
    const p = testPlatform();
    expect(
      () =>
        new UpstreamChart(p, 'Chart', {
          name: 'thing',
          namespace: 'things',
          source: ChartSource.helmRepo('https://charts.example.com', 'thing', '1.2.3'),
          values: { controller: 'on' },
          images: [{ image: 'ghcr.io/org/thing:1.0.0', valuePath: 'controller.image' }],
        }),
    ).toThrow(/value 'controller' in 'controller.image' is not an object/);
  });

  it('allows operator cluster kinds by default and exactly the declared ones otherwise', () => {
    const p = testPlatform();
    const a = new UpstreamChart(p, 'A', { name: 'a', namespace: 'x', source: ChartSource.helmRepo('https://c.example.com', 'a', '1') });
    const b = new UpstreamChart(p, 'B', { name: 'b', namespace: 'x', source: ChartSource.helmRepo('https://c.example.com', 'b', '1'), clusterResources: [{ group: 'storage.k8s.io', kind: 'StorageClass' }] });
    expect(a.clusterResources.map((k) => k.kind)).toContain('CustomResourceDefinition');
    expect(b.clusterResources).toEqual([{ group: 'storage.k8s.io', kind: 'StorageClass' }]);
  });
});
