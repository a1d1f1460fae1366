/**
 * `kompile diff`: two rendered trees compared by resource identity (environment, group, kind,
 * namespace, name) rather than by line, with what a reviewer must not miss called out: deletions that
 * lose data and changes to fields the API server will not change in place. A removed object is
 * reported with what Argo CD will actually do with it (see {@link RemovalOutcome}).
 */
import { HOOK_ANNOTATION, HOOK_DELETE_POLICY_ANNOTATION } from '../checks/argocd-hooks';
import { INSTALLS_CRDS } from '../core/component';
import { editDistance } from '../core/edit-distance';
import { canonicalReference } from '../core/image-reference';
import { findContainerImages } from '../core/images-walk';
import { groupOf } from '../core/kinds';
import { withApiDefaults } from './api-defaults';
import { deepEqual, diffFields, FieldChange, valueAt } from './field-diff';
import { parseQuantity } from '../core/quantity';
import { parse as parseYaml } from 'yaml';
import { displayName, environmentsOf, isGeneratedName, ManifestObject, namespaceOf, RenderedTree, resourceKey, TreeObject } from './tree';

export type ChangeType = 'added' | 'removed' | 'changed';

/**
 * What Argo CD does with an object that left the tree:
 * - `pruned`: its component stays and the sync deletes it (automated prune);
 * - `deleted`: its component's Application was removed and carries the cascade finalizer;
 * - `orphaned`: its component's Application was removed but Argo CD leaves the object in the
 *   cluster, unmanaged (`Delete=false`, a CRD, `helm.sh/resource-policy: keep`, or an Application
 *   without the finalizer);
 * - `out-of-sync`: its component stays but does not prune it (`Prune=false`, or automated prune off):
 *   it stays, and the Application shows OutOfSync until someone prunes it by hand.
 */
export type RemovalOutcome = 'pruned' | 'deleted' | 'orphaned' | 'out-of-sync';

/** What happens to a removed object, and why. */
export interface Removal {
  readonly outcome: RemovalOutcome;
  readonly reason: string;
}

/** One object that differs between the trees. */
export interface ObjectDiff {
  readonly environment: string;
  /** Component folder (of the new tree, or of the old one for removals). */
  readonly component: string;
  /** `Kind/namespace/name`. */
  readonly object: string;
  readonly type: ChangeType;
  /** Changed fields (for `changed`; a component move shows as the field `(component)`). */
  readonly fields: readonly FieldChange[];
  /** For `added`: its key fields on one line (images, replicas, storage, resources, storage URIs); empty when it has none. */
  readonly summary?: string;
  /** What Argo CD does that the YAML does not say (a hook recreated on each sync). */
  readonly note?: string;
  /**
   * For `removed`: what Argo CD will do with it. Undefined when no Application of the tree syncs the
   * object (e.g. `bootstrap/`, applied by hand); such a removal is treated as a deletion.
   */
  readonly removal?: Removal;
}

/** An object that leaves the tree but stays in the cluster: someone has to clean it up, or know. */
export interface KeptObject {
  readonly environment: string;
  readonly component: string;
  readonly object: string;
  readonly outcome: 'orphaned' | 'out-of-sync';
  readonly reason: string;
}

/** Images an environment pulls that appear or disappear. */
export interface ImageDiff {
  readonly environment: string;
  readonly added: readonly string[];
  readonly removed: readonly string[];
}

/** A change that can lose data or cannot be applied in place. */
export interface DestructiveChange {
  readonly environment: string;
  readonly component: string;
  /** `Kind/namespace/name`: also what acknowledges it (optionally prefixed `env:`). */
  readonly object: string;
  readonly reason: string;
  readonly acknowledged: boolean;
}

/** A safety net removed (e.g. a volume's Retain policy): nothing is lost now, but a later deletion loses data. */
export interface DiffWarning {
  readonly environment: string;
  readonly component: string;
  readonly object: string;
  readonly reason: string;
}

/** An acknowledgement (`--ack` or commit trailer) that matches no destructive change, with the ones it may have meant. */
export interface UnmatchedAck {
  readonly ack: string;
  /** The nearest destructive changes, `env:Kind/namespace/name`, closest first (at most 3). */
  readonly nearest: readonly string[];
}

export interface DiffReport {
  readonly objects: readonly ObjectDiff[];
  /** Acknowledgements that match nothing: probably a typo, so the change they meant still fails. */
  readonly unmatchedAcks: readonly UnmatchedAck[];
  /** Safety nets removed; reported, never failing `--fail-on destructive`. */
  readonly warnings: readonly DiffWarning[];
  readonly images: readonly ImageDiff[];
  readonly destructive: readonly DestructiveChange[];
  /** Removed objects Argo CD will leave in the cluster. */
  readonly kept: readonly KeptObject[];
}

export interface DiffOptions {
  /**
   * Destructive changes that are intended: `Kind/namespace/name` (`Kind/name` for cluster-scoped
   * objects), optionally prefixed with `env:` to acknowledge it in one environment only.
   * @default - none
   */
  readonly acknowledged?: readonly string[];
}

/** Kinds whose deletion loses data or everything inside them, keyed `group/Kind`. */
const DATA_KINDS: Readonly<Record<string, string>> = {
  '/PersistentVolumeClaim': 'deleting a PVC releases its volume; with the usual Delete reclaim policy the data is gone',
  '/PersistentVolume': 'deleting a PV can delete the backing storage (reclaim policy Delete)',
  '/Namespace': 'deleting a Namespace deletes every object in it, including objects Kompile does not manage',
  'apiextensions.k8s.io/CustomResourceDefinition': 'deleting a CRD deletes every custom resource of its kind, cluster-wide',
  'apps/StatefulSet': 'deleting a StatefulSet deletes its pods; its PVCs may be deleted too (persistentVolumeClaimRetentionPolicy)',
  // Custom resources that serve: deleting one takes down what clients call.
  'serving.kserve.io/InferenceService': 'deleting an InferenceService takes its model endpoint out of service',
  // Deleting the KnativeServing resource is how an Operator-based Knative Serving is uninstalled (OpenShift
  // Serverless "Uninstalling Knative Serving": delete the CR, then every pod of knative-serving goes).
  'operator.knative.dev/KnativeServing': 'deleting KnativeServing makes the Knative Operator uninstall Knative Serving: Knative Services (and serverless InferenceServices) lose their controllers, activator and webhooks',
};

// ---------------------------------------------------------------------------------------------------
// What Argo CD does with removed objects

const SYNC_OPTIONS = 'argocd.argoproj.io/sync-options';
/** Argo CD's cascade-deletion finalizer, with its optional propagation suffix. */
const CASCADE_FINALIZER = /^resources-finalizer\.argocd\.argoproj\.io(\/(foreground|background))?$/;

/** How an Application treats the objects it syncs. */
interface AppPolicy {
  readonly name: string;
  /** Carries the cascade finalizer: deleting the Application deletes its objects. */
  readonly cascade: boolean;
  /** Automated sync prunes (and no application-level `Prune=false`). */
  readonly prunes: boolean;
  /** Application-level `Delete=false` (Argo CD 3.4+). */
  readonly keepsOnDelete: boolean;
  readonly installsCrds: boolean;
}

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string').map((x) => x.trim()) : [];
}

function isApplication(o: ManifestObject): boolean {
  return o.kind === 'Application' && groupOf(o.apiVersion) === 'argoproj.io';
}

/**
 * Reads an Application the way Argo CD's controller does: cascade deletion only with
 * `resources-finalizer.argocd.argoproj.io[/foreground|/background]`
 * (https://argo-cd.readthedocs.io/en/stable/user-guide/app_deletion/); automated syncs prune only with
 * `syncPolicy.automated.prune: true`, and an application-level `Prune=false`/`Delete=false`
 * (Argo CD 3.4+, argo-cd PR #23370) is the default for every object without its own option.
 */
function appPolicy(app: ManifestObject): AppPolicy {
  const options = stringList(valueAt(app, 'spec.syncPolicy.syncOptions'));
  const annotations = (app.metadata.annotations ?? {}) as Record<string, unknown>;
  return {
    name: app.metadata.name,
    cascade: stringList(app.metadata.finalizers).some((f) => CASCADE_FINALIZER.test(f)),
    prunes: valueAt(app, 'spec.syncPolicy.automated.prune') === true && !options.includes('Prune=false'),
    keepsOnDelete: options.includes('Delete=false'),
    installsCrds: annotations[INSTALLS_CRDS] === 'true',
  };
}

/** The object's own `argocd.argoproj.io/sync-options` value for `key` (`Prune`, `Delete`). */
function syncOption(obj: ManifestObject, key: string): string | undefined {
  const raw = (obj.metadata.annotations as Record<string, unknown> | undefined)?.[SYNC_OPTIONS];
  if (typeof raw !== 'string') return undefined;
  for (const opt of raw.split(',').map((o) => o.trim())) if (opt.startsWith(`${key}=`)) return opt.slice(key.length + 1);
  return undefined;
}

/** The Applications of each environment: `env\0name` → policy; the root (in `bootstrap/`) as `env\0` + '(root)'. */
function applicationsOf(tree: RenderedTree): Map<string, AppPolicy> {
  const apps = new Map<string, AppPolicy>();
  for (const o of tree.objects) {
    if (!isApplication(o.object)) continue;
    if (o.component === 'apps') apps.set(`${o.environment}\u0000${o.object.metadata.name}`, appPolicy(o.object));
    else if (o.component === 'bootstrap') apps.set(`${o.environment}\u0000(root)`, appPolicy(o.object));
  }
  return apps;
}

/** Whether Argo CD's cascade deletion deletes the object (controller/appcontroller.go `shouldBeDeleted`, v2.7–v3.4). */
function cascadeReason(obj: ManifestObject, app: AppPolicy): string | undefined {
  if (groupKind(obj) === 'apiextensions.k8s.io/CustomResourceDefinition') return 'Argo CD never cascade-deletes CRDs';
  const own = syncOption(obj, 'Delete');
  if (own === 'false' || (own === undefined && app.keepsOnDelete)) return 'marked Delete=false';
  if ((obj.metadata.annotations as Record<string, unknown> | undefined)?.['helm.sh/resource-policy'] === 'keep') return 'marked helm.sh/resource-policy: keep';
  return undefined;
}

/**
 * What Argo CD does with `old` (removed from the tree): `owner` is its component's Application
 * before the change, `stays` the same Application after it (undefined when the component is gone).
 */
function removalOf(old: ManifestObject, owner: AppPolicy, stays: AppPolicy | undefined): Removal {
  if (stays) {
    const own = syncOption(old, 'Prune');
    if (own === 'false') return { outcome: 'out-of-sync', reason: 'marked Prune=false: stays in the cluster, and Application ' + stays.name + ' shows OutOfSync until it is pruned by hand' };
    if (!stays.prunes) return { outcome: 'out-of-sync', reason: `Application ${stays.name} does not prune: stays in the cluster, OutOfSync, until it is pruned by hand` };
    return { outcome: 'pruned', reason: `pruned by Application ${stays.name}` };
  }
  if (!owner.cascade) return { outcome: 'orphaned', reason: `Application ${owner.name} is removed without the resources finalizer: stays in the cluster, unmanaged` };
  const kept = cascadeReason(old, owner);
  if (kept) return { outcome: 'orphaned', reason: `${kept}: stays in the cluster, unmanaged, when Application ${owner.name} is removed` };
  return { outcome: 'deleted', reason: `deleted with its component (Application ${owner.name} carries the resources finalizer)` };
}

/** What removing a child Application from `apps/` does to the objects it synced. */
function applicationConsequence(app: AppPolicy, hasFolder: boolean): string {
  if (app.cascade) return 'its resources finalizer deletes the objects it synced, except those Argo CD keeps (listed per object)';
  const what = app.installsCrds ? 'every object it installed stays in the cluster, unmanaged, including its CustomResourceDefinitions (and so every custom resource of their kinds)' : 'every object it synced stays in the cluster, unmanaged';
  return `no resources finalizer: ${what}${hasFolder ? '' : ' (an upstream source: its objects are not in the tree)'}`;
}

/** A rule about fields the API server refuses to change (or that lose data when changed). */
type ImmutableRule = (before: ManifestObject, after: ManifestObject) => string[];

const changed = (before: unknown, after: unknown) => !deepEqual(before, after);

/** Fields that must not change, by `group/Kind`, with the consequence a reviewer needs to know. */
function fieldRule(paths: readonly string[], consequence: string): ImmutableRule {
  return (b, a) => paths.filter((p) => changed(valueAt(b, p), valueAt(a, p))).map((p) => `${p} changed: ${consequence}`);
}

/** ValidateConfigMapUpdate / ValidateSecretUpdate: an immutable object keeps its data and stays immutable. */
function immutableData(paths: readonly string[]): ImmutableRule {
  return (b, a) => {
    if (b.immutable !== true) return [];
    const out = paths.filter((p) => changed(valueAt(b, p), valueAt(a, p))).map((p) => `${p} changed on an immutable ${b.kind}: forbidden; it must be deleted and recreated`);
    if (a.immutable !== true) out.push(`immutable turned off: forbidden once set; the ${b.kind} must be deleted and recreated`);
    return out;
  };
}

/** Fields of a PersistentVolume's spec that are not its volume source (`PersistentVolumeSource` is inlined). */
const PV_NOT_SOURCE = new Set(['accessModes', 'capacity', 'claimRef', 'persistentVolumeReclaimPolicy', 'storageClassName', 'mountOptions', 'volumeMode', 'nodeAffinity', 'volumeAttributesClassName']);

function pvSource(o: ManifestObject): Record<string, unknown> {
  const spec = (valueAt(o, 'spec') ?? {}) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(spec).filter(([k]) => !PV_NOT_SOURCE.has(k)));
}

/** Safety nets whose removal is reported as a warning: a later deletion loses data. */
const SAFETY_NETS: Readonly<Record<string, readonly { path: string; unset: string; what: string }[]>> = {
  '/PersistentVolume': [{ path: 'spec.persistentVolumeReclaimPolicy', unset: 'Retain', what: 'releasing the claim now deletes the backing storage' }],
  'apps/StatefulSet': [
    { path: 'spec.persistentVolumeClaimRetentionPolicy.whenDeleted', unset: 'Retain', what: 'deleting the StatefulSet now deletes its PVCs' },
    { path: 'spec.persistentVolumeClaimRetentionPolicy.whenScaled', unset: 'Retain', what: 'scaling down now deletes the PVCs of removed replicas' },
  ],
};

/** Kinds whose objects hold data: renaming one is a delete plus a create of an empty one. */
const STATEFUL_KINDS = new Set(['/PersistentVolumeClaim', '/PersistentVolume', 'apps/StatefulSet', 'serving.kserve.io/InferenceService']);

const SELECTOR = 'the field is immutable; the sync fails until the object is deleted and recreated';

const IMMUTABLE: Readonly<Record<string, readonly ImmutableRule[]>> = {
  'apps/Deployment': [fieldRule(['spec.selector'], SELECTOR)],
  'apps/ReplicaSet': [fieldRule(['spec.selector'], SELECTOR)],
  'apps/DaemonSet': [fieldRule(['spec.selector'], SELECTOR)],
  'apps/StatefulSet': [
    fieldRule(['spec.selector', 'spec.serviceName', 'spec.podManagementPolicy', 'spec.volumeClaimTemplates'], `${SELECTOR} (with its pods; volume claim templates never resize existing PVCs)`),
  ],
  'batch/Job': [
    fieldRule(['spec.selector', 'spec.template', 'spec.completionMode'], 'a Job\'s template and selector are immutable; the Job must be deleted and re-run'),
    (b, a) => {
      // pkg/apis/batch/validation/validation.go (1.28) validateCompletions: immutable, except for an
      // Indexed Job (elastic Indexed Jobs) whose new completions equal its new parallelism.
      if (!changed(valueAt(b, 'spec.completions'), valueAt(a, 'spec.completions'))) return [];
      const elastic = valueAt(a, 'spec.completionMode') === 'Indexed' && valueAt(a, 'spec.completions') === valueAt(a, 'spec.parallelism');
      return elastic ? [] : ['spec.completions changed: immutable (except for an Indexed Job scaled with parallelism equal to completions); the Job must be deleted and re-run'];
    },
  ],
  '/PersistentVolumeClaim': [
    fieldRule(['spec.storageClassName', 'spec.accessModes', 'spec.volumeMode', 'spec.volumeName', 'spec.selector', 'spec.dataSource'], 'immutable on a bound claim; recreating the claim loses its data'),
    (b, a) => {
      const before = parseQuantity(valueAt(b, 'spec.resources.requests.storage'));
      const after = parseQuantity(valueAt(a, 'spec.resources.requests.storage'));
      return before !== undefined && after !== undefined && after < before
        ? [`spec.resources.requests.storage decreased (${String(valueAt(b, 'spec.resources.requests.storage'))} → ${String(valueAt(a, 'spec.resources.requests.storage'))}): volumes cannot shrink`]
        : [];
    },
  ],
  '/Service': [
    (b, a) => {
      const before = valueAt(b, 'spec.clusterIP');
      const after = valueAt(a, 'spec.clusterIP');
      if ((before === 'None') === (after === 'None')) return [];
      return [`spec.clusterIP changed (${String(before ?? 'unset')} → ${String(after ?? 'unset')}): ${after === 'None' ? 'made headless' : 'no longer headless'}; clusterIP is immutable, the Service must be recreated`];
    },
    (b, a) => {
      // validateLoadBalancerClassField: may not change while the Service stays type LoadBalancer.
      const lb = (o: ManifestObject) => valueAt(o, 'spec.type') === 'LoadBalancer';
      if (!lb(b) || !lb(a) || !changed(valueAt(b, 'spec.loadBalancerClass'), valueAt(a, 'spec.loadBalancerClass'))) return [];
      return [`spec.loadBalancerClass changed (${String(valueAt(b, 'spec.loadBalancerClass') ?? 'unset')} → ${String(valueAt(a, 'spec.loadBalancerClass') ?? 'unset')}): may not change once set; the Service must be recreated and gets a new load balancer`];
    },
    (b, a) => {
      const before = valueAt(b, 'spec.clusterIP');
      if (before === 'None' || valueAt(a, 'spec.clusterIP') === 'None') return [];
      const after = valueAt(a, 'spec.clusterIP');
      if (before === undefined || !changed(before, after)) return [];
      return [`spec.clusterIP changed (${String(before)} → ${String(after ?? 'unset')}): immutable; the Service must be recreated and gets a new address`];
    },
    (b, a) => {
      const before = valueAt(b, 'spec.type');
      const after = valueAt(a, 'spec.type');
      return before === 'ExternalName' || after === 'ExternalName'
        ? changed(before ?? 'ClusterIP', after ?? 'ClusterIP')
          ? [`spec.type changed (${String(before ?? 'ClusterIP')} → ${String(after ?? 'ClusterIP')}): the cluster IP is allocated or released, clients must re-resolve`]
          : []
        : [];
    },
  ],
  // pkg/apis/core/validation/validation.go (1.28) ValidateConfigMapUpdate / ValidateSecretUpdate.
  '/ConfigMap': [immutableData(['data', 'binaryData'])],
  '/Secret': [
    immutableData(['data', 'stringData']),
    fieldRule(['type'], 'a Secret\'s type is immutable (ValidateSecretUpdate); the Secret must be deleted and recreated'),
  ],
  // ValidatePersistentVolumeUpdate: spec.persistentvolumesource is immutable after creation.
  '/PersistentVolume': [
    (b, a) => (changed(pvSource(b), pvSource(a)) ? ['the volume source changed: spec.persistentvolumesource is immutable after creation; the PV must be recreated'] : []),
  ],
  // pkg/apis/storage/validation/validation.go (1.28) ValidateStorageClassUpdate.
  // parameters, provisioner and reclaimPolicy are Forbidden, volumeBindingMode goes through
  // ValidateImmutableField; reclaimPolicy and volumeBindingMode are compared defaulted (Delete, Immediate).
  'storage.k8s.io/StorageClass': [fieldRule(['parameters', 'provisioner', 'reclaimPolicy', 'volumeBindingMode'], 'updates are forbidden; the StorageClass must be deleted and recreated')],
  'rbac.authorization.k8s.io/RoleBinding': [fieldRule(['roleRef'], 'roleRef is immutable; the binding must be recreated')],
  'rbac.authorization.k8s.io/ClusterRoleBinding': [fieldRule(['roleRef'], 'roleRef is immutable; the binding must be recreated')],
  'apiextensions.k8s.io/CustomResourceDefinition': [
    fieldRule(['spec.scope'], 'a CRD\'s scope cannot change while resources exist'),
    (b, a) => {
      const versions = (o: ManifestObject) => ((valueAt(o, 'spec.versions') as Array<{ name?: string }> | undefined) ?? []).map((v) => v.name);
      const gone = versions(b).filter((v) => !versions(a).includes(v));
      return gone.length > 0 ? [`version(s) ${gone.join(', ')} removed: objects stored in them can no longer be read`] : [];
    },
  ],
};

/** `group/Kind` of an object. */
function groupKind(obj: ManifestObject): string {
  return `${groupOf(obj.apiVersion)}/${obj.kind}`;
}

/**
 * Every image an environment pulls: its lock's targets (or, for a tree without a lock, its
 * `images.txt`) plus every container image in its objects, each in its canonical spelling
 * (lib/core/image-reference.ts), so that `nginx:1` in a chart and `docker.io/library/nginx:1` in the
 * lock are one image, not one removed and one added.
 */
function imagesOf(tree: RenderedTree, environment: string): Set<string> {
  const lists = tree.images.get(environment);
  const images = new Set((lists?.lock ? Object.values(lists.lock) : (lists?.list ?? [])).map(canonicalReference));
  for (const o of tree.objects) if (o.environment === environment) for (const f of findContainerImages(o.object)) images.add(canonicalReference(f.value));
  // What Image Updater's write-back makes the environment pull instead (lib/checks/write-back.ts).
  for (const w of tree.sourceOverrides ?? []) if (w.environment === environment) for (const img of writeBackImages(w.content)) images.add(canonicalReference(img));
  return images;
}

/** A source-override file's content as data (its text, when it is not YAML). */
function overrideContent(content: string): unknown {
  try {
    return parseYaml(content) ?? {};
  } catch {
    return { text: content };
  }
}

/** The images a Kustomize write-back file sets (`kustomize.images`, `[<name>=]<image>`). */
function writeBackImages(content: string): string[] {
  const images = valueAt(overrideContent(content), 'kustomize.images');
  return Array.isArray(images) ? images.filter((i): i is string => typeof i === 'string').map((i) => (i.includes('=') ? i.slice(i.indexOf('=') + 1) : i)) : [];
}

/**
 * Image Updater's write-back files (and any other `.argocd-source*.yaml`): Argo CD merges them into
 * the Application's source, so a change to one is a change to what is deployed, listed with the
 * objects of its folder as `write-back file <name>`.
 */
function sourceOverrideDiffs(before: RenderedTree, after: RenderedTree): ObjectDiff[] {
  const byFile = (t: RenderedTree) => new Map((t.sourceOverrides ?? []).map((w) => [w.file, w]));
  const b = byFile(before);
  const a = byFile(after);
  const out: ObjectDiff[] = [];
  for (const file of [...new Set([...b.keys(), ...a.keys()])].sort()) {
    const old = b.get(file);
    const now = a.get(file);
    const w = (now ?? old)!;
    const object = `write-back file ${file.slice(file.lastIndexOf('/') + 1)}`;
    if (!old) out.push({ environment: w.environment, component: w.component, object, type: 'added', fields: diffFields({}, overrideContent(now!.content)) });
    else if (!now) out.push({ environment: w.environment, component: w.component, object, type: 'removed', fields: [] });
    else if (old.content !== now.content) {
      const fields = diffFields(overrideContent(old.content), overrideContent(now.content));
      if (fields.length > 0) out.push({ environment: w.environment, component: w.component, object, type: 'changed', fields });
    }
  }
  return out;
}

/**
 * Renamed data-holding objects: removed key → added twin. A removed object of {@link STATEFUL_KINDS}
 * pairs with an added one of the same environment, kind and namespace whose content equals it apart
 * from its metadata (a pure rename, in any component); failing that, of the objects still unpaired,
 * with the only added one of the same environment, kind, namespace and component when it is also the
 * only removed one there (a rename with edits). Each object pairs once; ambiguous groups pair nothing,
 * and their removals stay deletions.
 */
function findRenames(removed: readonly [string, TreeObject][], added: readonly [string, TreeObject][]): Map<string, TreeObject> {
  const bodies = new Map<TreeObject, ManifestObject>();
  const body = (o: TreeObject) => {
    let b = bodies.get(o);
    if (!b) bodies.set(o, (b = withApiDefaults({ ...o.object, metadata: { name: '' } }, groupKind(o.object))));
    return b;
  };
  const group = (o: TreeObject, withComponent: boolean) => [o.environment, groupKind(o.object), namespaceOf(o.object) ?? '', withComponent ? o.component : ''].join('\u0000');
  const stateful = (o: TreeObject) => STATEFUL_KINDS.has(groupKind(o.object));
  const olds = removed.filter(([, o]) => stateful(o));
  const news = added.filter(([, o]) => stateful(o));
  const pairs = new Map<string, TreeObject>();
  const taken = new Set<string>();
  for (const [key, old] of olds) {
    const twin = news.find(([k, n]) => !taken.has(k) && group(n, false) === group(old, false) && deepEqual(body(n), body(old)));
    if (twin) {
      pairs.set(key, twin[1]);
      taken.add(twin[0]);
    }
  }
  const left = olds.filter(([k]) => !pairs.has(k));
  const right = news.filter(([k]) => !taken.has(k));
  for (const [key, old] of left) {
    const g = group(old, true);
    const mine = left.filter(([, o]) => group(o, true) === g);
    const theirs = right.filter(([, n]) => group(n, true) === g);
    if (mine.length === 1 && theirs.length === 1) pairs.set(key, theirs[0][1]);
  }
  return pairs;
}

/**
 * CRD versions that stop being served (`served: false`, or removed) while objects of the same
 * environment still use them: Argo CD cannot apply those objects (the API server has no such resource),
 * so their sync fails. One reason per version.
 */
function unservedVersionsInUse(before: ManifestObject, after: ManifestObject, users: readonly TreeObject[]): string[] {
  const served = (o: ManifestObject) =>
    new Set(((valueAt(o, 'spec.versions') as Array<{ name?: unknown; served?: unknown }> | undefined) ?? []).filter((v) => v.served !== false && typeof v.name === 'string').map((v) => v.name as string));
  const now = served(after);
  const group = valueAt(after, 'spec.group');
  const kind = valueAt(after, 'spec.names.kind');
  const out: string[] = [];
  for (const version of [...served(before)].filter((v) => !now.has(v)).sort()) {
    const using = users.filter((u) => u.object.apiVersion === `${String(group)}/${version}` && u.object.kind === kind).map((u) => displayName(u.object));
    if (using.length === 0) continue;
    const listed = using.slice(0, 3).join(', ') + (using.length > 3 ? ` and ${using.length - 3} more` : '');
    out.push(`version ${version} no longer served while ${using.length} object(s) in the tree use it (${listed}): the API server has no ${String(group)}/${version} ${String(kind)} any more, so their sync fails`);
  }
  return out;
}

/**
 * A hook (of any phase) that Argo CD deletes before creating it again (`BeforeHookCreation`: "Any existing hook
 * resource is deleted before the new one is created", argo-cd v3.1.16 docs/user-guide/sync-waves.md,
 * "Hook lifecycle and cleanup"): its immutable fields may change, the next sync recreates it.
 */
function recreatedHook(obj: ManifestObject): boolean {
  const annotations = (obj.metadata.annotations ?? {}) as Record<string, unknown>;
  const hook = annotations[HOOK_ANNOTATION];
  const policy = annotations[HOOK_DELETE_POLICY_ANNOTATION];
  return typeof hook === 'string' && hook.trim() !== '' && typeof policy === 'string' && policy.split(',').some((p) => p.trim() === 'BeforeHookCreation');
}

/**
 * Acknowledgements that match no destructive change, each with the (at most 3) destructive changes
 * nearest to it: those of the acknowledged kind first, then by edit distance of `Kind/namespace/name`.
 */
function unmatchedAcks(acks: ReadonlySet<string>, destructive: readonly DestructiveChange[]): UnmatchedAck[] {
  const out: UnmatchedAck[] = [];
  for (const ack of [...acks].sort()) {
    if (destructive.some((d) => isAcknowledged(new Set([ack]), d.environment, d.object))) continue;
    const colon = ack.indexOf(':');
    const object = colon < 0 ? ack : ack.slice(colon + 1);
    const kind = object.split('/')[0].toLowerCase();
    const candidates = [...new Map(destructive.map((d) => [`${d.environment}:${d.object}`, d])).values()];
    const score = (d: DestructiveChange) => (d.object.split('/')[0].toLowerCase() === kind ? 0 : 1000) + editDistance(object, d.object);
    const nearest = candidates
      .map((d) => ({ name: `${d.environment}:${d.object}`, score: score(d) }))
      .sort((p, q) => p.score - q.score || cmp(p.name, q.name))
      .slice(0, 3)
      .map((c) => c.name);
    out.push({ ack, nearest });
  }
  return out;
}

function isAcknowledged(acks: ReadonlySet<string>, environment: string, object: string): boolean {
  return acks.has(object) || acks.has(`${environment}:${object}`);
}

/** Longest {@link keyFields} line. */
const MAX_SUMMARY = 240;

/**
 * The fields a reviewer checks first on a new object, on one line: its images, replicas (KServe's
 * min/max replicas), storage (a claim's request, a volume's capacity, a StatefulSet's claim templates),
 * each container's resources as request/limit, and model storage URIs (`storageUri`, wherever the
 * custom resource keeps it). Empty when the object has none of them.
 */
export function keyFields(obj: ManifestObject): string {
  const parts: string[] = [];
  const images = [...new Set(findContainerImages(obj).map((f) => f.value))];
  if (images.length > 0) parts.push(`image${images.length > 1 ? 's' : ''} ${images.join(', ')}`);
  const replicas = valueAt(obj, 'spec.replicas');
  if (typeof replicas === 'number') parts.push(`replicas ${replicas}`);
  const gk = groupKind(obj);
  const storage: string[] = [];
  if (gk === '/PersistentVolumeClaim') storage.push(String(valueAt(obj, 'spec.resources.requests.storage') ?? ''));
  if (gk === '/PersistentVolume') storage.push(String(valueAt(obj, 'spec.capacity.storage') ?? ''));
  const templates = valueAt(obj, 'spec.volumeClaimTemplates');
  if (Array.isArray(templates)) for (const t of templates) storage.push(`${String(valueAt(t, 'metadata.name'))} ${String(valueAt(t, 'spec.resources.requests.storage') ?? '?')}`);
  if (storage.some((x) => x !== '')) parts.push(`storage ${storage.filter((x) => x !== '').join(', ')}`);
  const resources: string[] = [];
  const uris: string[] = [];
  const scaling: string[] = [];
  const walk = (node: unknown, label: string): void => {
    if (Array.isArray(node)) return node.forEach((item) => walk(item, label));
    if (typeof node !== 'object' || node === null) return;
    const rec = node as Record<string, unknown>;
    const here = typeof rec.name === 'string' ? rec.name : label;
    for (const [key, value] of Object.entries(rec)) {
      if (key === 'volumeClaimTemplates') continue; // their storage requests are listed as storage
      if (key === 'storageUri' && typeof value === 'string') uris.push(value);
      else if ((key === 'minReplicas' || key === 'maxReplicas') && typeof value === 'number') scaling.push(`${key} ${value}`);
      else if (key === 'resources' && gk !== '/PersistentVolumeClaim' && typeof value === 'object' && value !== null && !Array.isArray(value)) {
        const req = (valueAt(value, 'requests') ?? {}) as Record<string, unknown>;
        const lim = (valueAt(value, 'limits') ?? {}) as Record<string, unknown>;
        const names = [...new Set([...Object.keys(req), ...Object.keys(lim)])];
        if (names.length > 0) resources.push(`${here}: ${names.map((n) => `${n} ${String(req[n] ?? '-')}/${String(lim[n] ?? '-')}`).join(', ')}`);
      } else walk(value, key);
    }
  };
  walk(valueAt(obj, 'spec'), 'spec');
  parts.push(...scaling);
  if (resources.length > 0) parts.push(`resources (request/limit) ${resources.join('; ')}`);
  if (uris.length > 0) parts.push(`storageUri ${uris.join(', ')}`);
  const line = parts.join('; ');
  return line.length > MAX_SUMMARY ? `${line.slice(0, MAX_SUMMARY - 1)}…` : line;
}

/** Compares two rendered trees. Pure: the trees are read by the caller. */
export function diffTrees(before: RenderedTree, after: RenderedTree, options: DiffOptions = {}): DiffReport {
  const acks = new Set((options.acknowledged ?? []).map((a) => a.trim()).filter((a) => a !== ''));
  // An object the API server names (generateName: a hook created anew by each sync) is no other's
  // identity: several may share a generateName, so each is told apart by its file and place there.
  const index = (tree: RenderedTree) => {
    const seenGenerated = new Map<string, number>();
    return new Map<string, TreeObject>(
      tree.objects.map((o) => {
        let key = `${o.environment}\u0000${resourceKey(o.object)}`;
        if (isGeneratedName(o.object)) {
          const n = seenGenerated.get(`${key}\u0000${o.file}`) ?? 0;
          seenGenerated.set(`${key}\u0000${o.file}`, n + 1);
          key = `${key}\u0000${o.file}\u0000${n}`;
        }
        return [key, o];
      }),
    );
  };
  const b = index(before);
  const a = index(after);
  const objects: ObjectDiff[] = [];
  const destructive: DestructiveChange[] = [];
  const flag = (o: TreeObject, reason: string) => {
    const object = displayName(o.object);
    destructive.push({ environment: o.environment, component: o.component, object, reason, acknowledged: isAcknowledged(acks, o.environment, object) });
  };

  const appsBefore = applicationsOf(before);
  const appsAfter = applicationsOf(after);
  const folders = new Set(before.objects.map((o) => `${o.environment}\u0000${o.component}`));
  const kept: KeptObject[] = [];
  const warnings: DiffWarning[] = [];
  const renames = findRenames(
    [...b].filter(([k]) => !a.has(k)),
    [...a].filter(([k]) => !b.has(k)),
  );

  for (const [key, old] of b) {
    const now = a.get(key);
    if (!now) {
      // Objects of `apps/` are synced by the root Application; every other folder by its child Application.
      const ownerKey = `${old.environment}\u0000${old.component === 'apps' ? '(root)' : old.component}`;
      const owner = appsBefore.get(ownerKey);
      let removal = owner ? removalOf(old.object, owner, appsAfter.get(ownerKey)) : undefined;
      const object = displayName(old.object);
      if (removal && old.component === 'apps' && isApplication(old.object)) {
        const child = appPolicy(old.object);
        const consequence = applicationConsequence(child, folders.has(`${old.environment}\u0000${child.name}`));
        removal = { ...removal, reason: `${removal.reason}; ${consequence}` };
        if (removal.outcome === 'pruned' && !child.cascade) kept.push({ environment: old.environment, component: old.component, object, outcome: 'orphaned', reason: consequence });
      }
      objects.push({ environment: old.environment, component: old.component, object, type: 'removed', fields: [], ...(removal ? { removal } : {}) });
      const stays = removal?.outcome === 'orphaned' || removal?.outcome === 'out-of-sync';
      if (stays) kept.push({ environment: old.environment, component: old.component, object, outcome: removal!.outcome as KeptObject['outcome'], reason: removal!.reason });
      const twin = renames.get(key);
      if (twin) {
        // Kubernetes has no rename: the new name is a new, empty object, whatever Argo CD does with the old one.
        const old_ = stays ? `the old one stays in the cluster with its data, unmanaged (${removal!.outcome})` : 'the data of the old one is not carried over';
        flag(old, `renamed to ${twin.object.metadata.name}${twin.component === old.component ? '' : ` (in ${twin.component})`}: a rename is a delete plus a create; the new ${old.object.kind} starts empty and ${old_}`);
        continue;
      }
      if (stays) continue;
      const why = DATA_KINDS[groupKind(old.object)];
      if (why) flag(old, `deleted: ${why}`);
      continue;
    }
    const gk = groupKind(now.object);
    const oldObj = withApiDefaults(old.object, gk);
    const nowObj = withApiDefaults(now.object, gk);
    const fields = diffFields(oldObj, nowObj);
    if (old.component !== now.component) fields.unshift({ path: '(component)', before: old.component, after: now.component });
    if (fields.length === 0) continue;
    const hook = gk === 'batch/Job' && recreatedHook(now.object);
    const note = hook ? `an Argo CD ${String((now.object.metadata.annotations as Record<string, unknown> | undefined)?.[HOOK_ANNOTATION])} hook with BeforeHookCreation: Argo CD deletes the old Job and creates this one on the next sync, by design` : undefined;
    objects.push({ environment: now.environment, component: now.component, object: displayName(now.object), type: 'changed', fields, ...(note ? { note } : {}) });
    if (!hook) for (const rule of IMMUTABLE[gk] ?? []) for (const reason of rule(oldObj, nowObj)) flag(now, reason);
    if (gk === 'apiextensions.k8s.io/CustomResourceDefinition') {
      for (const reason of unservedVersionsInUse(oldObj, nowObj, after.objects.filter((o) => o.environment === now.environment))) flag(now, reason);
    }
    for (const net of SAFETY_NETS[gk] ?? []) {
      const from = valueAt(oldObj, net.path) ?? net.unset;
      const to = valueAt(nowObj, net.path) ?? net.unset;
      if (from === 'Retain' && to === 'Delete') warnings.push({ environment: now.environment, component: now.component, object: displayName(now.object), reason: `${net.path} Retain → Delete: ${net.what}` });
    }
    if (STATEFUL_KINDS.has(gk) && syncOption(old.object, 'Prune') === 'false' && syncOption(now.object, 'Prune') !== 'false') {
      flag(now, 'Prune=false removed: removing it from the tree later deletes it (and its data) instead of leaving it in the cluster');
    }
  }
  for (const [key, now] of a) {
    if (b.has(key)) continue;
    const line = keyFields(now.object);
    objects.push({ environment: now.environment, component: now.component, object: displayName(now.object), type: 'added', fields: [], ...(line ? { summary: line } : {}) });
  }
  objects.push(...sourceOverrideDiffs(before, after));

  const images: ImageDiff[] = [];
  for (const env of [...new Set([...environmentsOf(before), ...environmentsOf(after)])].sort()) {
    const ib = imagesOf(before, env);
    const ia = imagesOf(after, env);
    const added = [...ia].filter((i) => !ib.has(i)).sort();
    const removed = [...ib].filter((i) => !ia.has(i)).sort();
    if (added.length + removed.length > 0) images.push({ environment: env, added, removed });
  }

  const order = (x: { environment: string; component: string; object: string }, y: typeof x) =>
    cmp(x.environment, y.environment) || cmp(x.component, y.component) || cmp(x.object, y.object);
  const typeRank: Record<ChangeType, number> = { removed: 0, changed: 1, added: 2 };
  objects.sort((x, y) => order(x, y) || typeRank[x.type] - typeRank[y.type]);
  destructive.sort((x, y) => order(x, y) || cmp(x.reason, y.reason));
  kept.sort((x, y) => order(x, y));
  warnings.sort((x, y) => order(x, y) || cmp(x.reason, y.reason));
  return { objects, unmatchedAcks: unmatchedAcks(acks, destructive), warnings, images, destructive, kept };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** What makes `kompile diff` fail. */
export type FailOn = 'none' | 'changes' | 'destructive';

/**
 * Exit code of `kompile diff`: 1 when `failOn` is `destructive` and a destructive change is not
 * acknowledged, or when `failOn` is `changes` and anything changed; 0 otherwise.
 */
export function diffExitCode(report: DiffReport, failOn: FailOn): number {
  if (failOn === 'destructive') return report.destructive.some((d) => !d.acknowledged) ? 1 : 0;
  if (failOn === 'changes') return report.objects.length > 0 || report.images.length > 0 ? 1 : 0;
  return 0;
}

/** Commit-message trailer that acknowledges a destructive change: `Kompile-Ack-Destructive: PersistentVolumeClaim/ml/models`. */
export const ACK_TRAILER = 'Kompile-Ack-Destructive';

/** The acknowledgements in commit messages (one trailer line per object; several per message allowed). */
export function acknowledgementsIn(messages: string): string[] {
  const re = new RegExp(`^${ACK_TRAILER}:\\s*(\\S+)\\s*$`, 'gim');
  return [...messages.matchAll(re)].map((m) => m[1]);
}

// ---------------------------------------------------------------------------------------------------
// Output

/** A short rendering of a value for one line of output. */
function preview(value: unknown): string {
  if (value === undefined) return '∅';
  const s = typeof value === 'string' ? value : JSON.stringify(value);
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}

/** Most fields listed for one changed object before the rest is summarised. */
const MAX_FIELDS = 12;

function fieldLines(fields: readonly FieldChange[], max = MAX_FIELDS): string[] {
  const lines = fields.slice(0, max).map((f) => `${f.path}: ${preview(f.before)} → ${preview(f.after)}`);
  if (fields.length > max) lines.push(`… and ${fields.length - max} more field(s)`);
  return lines;
}

/** How an unmatched acknowledgement is reported. */
function unmatchedLine(u: UnmatchedAck): string {
  return `${u.ack} matches no destructive change; ${u.nearest.length > 0 ? `did you mean ${u.nearest.join(', ')}?` : 'this diff has none'}`;
}
const UNMATCHED_HEADING = 'Acknowledgements that match nothing';

function summary(report: DiffReport): string {
  const count = (t: ChangeType) => report.objects.filter((o) => o.type === t).length;
  const open = report.destructive.filter((d) => !d.acknowledged).length;
  const kept = report.kept.length > 0 ? `; ${report.kept.length} left in the cluster` : '';
  const warned = report.warnings.length > 0 ? `; ${report.warnings.length} warning(s)` : '';
  return `${count('added')} added, ${count('removed')} removed, ${count('changed')} changed; ${report.destructive.length} destructive (${open} unacknowledged)${warned}${kept}`;
}

function groups(report: DiffReport): Map<string, Map<string, ObjectDiff[]>> {
  const byEnv = new Map<string, Map<string, ObjectDiff[]>>();
  for (const o of report.objects) {
    const envMap = byEnv.get(o.environment) ?? new Map<string, ObjectDiff[]>();
    envMap.set(o.component, [...(envMap.get(o.component) ?? []), o]);
    byEnv.set(o.environment, envMap);
  }
  return byEnv;
}

const SIGN: Record<ChangeType, string> = { added: '+', removed: '-', changed: '~' };

/** How a removal is named in the listings. */
const REMOVAL_LABEL: Record<RemovalOutcome, string> = { pruned: 'pruned', deleted: 'deleted', orphaned: 'orphaned (stays, unmanaged)', 'out-of-sync': 'kept (stays, OutOfSync)' };
const WARNINGS_HEADING = 'Warnings (safety nets removed)';
const KEPT_HEADING = 'Left in the cluster (removed from the tree, not deleted by Argo CD)';

/** Plain-text report for a terminal. */
export function formatText(report: DiffReport): string {
  const out: string[] = [];
  if (report.objects.length === 0 && report.images.length === 0 && report.unmatchedAcks.length === 0) return 'No changes.\n';
  if (report.unmatchedAcks.length > 0) {
    out.push(`${UNMATCHED_HEADING}:`);
    for (const u of report.unmatchedAcks) out.push(`  ${unmatchedLine(u)}`);
    out.push('');
  }
  if (report.destructive.length > 0) {
    out.push('!!! DESTRUCTIVE CHANGES !!!');
    for (const d of report.destructive) out.push(`  ${d.acknowledged ? '[acknowledged] ' : ''}${d.environment}: ${d.object} (${d.component}): ${d.reason}`);
    out.push('');
  }
  if (report.warnings.length > 0) {
    out.push(`${WARNINGS_HEADING}:`);
    for (const w of report.warnings) out.push(`  ${w.environment}: ${w.object} (${w.component}): ${w.reason}`);
    out.push('');
  }
  if (report.kept.length > 0) {
    out.push(`${KEPT_HEADING}:`);
    for (const k of report.kept) out.push(`  ${k.environment}: ${k.object} (${k.component}): ${k.outcome}: ${k.reason}`);
    out.push('');
  }
  for (const [env, comps] of groups(report)) {
    out.push(`== ${env}`);
    for (const [comp, diffs] of comps) {
      out.push(`  -- ${comp || '(environment)'}`);
      for (const d of diffs) {
        const extra = d.removal ? `  [${REMOVAL_LABEL[d.removal.outcome]}: ${d.removal.reason}]` : d.note ? `  [${d.note}]` : d.summary ? `  (${d.summary})` : '';
        out.push(`    ${SIGN[d.type]} ${d.object}${extra}`);
        for (const line of fieldLines(d.fields)) out.push(`        ${line}`);
      }
    }
  }
  for (const i of report.images) {
    out.push(`== ${i.environment} images`);
    for (const img of i.removed) out.push(`  - ${img}`);
    for (const img of i.added) out.push(`  + ${img}`);
  }
  if (out[out.length - 1] !== '') out.push('');
  out.push(summary(report));
  return `${out.join('\n')}\n`;
}

function code(s: string): string {
  return `\`${s.replace(/`/g, 'ˋ')}\``;
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** Options of {@link formatMarkdown}. */
export interface MarkdownOptions {
  /**
   * Longest report, in characters (GitHub comments hold 65,536). A longer report drops detail component
   * by component, least important first (see {@link formatMarkdown}); the summary, destructive section,
   * warnings and images always stay.
   * @default - no limit
   */
  readonly maxChars?: number;
}

/**
 * How much of a component's listing a Markdown report shows, from all of it to a count:
 * 0 every field (up to {@link MAX_FIELDS}), 1 the first {@link FEW_FIELDS} fields, 2 one line per object
 * with its summary or what Argo CD does, 3 one bare line per object, 4 counts only.
 */
type Detail = 0 | 1 | 2 | 3 | 4;
const FEW_FIELDS = 3;

function objectLines(d: ObjectDiff, detail: Detail): string[] {
  const removed = d.removal ? `${d.removal.outcome === 'orphaned' || d.removal.outcome === 'out-of-sync' ? '🟠' : '🔴'} ${REMOVAL_LABEL[d.removal.outcome]}` : '🔴 removed';
  const label = d.type === 'added' ? '🟢 added' : d.type === 'removed' ? removed : '🟡 changed';
  if (detail === 3) return [`- ${label} ${code(d.object)}`];
  const why = d.removal?.reason ?? d.note;
  const lines = [`- ${label} ${code(d.object)}${why ? ` — ${cell(why)}` : d.summary ? ` — ${code(d.summary)}` : ''}`];
  if (detail < 2) for (const line of fieldLines(d.fields, detail === 0 ? MAX_FIELDS : FEW_FIELDS)) lines.push(`  - ${code(line)}`);
  return lines;
}

function componentBlock(comp: string, diffs: readonly ObjectDiff[], detail: Detail): string {
  const name = comp || '(environment)';
  if (detail === 4) return `- **${name}**: ${(['added', 'removed', 'changed'] as const).map((t) => `${diffs.filter((d) => d.type === t).length} ${t}`).join(', ')}\n`;
  const body = diffs.flatMap((d) => objectLines(d, detail));
  return [`<details${diffs.length <= 20 ? ' open' : ''}><summary><b>${name}</b>: ${diffs.length} object(s)</summary>`, '', ...body, '', '</details>', '', ''].join('\n');
}

/**
 * Markdown report, ready to be posted as a pull-request comment. With `maxChars`, a report that is too
 * long loses detail one component at a time, least important first: every component goes from all
 * fields to the first few, then to one line per object, then to bare object lines, then to counts;
 * within each step, components without a destructive change go first, largest first. Every changed
 * object keeps its line for as long as the limit allows.
 */
export function formatMarkdown(report: DiffReport, options: MarkdownOptions = {}): string {
  const head: string[] = ['## Kompile diff', ''];
  if (report.objects.length === 0 && report.images.length === 0 && report.unmatchedAcks.length === 0) return `${head.join('\n')}No changes to the rendered manifests.\n`;
  head.push(summary(report), '');
  if (report.unmatchedAcks.length > 0) {
    head.push(`### ${UNMATCHED_HEADING}`, '');
    for (const u of report.unmatchedAcks) head.push(`- ${cell(unmatchedLine(u))}`);
    head.push('');
  }
  if (report.destructive.length > 0) {
    const open = report.destructive.filter((d) => !d.acknowledged).length;
    head.push(`### ⚠️ Destructive changes${open > 0 ? ` — ${open} need acknowledgement` : ''}`, '');
    head.push('| | environment | component | object | what happens |', '|---|---|---|---|---|');
    for (const d of report.destructive) head.push(`| ${d.acknowledged ? '✅ acknowledged' : '❌'} | ${d.environment} | ${d.component} | ${code(d.object)} | ${cell(d.reason)} |`);
    if (open > 0) head.push('', `To proceed on purpose, add a commit trailer per object: ${code(`${ACK_TRAILER}: <Kind/namespace/name>`)} (or run with ${code('--ack <Kind/namespace/name>')}).`);
    head.push('');
  }
  if (report.warnings.length > 0) {
    head.push(`### ${WARNINGS_HEADING}`, '', '| environment | component | object | what changes |', '|---|---|---|---|');
    for (const w of report.warnings) head.push(`| ${w.environment} | ${w.component} | ${code(w.object)} | ${cell(w.reason)} |`);
    head.push('');
  }
  if (report.kept.length > 0) {
    head.push(`### ${KEPT_HEADING}`, '', '| environment | component | object | what happens |', '|---|---|---|---|');
    for (const k of report.kept) head.push(`| ${k.environment} | ${k.component} | ${code(k.object)} | ${cell(`${REMOVAL_LABEL[k.outcome]}: ${k.reason}`)} |`);
    head.push('');
  }
  const images: string[] = [];
  if (report.images.length > 0) {
    images.push('### Images', '');
    for (const i of report.images) {
      for (const img of i.removed) images.push(`- ${i.environment}: 🔴 ${code(img)}`);
      for (const img of i.added) images.push(`- ${i.environment}: 🟢 ${code(img)}`);
    }
    images.push('');
  }
  // Each environment's heading, then its components' blocks, each at its own level of detail.
  interface Block {
    readonly environment: string;
    readonly component: string;
    readonly diffs: readonly ObjectDiff[];
    detail: Detail;
    text: string;
  }
  const blocks: Block[] = [];
  for (const [environment, comps] of groups(report)) {
    for (const [component, diffs] of comps) blocks.push({ environment, component, diffs, detail: 0, text: componentBlock(component, diffs, 0) });
  }
  const headText = `${head.join('\n')}\n`;
  const imagesText = images.join('\n');
  const render = (notice: string) => {
    const out: string[] = [headText];
    let env: string | undefined;
    for (const b of blocks) {
      if (b.environment !== env) out.push(`### ${(env = b.environment)}\n\n`);
      out.push(b.text);
    }
    return out.join('') + notice + imagesText;
  };
  const full = render('');
  if (options.maxChars === undefined || full.length <= options.maxChars) return full;
  const notice = '\n_Some detail is left out to fit a comment: run `kompile diff` locally or see the CI log._\n\n';
  let length = full.length + notice.length;
  const destructive = new Set(report.destructive.map((d) => `${d.environment}\u0000${d.component}`));
  const order = [...blocks].sort(
    (x, y) => Number(destructive.has(`${x.environment}\u0000${x.component}`)) - Number(destructive.has(`${y.environment}\u0000${y.component}`)) || y.text.length - x.text.length,
  );
  for (const level of [1, 2, 3, 4] as const) {
    for (const b of order) {
      if (length <= options.maxChars) break;
      const text = componentBlock(b.component, b.diffs, level);
      length += text.length - b.text.length;
      b.detail = level;
      b.text = text;
    }
  }
  const short = render(notice);
  return short.length <= options.maxChars ? short : `${headText}_Too many changes to list here: run \`kompile diff\` locally or see the CI log._\n`;
}
