import { describe, expect, it } from 'vitest';
import { ConfigError, parseEnvironment } from '../../lib/core/config';
import { checkRuntimeClasses, requiredRuntimeClasses } from '../../lib/tools/runtime-classes';
import type { ManifestObject } from '../../lib/tools/tree';
import { formatVerify, verifyExitCode, verifyObjects } from '../../lib/tools/verify';
import { prod } from '../../stacks/prod';
import { allObjects, synthEnvironment } from '../helpers';
import { ClusterWith, deployment } from './fixtures';

const gpuPod = (name: string, runtimeClassName: string) => deployment(name, 'ml', 'ghcr.io/acme/gpu:1', { template: { metadata: { labels: { app: name } }, spec: { runtimeClassName, containers: [{ name: 'c', image: 'ghcr.io/acme/gpu:1' }] } } }) as ManifestObject;
const runtimeClass = (name: string) => ({ apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass', metadata: { name }, handler: 'nvidia' }) as unknown as ManifestObject;

/** A cluster that has the RuntimeClasses given and nothing else. */
const Cluster = (names: readonly string[]) => new ClusterWith('/apis/node.k8s.io/v1/runtimeclasses', names);

describe('RuntimeClasses the cluster must have', () => {
  it('are those the pods name and the tree does not create', () => {
    expect(requiredRuntimeClasses([gpuPod('a', 'nvidia'), gpuPod('b', 'kata')])).toEqual(['kata', 'nvidia']);
    expect(requiredRuntimeClasses([gpuPod('a', 'nvidia'), runtimeClass('nvidia')])).toEqual([]);
  });

  it('fail verify when the cluster lacks one, and pass when it has it', async () => {
    const missing = await verifyObjects(Cluster([]), [gpuPod('a', 'nvidia')], { environment: 'prod', drift: false });
    expect(missing.dryRun).toContainEqual(expect.objectContaining({ object: 'RuntimeClass/nvidia', outcome: 'failed' }));
    expect(formatVerify(missing)).toContain("runtimeClassName 'nvidia', which the cluster does not have and the tree does not create (set cluster.gpu.createRuntimeClass");
    expect(verifyExitCode(missing)).toBe(1);
    expect(await checkRuntimeClasses(Cluster(['nvidia']), [gpuPod('a', 'nvidia')])).toEqual([{ object: 'RuntimeClass/nvidia', outcome: 'ok' }]);
  });

  it('asks nothing when the tree creates the RuntimeClass or no pod names one', async () => {
    const cluster = Cluster([]);
    expect(await checkRuntimeClasses(cluster, [gpuPod('a', 'nvidia'), runtimeClass('nvidia')])).toEqual([]);
    expect(cluster.requests).toEqual([]);
  });
});

describe('cluster.gpu.createRuntimeClass', () => {
  it('creates RuntimeClass nvidia (handler nvidia) in component gpu-runtime, synced before every component with a pod that names it', () => {
    const out = synthEnvironment({}, prod);
    const rc = allObjects(out).filter((o) => o.kind === 'RuntimeClass');
    expect(rc).toEqual([expect.objectContaining({ apiVersion: 'node.k8s.io/v1', metadata: expect.objectContaining({ name: 'nvidia' }), handler: 'nvidia' })]);
    const wave = (component: string) => Number((allObjects(out).find((o) => o.kind === 'Application' && o.metadata.name === component)!.metadata.annotations as Record<string, string>)['argocd.argoproj.io/sync-wave']);
    for (const user of ['chatbot', 'models']) expect(wave(user), user).toBeGreaterThan(wave('gpu-runtime'));
  });

  it('takes another handler, and creates nothing where the cluster has the RuntimeClass', () => {
    const handler = allObjects(synthEnvironment({ cluster: { gpu: { runtimeHandler: 'nvidia-cdi' } } }, prod)).find((o) => o.kind === 'RuntimeClass');
    expect(handler?.handler).toBe('nvidia-cdi');
    const provided = synthEnvironment({ cluster: { gpu: { createRuntimeClass: false } } }, prod);
    expect(allObjects(provided).filter((o) => o.kind === 'RuntimeClass')).toEqual([]);
    expect([...provided.files.keys()].filter((f) => f.includes('gpu-runtime'))).toEqual([]);
  });

  it('needs runtimeClassName, an error naming the field', () => {
    const input = structuredClone(prod) as typeof prod & { cluster: { gpu: { runtimeClassName?: string } } };
    delete input.cluster.gpu.runtimeClassName;
    expect(() => parseEnvironment(input)).toThrow(ConfigError);
    expect(() => parseEnvironment(input)).toThrow(/cluster\.gpu\.createRuntimeClass.*needs runtimeClassName/);
  });
});
