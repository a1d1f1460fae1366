/**
 * `kompile diff`: two rendered trees compared by resource identity (environment, group, kind,
 * namespace, name) rather than by line, with what a reviewer must not miss called out: deletions that
 * lose data and changes to fields the API server will not change in place.
 */
import { findContainerImages } from '../core/images-walk';
import { groupOf } from '../core/kinds';
import { deepEqual, diffFields, FieldChange, valueAt } from './field-diff';
import { parseQuantity } from '../core/quantity';
import { displayName, environmentsOf, ManifestObject, RenderedTree, resourceKey, TreeObject } from './tree';

export type ChangeType = 'added' | 'removed' | 'changed';

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

export interface DiffReport {
  readonly objects: readonly ObjectDiff[];
  readonly images: readonly ImageDiff[];
  readonly destructive: readonly DestructiveChange[];
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
};

/** A rule about fields the API server refuses to change (or that lose data when changed). */
type ImmutableRule = (before: ManifestObject, after: ManifestObject) => string[];

const changed = (before: unknown, after: unknown) => !deepEqual(before, after);

/** Fields that must not change, by `group/Kind`, with the consequence a reviewer needs to know. */
function fieldRule(paths: readonly string[], consequence: string): ImmutableRule {
  return (b, a) => paths.filter((p) => changed(valueAt(b, p), valueAt(a, p))).map((p) => `${p} changed: ${consequence}`);
}

const SELECTOR = 'the field is immutable; the sync fails until the object is deleted and recreated';

const IMMUTABLE: Readonly<Record<string, readonly ImmutableRule[]>> = {
  'apps/Deployment': [fieldRule(['spec.selector'], SELECTOR)],
  'apps/ReplicaSet': [fieldRule(['spec.selector'], SELECTOR)],
  'apps/DaemonSet': [fieldRule(['spec.selector'], SELECTOR)],
  'apps/StatefulSet': [
    fieldRule(['spec.selector', 'spec.serviceName', 'spec.podManagementPolicy', 'spec.volumeClaimTemplates'], `${SELECTOR} (with its pods; volume claim templates never resize existing PVCs)`),
  ],
  'batch/Job': [fieldRule(['spec.selector', 'spec.template', 'spec.completionMode'], 'a Job\'s template and selector are immutable; the Job must be deleted and re-run')],
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
 * `images.txt`) plus every container image in its objects.
 */
function imagesOf(tree: RenderedTree, environment: string): Set<string> {
  const lists = tree.images.get(environment);
  const images = new Set(lists?.lock ? Object.values(lists.lock) : (lists?.list ?? []));
  for (const o of tree.objects) if (o.environment === environment) for (const f of findContainerImages(o.object)) images.add(f.value);
  return images;
}

function isAcknowledged(acks: ReadonlySet<string>, environment: string, object: string): boolean {
  return acks.has(object) || acks.has(`${environment}:${object}`);
}

/** Compares two rendered trees. Pure: the trees are read by the caller. */
export function diffTrees(before: RenderedTree, after: RenderedTree, options: DiffOptions = {}): DiffReport {
  const acks = new Set((options.acknowledged ?? []).map((a) => a.trim()).filter((a) => a !== ''));
  const index = (tree: RenderedTree) => new Map<string, TreeObject>(tree.objects.map((o) => [`${o.environment}\u0000${resourceKey(o.object)}`, o]));
  const b = index(before);
  const a = index(after);
  const objects: ObjectDiff[] = [];
  const destructive: DestructiveChange[] = [];
  const flag = (o: TreeObject, reason: string) => {
    const object = displayName(o.object);
    destructive.push({ environment: o.environment, component: o.component, object, reason, acknowledged: isAcknowledged(acks, o.environment, object) });
  };

  for (const [key, old] of b) {
    const now = a.get(key);
    if (!now) {
      objects.push({ environment: old.environment, component: old.component, object: displayName(old.object), type: 'removed', fields: [] });
      const why = DATA_KINDS[groupKind(old.object)];
      if (why) flag(old, `deleted: ${why}`);
      continue;
    }
    const fields = diffFields(old.object, now.object);
    if (old.component !== now.component) fields.unshift({ path: '(component)', before: old.component, after: now.component });
    if (fields.length === 0) continue;
    objects.push({ environment: now.environment, component: now.component, object: displayName(now.object), type: 'changed', fields });
    for (const rule of IMMUTABLE[groupKind(now.object)] ?? []) for (const reason of rule(old.object, now.object)) flag(now, reason);
  }
  for (const [key, now] of a) {
    if (!b.has(key)) objects.push({ environment: now.environment, component: now.component, object: displayName(now.object), type: 'added', fields: [] });
  }

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
  return { objects, images, destructive };
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

function fieldLines(fields: readonly FieldChange[]): string[] {
  const lines = fields.slice(0, MAX_FIELDS).map((f) => `${f.path}: ${preview(f.before)} → ${preview(f.after)}`);
  if (fields.length > MAX_FIELDS) lines.push(`… and ${fields.length - MAX_FIELDS} more field(s)`);
  return lines;
}

function summary(report: DiffReport): string {
  const count = (t: ChangeType) => report.objects.filter((o) => o.type === t).length;
  const open = report.destructive.filter((d) => !d.acknowledged).length;
  return `${count('added')} added, ${count('removed')} removed, ${count('changed')} changed; ${report.destructive.length} destructive (${open} unacknowledged)`;
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

/** Plain-text report for a terminal. */
export function formatText(report: DiffReport): string {
  const out: string[] = [];
  if (report.objects.length === 0 && report.images.length === 0) return 'No changes.\n';
  if (report.destructive.length > 0) {
    out.push('!!! DESTRUCTIVE CHANGES !!!');
    for (const d of report.destructive) out.push(`  ${d.acknowledged ? '[acknowledged] ' : ''}${d.environment}: ${d.object} (${d.component}): ${d.reason}`);
    out.push('');
  }
  for (const [env, comps] of groups(report)) {
    out.push(`== ${env}`);
    for (const [comp, diffs] of comps) {
      out.push(`  -- ${comp || '(environment)'}`);
      for (const d of diffs) {
        out.push(`    ${SIGN[d.type]} ${d.object}`);
        for (const line of fieldLines(d.fields)) out.push(`        ${line}`);
      }
    }
  }
  for (const i of report.images) {
    out.push(`== ${i.environment} images`);
    for (const img of i.removed) out.push(`  - ${img}`);
    for (const img of i.added) out.push(`  + ${img}`);
  }
  out.push('', summary(report));
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
   * Longest report, in characters (GitHub comments hold 65,536). A longer report keeps its summary,
   * destructive section and images, and lists per component only how many objects changed.
   * @default - no limit
   */
  readonly maxChars?: number;
}

/** Markdown report, ready to be posted as a pull-request comment. */
export function formatMarkdown(report: DiffReport, options: MarkdownOptions = {}): string {
  const head: string[] = ['## Kompile diff', ''];
  if (report.objects.length === 0 && report.images.length === 0) return `${head.join('\n')}No changes to the rendered manifests.\n`;
  head.push(summary(report), '');
  if (report.destructive.length > 0) {
    const open = report.destructive.filter((d) => !d.acknowledged).length;
    head.push(`### ⚠️ Destructive changes${open > 0 ? ` — ${open} need acknowledgement` : ''}`, '');
    head.push('| | environment | component | object | what happens |', '|---|---|---|---|---|');
    for (const d of report.destructive) head.push(`| ${d.acknowledged ? '✅ acknowledged' : '❌'} | ${d.environment} | ${d.component} | ${code(d.object)} | ${cell(d.reason)} |`);
    if (open > 0) head.push('', `To proceed on purpose, add a commit trailer per object: ${code(`${ACK_TRAILER}: <Kind/namespace/name>`)} (or run with ${code('--ack <Kind/namespace/name>')}).`);
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
  const full: string[] = [];
  const brief: string[] = [];
  for (const [env, comps] of groups(report)) {
    full.push(`### ${env}`, '');
    brief.push(`### ${env}`, '');
    for (const [comp, diffs] of comps) {
      const counts = (['added', 'removed', 'changed'] as const).map((t) => `${diffs.filter((d) => d.type === t).length} ${t}`).join(', ');
      brief.push(`- **${comp || '(environment)'}**: ${counts}`);
      full.push(`<details${diffs.length <= 20 ? ' open' : ''}><summary><b>${comp || '(environment)'}</b>: ${diffs.length} object(s)</summary>`, '');
      for (const d of diffs) {
        const label = d.type === 'added' ? '🟢 added' : d.type === 'removed' ? '🔴 removed' : '🟡 changed';
        full.push(`- ${label} ${code(d.object)}`);
        for (const line of fieldLines(d.fields)) full.push(`  - ${code(line)}`);
      }
      full.push('', '</details>', '');
    }
    brief.push('');
  }
  const whole = [...head, ...full, ...images].join('\n');
  if (options.maxChars === undefined || whole.length <= options.maxChars) return whole;
  brief.push('_The per-object listing is too long for a comment: run `kompile diff` locally or see the CI log._', '');
  const short = [...head, ...brief, ...images].join('\n');
  return short.length <= options.maxChars ? short : `${[...head].join('\n')}\n_Too many changes to list here: run \`kompile diff\` locally or see the CI log._\n`;
}
