/**
 * Values the API server fills in when a field is unset, so `kompile diff` does not report
 * `a: unset → a: <default>` as a change. Only defaults that depend on nothing but the object itself
 * (no feature gate, no cluster configuration) are listed. Each is stated in the Kubernetes 1.28 OpenAPI
 * definitions (../shared/crds/kubernetes/v1.28.0/_definitions.json, the field's description; none of
 * these carries a machine-readable `default`) and set by the defaulting code named beside it
 * (pkg/apis/<group>/v1/defaults.go):
 * - apps/v1 `SetDefaults_StatefulSet`: `podManagementPolicy: OrderedReady` ("The default policy is
 *   `OrderedReady`"), `replicas: 1`, `revisionHistoryLimit: 10`; `SetDefaults_Deployment`:
 *   `replicas: 1`, `revisionHistoryLimit: 10`, `progressDeadlineSeconds: 600` ("Defaults to 1/10/600s");
 * - core/v1 `SetDefaults_PersistentVolumeClaimSpec` (also a StatefulSet's volume claim templates):
 *   `volumeMode: Filesystem` ("Value of Filesystem is implied"); `SetDefaults_PersistentVolume`:
 *   `persistentVolumeReclaimPolicy: Retain` ("Retain (default for manually created
 *   PersistentVolumes)"), `volumeMode: Filesystem`; `SetDefaults_Service`: `sessionAffinity: None`,
 *   `type: ClusterIP` ("Defaults to None/ClusterIP"); `SetDefaults_Secret`: `type: Opaque` (code only,
 *   the definition does not say); `SetDefaults_Container`: `imagePullPolicy` is `Always` for an image
 *   tagged `latest` or not tagged (and without a digest), else `IfNotPresent` ("Defaults to Always if
 *   :latest tag is specified, or IfNotPresent otherwise");
 * - batch/v1 `SetDefaults_Job`: `completionMode: NonIndexed` ("`NonIndexed` (default)"),
 *   `backoffLimit: 6` ("Defaults to 6"), `suspend: false`, and `completions`/`parallelism` 1 when both
 *   are unset (`parallelism` 1 when only it is); `SetDefaults_CronJob`: `concurrencyPolicy: Allow`,
 *   `suspend: false`, `successfulJobsHistoryLimit: 3`, `failedJobsHistoryLimit: 1`;
 * - storage/v1 `SetDefaults_StorageClass`: `reclaimPolicy: Delete` ("Defaults to Delete"),
 *   `volumeBindingMode: Immediate` ("When unset, VolumeBindingImmediate is used").
 */
import { ManifestObject } from './tree';

type Json = Record<string, unknown>;

function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Sets `key` on `obj` when it is unset. */
function fill(obj: unknown, key: string, value: unknown): void {
  if (isRecord(obj) && obj[key] === undefined) obj[key] = value;
}

/**
 * The pull policy the API server gives a container without one (`SetDefaults_Container`: the tag as
 * parsed by `parsers.ParseImageName`, which is `latest` for an image with neither tag nor digest).
 */
export function defaultPullPolicy(image: string): 'Always' | 'IfNotPresent' {
  if (image.includes('@')) return 'IfNotPresent';
  const last = image.slice(image.lastIndexOf('/') + 1);
  const colon = last.indexOf(':');
  const tag = colon < 0 ? 'latest' : last.slice(colon + 1);
  return tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function fillContainers(podSpec: unknown): void {
  if (!isRecord(podSpec)) return;
  for (const list of ['containers', 'initContainers']) {
    const containers = podSpec[list];
    if (!Array.isArray(containers)) continue;
    for (const c of containers) if (isRecord(c) && typeof c.image === 'string') fill(c, 'imagePullPolicy', defaultPullPolicy(c.image));
  }
}

/** `SetDefaults_Job` on a Job's spec (a CronJob's job template is not a Job: `SetDefaults_Job` does not run on it). */
function fillJob(spec: unknown): void {
  if (!isRecord(spec)) return;
  if (spec.completions === undefined && spec.parallelism === undefined) spec.completions = 1;
  fill(spec, 'parallelism', 1);
  fill(spec, 'backoffLimit', 6);
  fill(spec, 'completionMode', 'NonIndexed');
  fill(spec, 'suspend', false);
}

/** Where a kind keeps its pod template's spec. */
const POD_SPEC: Readonly<Record<string, readonly string[]>> = {
  'apps/Deployment': ['spec', 'template', 'spec'],
  'apps/StatefulSet': ['spec', 'template', 'spec'],
  'apps/DaemonSet': ['spec', 'template', 'spec'],
  'apps/ReplicaSet': ['spec', 'template', 'spec'],
  'batch/Job': ['spec', 'template', 'spec'],
  'batch/CronJob': ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
  '/Pod': ['spec'],
};

function at(obj: unknown, keys: readonly string[]): unknown {
  let cur = obj;
  for (const k of keys) cur = isRecord(cur) ? cur[k] : undefined;
  return cur;
}

/** A copy of `obj` with the API server's deterministic defaults filled in; `groupKind` is `group/Kind`. */
export function withApiDefaults(obj: ManifestObject, groupKind: string): ManifestObject {
  const copy = JSON.parse(JSON.stringify(obj)) as ManifestObject & Json;
  const spec = copy.spec;
  switch (groupKind) {
    case 'apps/StatefulSet':
      fill(spec, 'podManagementPolicy', 'OrderedReady');
      fill(spec, 'replicas', 1);
      fill(spec, 'revisionHistoryLimit', 10);
      if (isRecord(spec) && Array.isArray(spec.volumeClaimTemplates)) for (const t of spec.volumeClaimTemplates) if (isRecord(t)) fill(t.spec, 'volumeMode', 'Filesystem');
      break;
    case 'apps/Deployment':
      fill(spec, 'replicas', 1);
      fill(spec, 'revisionHistoryLimit', 10);
      fill(spec, 'progressDeadlineSeconds', 600);
      break;
    case '/PersistentVolumeClaim':
      fill(spec, 'volumeMode', 'Filesystem');
      break;
    case '/PersistentVolume':
      fill(spec, 'persistentVolumeReclaimPolicy', 'Retain');
      fill(spec, 'volumeMode', 'Filesystem');
      break;
    case '/Service':
      fill(spec, 'sessionAffinity', 'None');
      fill(spec, 'type', 'ClusterIP');
      break;
    case '/Secret':
      fill(copy, 'type', 'Opaque');
      break;
    case 'batch/Job':
      fillJob(spec);
      break;
    case 'batch/CronJob':
      fill(spec, 'concurrencyPolicy', 'Allow');
      fill(spec, 'suspend', false);
      fill(spec, 'successfulJobsHistoryLimit', 3);
      fill(spec, 'failedJobsHistoryLimit', 1);
      break;
    case 'storage.k8s.io/StorageClass':
      fill(copy, 'reclaimPolicy', 'Delete');
      fill(copy, 'volumeBindingMode', 'Immediate');
      break;
  }
  const path = POD_SPEC[groupKind];
  if (path) fillContainers(at(copy, path));
  return copy;
}
