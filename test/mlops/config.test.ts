import { describe, expect, it } from 'vitest';
import { ConfigError, ExperimentSchema, MlopsSchema, parseEnvironment } from '../../lib/core/config';
import { parseQuantity } from '../../lib/core/quantity';
import { merge } from '../../stacks/base';
import { dev } from '../../stacks/dev';
import { prod } from '../../stacks/prod';

/** The issues of an environment that must not parse, as `path: message` lines. */
function issues(overrides: Record<string, unknown>, base = dev): string[] {
  try {
    parseEnvironment(merge(base, overrides));
  } catch (e) {
    if (e instanceof ConfigError) return e.issues.map((i) => `${i.path}: ${i.message}`);
    throw e;
  }
  throw new Error('expected a ConfigError');
}

const TRAIN = { name: 'gpu-train', image: 'train:1', command: ['python', 'train.py'] };

describe('mlops configuration', () => {
  it('fills the defaults of the seed', () => {
    const m = MlopsSchema.parse({ serving: { image: 'api:1' } });
    expect(m.trainingNamespace).toBe('mlops-training');
    expect(m.servingNamespace).toBe('mlops-serving');
    expect(m.serving).toMatchObject({ minReplicas: 2, maxReplicas: 10, targetCpuUtilization: 70, serviceType: 'ClusterIP', route: true });
    expect(m.mlflow.image).toBe('ghcr.io/mlflow/mlflow:v2.22.0');
    expect(m.storage.backend).toBe('hostPath');
    expect(ExperimentSchema.parse(TRAIN)).toMatchObject({ cpu: '1', memory: '2Gi', gpu: 0, hyperParameters: {} });
  });

  it('names the Services as the seed’s commands do: mlflow-service, and <name>-service for the model API', () => {
    const m = MlopsSchema.parse({ serving: { name: 'iris-serving', image: 'api:1' } });
    expect(m.mlflow.serviceName).toBe('mlflow-service');
    expect(m.serving?.serviceName).toBeUndefined();
    expect(MlopsSchema.parse({ mlflow: { serviceName: 'tracking' }, serving: { image: 'api:1', serviceName: 'api' } })).toMatchObject({ mlflow: { serviceName: 'tracking' }, serving: { serviceName: 'api' } });
  });

  it('refuses a Service name that is no DNS label, and a model API name too long for its default Service name', () => {
    expect(issues({ components: { mlops: { mlflow: { serviceName: 'MLflow' } } } })).toEqual(['components.mlops.mlflow.serviceName: must be a DNS-1123 label (lowercase letters, digits, -)']);
    const long = 'a'.repeat(56);
    expect(issues({ components: { mlops: { serving: { name: long } } } })).toEqual([`components.mlops.serving.serviceName: '${long}-service' would exceed 63 characters; give serviceName or a shorter name`]);
    expect(() => parseEnvironment(merge(dev, { components: { mlops: { serving: { name: long, serviceName: 'api' } } } }))).not.toThrow();
    expect(() => parseEnvironment(merge(dev, { components: { mlops: { serving: { name: 'a'.repeat(55) } } } }))).not.toThrow();
  });

  it('refuses GPU experiments on a cluster without GPUs, naming the field', () => {
    expect(issues({ components: { mlops: { experiments: [{ ...TRAIN, gpu: 1 }] } } })).toEqual([
      'components.mlops.experiments[0].gpu: requests 1 GPU(s) but the cluster has no GPUs (cluster.gpu is not set); use 0',
    ]);
  });

  it('refuses more GPUs than a node has', () => {
    expect(issues({ components: { mlops: { experiments: [{ ...TRAIN, gpu: 5 }] } } }, prod)).toEqual([
      'components.mlops.experiments[0].gpu: requests 5 GPUs but a node has 4 (cluster.gpu.perNode); the pod could never be scheduled',
    ]);
    expect(() => parseEnvironment(merge(prod, { components: { mlops: { experiments: [{ ...TRAIN, gpu: 4 }] } } }))).not.toThrow();
  });

  it('refuses a GPU quota without GPUs', () => {
    expect(issues({ components: { mlops: { quotas: { training: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' }, gpu: 1 } } } } })).toEqual([
      'components.mlops.quotas.training.gpu: a GPU quota on a cluster without GPUs (cluster.gpu is not set)',
    ]);
  });

  it('refuses NFS sharing without a shared storage class', () => {
    expect(issues({ components: { mlops: { storage: { backend: 'nfs', nfs: { server: 'nfs', share: '/e' } } } } })).toEqual([
      "components.mlops.storage.backend: backend 'nfs' shares the model volume ReadWriteMany, but the cluster has no shared storage class (cluster.storageClasses.shared)",
    ]);
  });

  it('refuses NFS without an export', () => {
    const r = MlopsSchema.safeParse({ storage: { backend: 'nfs' } });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual(["storage.nfs: backend 'nfs' needs nfs.server and nfs.share"]);
  });

  it('refuses a node directory shared by several nodes', () => {
    expect(issues({ components: { mlops: { storage: { backend: 'hostPath' } } } }, prod)).toEqual([
      "components.mlops.storage.backend: backend 'hostPath' is one node's directory; on 3 nodes training and serving pods would see different data. Use backend 'nfs' with a shared storage class",
    ]);
  });

  it('refuses an external store without egress, and egress without an external store', () => {
    expect(issues({ components: { mlops: { mlflow: { backendStoreUriSecret: { name: 'db', key: 'uri' } } } } })).toEqual([
      'components.mlops.mlflow.egress: an external backend or artifact store needs egress (cidrs and ports) to reach it; the namespace denies egress by default',
    ]);
    expect(issues({ components: { mlops: { mlflow: { egress: { cidrs: ['10.0.0.0/8'], ports: [5432] } } } } })).toEqual([
      'components.mlops.mlflow.egress: egress is only used with an external store (backendStoreUriSecret or s3)',
    ]);
  });

  it('refuses bad serving bounds and a node port without NodePort', () => {
    expect(issues({ components: { mlops: { serving: { minReplicas: 1 } } } })).toEqual(['components.mlops.serving.minReplicas: Number must be greater than or equal to 2']);
    expect(issues({ components: { mlops: { serving: { minReplicas: 5, maxReplicas: 3 } } } })).toEqual(['components.mlops.serving.maxReplicas: maxReplicas (3) is below minReplicas (5)']);
    expect(issues({ components: { mlops: { serving: { serviceType: 'LoadBalancer', nodePort: 30800 } } } })).toEqual(["components.mlops.serving.nodePort: nodePort needs serviceType 'NodePort' (it is 'LoadBalancer')"]);
  });

  it('refuses duplicate experiments, long names, bad hyper-parameter names and one namespace for both', () => {
    expect(issues({ components: { mlops: { experiments: [TRAIN, TRAIN] } } })).toEqual(["components.mlops.experiments[1].name: duplicate experiment name 'gpu-train'"]);
    expect(issues({ components: { mlops: { experiments: [{ ...TRAIN, name: 'a'.repeat(53) }] } } })).toEqual([
      'components.mlops.experiments[0].name: at most 52 characters (the Job name appends -<10 hex digits>)',
    ]);
    expect(issues({ components: { mlops: { experiments: [{ ...TRAIN, hyperParameters: { nEstimators: 1 } }] } } })[0]).toMatch(/^components\.mlops\.experiments\[0\]\.hyperParameters\.nEstimators: must be kebab-case/);
    expect(issues({ components: { mlops: { servingNamespace: 'mlops-training' } } })).toEqual(['components.mlops.servingNamespace: training and serving must be separate namespaces']);
  });

  it('refuses a serving quota the HPA maximum and a rollout surge would exceed', () => {
    expect(issues({ components: { mlops: { serving: { maxReplicas: 12 } } } })).toEqual([
      'components.mlops.quotas.serving.limits.cpu: 12 is less than 13 pods (maxReplicas 12 + 1 rollout surge) × 1 limits.cpu',
    ]);
    expect(issues({ components: { mlops: { serving: { resources: { requests: { cpu: '250m', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } } } } } })).toEqual([
      'components.mlops.quotas.serving.requests.memory: 4Gi is less than 11 pods (maxReplicas 10 + 1 rollout surge) × 1Gi requests.memory',
      'components.mlops.quotas.serving.limits.memory: 8Gi is less than 11 pods (maxReplicas 10 + 1 rollout surge) × 1Gi limits.memory',
    ]);
    expect(parseQuantity('250m')).toBe(0.25);
    expect(parseQuantity('512Mi')).toBe(512 * 2 ** 20);
    expect(parseQuantity('1G')).toBe(1e9);
  });

  it('rejects unknown fields', () => {
    expect(issues({ components: { mlops: { experimnts: [] } } })).toEqual(["components.mlops.experimnts: unknown field — did you mean 'experiments'?"]);
  });
});

describe('chatbot configuration', () => {
  it('refuses a GPU back end on a cluster without GPUs, naming the field', () => {
    expect(issues({ components: { chatbot: { backend: { gpu: 1 } } } })).toEqual([
      'components.chatbot.backend.gpu: requests 1 GPU(s) but the cluster has no GPUs (cluster.gpu is not set); use 0',
    ]);
  });

  it('refuses more GPUs than a node has', () => {
    expect(issues({ components: { chatbot: { backend: { gpu: 8 } } } }, prod)).toEqual([
      'components.chatbot.backend.gpu: requests 8 GPUs but a node has 4 (cluster.gpu.perNode); the pod could never be scheduled',
    ]);
  });

  it('refuses back-end replicas sharing the model volume without a shared storage class', () => {
    expect(issues({ components: { chatbot: { backend: { replicas: 2 } } } })).toEqual([
      'components.chatbot.backend.replicas: 2 back-end replicas share the model volume, which needs ReadWriteMany storage; the cluster has no shared storage class (cluster.storageClasses.shared)',
    ]);
  });

  it('reports nothing for a disabled component', () => {
    expect(() => parseEnvironment(merge(dev, { components: { chatbot: { enabled: false, backend: { gpu: 1 } } } }))).not.toThrow();
  });
});
