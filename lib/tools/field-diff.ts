/**
 * Field-level comparison of two JSON values, reported as readable paths
 * (`spec.template.spec.containers[name=app].image`). Lists are matched by identity where they have
 * one, so inserting an item does not report every later one as changed: lists of objects by the first
 * of {@link ITEM_KEYS} that identifies every item (`[name=app]`, `[namespace=ml]`), lists of distinct
 * scalars and of distinct flat objects as sets (`sourceRepos[+]: https://…`).
 */

/** One field that differs; `before`/`after` are undefined where the field is absent. */
export interface FieldChange {
  readonly path: string;
  readonly before?: unknown;
  readonly after?: unknown;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const PLAIN_KEY = /^[A-Za-z_$][\w$-]*$/;

/** Appends a key to a readable path: `a.b`, or `a["x.y/z"]` for keys that are not plain words. */
export function joinPath(base: string, key: string): string {
  if (PLAIN_KEY.test(key)) return base ? `${base}.${key}` : key;
  return `${base}[${JSON.stringify(key)}]`;
}

/** Fields that identify the items of a list of objects, in order of preference. */
export const ITEM_KEYS = ['name', 'namespace', 'key', 'mountPath', 'containerPort', 'port', 'path', 'ip'] as const;

/** The identities of a list's items under `key` when every item is an object with a unique scalar there; else undefined. */
function itemIds(list: readonly unknown[], key: string): string[] | undefined {
  const ids: string[] = [];
  for (const item of list) {
    const id = isRecord(item) ? item[key] : undefined;
    if (typeof id !== 'string' && typeof id !== 'number') return undefined;
    ids.push(String(id));
  }
  return new Set(ids).size === ids.length ? ids : undefined;
}

/** A key identifying the items of both lists, with their ids. */
function identify(before: readonly unknown[], after: readonly unknown[]): { key: string; b: string[]; a: string[] } | undefined {
  for (const key of ITEM_KEYS) {
    const b = itemIds(before, key);
    const a = itemIds(after, key);
    if (b && a) return { key, b, a };
  }
  return undefined;
}

function isScalar(v: unknown): v is string | number | boolean {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

/**
 * Keys of a list that is a set: distinct scalars, or distinct flat objects of scalars without an
 * identifying field (`{ group, kind }` entries of an AppProject whitelist). Undefined otherwise.
 */
function setKeys(list: readonly unknown[]): string[] | undefined {
  const keys = list.map((v) => {
    if (isScalar(v)) return JSON.stringify(v);
    if (isRecord(v) && Object.values(v).every(isScalar)) return JSON.stringify(Object.keys(v).sort().map((k) => [k, v[k]]));
    return undefined;
  });
  if (keys.some((k) => k === undefined) || new Set(keys).size !== keys.length) return undefined;
  return keys as string[];
}

/** Structural equality of JSON values (key order ignored). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

/**
 * Every leaf-most difference between `before` and `after`. A field present on one side only is reported
 * once, at its own path (not once per nested field).
 */
export function diffFields(before: unknown, after: unknown, path = ''): FieldChange[] {
  if (deepEqual(before, after)) return [];
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => diffFields(before[k], after[k], joinPath(path, k)));
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const ids = identify(before, after);
    if (ids && before.length + after.length > 0) {
      const byId = (list: readonly unknown[], keys: string[]) => new Map(keys.map((n, i) => [n, list[i]]));
      const mb = byId(before, ids.b);
      const ma = byId(after, ids.a);
      const changes = [...new Set([...ids.b, ...ids.a])].flatMap((n) => diffFields(mb.get(n), ma.get(n), `${path}[${ids.key}=${n}]`));
      if (changes.length > 0 || ids.b.join('\u0000') === ids.a.join('\u0000')) return changes;
      return [{ path, before, after }]; // same items, new order
    }
    const sb = setKeys(before);
    const sa = setKeys(after);
    if (sb && sa && before.length + after.length > 0) {
      const removed = before.filter((_, i) => !sa.includes(sb[i])).map((v) => ({ path: `${path}[-]`, before: v }));
      const added = after.filter((_, i) => !sb.includes(sa[i])).map((v) => ({ path: `${path}[+]`, after: v }));
      if (removed.length + added.length > 0) return [...removed, ...added];
      return [{ path, before, after }]; // same items, new order
    }
    const n = Math.max(before.length, after.length);
    const changes: FieldChange[] = [];
    for (let i = 0; i < n; i++) changes.push(...diffFields(before[i], after[i], `${path}[${i}]`));
    return changes;
  }
  return [{ path, before, after }];
}

/** The value at a dotted path of plain keys (`spec.selector`), or undefined. */
export function valueAt(obj: unknown, dotted: string): unknown {
  let cur = obj;
  for (const key of dotted.split('.')) {
    if (!isRecord(cur)) return undefined;
    cur = cur[key];
  }
  return cur;
}
