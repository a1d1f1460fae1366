import { Schema, stringify } from 'yaml';
import { isYaml11Ambiguous, YAML_1_1_COMPAT } from '../checks/yaml';

/**
 * The `yaml` options Kompile's output uses: no line folding, no anchors, and every string that a
 * YAML 1.1 reader (kubectl, Argo CD, the API server: go-yaml v2) would read as something else —
 * `yes`, `on`, `~`, `0755`, `1_000`, `2001-12-14`, `<<` … — double-quoted (`compat`, see
 * lib/checks/yaml.ts), so that every string reads back as the same string under YAML 1.1 and 1.2.
 */
export const YAML_OPTIONS = { lineWidth: 0, aliasDuplicateObjects: false, ...YAML_1_1_COMPAT } as const;

/**
 * A fast block-style YAML emitter for plain JSON data that writes exactly what `yaml.stringify(value,
 * YAML_OPTIONS)` writes, several times faster. Only the block structure — indentation, `- ` items,
 * `{}`/`[]` for empty collections — is written here, and most scalars: a one-line string made of
 * characters that need no quoting ({@link plainScalar}: no indicator first, no `: ` or ` #`, no
 * document marker) that neither the YAML 1.2 core schema nor a YAML 1.1 reader
 * (`isYaml11Ambiguous`) reads as anything but that string, and a safe integer. Every other scalar
 * and key is rendered by the `yaml` library itself (once per distinct value, then cached), and
 * anything that is not plain JSON is handed to `yaml.stringify` whole, with the same options. So the
 * output is the library's YAML 1.2 except that YAML-1.1-ambiguous plain strings (map values,
 * sequence items and keys alike) are double-quoted, on every path. Byte-identity with
 * `yaml.stringify(value, YAML_OPTIONS)` is tested on every environment's output, on awkward scalars
 * and on a generated corpus of tricky ones (test/core/yaml-emit.test.ts).
 *
 * Why: the `yaml` library builds a document tree per object before printing it, and checks every
 * scalar against each tag of its schema; at 50,000 objects that is most of a synth's time (see bench/).
 */

/** A rendered value scalar: one line, or a block scalar header with its content lines (indented for depth 0). */
type Rendered = { readonly line: string } | { readonly header: string; readonly lines: readonly string[] };

const MAX_CACHE = 100_000;
const valueCache = new Map<string, Rendered>();
const keyCache = new Map<string, string>();
const PROBE = 'k';
/** Longer strings take the library's path (a key over 1,024 characters is written as an explicit `? ` key). */
const MAX_FAST_LENGTH = 1000;

function remember<T>(cache: Map<string, T>, key: string, value: T): T {
  if (cache.size >= MAX_CACHE) cache.clear();
  cache.set(key, value);
  return value;
}

/**
 * The tags the library tests a plain string against before writing it plain (those of the core
 * schema with a default resolution, other than the string's own): a string one of them matches
 * would read back as a null, bool, int or float, so the library quotes it.
 */
const CORE_TESTS = new Schema({ schema: 'core' }).tags.flatMap((t) => ('test' in t && t.default === true && t.tag !== 'tag:yaml.org,2002:str' && t.test ? [t.test] : []));
/**
 * Characters a plain scalar may hold here: letters, digits and the punctuation of names, paths,
 * URLs, images and flags. Anything else (quotes, brackets, `#`, `&`, `*`, `!`, `|`, `>`, `%`, `@`,
 * backquotes, tabs, line breaks, control and non-ASCII characters) takes the library's path.
 */
const PLAIN_CHARS = /^[A-Za-z0-9 _./:=+,$()~<-]+$/;
/**
 * First characters of every plain string that the core schema (null `~`/`null`, bools, ints, floats)
 * or a YAML 1.1 reader (bools y/n/on/off/…, null, ints, floats, timestamps, `<<`, `=`; go-yaml v2's
 * resolution hints) may read as something other than a string. A string starting otherwise is a
 * string under both.
 */
const TYPED_FIRST = /^[-+0-9.~<=yYnNtTfFoO]/;

/**
 * `s` as the library writes it plain, when that needs no rule of the library's but these: only
 * {@link PLAIN_CHARS}, not empty, no space or `-` (`- ` is a sequence item) in front, no space or
 * `:` at the end, no `: ` inside, no document marker (`---`, `...`) in front, and read back as the
 * same string by the core schema and by YAML 1.1 readers. Undefined: let the library decide (it may
 * still write it plain). The same test serves keys and values: on one line the library treats both
 * alike.
 */
export function plainScalar(s: string): string | undefined {
  if (!PLAIN_CHARS.test(s)) return undefined;
  const first = s.charCodeAt(0);
  const last = s.charCodeAt(s.length - 1);
  if (first === 32 || last === 32 || last === 58 /* : */ || s.includes(': ')) return undefined;
  if (first === 45 /* - */ && (s.length === 1 || s.charCodeAt(1) === 32 || s.startsWith('---'))) return undefined;
  if (s.startsWith('...')) return undefined;
  if (!TYPED_FIRST.test(s)) return s;
  let typed = typedCache.get(s);
  if (typed === undefined) typed = remember(typedCache, s, CORE_TESTS.some((re) => re.test(s)) || isYaml11Ambiguous(s));
  return typed ? undefined : s;
}

/** Whether a string starting like a typed scalar reads as one (quantities, ports, versions repeat). */
const typedCache = new Map<string, boolean>();

/** How the library renders `value` as a map value: from `k: <value>`, unless {@link plainScalar} or a safe integer says it already. */
function renderScalar(value: string | number): Rendered {
  if (typeof value === 'string') {
    const plain = value.length <= MAX_FAST_LENGTH ? plainScalar(value) : undefined;
    if (plain !== undefined) return { line: plain };
  } else if (Number.isSafeInteger(value) && !Object.is(value, -0)) return { line: String(value) };
  const cacheKey = typeof value === 'number' ? `n:${Object.is(value, -0) ? '-0' : value}` : `s:${value}`;
  const cached = valueCache.get(cacheKey);
  if (cached) return cached;
  const out = stringify({ [PROBE]: value }, YAML_OPTIONS);
  const body = out.slice(PROBE.length + 2, -1); // after "k: ", without the final newline
  const nl = body.indexOf('\n');
  const rendered: Rendered = nl < 0 ? { line: body } : { header: body.slice(0, nl), lines: body.slice(nl + 1).split('\n') };
  return remember(valueCache, cacheKey, rendered);
}

/** A line of the text starts with a document marker (what the library checks before writing a string plain). */
const DOCUMENT_MARKER = /^(?:%|---|\.\.\.)/m;
/** {@link renderKey}'s answer for a key the library does not write as `<key>: ` the same way at every depth. */
const NOT_PLAIN_KEY = '\u0000';

/** How the library renders a map key: from `<key>: 0`. */
function renderKey(key: string): string {
  const plain = key.length <= MAX_FAST_LENGTH ? plainScalar(key) : undefined;
  if (plain !== undefined) return plain;
  // A key with a document marker (`---`, `...`, `%` starting a line) is quoted or not depending on
  // its depth; the probe at depth 0 cannot tell, so such a document takes the library's path whole.
  if (DOCUMENT_MARKER.test(key)) return NOT_PLAIN_KEY;
  const cached = keyCache.get(key);
  if (cached !== undefined) return cached;
  const out = stringify({ [key]: 0 }, YAML_OPTIONS);
  return remember(keyCache, key, out.endsWith(': 0\n') && !out.slice(0, -4).includes('\n') ? out.slice(0, -4) : NOT_PLAIN_KEY);
}

class NotPlain extends Error {}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Appends the text after `prefix` (`key: ` or `- `) for a scalar whose line starts at `indent`. */
function emitScalar(out: string[], prefix: string, value: unknown, indent: number): void {
  if (value === null) {
    out.push(`${prefix}null`);
    return;
  }
  if (typeof value === 'boolean') {
    out.push(`${prefix}${value}`);
    return;
  }
  if (typeof value !== 'string' && (typeof value !== 'number' || !Number.isFinite(value))) throw new NotPlain();
  const r = renderScalar(value);
  if ('line' in r) {
    out.push(`${prefix}${r.line}`);
    return;
  }
  out.push(`${prefix}${r.header}`);
  // The probe's content is indented for a key at column 0; shift it to this line's column.
  const shift = ' '.repeat(indent);
  for (const line of r.lines) out.push(line === '' ? '' : `${shift}${line}`);
}

function isEmptyCollection(v: unknown): string | undefined {
  if (Array.isArray(v)) return v.length === 0 ? '[]' : undefined;
  if (!isPlainObject(v)) return undefined;
  for (const k in v) if (Object.hasOwn(v, k) && v[k] !== undefined) return undefined;
  return '{}';
}

/** Key order: as given, or sorted by code unit (what `canonicalize` in yaml-output.ts does). */
type KeyOrder = 'given' | 'sorted';

function keysOf(map: Record<string, unknown>, order: KeyOrder): string[] {
  return order === 'sorted' ? Object.keys(map).sort() : Object.keys(map);
}

function emitMap(out: string[], map: Record<string, unknown>, indent: number, order: KeyOrder, firstPrefix?: string, keys = keysOf(map, order)): void {
  const pad = ' '.repeat(indent);
  let first = true;
  for (const key of keys) {
    const value = map[key];
    if (value === undefined) continue;
    const k = renderKey(key);
    if (k === NOT_PLAIN_KEY) throw new NotPlain();
    const lead = first && firstPrefix !== undefined ? firstPrefix : pad;
    first = false;
    const empty = isEmptyCollection(value);
    if (empty) out.push(`${lead}${k}: ${empty}`);
    else if (Array.isArray(value)) {
      out.push(`${lead}${k}:`);
      emitSeq(out, value, indent + 2, order);
    } else if (isPlainObject(value)) {
      out.push(`${lead}${k}:`);
      emitMap(out, value, indent + 2, order);
    } else emitScalar(out, `${lead}${k}: `, value, indent);
  }
}

function emitSeq(out: string[], seq: readonly unknown[], indent: number, order: KeyOrder, firstPrefix?: string): void {
  const pad = ' '.repeat(indent);
  seq.forEach((item, i) => {
    const lead = i === 0 && firstPrefix !== undefined ? firstPrefix : pad;
    const empty = isEmptyCollection(item);
    if (empty) out.push(`${lead}- ${empty}`);
    else if (Array.isArray(item)) emitSeq(out, item, indent + 2, order, `${lead}- `);
    else if (isPlainObject(item)) emitMap(out, item, indent + 2, order, `${lead}- `);
    else if (item === undefined) throw new NotPlain();
    else emitScalar(out, `${lead}- `, item, indent);
  });
}

function emitDocument(value: unknown, order: KeyOrder, topKeys?: string[]): string | undefined {
  const empty = isEmptyCollection(value);
  if (empty !== undefined || (!isPlainObject(value) && !Array.isArray(value))) return undefined;
  const out: string[] = [];
  try {
    if (Array.isArray(value)) emitSeq(out, value, 0, order);
    else emitMap(out, value, 0, order, undefined, topKeys);
  } catch (e) {
    if (e instanceof NotPlain) return undefined;
    throw e;
  }
  return `${out.join('\n')}\n`;
}

/** `yaml.stringify(value, YAML_OPTIONS)`, faster, for plain JSON data. */
export function toYaml(value: unknown): string {
  return emitDocument(value, 'given') ?? stringify(value, YAML_OPTIONS);
}

/**
 * `toYaml` with the keys of every map sorted by code unit, except that `firstKeys` come first, in
 * their order, at the top level: what `toYaml(canonicalize(value))` writes, without building the
 * sorted copy.
 * @param fallback used for values that are not plain JSON
 */
export function toSortedYaml(value: unknown, firstKeys: readonly string[], fallback: (value: unknown) => string): string {
  if (!isPlainObject(value)) return fallback(value);
  const sorted = Object.keys(value).sort();
  const top = [...firstKeys.filter((k) => k in value), ...sorted.filter((k) => !firstKeys.includes(k))];
  return emitDocument(value, 'sorted', top) ?? fallback(value);
}
