import { describe, expect, it } from 'vitest';
import { MlopsSchema, parseEnvironment } from '../../lib/core/config';
import { Namespaces } from '../../lib/core/namespaces';
import { Mlops } from '../../lib/mlops/mlops';
import { synthesize } from '../../lib/core/synthesize';
import { trainingJobName } from '../../lib/mlops/training-job';
import { buildEnvironment } from '../../stacks/build';
import { dev as dev_ } from '../../stacks/dev';
import { prod } from '../../stacks/prod';
import { allObjects, compiledEnvironment, findObject, K8sObject, objectsIn, synthEnvironment, testPlatform } from '../helpers';
import { mayConnect } from './netpol';
import { at, container, envOf, list } from './support';

/** The pod of a workload as a NetworkPolicy sees it: its namespace and template labels. */
function podOf(objects: readonly K8sObject[], kind: string, name: string, namespace: string): { namespace: string; labels: Record<string, string> } {
  return { namespace, labels: at(findObject(objects, kind, name, namespace), 'spec.template.metadata.labels') as Record<string, string> };
}

function wave(o: K8sObject): number {
  return Number(o.metadata.annotations?.['argocd.argoproj.io/sync-wave']);
}

const dev = compiledEnvironment();
const devObjects = allObjects(dev);

describe('Mlops in the dev environment (k3s, one node, local-path)', () => {
  it('orders namespaces, then storage and MLflow, then experiments and serving', () => {
    const app = (n: string) => objectsIn(dev, `apps/${n}.yaml`)[0];
    expect(wave(app('namespaces'))).toBe(0);
    expect(wave(app('mlops-storage'))).toBeGreaterThan(wave(app('namespaces')));
    expect(wave(app('mlops-training'))).toBeGreaterThan(wave(app('namespaces')));
    expect(wave(app('mlops-experiments'))).toBeGreaterThan(wave(app('mlops-training')));
    expect(wave(app('mlops-experiments'))).toBeGreaterThan(wave(app('mlops-storage')));
    expect(wave(app('mlops-serving'))).toBeGreaterThan(wave(app('mlops-training')));
    expect(wave(app('mlops-serving'))).toBeGreaterThan(wave(app('mlops-storage')));
  });

  it('separates training and serving namespaces, restricted, each with a quota and container defaults', () => {
    for (const ns of ['mlops-training', 'mlops-serving']) {
      expect(findObject(devObjects, 'Namespace', ns).metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
      expect(findObject(devObjects, 'ResourceQuota', 'quota', ns)).toBeDefined();
      expect(findObject(devObjects, 'LimitRange', 'container-defaults', ns)).toBeDefined();
    }
    expect(at(findObject(devObjects, 'ResourceQuota', 'quota', 'mlops-training'), 'spec.hard')).toEqual({ 'requests.cpu': '8', 'requests.memory': '32Gi', 'limits.cpu': '16', 'limits.memory': '64Gi' });
    expect(at(findObject(devObjects, 'ResourceQuota', 'quota', 'mlops-serving'), 'spec.hard')).toEqual({ 'requests.cpu': '4', 'requests.memory': '4Gi', 'limits.cpu': '12', 'limits.memory': '8Gi' });
  });

  it('shares the model directory of the one node, read-write for training and read-only for serving', () => {
    const storage = objectsIn(dev, 'mlops-storage/manifests.yaml');
    expect(at(findObject(storage, 'PersistentVolume', 'models-mlops-training'), 'spec.hostPath.path')).toBe('/var/lib/kompile/mlops-models');
    expect(at(findObject(storage, 'PersistentVolume', 'models-mlops-serving'), 'spec.hostPath.path')).toBe('/var/lib/kompile/mlops-models');
    expect(at(findObject(storage, 'PersistentVolumeClaim', 'models', 'mlops-training'), 'spec.storageClassName')).toBe('local-path');
    expect(at(findObject(storage, 'PersistentVolumeClaim', 'models', 'mlops-serving'), 'spec.accessModes')).toEqual(['ReadOnlyMany']);
  });

  it('runs one Job per experiment, named by its parameters, and lists them in a tracked ConfigMap', () => {
    const objects = objectsIn(dev, 'mlops-experiments/manifests.yaml');
    const jobs = objects.filter((o) => o.kind === 'Job');
    expect(jobs.map((j) => j.metadata.name).sort()).toEqual([
      expect.stringMatching(/^iris-baseline-[0-9a-f]{10}$/),
      expect.stringMatching(/^iris-deeper-trees-[0-9a-f]{10}$/),
      expect.stringMatching(/^iris-more-trees-[0-9a-f]{10}$/),
      expect.stringMatching(/^iris-optimized-[0-9a-f]{10}$/),
    ]);
    const baseline = jobs.find((j) => j.metadata.name.startsWith('iris-baseline-'))!;
    expect(container(baseline).args).toEqual(['--max-depth=5', '--n-estimators=100', '--run-name=baseline']);
    expect(envOf(container(baseline)).get('MLFLOW_TRACKING_URI')?.value).toBe('http://mlflow-service.mlops-training.svc.cluster.local:5000');
    const data = at(findObject(objects, 'ConfigMap', 'experiments', 'mlops-training'), 'data') as Record<string, string>;
    expect(data['jobs.txt']).toBe(`${jobs.map((j) => j.metadata.name).sort().join('\n')}\n`);
  });

  it('gives a changed parameter set a new Job and keeps the others', () => {
    const experiments = (nEstimators: number) => [
      { name: 'a', image: 'train:1', command: ['python', 'train.py'], hyperParameters: { 'n-estimators': nEstimators } },
      { name: 'b', image: 'train:1', command: ['python', 'train.py'], hyperParameters: { 'n-estimators': 5 } },
    ];
    const names = (n: number) =>
      objectsIn(synthEnvironment({ components: { mlops: { experiments: experiments(n) } } }), 'mlops-experiments/manifests.yaml')
        .filter((o) => o.kind === 'Job')
        .map((o) => o.metadata.name)
        .sort();
    const before = names(100);
    const after = names(200);
    expect(after[0]).not.toBe(before[0]);
    expect(after[1]).toBe(before[1]);
    expect(before[0]).toBe(trainingJobName({ name: 'a', image: 'train:1', command: ['python', 'train.py'], hyperParameters: { 'n-estimators': 100 } }));
  });

  it('lets training pods reach MLflow and nothing else reach it', () => {
    const job = objectsIn(dev, 'mlops-experiments/manifests.yaml').find((o) => o.kind === 'Job')!;
    const trainer = { namespace: 'mlops-training', labels: at(job, 'spec.template.metadata.labels') as Record<string, string> };
    const mlflow = podOf(devObjects, 'Deployment', 'mlflow', 'mlops-training');
    const api = podOf(devObjects, 'Deployment', 'iris-serving', 'mlops-serving');
    expect(mayConnect(devObjects, trainer, mlflow, 5000)).toBe(true);
    expect(mayConnect(devObjects, trainer, mlflow, 5001)).toBe(false);
    expect(mayConnect(devObjects, api, mlflow, 5000)).toBe(false);
    expect(mayConnect(devObjects, { ip: '192.168.1.10' }, mlflow, 5000)).toBe(false);
    expect(mayConnect(devObjects, mlflow, trainer, 5000)).toBe(false);
    // No store outside the cluster by default: MLflow has no egress beyond DNS.
    expect(mayConnect(devObjects, mlflow, { ip: '10.0.0.5' }, 5432)).toBe(false);
  });

  it('writes the training → MLflow policies with exact selectors and port', () => {
    expect(at(findObject(devObjects, 'NetworkPolicy', 'allow-from-training-to-mlflow', 'mlops-training'), 'spec')).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'mlflow' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/component': 'training-job', 'app.kubernetes.io/part-of': 'mlops' } } }], ports: [{ port: 5000, protocol: 'TCP' }] }],
    });
    expect(at(findObject(devObjects, 'NetworkPolicy', 'allow-to-mlflow-from-training', 'mlops-training'), 'spec')).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/component': 'training-job', 'app.kubernetes.io/part-of': 'mlops' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'mlflow' } } }], ports: [{ port: 5000, protocol: 'TCP' }] }],
    });
    expect(at(findObject(devObjects, 'NetworkPolicy', 'allow-from-clients', 'mlops-serving'), 'spec')).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'iris-serving' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 8000, protocol: 'TCP' }] }],
    });
  });

  it('lets clients reach the model API on its port, and the API reach neither training nor the outside', () => {
    const api = podOf(devObjects, 'Deployment', 'iris-serving', 'mlops-serving');
    const mlflow = podOf(devObjects, 'Deployment', 'mlflow', 'mlops-training');
    const gateway = { namespace: 'istio-system', labels: { istio: 'ingressgateway', app: 'istio-ingressgateway' } };
    expect(mayConnect(devObjects, gateway, api, 8000)).toBe(true);
    expect(mayConnect(devObjects, gateway, api, 22)).toBe(false);
    expect(mayConnect(devObjects, api, mlflow, 5000)).toBe(false);
    expect(mayConnect(devObjects, api, { ip: '203.0.113.7' }, 443)).toBe(false);
    // No node port: the API is reached through the serving gateway (TLS, JWT), on its host.
    expect(at(findObject(devObjects, 'Service', 'iris-serving-service', 'mlops-serving'), 'spec')).toMatchObject({ type: 'ClusterIP', ports: [expect.objectContaining({ port: 80 })] });
    expect(at(findObject(devObjects, 'VirtualService', 'iris-serving', 'mlops-serving'), 'spec')).toMatchObject({ hosts: ['iris-serving.models.example.com'], gateways: ['istio-system/kserve-models-gateway'] });
  });
});

describe('Mlops in the prod environment (kubeadm, NFS CSI, GPUs)', () => {
  const out = compiledEnvironment(prod);
  const objects = allObjects(out);

  it('shares one NFS export on the shared storage class', () => {
    const storage = objectsIn(out, 'mlops-storage/manifests.yaml');
    for (const ns of ['mlops-training', 'mlops-serving']) {
      const pv = findObject(storage, 'PersistentVolume', `models-${ns}`);
      expect(at(pv, 'spec.csi.volumeAttributes')).toEqual({ server: 'nfs.platform.internal', share: '/exports/mlops', subDir: 'models' });
      expect(at(pv, 'spec.storageClassName')).toBe('nfs-csi');
    }
  });

  it('adds the GPU quota of the training namespace in the cluster resource name', () => {
    expect(at(findObject(objects, 'ResourceQuota', 'quota', 'mlops-training'), 'spec.hard')).toMatchObject({ 'requests.nvidia.com/gpu': '4', 'requests.cpu': '16' });
  });

  it('exposes the API through the serving gateway only, whose policies require a JWT for its host', () => {
    expect(list(findObject(objects, 'Service', 'iris-serving-service', 'mlops-serving'), 'spec.ports')[0].nodePort).toBeUndefined();
    const deny = findObject(objects, 'AuthorizationPolicy', 'model-gateway-require-jwt', 'istio-system');
    expect(JSON.stringify(deny.spec)).toContain('"iris-serving.models.example.com:*"');
  });
});

describe('Mlops options', () => {
  it('opens MLflow egress to external stores, and serving egress to the object store', () => {
    const out = synthEnvironment({
      components: {
        mlops: {
          mlflow: {
            backendStoreUriSecret: { name: 'mlflow-db', key: 'uri' },
            s3: { destination: 's3://mlflow/', endpointUrl: 'http://10.0.5.10:9000', credentialsSecret: 'mlflow-s3' },
            egress: { cidrs: ['10.0.5.0/24'], ports: [5432, 9000] },
          },
        },
      },
    });
    const objects = allObjects(out);
    const mlflow = podOf(objects, 'Deployment', 'mlflow', 'mlops-training');
    const api = podOf(objects, 'Deployment', 'iris-serving', 'mlops-serving');
    expect(mayConnect(objects, mlflow, { ip: '10.0.5.10' }, 5432)).toBe(true);
    expect(mayConnect(objects, mlflow, { ip: '10.0.5.10' }, 9000)).toBe(true);
    expect(mayConnect(objects, mlflow, { ip: '10.0.6.10' }, 9000)).toBe(false);
    expect(mayConnect(objects, api, { ip: '10.0.5.10' }, 9000)).toBe(true);
    expect(objects.filter((o) => o.kind === 'PersistentVolumeClaim' && o.metadata.name === 'mlflow-data')).toEqual([]);
  });

  it('builds no experiments component without experiments', () => {
    const out = synthEnvironment({ components: { mlops: { experiments: [] } } });
    expect(out.files.has('mlops-experiments/manifests.yaml')).toBe(false);
    expect(out.files.has('mlops-serving/manifests.yaml')).toBe(true);
  });

  it('builds no serving component, claim or namespace without serving', () => {
    // The base environment has serving; a deep merge cannot remove a key, so drop it after parsing.
    const config = parseEnvironment(dev_);
    const { platform, policy } = buildEnvironment({ ...config, components: { ...config.components, mlops: { ...config.components.mlops, serving: undefined } } });
    const out = synthesize(platform, policy);
    expect(out.files.has('mlops-serving/manifests.yaml')).toBe(false);
    const storage = objectsIn(out, 'mlops-storage/manifests.yaml');
    expect(storage.filter((o) => o.metadata.namespace === 'mlops-serving' || o.metadata.name === 'models-mlops-serving')).toEqual([]);
    const mlopsObjects = allObjects(out).filter((o) => o.metadata.labels?.['kompile.dev/component']?.startsWith('mlops') || o.metadata.labels?.['kompile.dev/component'] === 'namespaces');
    expect(mlopsObjects.some((o) => o.metadata.name === 'mlops-serving' || o.metadata.namespace === 'mlops-serving')).toBe(false);
  });

  it('takes custom namespace names, mount path and job settings', () => {
    const out = synthEnvironment({
      components: { mlops: { trainingNamespace: 'train', servingNamespace: 'serve', storage: { mountPath: '/data/models' }, jobs: { ttlSecondsAfterFinished: 60, backoffLimit: 0 } } },
    });
    const objects = allObjects(out);
    const job = objects.find((o) => o.kind === 'Job')!;
    expect(job.metadata.namespace).toBe('train');
    expect(at(job, 'spec.ttlSecondsAfterFinished')).toBe(60);
    expect(at(job, 'spec.backoffLimit')).toBe(0);
    expect(envOf(container(job)).get('MLFLOW_TRACKING_URI')?.value).toBe('http://mlflow-service.train.svc.cluster.local:5000');
    expect(list(container(findObject(objects, 'Deployment', 'iris-serving', 'serve')), 'volumeMounts')).toContainEqual({ name: 'models', mountPath: '/data/models', readOnly: true });
    expect(findObject(objects, 'PersistentVolumeClaim', 'models', 'serve')).toBeDefined();
  });

  it('takes the MLflow image, volume size and resources, the storage size and directory, and GPU experiments', () => {
    const out = synthEnvironment(
      {
        components: {
          mlops: {
            mlflow: { image: 'ghcr.io/mlflow/mlflow:v2.21.3', storageSize: '30Gi', resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '2Gi' } } },
            storage: { size: '300Gi' },
            experiments: [{ name: 'gpu', image: 'train:1', command: ['python', 'train.py'], cpu: '4', memory: '16Gi', gpu: 2 }],
          },
        },
      },
      prod,
    );
    const objects = allObjects(out);
    const mlflow = container(findObject(objects, 'Deployment', 'mlflow', 'mlops-training'));
    expect(mlflow.image).toBe('ghcr.io/mlflow/mlflow:v2.21.3');
    expect(at(mlflow, 'resources.limits')).toEqual({ cpu: '2', memory: '2Gi' });
    expect(at(findObject(objects, 'PersistentVolumeClaim', 'mlflow-data', 'mlops-training'), 'spec.resources.requests.storage')).toBe('30Gi');
    expect(at(findObject(objects, 'PersistentVolume', 'models-mlops-training'), 'spec.capacity.storage')).toBe('300Gi');
    const job = objects.find((o) => o.kind === 'Job')!;
    expect(at(job, 'spec.template.spec.runtimeClassName')).toBe('nvidia');
    expect(at(container(job), 'resources.limits')).toEqual({ cpu: '4', memory: '16Gi', 'nvidia.com/gpu': 2 });

    const devOut = synthEnvironment({ components: { mlops: { storage: { hostPath: '/srv/models' } } } });
    expect(at(findObject(allObjects(devOut), 'PersistentVolume', 'models-mlops-serving'), 'spec.hostPath.path')).toBe('/srv/models');
  });

  it('takes the serving quota and client addresses', () => {
    const out = synthEnvironment({
      components: {
        mlops: {
          quotas: { serving: { requests: { cpu: '6', memory: '6Gi' }, limits: { cpu: '20', memory: '10Gi' }, pods: 20 } },
          serving: { clientCidrs: ['10.1.0.0/16'] },
        },
      },
    });
    const objects = allObjects(out);
    expect(at(findObject(objects, 'ResourceQuota', 'quota', 'mlops-serving'), 'spec.hard')).toEqual({
      'requests.cpu': '6',
      'requests.memory': '6Gi',
      'limits.cpu': '20',
      'limits.memory': '10Gi',
      pods: 20,
    });
    const api = podOf(objects, 'Deployment', 'iris-serving', 'mlops-serving');
    expect(mayConnect(objects, { ip: '10.1.2.3' }, api, 8000)).toBe(true);
    expect(mayConnect(objects, { ip: '10.2.2.3' }, api, 8000)).toBe(false);
  });

  it('refuses, as a construct, an NFS model volume on a cluster without a shared storage class', () => {
    const platform = testPlatform();
    const namespaces = new Namespaces(platform, 'Namespaces', { kubernetesVersion: '1.28' });
    const config = MlopsSchema.parse({ storage: { backend: 'nfs', nfs: { server: 'nfs', share: '/e' } } });
    expect(() => new Mlops(platform, 'Mlops', { config, namespaces, storageClasses: { default: 'local-path' } })).toThrow(
      /\[Mlops\] storage backend 'nfs' needs the cluster's shared storage class \(cluster.storageClasses.shared\)/,
    );
  });

  it('refuses KCloud policies in a namespace given by a name the environment does not create', () => {
    const policy = { name: 'budget', namespace: 'mlops-training', budgetLimit: 100000 };
    expect(() => synthEnvironment({ components: { mlops: { enabled: false }, kcloud: { costPolicies: [policy] } } })).toThrow(/namespace 'mlops-training' is not created by any Namespace object of the environment/);
    expect(allObjects(synthEnvironment({ components: { kcloud: { costPolicies: [policy] } } })).filter((o) => o.kind === 'CostPolicy').map((o) => o.metadata.namespace)).toEqual(['mlops-training']);
  });

  it('builds nothing when disabled', () => {
    const out = synthEnvironment({ components: { mlops: { enabled: false } } });
    expect([...out.files.keys()].filter((f) => f.includes('mlops'))).toEqual([]);
  });
});
