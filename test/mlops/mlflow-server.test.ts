import { describe, expect, it } from 'vitest';
import { MlflowServer } from '../../lib/mlops/mlflow-server';
import { findObject } from '../helpers';
import { at, container, envOf, fixture, list, render } from './support';

const BASE = { namespace: 'mlops-training', image: 'ghcr.io/mlflow/mlflow:v2.22.0', storageClassName: 'local-path' };

describe('MlflowServer', () => {
  it('keeps sqlite and artifacts on its own volume by default, one pod at a time', () => {
    const { platform, component } = fixture();
    const m = new MlflowServer(component, 'Mlflow', BASE);
    expect(m.trackingUri).toBe('http://mlflow-service.mlops-training.svc.cluster.local:5000');
    const objects = render(platform);
    const pvc = findObject(objects, 'PersistentVolumeClaim', 'mlflow-data', 'mlops-training');
    expect(at(pvc, 'spec')).toMatchObject({ accessModes: ['ReadWriteOnce'], storageClassName: 'local-path', resources: { requests: { storage: '10Gi' } } });
    const d = findObject(objects, 'Deployment', 'mlflow', 'mlops-training');
    expect(at(d, 'spec.strategy')).toEqual({ type: 'Recreate' });
    const c = container(d);
    expect(c.command).toEqual(['mlflow']);
    expect(c.args).toEqual(expect.arrayContaining(['--backend-store-uri', 'sqlite:////mlflow/mlflow.db', '--serve-artifacts', '--artifacts-destination', '/mlflow/artifacts']));
    expect(at(c, 'readinessProbe.httpGet')).toEqual({ path: '/health', port: 'http' });
    expect(at(c, 'livenessProbe.httpGet')).toEqual({ path: '/health', port: 'http' });
    expect(at(c, 'resources')).toEqual({ requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } });
    expect(at(c, 'securityContext.readOnlyRootFilesystem')).toBe(true);
    expect(at(d, 'spec.template.spec.securityContext')).toMatchObject({ runAsUser: 1000, fsGroup: 1000, runAsNonRoot: true });
    expect(list(c, 'volumeMounts')).toEqual(expect.arrayContaining([expect.objectContaining({ mountPath: '/mlflow' }), expect.objectContaining({ mountPath: '/tmp' })]));
    const svc = findObject(objects, 'Service', 'mlflow-service', 'mlops-training');
    expect(at(svc, 'spec.ports')).toEqual([{ name: 'http', port: 5000, targetPort: 'http', protocol: 'TCP' }]);
    expect(at(svc, 'spec.type')).toBe('ClusterIP');
  });

  it('points at an external database and object store by Secret reference, without a volume', () => {
    const { platform, component } = fixture();
    new MlflowServer(component, 'Mlflow', {
      ...BASE,
      name: 'tracking',
      backendStoreUriSecret: { name: 'mlflow-db', key: 'uri' },
      s3: { destination: 's3://mlflow/artifacts', endpointUrl: 'http://minio.storage.svc:9000', credentialsSecret: 'mlflow-s3' },
      resources: { requests: { cpu: '1', memory: '2Gi' }, limits: { cpu: '2', memory: '4Gi' } },
    });
    const objects = render(platform);
    expect(objects.filter((o) => o.kind === 'PersistentVolumeClaim')).toEqual([]);
    const d = findObject(objects, 'Deployment', 'tracking');
    expect(at(d, 'spec.strategy.type')).toBe('RollingUpdate');
    const c = container(d);
    expect(c.args).not.toContain('--backend-store-uri');
    expect(c.args).toEqual(expect.arrayContaining(['--artifacts-destination', 's3://mlflow/artifacts']));
    const env = envOf(c);
    expect(env.get('MLFLOW_BACKEND_STORE_URI')).toEqual({ name: 'MLFLOW_BACKEND_STORE_URI', valueFrom: { secretKeyRef: { name: 'mlflow-db', key: 'uri' } } });
    expect(env.get('AWS_ACCESS_KEY_ID')).toEqual({ name: 'AWS_ACCESS_KEY_ID', valueFrom: { secretKeyRef: { name: 'mlflow-s3', key: 'AWS_ACCESS_KEY_ID' } } });
    expect(env.get('AWS_SECRET_ACCESS_KEY')?.valueFrom).toEqual({ secretKeyRef: { name: 'mlflow-s3', key: 'AWS_SECRET_ACCESS_KEY' } });
    expect(env.get('MLFLOW_S3_ENDPOINT_URL')?.value).toBe('http://minio.storage.svc:9000');
    expect(at(c, 'resources')).toEqual({ requests: { cpu: '1', memory: '2Gi' }, limits: { cpu: '2', memory: '4Gi' } });
    expect(objects.some((o) => o.kind === 'Secret')).toBe(false);
  });

  it('keeps a volume for artifacts when only the database is external, and a custom size', () => {
    const { platform, component } = fixture();
    new MlflowServer(component, 'Mlflow', { ...BASE, storageSize: '50Gi', backendStoreUriSecret: { name: 'db', key: 'uri' } });
    const objects = render(platform);
    expect(at(findObject(objects, 'PersistentVolumeClaim', 'mlflow-data'), 'spec.resources.requests.storage')).toBe('50Gi');
    expect(container(findObject(objects, 'Deployment', 'mlflow')).args).toEqual(expect.arrayContaining(['--artifacts-destination', '/mlflow/artifacts']));
  });

  it('syncs its volume before the server, or with it on a WaitForFirstConsumer class', () => {
    const wave = (objects: ReturnType<typeof render>, kind: string, name: string) => findObject(objects, kind, name).metadata.annotations?.['argocd.argoproj.io/sync-wave'];
    const a = fixture();
    new MlflowServer(a.component, 'Mlflow', BASE);
    const immediate = render(a.platform);
    expect(Number(wave(immediate, 'PersistentVolumeClaim', 'mlflow-data'))).toBeLessThan(Number(wave(immediate, 'Deployment', 'mlflow')));
    const b = fixture();
    new MlflowServer(b.component, 'Mlflow', { ...BASE, waitForFirstConsumer: ['local-path'] });
    const late = render(b.platform);
    expect(wave(late, 'PersistentVolumeClaim', 'mlflow-data')).toBe(wave(late, 'Deployment', 'mlflow'));
  });
});
