/** Reads a dotted path (`spec.containers.0.image`) of a parsed object; undefined where it is absent. */
export function dig(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const key of path.split('.')) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** The list at `path`. */
export function list(obj: unknown, path: string): Record<string, unknown>[] {
  const v = dig(obj, path);
  if (!Array.isArray(v)) throw new Error(`no list at ${path}`);
  return v as Record<string, unknown>[];
}

/** The item of the list at `path` whose `key` (default `name`) is `value`. */
export function item(obj: unknown, path: string, value: string, key = 'name'): Record<string, unknown> {
  const found = list(obj, path).filter((x) => x[key] === value);
  if (found.length !== 1) throw new Error(`expected one item ${key}=${value} at ${path}, found ${found.length}`);
  return found[0];
}
