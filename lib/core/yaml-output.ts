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

/** A file's content, or how to render it. */
export type FileSource = string | (() => string);

/**
 * An environment's files, each rendered when it is read and not kept: a writer that reads one
 * file, writes it and moves on holds one file's text at a time, not every environment's. Reading a
 * file twice renders it twice, to the same text (rendering is deterministic and reads objects that
 * nothing changes once synthesized).
 */
export class RenderedFiles implements ReadonlyMap<string, string> {
  private readonly sources: ReadonlyMap<string, FileSource>;

  constructor(sources: Iterable<readonly [string, FileSource]>) {
    this.sources = new Map(sources);
  }

  get size(): number {
    return this.sources.size;
  }

  has(file: string): boolean {
    return this.sources.has(file);
  }

  get(file: string): string | undefined {
    const source = this.sources.get(file);
    return typeof source === 'function' ? source() : source;
  }

  keys(): MapIterator<string> {
    return this.sources.keys();
  }

  *entries(): MapIterator<[string, string]> {
    for (const [file, source] of this.sources) yield [file, typeof source === 'function' ? source() : source];
  }

  *values(): MapIterator<string> {
    for (const [, content] of this.entries()) yield content;
  }

  [Symbol.iterator](): MapIterator<[string, string]> {
    return this.entries();
  }

  forEach(fn: (content: string, file: string, map: ReadonlyMap<string, string>) => void): void {
    for (const [file, content] of this.entries()) fn(content, file, this);
  }
}
