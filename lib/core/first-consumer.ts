import { ApiObject } from 'cdk8s';

/**
 * Claims whose storage class binds only when their first pod is scheduled
 * (`volumeBindingMode: WaitForFirstConsumer`), each with that pod's object (a workload in the same
 * component). The synth gives such a claim exactly its consumer's sync wave (lib/core/synthesize.ts,
 * step 4).
 */
const consumerOf = new WeakMap<ApiObject, ApiObject>();

/** True when `storageClassName` is one of the cluster's WaitForFirstConsumer classes. */
export function waitsForFirstConsumer(storageClassName: string | undefined, waitForFirstConsumer: readonly string[] | undefined): boolean {
  return storageClassName !== undefined && (waitForFirstConsumer ?? []).includes(storageClassName);
}

/**
 * Orders a PersistentVolumeClaim against the workload that mounts it.
 *
 * - Immediate binding (`waits` false): the workload depends on the claim, so the claim is Bound (Argo
 *   CD: Healthy) in an earlier wave and the pod never waits for its volume.
 * - WaitForFirstConsumer (`waits` true): the claim stays Pending, which Argo CD's health reports as
 *   Progressing (argoproj/gitops-engine pkg/health/health_pvc.go: `ClaimPending` →
 *   `HealthStatusProgressing`), until a pod using it is scheduled (k3s' local-path, k3s-io/k3s
 *   manifests/local-storage.yaml). In an earlier wave than that pod, the wave would never end
 *   (argoproj/argo-cd#12840). The claim is therefore put in the same wave as the workload, with no
 *   dependency between them: Argo CD applies both, the pod schedules, the claim binds, both turn
 *   Healthy. A later wave would not do: the workload would wait for a claim that does not exist yet.
 *
 * Both must be in the same component (the synth reports anything else).
 */
export function orderClaimForConsumer(claim: ApiObject, consumer: ApiObject, waits: boolean): void {
  if (waits) consumerOf.set(claim, consumer);
  else consumer.addDependency(claim);
}

/** The workload a WaitForFirstConsumer claim shares its wave with, if {@link orderClaimForConsumer} set one. */
export function firstConsumerOf(claim: ApiObject): ApiObject | undefined {
  return consumerOf.get(claim);
}
