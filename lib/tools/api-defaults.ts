/**
 * Values the API server fills in when a field is unset, so `kompile diff` does not report
 * `a: unset → a: <default>` as a change. Only defaults that depend on nothing but the object itself
 * (no feature gate, no cluster configuration) are listed, from Kubernetes 1.28:
 * - pkg/apis/apps/v1/defaults.go `SetDefaults_StatefulSet`: `spec.podManagementPolicy: OrderedReady`;
 * - pkg/apis/core/v1/defaults.go `SetDefaults_PersistentVolumeClaimSpec` (also used for a
 *   StatefulSet's volume claim templates): `volumeMode: Filesystem`; `SetDefaults_PersistentVolume`:
 *   `persistentVolumeReclaimPolicy: Retain`, `volumeMode: Filesystem`; `SetDefaults_Service`:
 *   `sessionAffinity: None`, `type: ClusterIP`; `SetDefaults_Secret`: `type: Opaque`;
 *   `SetDefaults_Container`: `imagePullPolicy` is `Always` for an image tagged `latest` or not tagged
 *   (and without a digest), else `IfNotPresent`.
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
      if (isRecord(spec) && Array.isArray(spec.volumeClaimTemplates)) for (const t of spec.volumeClaimTemplates) if (isRecord(t)) fill(t.spec, 'volumeMode', 'Filesystem');
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
  }
  const path = POD_SPEC[groupKind];
  if (path) fillContainers(at(copy, path));
  return copy;
}
