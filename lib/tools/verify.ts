/**
 * `kompile verify`: checks an environment's rendered tree against a live cluster: a server-side
 * dry-run apply of every object (CRDs and Namespaces first; `dryRun=All`, field manager `kompile`,
 * `fieldValidation=Strict`), and a drift report of the live objects against the tree.
 *
 * An object named by `generateName` alone (an Argo CD hook Job) has no name to apply or read: the
 * API server names each one it creates, and Argo CD creates (not applies) a new one on every sync.
 * It is dry-run created (`POST` to its collection, `dryRun=All`), which runs the same validation
 * and admission, and left out of the drift report: there is no one live object to compare, and the
 * ones earlier syncs left behind (same kind, namespace and generateName) are not reported as extra.
 *
 * Everything here speaks to the cluster through {@link ApiTransport}; `kube-client.ts` provides the
 * real one from a kubeconfig. The request building, ordering and drift computation are pure.
 */
import { groupOf } from '../core/kinds';
import { deepEqual, FieldChange, joinPath } from './field-diff';
import { sameQuantity } from '../core/quantity';
import { checkIngressClasses } from './ingress-classes';
import { checkRuntimeClasses } from './runtime-classes';
import { displayName, isGeneratedName, ManifestObject } from './tree';

/** The field manager Kompile applies with (what `kubectl get --show-managed-fields` shows). */
export const FIELD_MANAGER = 'kompile';

/** An HTTP request to the API server, as data. */
export interface ApiRequest {
  readonly method: 'GET' | 'PATCH' | 'POST';
  /** Path with query string, e.g. `/apis/apps/v1/namespaces/ml/deployments/api?dryRun=All`. */
  readonly path: string;
  readonly contentType?: string;
  readonly body?: string;
}

export interface ApiResponse {
  readonly status: number;
  /** Parsed JSON body (a Kubernetes object, list or Status). */
  readonly body: unknown;
}

/** Sends requests to an API server. */
export interface ApiTransport {
  request(req: ApiRequest): Promise<ApiResponse>;
}

/** What the API server says about one kind (from discovery). */
export interface ResourceInfo {
  readonly apiVersion: string;
  readonly kind: string;
  /** URL segment: `deployments`. */
  readonly plural: string;
  readonly namespaced: boolean;
}

type Rec = Record<string, unknown>;

function rec(v: unknown): Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Rec) : {};
}

function key(apiVersion: string, kind: string): string {
  return `${apiVersion}/${kind}`;
}

/** Indexes `APIResourceList` discovery documents (`/api/v1`, `/apis/<group>/<version>`) by apiVersion and kind. */
export function indexDiscovery(lists: readonly unknown[]): Map<string, ResourceInfo> {
  const index = new Map<string, ResourceInfo>();
  for (const list of lists.map(rec)) {
    const apiVersion = list.groupVersion;
    if (typeof apiVersion !== 'string' || !Array.isArray(list.resources)) continue;
    for (const r of list.resources.map(rec)) {
      if (typeof r.name !== 'string' || r.name.includes('/') || typeof r.kind !== 'string') continue; // subresources
      index.set(key(apiVersion, r.kind), { apiVersion, kind: r.kind, plural: r.name, namespaced: r.namespaced === true });
    }
  }
  return index;
}

/** URL path of a kind's collection: `/api/v1/namespaces/ml/services`, `/apis/rbac.authorization.k8s.io/v1/clusterroles`. */
export function collectionPath(info: ResourceInfo, namespace?: string): string {
  const base = info.apiVersion.includes('/') ? `/apis/${info.apiVersion}` : `/api/${info.apiVersion}`;
  return info.namespaced && namespace ? `${base}/namespaces/${encodeURIComponent(namespace)}/${info.plural}` : `${base}/${info.plural}`;
}

/** URL path of one object. */
export function objectPath(obj: ManifestObject, info: ResourceInfo): string {
  if (info.namespaced && !obj.metadata.namespace) throw new Error(`${displayName(obj)}: namespaced kind without metadata.namespace`);
  return `${collectionPath(info, obj.metadata.namespace)}/${encodeURIComponent(obj.metadata.name)}`;
}

export interface ApplyOptions {
  /** Ask the server to run admission and validation but persist nothing. @default true */
  readonly dryRun?: boolean;
  /** @default 'kompile' */
  readonly fieldManager?: string;
  /** Take over fields other managers own (as Argo CD's server-side apply does). @default true */
  readonly force?: boolean;
}

/** The server-side apply request for one object. Pure. */
export function applyRequest(obj: ManifestObject, info: ResourceInfo, options: ApplyOptions = {}): ApiRequest {
  const query = new URLSearchParams();
  if (options.dryRun ?? true) query.set('dryRun', 'All');
  query.set('fieldManager', options.fieldManager ?? FIELD_MANAGER);
  // Unknown or duplicate fields are errors, as `kubectl apply --validate=strict` makes them.
  query.set('fieldValidation', 'Strict');
  if (options.force ?? true) query.set('force', 'true');
  return { method: 'PATCH', path: `${objectPath(obj, info)}?${query}`, contentType: 'application/apply-patch+yaml', body: JSON.stringify(obj) };
}

const SYNC_WAVE = 'argocd.argoproj.io/sync-wave';
/** Kinds applied before everything else of their wave, the way Argo CD orders a sync. */
const KIND_FIRST = ['CustomResourceDefinition', 'Namespace', 'ResourceQuota', 'LimitRange', 'NetworkPolicy', 'ServiceAccount', 'Secret', 'ConfigMap', 'StorageClass', 'PersistentVolumeClaim', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'Service'];

function phase(obj: ManifestObject): number {
  if (obj.kind === 'CustomResourceDefinition' && groupOf(obj.apiVersion) === 'apiextensions.k8s.io') return 0;
  if (obj.kind === 'Namespace' && obj.apiVersion === 'v1') return 1;
  return 2;
}

/**
 * The dry-run create request for an object the API server names (`generateName`): server-side apply
 * needs a name, a create does not. Pure.
 */
export function createRequest(obj: ManifestObject, info: ResourceInfo, options: Pick<ApplyOptions, 'fieldManager'> = {}): ApiRequest {
  if (info.namespaced && !obj.metadata.namespace) throw new Error(`${displayName(obj)}: namespaced kind without metadata.namespace`);
  const query = new URLSearchParams({ dryRun: 'All', fieldManager: options.fieldManager ?? FIELD_MANAGER, fieldValidation: 'Strict' });
  return { method: 'POST', path: `${collectionPath(info, obj.metadata.namespace)}?${query}`, contentType: 'application/json', body: JSON.stringify(obj) };
}

/** Order of application: CRDs, then Namespaces, then everything by sync wave and Argo CD's kind order. */
export function applyOrder(objects: readonly ManifestObject[]): ManifestObject[] {
  const wave = (o: ManifestObject) => Number(rec(rec(o.metadata).annotations)[SYNC_WAVE] ?? 0) || 0;
  const rank = (o: ManifestObject) => {
    const i = KIND_FIRST.indexOf(o.kind);
    return i < 0 ? KIND_FIRST.length : i;
  };
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...objects].sort((a, b) => phase(a) - phase(b) || wave(a) - wave(b) || rank(a) - rank(b) || cmp(displayName(a), displayName(b)));
}

/** Fields the server owns or fills in and a drift report must not count. */
const SERVER_METADATA = new Set(['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'ownerReferences', 'finalizers']);

/**
 * Where the live object differs from the desired one. Only fields the tree sets are compared (the
 * server adds defaults); quantities compare by amount (`1000m` = `1`); lists of named items match by name.
 */
export function driftFields(desired: unknown, live: unknown, path = ''): FieldChange[] {
  if (deepEqual(desired, live) || sameQuantity(desired, live)) return [];
  if (Array.isArray(desired) && Array.isArray(live)) {
    const named = desired.every((d) => typeof rec(d).name === 'string') && live.every((l) => typeof rec(l).name === 'string');
    if (named) {
      const byName = new Map(live.map((l) => [rec(l).name as string, l]));
      const changes = desired.flatMap((d) => driftFields(d, byName.get(rec(d).name as string), `${path}[name=${String(rec(d).name)}]`));
      return desired.length === live.length ? changes : [...changes, { path: `${path}.length`, before: live.length, after: desired.length }];
    }
    if (desired.length !== live.length) return [{ path, before: live, after: desired }];
    return desired.flatMap((d, i) => driftFields(d, live[i], `${path}[${i}]`));
  }
  if (typeof desired === 'object' && desired !== null && !Array.isArray(desired) && typeof live === 'object' && live !== null && !Array.isArray(live)) {
    return Object.entries(desired).flatMap(([k, v]) => {
      if (v === undefined || v === null) return [];
      const p = joinPath(path, k);
      if (path === 'metadata' && SERVER_METADATA.has(k)) return [];
      return driftFields(v, (live as Rec)[k], p);
    });
  }
  return [{ path, before: live, after: desired }];
}

export type DriftStatus = 'in-sync' | 'drifted' | 'missing' | 'extra';

export interface DriftEntry {
  readonly object: string;
  readonly status: DriftStatus;
  /** For `drifted`: `before` is the live value, `after` the tree's. */
  readonly fields: readonly FieldChange[];
}

/** Compares one desired object with what the server returned (undefined when it does not exist). */
export function driftOf(desired: ManifestObject, live: ManifestObject | undefined): DriftEntry {
  const object = displayName(desired);
  if (!live) return { object, status: 'missing', fields: [] };
  const { status: _status, ...wanted } = desired;
  const fields = driftFields(wanted, live);
  return { object, status: fields.length > 0 ? 'drifted' : 'in-sync', fields };
}

/** One object's dry-run result. */
export interface DryRunResult {
  readonly object: string;
  readonly outcome: 'ok' | 'failed' | 'skipped';
  readonly message?: string;
}

export interface VerifyReport {
  readonly dryRun: readonly DryRunResult[];
  readonly drift: readonly DriftEntry[];
}

export interface VerifyOptions {
  /** The environment's name: live objects labelled `kompile.dev/environment=<env>` but absent from the tree are reported as extra. */
  readonly environment: string;
  /** Run the dry-run apply. @default true */
  readonly dryRun?: boolean;
  /** Compute drift. @default true */
  readonly drift?: boolean;
}

/** The message of a Kubernetes Status body, or the HTTP status. */
function statusMessage(res: ApiResponse): string {
  const message = rec(res.body).message;
  return typeof message === 'string' ? message : `HTTP ${res.status}`;
}

/** Discovers the kinds the tree uses: one request per API group version. */
async function discover(transport: ApiTransport, objects: readonly ManifestObject[]): Promise<Map<string, ResourceInfo>> {
  const lists: unknown[] = [];
  for (const apiVersion of [...new Set(objects.map((o) => o.apiVersion))].sort()) {
    const res = await transport.request({ method: 'GET', path: apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}` });
    if (res.status === 200) lists.push(res.body);
  }
  return indexDiscovery(lists);
}

/**
 * Dry-run applies an environment's objects in order and computes drift. Objects whose kind or
 * namespace only this tree creates cannot be dry-run (a dry run creates nothing): they are skipped
 * with that reason, not failed.
 */
export async function verifyObjects(transport: ApiTransport, objects: readonly ManifestObject[], options: VerifyOptions): Promise<VerifyReport> {
  const ordered = applyOrder(objects);
  const index = await discover(transport, ordered);
  const definedHere = new Set(
    ordered.filter((o) => o.kind === 'CustomResourceDefinition').flatMap((o) => {
      const spec = rec(o.spec);
      const names = rec(spec.names);
      return Array.isArray(spec.versions) ? spec.versions.map((v) => key(`${String(spec.group)}/${String(rec(v).name)}`, String(names.kind))) : [];
    }),
  );
  const namespacesHere = new Set(ordered.filter((o) => o.kind === 'Namespace' && o.apiVersion === 'v1').map((o) => o.metadata.name));
  const namespaceExists = new Map<string, boolean>();
  const liveNamespace = async (ns: string) => {
    if (!namespaceExists.has(ns)) {
      const res = await transport.request({ method: 'GET', path: `/api/v1/namespaces/${encodeURIComponent(ns)}` });
      namespaceExists.set(ns, res.status === 200);
    }
    return namespaceExists.get(ns)!;
  };

  const dryRun: DryRunResult[] = [];
  const drift: DriftEntry[] = [];
  for (const obj of ordered) {
    const object = displayName(obj);
    const info = index.get(key(obj.apiVersion, obj.kind));
    if (!info) {
      const reason = definedHere.has(key(obj.apiVersion, obj.kind))
        ? { outcome: 'skipped' as const, message: `its CRD is created by this tree; a dry run cannot check ${obj.kind} before it exists` }
        : { outcome: 'failed' as const, message: `the server has no ${obj.kind} in ${obj.apiVersion}` };
      if (options.dryRun ?? true) dryRun.push({ object, ...reason });
      if (options.drift ?? true) drift.push({ object, status: 'missing', fields: [] });
      continue;
    }
    const ns = info.namespaced ? obj.metadata.namespace : undefined;
    const nsMissing = ns !== undefined && !(await liveNamespace(ns));
    const generated = isGeneratedName(obj);
    if (options.dryRun ?? true) {
      if (nsMissing && namespacesHere.has(ns)) {
        dryRun.push({ object, outcome: 'skipped', message: `namespace '${ns}' is created by this tree; a dry run cannot check objects in it before it exists` });
      } else {
        const res = await transport.request(generated ? createRequest(obj, info) : applyRequest(obj, info));
        dryRun.push(res.status >= 200 && res.status < 300 ? { object, outcome: 'ok' } : { object, outcome: 'failed', message: statusMessage(res) });
      }
    }
    if ((options.drift ?? true) && !generated) {
      const res = nsMissing ? { status: 404, body: {} } : await transport.request({ method: 'GET', path: objectPath(obj, info) });
      drift.push(driftOf(obj, res.status === 200 ? (res.body as ManifestObject) : undefined));
    }
  }

  // What the environment expects the cluster to provide: the RuntimeClasses its pods name, the IngressClasses its Ingresses name.
  if (options.dryRun ?? true) dryRun.push(...(await checkRuntimeClasses(transport, ordered)), ...(await checkIngressClasses(transport, ordered)));

  if (options.drift ?? true) {
    const desired = new Set(ordered.map(displayName));
    // What earlier syncs created from a generateName object: `Kind/namespace/generateName`.
    const generatedFrom = new Set(ordered.filter(isGeneratedName).map(generatedKey).filter((k) => k !== ''));
    const selector = new URLSearchParams({ labelSelector: `kompile.dev/environment=${options.environment}` });
    for (const info of [...new Map([...index.values()].filter((i) => ordered.some((o) => o.apiVersion === i.apiVersion && o.kind === i.kind)).map((i) => [key(i.apiVersion, i.kind), i])).values()]) {
      const res = await transport.request({ method: 'GET', path: `${collectionPath(info)}?${selector}` });
      if (res.status !== 200) continue;
      for (const item of Array.isArray(rec(res.body).items) ? (rec(res.body).items as ManifestObject[]) : []) {
        const live = { ...item, apiVersion: info.apiVersion, kind: info.kind };
        if (!desired.has(displayName(live)) && !generatedFrom.has(generatedKey(live))) drift.push({ object: displayName(live), status: 'extra', fields: [] });
      }
    }
  }
  return { dryRun, drift };
}

/** `apiVersion/Kind/namespace/generateName` of an object; '' for one without a generateName. */
function generatedKey(o: ManifestObject): string {
  const prefix = o.metadata.generateName;
  return typeof prefix === 'string' && prefix !== '' ? `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ''}/${prefix}` : '';
}

/** Exit code: 1 when a dry run failed or (with `failOnDrift`) anything drifted, is missing or extra. */
export function verifyExitCode(report: VerifyReport, failOnDrift = false): number {
  if (report.dryRun.some((r) => r.outcome === 'failed')) return 1;
  return failOnDrift && report.drift.some((d) => d.status !== 'in-sync') ? 1 : 0;
}

function preview(v: unknown): string {
  const s = v === undefined ? '∅' : typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}

/** Text report: failures and skips of the dry run, then every object that is not in sync. */
export function formatVerify(report: VerifyReport): string {
  const out: string[] = [];
  const ok = report.dryRun.filter((r) => r.outcome === 'ok').length;
  out.push(`dry-run apply: ${ok} ok, ${report.dryRun.filter((r) => r.outcome === 'failed').length} failed, ${report.dryRun.filter((r) => r.outcome === 'skipped').length} skipped`);
  for (const r of report.dryRun) if (r.outcome !== 'ok') out.push(`  ${r.outcome.padEnd(7)} ${r.object}: ${r.message ?? ''}`);
  const count = (s: DriftStatus) => report.drift.filter((d) => d.status === s).length;
  out.push(`drift: ${count('in-sync')} in sync, ${count('drifted')} drifted, ${count('missing')} missing, ${count('extra')} extra (live, labelled for this environment, not in the tree)`);
  for (const d of report.drift) {
    if (d.status === 'in-sync') continue;
    out.push(`  ${d.status.padEnd(7)} ${d.object}`);
    for (const f of d.fields) out.push(`      ${f.path}: live ${preview(f.before)}, tree ${preview(f.after)}`);
  }
  return `${out.join('\n')}\n`;
}
