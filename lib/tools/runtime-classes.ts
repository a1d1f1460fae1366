/**
 * `kompile verify`'s check of the RuntimeClasses the environment expects the cluster to have: every
 * `runtimeClassName` its objects name (pod templates, InferenceService predictors) that no
 * RuntimeClass of the tree defines (`cluster.gpu.createRuntimeClass: false`, the cluster provides it).
 * The API server refuses a pod whose RuntimeClass does not exist, so a missing one fails the
 * verification like a failed dry run.
 */
import { checkProvided } from './cluster-provided';
import type { ApiTransport, DryRunResult } from './verify';
import type { ManifestObject } from './tree';

/** RuntimeClass names the objects use but do not define, sorted. */
export function requiredRuntimeClasses(objects: readonly ManifestObject[]): string[] {
  const defined = new Set(objects.filter((o) => o.kind === 'RuntimeClass' && o.apiVersion.startsWith('node.k8s.io/')).map((o) => o.metadata.name));
  const used = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (typeof node !== 'object' || node === null) return;
    for (const [k, v] of Object.entries(node)) {
      if (k === 'runtimeClassName' && typeof v === 'string' && v !== '') used.add(v);
      else walk(v);
    }
  };
  objects.forEach((o) => walk(o.spec));
  return [...used].filter((n) => !defined.has(n)).sort();
}

/** Asks the cluster for each RuntimeClass the tree needs but does not create: one result per name. */
export function checkRuntimeClasses(transport: ApiTransport, objects: readonly ManifestObject[]): Promise<DryRunResult[]> {
  return checkProvided(transport, 'RuntimeClass', '/apis/node.k8s.io/v1/runtimeclasses', requiredRuntimeClasses(objects), (name) =>
    `pods of the tree run with runtimeClassName '${name}', which the cluster does not have and the tree does not create (set cluster.gpu.createRuntimeClass, or install it on the cluster); the API server refuses such pods`,
  );
}
