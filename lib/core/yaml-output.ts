import { toSortedYaml, toYaml } from './yaml-emit';

const FIRST_KEYS = ['apiVersion', 'kind', 'metadata'];

/** Keys sorted at every level, with `apiVersion`, `kind`, `metadata` first at the top. */
export function canonicalize(value: unknown, top = true): unknown {
  if (Array.isArray(value)) return value.map((v) => canonicalize(v, false));
  if (typeof value !== 'object' || value === null) return value;
  const rec = value as Record<string, unknown>;
  const keys = Object.keys(rec)
    .filter((k) => rec[k] !== undefined)
    .sort();
  const ordered = top ? [...FIRST_KEYS.filter((k) => k in rec), ...keys.filter((k) => !FIRST_KEYS.includes(k))] : keys;
  const out: Record<string, unknown> = {};
  for (const k of ordered) if (rec[k] !== undefined) out[k] = canonicalize(rec[k], false);
  return out;
}

/** A multi-document YAML file: stable key order, no line folding, one header comment. */
export function toYamlDocuments(objects: readonly unknown[], header?: string): string {
  const docs = objects.map((o) => toSortedYaml(o, FIRST_KEYS, (v) => toYaml(canonicalize(v))));
  return `${header ? `# ${header}\n` : ''}${docs.join('---\n')}`;
}
