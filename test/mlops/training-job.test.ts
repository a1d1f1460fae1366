import { describe, expect, it } from 'vitest';
import { canonicalJson, ExperimentSpec, MAX_EXPERIMENT_NAME, TrainingJob, trainingArgs, trainingJobName } from '../../lib/mlops/training-job';
import { dns1123LabelErrors } from '../../lib/tools/k8s-names';
import { findObject } from '../helpers';
import { at, container, envOf, fixture, list, maybe, render } from './support';

const BASE: ExperimentSpec = {
  name: 'iris',
  image: 'registry.local:5000/ops-demo/training:1.0.0',
  command: ['python', 'train.py'],
  hyperParameters: { 'n-estimators': 100, 'max-depth': 5 },
  runName: 'baseline',
};

describe('trainingJobName', () => {
  it('is the same for the same parameters, whatever the key order and explicit defaults', () => {
    const a = trainingJobName(BASE);
    expect(trainingJobName({ ...BASE })).toBe(a);
    expect(trainingJobName({ ...BASE, hyperParameters: { 'max-depth': 5, 'n-estimators': 100 } })).toBe(a);
    expect(trainingJobName({ ...BASE, cpu: '1', memory: '2Gi', gpu: 0 })).toBe(a);
  });

  it('is <name>-<10 hex digits>', () => {
    expect(trainingJobName(BASE)).toMatch(/^iris-[0-9a-f]{10}$/);
  });

  it('changes with every part of the pod template the experiment defines', () => {
    const a = trainingJobName(BASE);
    const changed: Partial<ExperimentSpec>[] = [
      { hyperParameters: { 'n-estimators': 200, 'max-depth': 5 } },
      { hyperParameters: { 'n-estimators': '100', 'max-depth': 5 } },
      { hyperParameters: { 'n-estimators': 100 } },
      { image: 'registry.local:5000/ops-demo/training:1.0.1' },
      { command: ['python', 'train2.py'] },
      { runName: 'other' },
      { mlflowExperiment: 'iris' },
      { cpu: '2' },
      { memory: '4Gi' },
      { gpu: 1 },
    ];
    const names = changed.map((c) => trainingJobName({ ...BASE, ...c }));
    for (const n of names) expect(n).not.toBe(a);
    expect(new Set(names).size).toBe(names.length);
  });

  it('stays a valid DNS label of at most 63 characters at the longest name', () => {
    const name = trainingJobName({ ...BASE, name: 'a'.repeat(MAX_EXPERIMENT_NAME) });
    expect(name.length).toBe(63);
    expect(dns1123LabelErrors(name)).toEqual([]);
  });

  it('refuses a name that would not fit', () => {
    expect(() => trainingJobName({ ...BASE, name: 'a'.repeat(MAX_EXPERIMENT_NAME + 1) })).toThrow(/at most 52 characters/);
    expect(() => trainingJobName({ ...BASE, name: 'Iris' })).toThrow(/DNS-1123 label/);
  });

  it('hashes a canonical JSON with sorted keys at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: 'x' } })).toBe('{"a":{"c":"x","d":[2,{"e":0,"f":1}]},"b":1}');
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
  });
});

describe('trainingArgs', () => {
  it('turns hyper-parameters into --name=value in name order, then the run name', () => {
    expect(trainingArgs(BASE)).toEqual(['--max-depth=5', '--n-estimators=100', '--run-name=baseline']);
  });
  it('uses the experiment name as run name by default', () => {
    expect(trainingArgs({ name: 'x', image: 'i:1', command: ['t'] })).toEqual(['--run-name=x']);
  });
});

describe('TrainingJob', () => {
  const props = {
    ...BASE,
    namespace: 'mlops-training',
    trackingUri: 'http://mlflow.mlops-training.svc.cluster.local:5000',
    modelClaim: 'models',
  };

  it('runs the experiment with MLflow injected, the model volume read-write, TTL and backoff', () => {
    const { platform, component } = fixture();
    const job = new TrainingJob(component, 'Job', props);
    const o = findObject(render(platform), 'Job', job.jobName, 'mlops-training');
    expect(at(o, 'spec.ttlSecondsAfterFinished')).toBe(86400);
    expect(at(o, 'spec.backoffLimit')).toBe(2);
    const c = container(o);
    expect(c.command).toEqual(['python', 'train.py']);
    expect(c.args).toEqual(['--max-depth=5', '--n-estimators=100', '--run-name=baseline']);
    const env = envOf(c);
    expect(env.get('MLFLOW_TRACKING_URI')?.value).toBe(props.trackingUri);
    expect(env.get('MODEL_DIR')?.value).toBe('/models');
    expect(env.has('MLFLOW_EXPERIMENT_NAME')).toBe(false);
    expect(list(c, 'volumeMounts')).toContainEqual({ name: 'models', mountPath: '/models' });
    expect(list(o, 'spec.template.spec.volumes')).toContainEqual({ name: 'models', persistentVolumeClaim: { claimName: 'models' } });
    expect(at(c, 'resources')).toEqual({ requests: { cpu: '1', memory: '2Gi' }, limits: { cpu: '1', memory: '2Gi' } });
    expect(at(o, 'spec.template.spec.restartPolicy')).toBe('Never');
    expect(at(o, 'spec.template.spec.securityContext')).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(at(c, 'securityContext')).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    // Argo CD hook: TTL deletion never makes the Application OutOfSync.
    expect(o.metadata.annotations).toMatchObject({ 'argocd.argoproj.io/hook': 'Sync', 'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation' });
    expect(o.metadata.labels).toMatchObject({ 'app.kubernetes.io/component': 'training-job', 'kompile.dev/experiment': 'iris' });
  });

  it('takes non-default TTL, backoff, mount path, MLflow experiment, resources and GPUs', () => {
    const { platform, component } = fixture();
    const job = new TrainingJob(component, 'Job', {
      ...props,
      ttlSecondsAfterFinished: 600,
      backoffLimit: 0,
      modelMountPath: '/data/models',
      mlflowExperiment: 'iris',
      cpu: '4',
      memory: '16Gi',
      gpu: 2,
      gpuResource: { resourceName: 'nvidia.com/gpu', runtimeClassName: 'nvidia', perNode: 4 },
    });
    const o = findObject(render(platform), 'Job', job.jobName);
    expect(at(o, 'spec.ttlSecondsAfterFinished')).toBe(600);
    expect(at(o, 'spec.backoffLimit')).toBe(0);
    expect(at(o, 'spec.template.spec.runtimeClassName')).toBe('nvidia');
    const c = container(o);
    expect(at(c, 'resources')).toEqual({ requests: { cpu: '4', memory: '16Gi' }, limits: { cpu: '4', memory: '16Gi', 'nvidia.com/gpu': 2 } });
    expect(envOf(c).get('MODEL_DIR')?.value).toBe('/data/models');
    expect(envOf(c).get('MLFLOW_EXPERIMENT_NAME')?.value).toBe('iris');
    expect(list(c, 'volumeMounts')).toContainEqual({ name: 'models', mountPath: '/data/models' });
  });

  it('sets no runtime class without GPUs', () => {
    const { platform, component } = fixture();
    const job = new TrainingJob(component, 'Job', { ...props, gpuResource: { resourceName: 'nvidia.com/gpu', runtimeClassName: 'nvidia', perNode: 4 } });
    expect(maybe(findObject(render(platform), 'Job', job.jobName), 'spec.template.spec.runtimeClassName')).toBeUndefined();
  });

  it('refuses GPUs on a cluster without them, and more GPUs than a node has', () => {
    const { component } = fixture();
    expect(() => new TrainingJob(component, 'A', { ...props, gpu: 1 })).toThrow(/prop 'gpu' requests 1 GPU\(s\) but the cluster has no GPUs/);
    expect(() => new TrainingJob(component, 'B', { ...props, gpu: 8, gpuResource: { resourceName: 'nvidia.com/gpu', perNode: 4 } })).toThrow(/prop 'gpu' requests 8 GPUs but a node has 4/);
  });
});
