import { describe, expect, it } from 'vitest';
import { ManifestLike } from '../../lib/checks/objects';
import { syncWaveFindings } from '../../lib/checks/sync-waves';
import { allObjects, synthEnvironment } from '../helpers';

const WFFC = new Set(['local-path']);
const WAVE = 'argocd.argoproj.io/sync-wave';

function app(component: string, wave: number): ManifestLike {
  return { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: component, namespace: 'argocd', labels: { 'kompile.dev/component': component }, annotations: { [WAVE]: String(wave) } } };
}

function claim(component: string, wave: number, spec: Record<string, unknown> = {}, namespace = 'ml'): ManifestLike {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'data', namespace, labels: { 'kompile.dev/component': component }, annotations: { [WAVE]: String(wave) } },
    spec: { storageClassName: 'local-path', accessModes: ['ReadWriteOnce'], ...spec },
  };
}

function workload(component: string | undefined, wave: number, namespace = 'ml', name = 'api'): ManifestLike {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, ...(component ? { labels: { 'kompile.dev/component': component } } : {}), annotations: { [WAVE]: String(wave) } },
    spec: { template: { spec: { containers: [{ name: 'app' }], volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }] } } },
  };
}

describe('syncWaveFindings', () => {
  it('reports a WaitForFirstConsumer claim in an earlier object wave than its consumer, naming both', () => {
    const objects = [app('api', 1), claim('api', 0), workload('api', 2)];
    const findings = syncWaveFindings(objects, WFFC);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ index: 1, consumerIndex: 2 });
    expect(findings[0].message).toContain("PersistentVolumeClaim 'data' (storage class 'local-path', WaitForFirstConsumer) syncs in component 'api' wave 1, object wave 0");
    expect(findings[0].message).toContain("before its first consumer Deployment 'api' (component 'api' wave 1, object wave 2)");
  });

  it('passes a claim in its consumer\'s wave, or a later one', () => {
    expect(syncWaveFindings([app('api', 1), claim('api', 2), workload('api', 2)], WFFC)).toEqual([]);
    expect(syncWaveFindings([app('api', 1), claim('api', 3), workload('api', 2)], WFFC)).toEqual([]);
  });

  it('compares component waves before object waves', () => {
    // The claim's component syncs first: its object wave 5 does not matter.
    const across = syncWaveFindings([app('storage', 1), app('api', 2), claim('storage', 5), workload('api', 0)], WFFC);
    expect(across).toHaveLength(1);
    expect(across[0].message).toContain("component 'storage' wave 1, object wave 5");
    // The claim's component syncs later: no finding, whatever the object waves.
    expect(syncWaveFindings([app('storage', 3), app('api', 2), claim('storage', 0), workload('api', 4)], WFFC)).toEqual([]);
  });

  it('judges against the earliest consumer', () => {
    const objects = [app('api', 0), claim('api', 1), workload('api', 1, 'ml', 'early'), workload('api', 3, 'ml', 'late')];
    expect(syncWaveFindings(objects, WFFC)).toEqual([]);
  });

  it('leaves alone claims pre-bound to a volume, of other classes, without a class, or with consumers in another namespace', () => {
    expect(syncWaveFindings([app('api', 0), claim('api', 0, { volumeName: 'models-ml' }), workload('api', 2)], WFFC)).toEqual([]);
    expect(syncWaveFindings([app('api', 0), claim('api', 0, { storageClassName: 'nfs-csi' }), workload('api', 2)], WFFC)).toEqual([]);
    expect(syncWaveFindings([app('api', 0), claim('api', 0, { storageClassName: undefined }), workload('api', 2)], WFFC)).toEqual([]);
    expect(syncWaveFindings([app('api', 0), claim('api', 0), workload('api', 2, 'other')], WFFC)).toEqual([]);
    expect(syncWaveFindings([app('api', 0), claim('api', 0), workload('api', 2)], new Set())).toEqual([]);
  });

  it('places objects without the component label through componentOf', () => {
    const objects = [app('storage', 0), app('chart', 4), claim('storage', 0), workload(undefined, 0)];
    expect(syncWaveFindings(objects, WFFC)).toEqual([]);
    const findings = syncWaveFindings(objects, WFFC, (i) => (i === 3 ? 'chart' : undefined));
    expect(findings).toHaveLength(1);
    expect(findings[0].message).toContain("component 'chart' wave 4");
  });

  it("passes dev's output: its local-path claims share their consumer's wave", () => {
    const objects = allObjects(synthEnvironment()) as unknown as ManifestLike[];
    expect(syncWaveFindings(objects, WFFC)).toEqual([]);
    const waveOf = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name)?.metadata.annotations?.[WAVE];
    expect(waveOf('PersistentVolumeClaim', 'chatbot-models')).toBe(waveOf('Deployment', 'backend'));
    expect(waveOf('PersistentVolumeClaim', 'mlflow-data')).toBe(waveOf('Deployment', 'mlflow'));
    expect(waveOf('PersistentVolumeClaim', 'registry-data')).toBe(waveOf('Deployment', 'registry'));
  });
});
