/**
 * Field-level comparison of two JSON values, reported as readable paths
 * (`spec.template.spec.containers[name=app].image`). Lists whose items are objects with unique
 * `name`s are matched by name, so inserting a container does not report every later one as changed.
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

/** Names of a list's items when every item is an object with a unique string `name`; else undefined. */
function namedItems(list: readonly unknown[]): string[] | undefined {
  const names: string[] = [];
  for (const item of list) {
    if (!isRecord(item) || typeof item.name !== 'string') return undefined;
    names.push(item.name);
  }
  return new Set(names).size === names.length ? names : undefined;
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
    const nb = namedItems(before);
    const na = namedItems(after);
    if (nb && na) {
      const byName = (list: readonly unknown[], names: string[]) => new Map(names.map((n, i) => [n, list[i]]));
      const mb = byName(before, nb);
      const ma = byName(after, na);
      const changes = [...new Set([...nb, ...na])].flatMap((n) => diffFields(mb.get(n), ma.get(n), `${path}[name=${n}]`));
      if (changes.length > 0 || nb.join('\u0000') === na.join('\u0000')) return changes;
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
