import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { environments } from '../../stacks';
import { airgap } from '../../stacks/airgap';
import { compileAll } from '../../stacks/compile';
import { dev } from '../../stacks/dev';
import { prod } from '../../stacks/prod';
import { allObjects, findObject, K8sObject, objectsIn, synthEnvironment } from '../helpers';
import { at, list, maybe } from '../mlops/support';
import { IMAGE_PINS } from '../../lib/core/image-pins';

/**
 * The demo platform's own expectations: what its environments (stacks/dev.ts, prod.ts, airgap.ts)
 * hold. This is the one test file that knows them; a team that adopts Kompile replaces it with its
 * own platform's expectations. Behaviours every environment must have are tested over whatever
 * stacks/index.ts registers (test/stacks/, test/mlops/environments.test.ts).
 */
const outputs = compileAll([dev, prod, airgap]);
const byEnv = new Map(outputs.map((o) => [o.environment, o]));
const MLOPS_COMPONENTS = ['mlops-storage', 'mlops-training', 'mlops-experiments', 'mlops-serving', 'chatbot'];

const workloadObjects = (env: string): K8sObject[] => MLOPS_COMPONENTS.flatMap((c) => objectsIn(byEnv.get(env)!, `${c}/manifests.yaml`));

describe('the demo platform', () => {
  it('registers dev, prod and airgap (among any a team adds)', () => {
    expect(environments.map((e) => e.name)).toEqual(expect.arrayContaining(['dev', 'prod', 'airgap']));
  });

  it.each(['dev', 'prod', 'airgap'])('%s has every MLOps and chatbot component', (env) => {
    for (const c of MLOPS_COMPONENTS) expect(byEnv.get(env)!.files.has(`apps/${c}.yaml`), c).toBe(true);
  });

  it('prod runs HA replicas where dev runs one', () => {
    const replicas = (env: string) => {
      const app = parseAllDocuments(byEnv.get(env)!.files.get('apps/toolhive-operator.yaml')!)[0].toJS() as K8sObject;
      return (app.spec as { source: { helm: { valuesObject: { operator: { replicaCount: number } } } } }).source.helm.valuesObject.operator.replicaCount;
    };
    expect(replicas('dev')).toBe(1);
    expect(replicas('prod')).toBe(2);
  });
});

describe('the demo platform keeps what the seeds’ own commands name', () => {
  it.each(['dev', 'prod', 'airgap'])('%s: port-forward svc/mlflow-service 5000:5000 and svc/iris-serving-service 8000:80 (seed 004)', (env) => {
    const objects = workloadObjects(env);
    const port = (name: string, namespace: string) => list(findObject(objects, 'Service', name, namespace), 'spec.ports')[0].port;
    expect(port('mlflow-service', 'mlops-training')).toBe(5000);
    expect(port('iris-serving-service', 'mlops-serving')).toBe(80);
    // `kubectl logs|rollout … deployment/iris-serving -n mlops-serving`
    findObject(objects, 'Deployment', 'iris-serving', 'mlops-serving');
  });

  it('runs the four experiments of seed 004, the fourth `optimized` with 300 trees of depth 15', () => {
    const runs = workloadObjects('dev')
      .filter((o) => o.kind === 'Job')
      .map((j) => (list(j, 'spec.template.spec.containers')[0].args as string[]).join(' '))
      .sort();
    expect(runs).toEqual([
      '--max-depth=15 --n-estimators=300 --run-name=optimized',
      '--max-depth=20 --n-estimators=100 --run-name=deeper-trees',
      '--max-depth=5 --n-estimators=100 --run-name=baseline',
      '--max-depth=5 --n-estimators=200 --run-name=more-trees',
    ]);
  });

  it('runs the ToolHive operator with seed 000’s resources, and opens no webhook port: the chart at v0.44.0 has no webhook', () => {
    const out = byEnv.get('dev')!;
    const app = objectsIn(out, 'apps/toolhive-operator.yaml')[0];
    expect(at(app, 'spec.source.helm.valuesObject.operator.resources')).toEqual({ requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '1000m', memory: '1Gi' } });
    const policies = objectsIn(out, 'namespaces/manifests.yaml').filter((o) => o.kind === 'NetworkPolicy' && o.metadata.namespace === 'toolhive');
    expect(policies.length).toBeGreaterThan(0);
    expect(JSON.stringify(policies)).not.toContain('9443');
  });

  it('sets the KCloud operator environment seed 001 lists', () => {
    const dep = findObject(objectsIn(byEnv.get('dev')!, 'kcloud-optimizer/manifests.yaml'), 'Deployment', 'kcloud-operator', 'kcloud-optimizer');
    expect(list(dep, 'spec.template.spec.containers')[0].env).toEqual([
      { name: 'WATCH_NAMESPACE', value: '' },
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'OPERATOR_NAME', value: 'kcloud-operator' },
    ]);
  });

  it('moves the KCloud example policies with the MLOps namespaces, and drops them with MLOps', () => {
    const kinds = ['WorkloadOptimizer', 'CostPolicy', 'PowerPolicy'];
    const placed = (objects: K8sObject[]) => objects.filter((o) => kinds.includes(o.kind)).map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`).sort();
    expect(placed(allObjects(byEnv.get('dev')!))).toEqual([
      'CostPolicy/mlops-serving/serving-budget',
      'CostPolicy/mlops-training/training-budget',
      'PowerPolicy/mlops-serving/serving-power',
      'PowerPolicy/mlops-training/training-power',
      'WorkloadOptimizer/mlops-serving/serving',
      'WorkloadOptimizer/mlops-training/training',
    ]);
    const renamed = allObjects(synthEnvironment({ components: { mlops: { trainingNamespace: 'train', servingNamespace: 'serve' } } }));
    expect(placed(renamed)).toEqual([
      'CostPolicy/serve/serving-budget',
      'CostPolicy/train/training-budget',
      'PowerPolicy/serve/serving-power',
      'PowerPolicy/train/training-power',
      'WorkloadOptimizer/serve/serving',
      'WorkloadOptimizer/train/training',
    ]);
    expect(at(findObject(renamed, 'MutatingWebhookConfiguration', 'kcloud-pod-mutator'), 'webhooks.0.namespaceSelector.matchExpressions.0.values')).toEqual(['train', 'serve']);
    const off = synthEnvironment({ components: { mlops: { enabled: false } } });
    expect(allObjects(off).filter((o) => kinds.includes(o.kind) || o.kind === 'MutatingWebhookConfiguration')).toEqual([]);
    expect(off.files.has('apps/kcloud-optimizer.yaml')).toBe(true);
  });
});

describe('the demo airgap environment', () => {
  const out = byEnv.get('airgap')!;

  it('mirrors images of both public registries the platform uses', () => {
    const toMirror = out.files.get('images.txt')!.trimEnd().split('\n');
    expect(toMirror.some((i) => i.startsWith('docker.io/'))).toBe(true);
    expect(toMirror.some((i) => i.startsWith('ghcr.io/'))).toBe(true);
  });

  it('syncs from the site Git server and the site registry only', () => {
    const repoURLs = allObjects(out).flatMap((o) => {
      const spec = o.spec as { source?: { repoURL?: string }; sources?: { repoURL?: string }[] } | undefined;
      return [spec?.source?.repoURL, ...(spec?.sources ?? []).map((s) => s.repoURL)].filter((u): u is string => typeof u === 'string');
    });
    expect(repoURLs.length).toBeGreaterThan(0);
    for (const url of repoURLs) expect(url).toMatch(/^(https:\/\/git\.airgap\.internal\/|registry\.airgap\.internal:35000\/)/);
  });

  it('still has the same components as prod', () => {
    const components = (env: string) => [...byEnv.get(env)!.files.keys()].filter((f) => f.startsWith('apps/')).sort();
    expect(components('airgap')).toEqual(components('prod'));
  });

  it('pulls every workload image from the mirror, or from the platform registry CI pushes to', () => {
    const images = workloadObjects('airgap').flatMap((o) => {
      const pod = maybe(o, 'spec.template.spec');
      return pod ? list(pod, 'containers').map((c) => String(c.image)) : [];
    });
    expect(images.length).toBeGreaterThan(0);
    for (const image of images) expect(image).toMatch(/^(registry\.airgap\.internal:35000|registry\.local:30500)\//);
    expect(images).toContain('registry.airgap.internal:35000/mlflow/mlflow:v2.22.0');
    expect(images).toContain(`registry.airgap.internal:35000/${IMAGE_PINS.reference('chroma').replace(/^docker\.io\//, '')}`);
  });

  it('lists the workload images to mirror', () => {
    expect(out.images.get('ghcr.io/mlflow/mlflow:v2.22.0')).toBe('registry.airgap.internal:35000/mlflow/mlflow:v2.22.0');
    expect(out.images.get('registry.local:30500/chatbot/backend:1.0.0')).toBe('registry.local:30500/chatbot/backend:1.0.0');
  });

  it('keeps the in-cluster tracking URI', () => {
    const job = workloadObjects('airgap').find((o) => o.kind === 'Job')!;
    const env = list(list(job, 'spec.template.spec.containers')[0], 'env');
    expect(env).toContainEqual({ name: 'MLFLOW_TRACKING_URI', value: 'http://mlflow-service.mlops-training.svc.cluster.local:5000' });
    expect(at(job, 'metadata.namespace')).toBe('mlops-training');
  });
});
