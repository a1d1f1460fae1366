import { describe, expect, it } from 'vitest';
import { ConfigError, parseEnvironment } from '../../lib/core/config';
import { merge } from '../../stacks/base';
import { dev } from '../../stacks/dev';
import { prod } from '../../stacks/prod';
import { airgap } from '../../stacks/airgap';

type Input = Parameters<typeof parseEnvironment>[0];

/** The issues of parsing `base` with `serving` merged into its serving slice. */
function issues(serving: Record<string, unknown>, baseEnv: Input = dev): { path: string; message: string }[] {
  try {
    parseEnvironment(merge(baseEnv, { components: { serving } }));
  } catch (e) {
    if (e instanceof ConfigError) return [...e.issues];
    throw e;
  }
  return [];
}

const iris = { name: 'iris', format: 'sklearn', storageUri: 'gs://bucket/iris' };

describe('serving configuration', () => {
  it('fills defaults matching the CRDs in shared/crds', () => {
    const s = parseEnvironment(prod).components.serving;
    // Chart versions are in charts.lock.json; only the Knative images the operator installs are pinned here.
    expect(s.versions).toEqual({ knativeServing: '1.16.3', netIstio: '1.16.0' });
    expect(s.deploymentMode).toBe('Serverless');
    expect(s.mtls).toBe('STRICT');
    expect(s.knative.autoscaler).toEqual({ scaleToZero: true, targetConcurrency: 100, scaleToZeroGracePeriod: '30s' });
  });

  it('is on in every environment, with the seed models where they fit', () => {
    const names = (env: Input) => parseEnvironment(env).components.serving.models.map((m) => m.name);
    expect(names(dev)).toEqual(['sklearn-iris']);
    expect(names(prod)).toEqual(['sklearn-iris', 'pytorch-cifar10']);
    expect(names(airgap)).toEqual(['sklearn-iris', 'pytorch-cifar10']);
    expect(parseEnvironment(dev).components.serving.deploymentMode).toBe('RawDeployment');
    expect(parseEnvironment(airgap).components.serving.models.map((m) => m.storageUri)).toEqual(['pvc://models/sklearn/iris', 'pvc://models/torchserve/image_classifier/v1']);
  });

  it('rejects Serverless without Knative, naming the field', () => {
    expect(issues({ deploymentMode: 'Serverless', knative: { enabled: false } })).toContainEqual({
      path: 'components.serving.knative.enabled',
      message: expect.stringMatching(/Serverless.*Knative/),
    });
  });

  it('accepts RawDeployment without Knative', () => {
    expect(issues({ deploymentMode: 'RawDeployment', knative: { enabled: false } })).toEqual([]);
  });

  it('rejects a GPU on a cluster without GPUs, naming the model field', () => {
    expect(issues({ models: [{ ...iris, gpu: 1 }] })).toContainEqual({ path: 'components.serving.models[0].gpu', message: expect.stringMatching(/model 'iris' requests 1 GPU\(s\) but the cluster has no GPUs/) });
  });

  it('rejects more GPUs than a node has', () => {
    expect(issues({ models: [{ ...iris, gpu: 5 }] }, prod)).toContainEqual({ path: 'components.serving.models[0].gpu', message: expect.stringMatching(/node has 4/) });
    expect(issues({ models: [{ ...iris, gpu: 4 }] }, prod)).toEqual([]);
  });

  it('rejects a canary without a previous revision', () => {
    expect(issues({ models: [{ ...iris, canary: { trafficPercent: 10 } }] }, prod)).toContainEqual({
      path: 'components.serving.models[0].canary.previousStorageUri',
      message: expect.stringMatching(/previous revision/),
    });
  });

  it('rejects a canary whose previous revision is the model itself', () => {
    expect(issues({ models: [{ ...iris, canary: { trafficPercent: 10, previousStorageUri: iris.storageUri } }] }, prod)).toContainEqual({
      path: 'components.serving.models[0].canary.previousStorageUri',
      message: expect.stringMatching(/same as storageUri/),
    });
  });

  it('rejects canaries and scale to zero in RawDeployment', () => {
    const found = issues({ models: [{ ...iris, minReplicas: 0, canary: { trafficPercent: 10, previousStorageUri: 'gs://bucket/old' } }] });
    expect(found).toContainEqual({ path: 'components.serving.models[0].canary', message: expect.stringMatching(/Serverless/) });
    expect(found).toContainEqual({ path: 'components.serving.models[0].minReplicas', message: expect.stringMatching(/Serverless/) });
  });

  it('rejects a storage scheme the environment forbids, also for the previous revision', () => {
    const found = issues({ models: [{ ...iris, canary: { trafficPercent: 20, previousStorageUri: 'gs://bucket/old' } }] }, airgap);
    expect(found).toContainEqual({ path: 'components.serving.models[0].storageUri', message: expect.stringMatching(/'gs:\/\/' is not allowed/) });
    expect(found).toContainEqual({ path: 'components.serving.models[0].canary.previousStorageUri', message: expect.stringMatching(/'gs:\/\/' is not allowed/) });
  });

  it('rejects a pvc:// URI naming a volume that is not declared', () => {
    expect(issues({ models: [{ ...iris, storageUri: 'pvc://other/iris' }] }, airgap)).toContainEqual({
      path: 'components.serving.models[0].storageUri',
      message: "PVC 'other' is not one of storage.volumes",
    });
  });

  it('rejects URIs with unknown schemes', () => {
    expect(issues({ models: [{ ...iris, storageUri: 'ftp://host/iris' }] })).toContainEqual({ path: 'components.serving.models[0].storageUri', message: expect.stringMatching(/storage URI/) });
  });

  it('needs an image for custom models and refuses one for the others', () => {
    expect(issues({ models: [{ ...iris, format: 'custom' }] })).toContainEqual({ path: 'components.serving.models[0].image', message: expect.stringMatching(/custom/) });
    expect(issues({ models: [{ ...iris, image: 'example/server:1' }] })).toContainEqual({ path: 'components.serving.models[0].image', message: expect.stringMatching(/only for format 'custom'/) });
  });

  it('rejects replica bounds the wrong way round and duplicate names', () => {
    expect(issues({ models: [{ ...iris, minReplicas: 3, maxReplicas: 2 }] })).toContainEqual({ path: 'components.serving.models[0].maxReplicas', message: expect.stringMatching(/below minReplicas/) });
    expect(issues({ models: [iris, iris] })).toContainEqual({ path: 'components.serving.models[1].name', message: "duplicate model name 'iris'" });
  });

  it('rejects typos and bad domains', () => {
    expect(issues({ deploymentMod: 'Serverless' })).toContainEqual({ path: 'components.serving.deploymentMod', message: "unknown field — did you mean 'deploymentMode'?" });
    expect(issues({ domain: 'Not A Domain' })).toContainEqual({ path: 'components.serving.domain', message: expect.stringMatching(/DNS name/) });
  });

  it('checks nothing of a disabled stack', () => {
    // The chatbot's /api is authenticated by the mesh, which needs the stack: off here too.
    expect(issues({ enabled: false, knative: { enabled: false }, models: [{ ...iris, gpu: 3 }] }, merge(dev, { components: { chatbot: { enabled: false } } }))).toEqual([]);
    expect(issues({ enabled: false })).toEqual([{ path: 'components.chatbot.enabled', message: expect.stringContaining("the chatbot's /api is authenticated by Istio") }]);
  });
});
