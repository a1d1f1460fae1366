/**
 * Sync-wave order of volume claims against the pods that mount them, on storage classes that bind a
 * claim only when its first pod is scheduled (`volumeBindingMode: WaitForFirstConsumer`; k3s'
 * `local-path` is one: k3s-io/k3s manifests/local-storage.yaml).
 *
 * Such a claim stays `Pending` until a pod using it is scheduled (the PV controller delays binding
 * for claims without `spec.volumeName`: kubernetes/kubernetes
 * pkg/controller/volume/persistentvolume/pv_controller.go, `syncUnboundClaim` calls
 * `shouldDelayBinding` only when `claim.Spec.VolumeName == ""`; a claim pre-bound to a volume binds as
 * soon as the volume exists). Argo CD reports a Pending claim as Progressing
 * (argoproj/gitops-engine pkg/health/health_pvc.go: `ClaimPending` → `HealthStatusProgressing`) and
 * starts a wave only when the earlier one is healthy, so a claim in an earlier wave than its first
 * consumer never lets its wave end (argoproj/argo-cd#12840).
 *
 * Waves compare component first (the wave on the component's Application, `apps/<name>.yaml`), then
 * object (the wave on the object itself); Argo CD's app-of-apps syncs the Applications in order, and
 * each Application its own objects in order. The synth and `kompile validate` both run this.
 */
import { groupKind, list, ManifestLike, rec, waveOf } from './objects';
import { runningPods } from './pods';

/** The label every object Kompile writes carries, naming its component (its Application too). */
export const COMPONENT_LABEL = 'kompile.dev/component';

/** A claim that comes in an earlier wave than the first pod that mounts it. */
export interface SyncWaveFinding {
  /** Index of the claim in the list given. */
  readonly index: number;
  /** Index of the object whose pod is the claim's first consumer. */
  readonly consumerIndex: number;
  readonly message: string;
}

/** Where an object comes in the sync: its component's wave, then its own. */
interface Position {
  readonly component: string;
  readonly componentWave: number;
  readonly wave: number;
}

function isApplication(o: ManifestLike): boolean {
  return groupKind(o) === 'argoproj.io/Application';
}

function before(a: Position, b: Position): boolean {
  return a.componentWave < b.componentWave || (a.componentWave === b.componentWave && a.wave < b.wave);
}

function describe(p: Position): string {
  return `component '${p.component}' wave ${p.componentWave}, object wave ${p.wave}`;
}

/**
 * Claims of a WaitForFirstConsumer class, not pre-bound to a volume, that sync in an earlier wave
 * than their first consumer: a pod template (or a pod a controller makes) in the same namespace
 * mounting the claim through `persistentVolumeClaim.claimName`.
 *
 * @param objects the environment's objects, Applications included, with their wave annotations
 * @param waitForFirstConsumer the cluster's WaitForFirstConsumer storage classes
 * @param componentOf the component of an object without the `kompile.dev/component` label (objects
 *   a chart renders); @default - none: such objects are in no component, at component wave 0
 */
export function syncWaveFindings(objects: readonly ManifestLike[], waitForFirstConsumer: ReadonlySet<string>, componentOf: (index: number) => string | undefined = () => undefined): SyncWaveFinding[] {
  if (waitForFirstConsumer.size === 0) return [];
  const componentWaves = new Map<string, number>();
  for (const o of objects) {
    if (!isApplication(o)) continue;
    const component = o.metadata.labels?.[COMPONENT_LABEL] ?? o.metadata.name;
    componentWaves.set(component, waveOf(o));
  }
  const positionOf = (index: number): Position => {
    const o = objects[index];
    const component = o.metadata.labels?.[COMPONENT_LABEL] ?? componentOf(index) ?? '';
    return { component, componentWave: componentWaves.get(component) ?? 0, wave: waveOf(o) };
  };

  // namespace/claim → the earliest pod mounting it.
  const firstConsumer = new Map<string, { index: number; position: Position }>();
  for (const pod of runningPods(objects)) {
    for (const v of list(pod.spec.volumes)) {
      const claimName = rec(v.persistentVolumeClaim).claimName;
      if (typeof claimName !== 'string') continue;
      const key = `${pod.namespace}/${claimName}`;
      const position = positionOf(pod.index);
      const known = firstConsumer.get(key);
      if (!known || before(position, known.position)) firstConsumer.set(key, { index: pod.index, position });
    }
  }

  const findings: SyncWaveFinding[] = [];
  objects.forEach((o, index) => {
    if (groupKind(o) !== '/PersistentVolumeClaim') return;
    const spec = rec(o.spec);
    if (typeof spec.storageClassName !== 'string' || !waitForFirstConsumer.has(spec.storageClassName)) return;
    // Pre-bound to a volume: the PV controller binds it without waiting for a pod.
    if (typeof spec.volumeName === 'string' && spec.volumeName !== '') return;
    const consumer = firstConsumer.get(`${o.metadata.namespace ?? ''}/${o.metadata.name}`);
    if (!consumer) return;
    const position = positionOf(index);
    if (!before(position, consumer.position)) return;
    const c = objects[consumer.index];
    findings.push({
      index,
      consumerIndex: consumer.index,
      message:
        `PersistentVolumeClaim '${o.metadata.name}' (storage class '${spec.storageClassName}', WaitForFirstConsumer) syncs in ${describe(position)}, ` +
        `before its first consumer ${c.kind} '${c.metadata.name}' (${describe(consumer.position)}): the claim stays Pending, Argo CD counts it Progressing, ` +
        'and its wave never ends; put the claim in its consumer\'s component and wave (lib/core/first-consumer.ts)',
    });
  });
  return findings;
}
