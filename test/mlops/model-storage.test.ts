import { describe, expect, it } from 'vitest';
import { ModelStorage } from '../../lib/mlops/model-storage';
import { findObject } from '../helpers';
import { at, fixture, maybe, render } from './support';

const CLAIMS = [
  { namespace: 'mlops-training', readOnly: false },
  { namespace: 'mlops-serving', readOnly: true },
];

describe('ModelStorage', () => {
  it('shares one NFS export through one static volume per namespace, read-only for serving', () => {
    const { platform, component } = fixture();
    new ModelStorage(component, 'Models', {
      backend: { kind: 'nfs', server: 'nfs.internal', share: '/exports/mlops', subDir: 'models' },
      size: '200Gi',
      storageClassName: 'nfs-csi',
      claims: CLAIMS,
    });
    const objects = render(platform);
    const train = findObject(objects, 'PersistentVolume', 'models-mlops-training');
    const serve = findObject(objects, 'PersistentVolume', 'models-mlops-serving');
    for (const pv of [train, serve]) {
      expect(at(pv, 'spec.csi.driver')).toBe('nfs.csi.k8s.io');
      expect(at(pv, 'spec.csi.volumeAttributes')).toEqual({ server: 'nfs.internal', share: '/exports/mlops', subDir: 'models' });
      expect(at(pv, 'spec.storageClassName')).toBe('nfs-csi');
      expect(at(pv, 'spec.persistentVolumeReclaimPolicy')).toBe('Retain');
      expect(at(pv, 'spec.capacity.storage')).toBe('200Gi');
      expect(pv.metadata.annotations?.['argocd.argoproj.io/sync-options']).toBe('Prune=false,Delete=false');
    }
    // Same storage, distinct handles (the driver needs a unique volumeHandle per volume).
    expect(at(train, 'spec.csi.volumeHandle')).not.toBe(at(serve, 'spec.csi.volumeHandle'));
    expect(at(train, 'spec.accessModes')).toEqual(['ReadWriteMany']);
    expect(at(train, 'spec.csi.readOnly')).toBe(false);
    expect(at(serve, 'spec.accessModes')).toEqual(['ReadOnlyMany']);
    expect(at(serve, 'spec.csi.readOnly')).toBe(true);
    expect(at(serve, 'spec.claimRef')).toEqual({ namespace: 'mlops-serving', name: 'models' });

    const trainClaim = findObject(objects, 'PersistentVolumeClaim', 'models', 'mlops-training');
    const serveClaim = findObject(objects, 'PersistentVolumeClaim', 'models', 'mlops-serving');
    expect(at(trainClaim, 'spec.volumeName')).toBe('models-mlops-training');
    expect(at(trainClaim, 'spec.accessModes')).toEqual(['ReadWriteMany']);
    expect(at(serveClaim, 'spec.volumeName')).toBe('models-mlops-serving');
    expect(at(serveClaim, 'spec.accessModes')).toEqual(['ReadOnlyMany']);
    expect(at(serveClaim, 'spec.storageClassName')).toBe('nfs-csi');
    // Claims after their volumes.
    expect(Number(serveClaim.metadata.annotations?.['argocd.argoproj.io/sync-wave'])).toBeGreaterThan(Number(serve.metadata.annotations?.['argocd.argoproj.io/sync-wave']));
  });

  it('shares one node directory on single-node clusters, with a custom claim name', () => {
    const { platform, component } = fixture();
    new ModelStorage(component, 'Models', { backend: { kind: 'hostPath', path: '/srv/models' }, size: '5Gi', storageClassName: 'local-path', claims: CLAIMS, claimName: 'shared' });
    const objects = render(platform);
    const train = findObject(objects, 'PersistentVolume', 'shared-mlops-training');
    const serve = findObject(objects, 'PersistentVolume', 'shared-mlops-serving');
    expect(at(train, 'spec.hostPath')).toEqual({ path: '/srv/models', type: 'Directory' });
    expect(at(serve, 'spec.hostPath')).toEqual({ path: '/srv/models', type: 'Directory' });
    expect(at(train, 'spec.accessModes')).toEqual(['ReadWriteOnce']);
    expect(at(serve, 'spec.accessModes')).toEqual(['ReadOnlyMany']);
    expect(maybe(train, 'spec.csi')).toBeUndefined();
    expect(at(findObject(objects, 'PersistentVolumeClaim', 'shared', 'mlops-serving'), 'spec.storageClassName')).toBe('local-path');
  });

  it('refuses no claims and a namespace twice', () => {
    const { component } = fixture();
    const base = { backend: { kind: 'hostPath', path: '/m' } as const, size: '1Gi', storageClassName: 'local-path' };
    expect(() => new ModelStorage(component, 'A', { ...base, claims: [] })).toThrow(/prop 'claims' is empty/);
    expect(() => new ModelStorage(component, 'B', { ...base, claims: [CLAIMS[0], CLAIMS[0]] })).toThrow(/names a namespace twice/);
  });
});
