/**
 * YAML as Kubernetes reads it.
 *
 * Kompile writes YAML with the `yaml` package's YAML 1.2 core schema, but kubectl, Argo CD and the
 * API server's YAML decoder read it with `sigs.k8s.io/yaml`, which is go-yaml v2 (a fork of
 * gopkg.in/yaml.v2 2.4.0, `sigs.k8s.io/yaml/goyaml.v2`) followed by a conversion to JSON: YAML 1.1
 * resolution. Under YAML 1.1 a plain `yes` is the boolean true, so `args: [--appendonly, yes]`
 * reaches the API server as `["--appendonly", true]` and is refused ("cannot unmarshal bool into
 * ... containers.args of type string").
 *
 * This module holds:
 * - {@link isYaml11Ambiguous}: would a YAML 1.1 reader read this plain scalar as something other
 *   than that very string? The writer double-quotes every such string (see `YAML_1_1_COMPAT`).
 * - {@link resolveGoYamlV2}: what go-yaml v2 makes of a plain scalar.
 * - {@link parseKubernetesYaml}: documents read the way kubectl and Argo CD read them, each with
 *   every scalar whose YAML 1.1 value differs from its YAML 1.2 value ({@link ReadingDifference}).
 * - {@link readBackDifferences}: where a written file, read the Kubernetes way, differs from the
 *   data it was written from.
 *
 * Sources (checked, not from memory):
 * - YAML 1.1 type regexps, yaml.org/type/{bool,null,int,float,timestamp,merge,value}.html (Working
 *   Drafts 2005-01-18 / 2005-02-11), transcribed in {@link YAML_1_1_TYPES}.
 * - go-yaml v2 resolution: `sigs.k8s.io/yaml` goyaml.v2/resolve.go (`resolveMap`, `resolveTable`
 *   hints, `yamlStyleFloat`, `strconv.ParseInt(plain, 0, 64)` after removing `_`, no base-60);
 *   goyaml.v2/decode.go (`isMerge`: a plain `<<` key; a value resolved as !!timestamp is kept as its
 *   text when decoding into `interface{}`); sigs.k8s.io/yaml yaml.go (`convertToJSONableObject`:
 *   bool/int/float keys become strings).
 * - Quoted scalars continued on lines not indented past their key: invalid YAML per the spec's
 *   `s-flow-line-prefix(n)` and refused by the `yaml` package on purpose (eemeli/yaml#176: "several
 *   YAML processors allow this"); libyaml's `yaml_parser_scan_flow_scalar`, which go-yaml's
 *   scannerc.go ports, checks a continuation line only for a document marker and the end of the
 *   stream, so go-yaml reads it. js-yaml reads it too, hence the fallback of {@link parseKubernetesYaml}.
 *
 * Known differences between {@link parseKubernetesYaml} and go-yaml v2 → JSON (none arise in what
 * Kompile writes):
 * - integers beyond ±2^53 lose precision (JavaScript numbers); go-yaml keeps int64/uint64/big.Int;
 * - float map keys are stringified by JavaScript (`String(1.5)`), go-yaml uses 32-bit `%g`;
 * - a null map key becomes `""` here; sigs.k8s.io/yaml fails ("unsupported map key");
 * - `.nan`/`.inf` read as NaN/Infinity here; JSON cannot carry them, so kubectl fails;
 * - duplicate keys are an error here; go-yaml v2 (non-strict) keeps the last;
 * - `!!set`, `!!omap`, `!!pairs` tags are ignored (read as the plain map or sequence), as go-yaml v2
 *   does; `!!binary` decodes base64 to a UTF-8 string (go-yaml: bytes, which JSON then coerces).
 */
import * as jsyaml from 'js-yaml';
import { isAlias, isMap, isPair, isScalar, isSeq, parseAllDocuments, Scalar, ScalarTag, Schema, Tags } from 'yaml';

/**
 * The YAML 1.1 implicit types, as the regexps of yaml.org/type. Two readings: the float regexp's
 * `[0-9.]*` is taken as `[0-9_]*` (no reader we know of — go-yaml v2's `yamlStyleFloat`, the `yaml`
 * package's YAML 1.1 schema — reads `1.2.3` as a float); the two published timestamp time-zone
 * forms are joined.
 */
export const YAML_1_1_TYPES = {
  bool: /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/,
  null: /^(?:~|null|Null|NULL|)$/,
  int: /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/,
  float: /^(?:[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
  timestamp:
    /^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)$/,
  merge: /^<<$/,
  value: /^=$/,
} as const;

/** What go-yaml v2 resolves a plain scalar to. */
export type GoYamlKind = 'str' | 'bool' | 'null' | 'int' | 'float' | 'merge';

export interface GoYamlResolved {
  readonly kind: GoYamlKind;
  readonly value: string | number | boolean | null;
}

const GO_MAP = new Map<string, GoYamlResolved>();
for (const [kind, value, spellings] of [
  ['bool', true, ['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']],
  ['bool', false, ['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']],
  ['null', null, ['', '~', 'null', 'Null', 'NULL']],
  ['float', NaN, ['.nan', '.NaN', '.NAN']],
  ['float', Infinity, ['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF']],
  ['float', -Infinity, ['-.inf', '-.Inf', '-.INF']],
] as const) {
  for (const s of spellings) GO_MAP.set(s, { kind, value });
}

/** go-yaml v2's `yamlStyleFloat`. */
const GO_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
/** Go's `strconv.ParseFloat` for text starting with `.` (decimal only; no `_` without a base prefix). */
const GO_DOT_FLOAT = /^\.[0-9]+(?:[eE][-+]?[0-9]+)?$/;
/** Go's `strconv.ParseInt(s, 0, 64)` syntax: sign, then 0b/0o/0x prefix, a leading 0 (octal), or decimal. */
const GO_INT = /^([-+]?)(?:0[bB]([01]+)|0[oO]([0-7]+)|0[xX]([0-9a-fA-F]+)|0([0-7]*)|([1-9][0-9]*))$/;
const STR = (s: string): GoYamlResolved => ({ kind: 'str', value: s });

/**
 * Go's ParseInt, then ParseUint, on the text without `_`, as go-yaml v2 tries them; undefined if
 * the syntax is not an integer's. (Beyond 64 bits go-yaml falls to a float or a big.Int; either way
 * JavaScript holds the nearest double.)
 */
function goInt(plain: string): number | undefined {
  const m = GO_INT.exec(plain);
  if (!m) return undefined;
  const [, sign, bin, oct, hex, oct0, dec] = m;
  const magnitude =
    bin !== undefined ? BigInt(`0b${bin}`) : oct !== undefined ? BigInt(`0o${oct}`) : hex !== undefined ? BigInt(`0x${hex}`) : oct0 !== undefined ? (oct0 === '' ? 0n : BigInt(`0o${oct0}`)) : BigInt(dec);
  return Number(sign === '-' ? -magnitude : magnitude);
}

/**
 * What go-yaml v2 (`resolve("", in)` in goyaml.v2/resolve.go) makes of a plain scalar, as decoded
 * into `interface{}`: a timestamp stays its text (decode.go), so it is a string here. `<<` resolves
 * to a string; only as a plain map key is it a merge (decode.go `isMerge`), see {@link parseKubernetesYaml}.
 */
export function resolveGoYamlV2(s: string): GoYamlResolved {
  if (s === '') return GO_MAP.get('')!;
  const hint = s[0];
  if (!/[-+0-9.yYnNtTfFoO~]/.test(hint)) return STR(s);
  const mapped = GO_MAP.get(s);
  if (mapped) return mapped;
  if (hint === '.') {
    if (GO_DOT_FLOAT.test(s)) {
      const f = Number(s);
      if (Number.isFinite(f)) return { kind: 'float', value: f };
    }
    return STR(s);
  }
  if (!/[-+0-9]/.test(hint)) return STR(s);
  const plain = s.replace(/_/g, '');
  const int = goInt(plain);
  if (int !== undefined) return { kind: 'int', value: int };
  if (GO_FLOAT.test(plain)) {
    const f = Number(plain);
    // strconv.ParseFloat fails with ErrRange beyond float64; go-yaml then keeps the string.
    if (Number.isFinite(f)) return { kind: 'float', value: f };
  }
  return STR(s);
}

/**
 * True when a YAML 1.1 reader may read `s`, written as a plain scalar, as anything other than the
 * string `s`: a bool, null, int, float or timestamp of yaml.org/type (base 60 included), the merge
 * key `<<` or the value key `=`, or anything go-yaml v2 resolves to a non-string (it also reads
 * `1e3`, `0X1F`, `0o17` and `+0x1F` as numbers). Such a string must be quoted.
 */
export function isYaml11Ambiguous(s: string): boolean {
  for (const re of Object.values(YAML_1_1_TYPES)) if (re.test(s)) return true;
  return resolveGoYamlV2(s).kind !== 'str';
}

/** A RegExp whose `test` is a predicate: what the `yaml` package calls to decide a plain scalar's tag. */
class PredicateRegExp extends RegExp {
  constructor(private readonly predicate: (s: string) => boolean) {
    super('(?:)');
  }
  override test(s: string): boolean {
    return this.predicate(s);
  }
}

/**
 * For `yaml.stringify`'s `compat` option: the library then quotes every string this tag's test
 * flags (in values, sequence items and keys alike), so that it reads as a string under YAML 1.1 too.
 * It is never used to read.
 */
export const YAML_1_1_AMBIGUOUS_TAG: ScalarTag = {
  tag: 'tag:kompile.dev,2025:yaml-1.1-ambiguous',
  default: true,
  test: new PredicateRegExp(isYaml11Ambiguous),
  resolve: (s) => s,
};

/** Options for `yaml.stringify` (and `Document#toString`) that keep every string a string under YAML 1.1. */
export const YAML_1_1_COMPAT: { readonly compat: Tags } = { compat: [YAML_1_1_AMBIGUOUS_TAG] };

// --- Reading the way Kubernetes does ---

const goTag = (tag: string, kind: GoYamlKind): ScalarTag => ({
  tag,
  default: true,
  test: new PredicateRegExp((s) => resolveGoYamlV2(s).kind === kind),
  resolve: (s) => resolveGoYamlV2(s).value as never,
});

/**
 * The scalar tags of go-yaml v2: its resolution for plain scalars; timestamps only when tagged
 * explicitly, and then kept as text; `!!binary` decoded to text. The `yaml` package's own YAML 1.1
 * schema differs (base-60 numbers, timestamps as Dates, `!!set` as a Set), so it is not used.
 */
function kubernetesTags(tags: Tags): Tags {
  const keep = tags.filter((t) => ['tag:yaml.org,2002:map', 'tag:yaml.org,2002:seq', 'tag:yaml.org,2002:str', 'tag:yaml.org,2002:merge'].includes((t as ScalarTag).tag));
  return [
    ...keep,
    goTag('tag:yaml.org,2002:null', 'null'),
    goTag('tag:yaml.org,2002:bool', 'bool'),
    goTag('tag:yaml.org,2002:int', 'int'),
    goTag('tag:yaml.org,2002:float', 'float'),
    { tag: 'tag:yaml.org,2002:timestamp', default: false, resolve: (s: string) => s } satisfies ScalarTag,
    { tag: 'tag:yaml.org,2002:binary', default: false, resolve: (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'base64').toString('utf8') } satisfies ScalarTag,
  ];
}

const KUBERNETES_OPTIONS = { version: '1.1', merge: true, customTags: kubernetesTags, logLevel: 'error' } as const;

/** The YAML 1.2 core schema's resolution of a plain scalar (what Kompile's writer assumed). */
const CORE_TAGS = new Schema({ schema: 'core' }).tags.filter((t): t is ScalarTag => t.default === true && 'test' in t && t.test !== undefined);
function resolveCore(s: string): unknown {
  for (const t of CORE_TAGS) {
    if (t.test!.test(s)) {
      const v = t.resolve(s, () => undefined, { intAsBigInt: false } as never) as unknown;
      return isScalar(v) ? v.value : v;
    }
  }
  return s;
}

/** One scalar that YAML 1.1 (Kubernetes) and YAML 1.2 read differently. */
export interface ReadingDifference {
  /** JSON pointer of the value (for a key: of the map entry, as YAML 1.2 names it). */
  readonly pointer: string;
  /** Whether the scalar is a map key. */
  readonly isKey: boolean;
  /** The plain scalar as written. */
  readonly source: string;
  /** Its value as Kubernetes reads it (a merge key reads as the symbol `<<`). */
  readonly kubernetes: unknown;
  /** Its value under YAML 1.2 (the `yaml` package's core schema). */
  readonly yaml12: unknown;
}

/** One document read the Kubernetes way. */
export interface KubernetesDocument {
  /** The document as JSON-like data, as the API server receives it (keys are strings). */
  readonly value: unknown;
  /** Every plain scalar whose YAML 1.1 value differs from its YAML 1.2 value. */
  readonly differences: readonly ReadingDifference[];
}

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

function sameValue(a: unknown, b: unknown): boolean {
  return Object.is(a, b) || (typeof a === 'number' && typeof b === 'number' && a === b);
}

function keyText(node: unknown): string {
  if (isScalar(node)) return node.source ?? String(node.value);
  return String(node);
}

function collectDifferences(node: unknown, pointer: string, out: ReadingDifference[]): void {
  if (isAlias(node)) return; // the anchored node is visited where it is defined
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const key = pair.key;
      const at = `${pointer}/${escapePointer(keyText(key))}`;
      if (isScalar(key)) checkScalar(key, at, true, out);
      else collectDifferences(key, at, out);
      collectDifferences(pair.value, at, out);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => collectDifferences(item, `${pointer}/${i}`, out));
  } else if (isScalar(node)) checkScalar(node, pointer, false, out);
}

function checkScalar(node: Scalar, pointer: string, isKey: boolean, out: ReadingDifference[]): void {
  if (node.type !== Scalar.PLAIN || node.tag !== undefined || typeof node.source !== 'string') return;
  const kubernetes = node.value;
  // Fast path: most plain scalars are strings both ways.
  if (typeof kubernetes === 'string' && kubernetes === node.source && !CORE_TAGS.some((t) => t.test!.test(node.source!))) return;
  const yaml12 = resolveCore(node.source);
  if (!sameValue(kubernetes, yaml12)) out.push({ pointer, isKey, source: node.source, kubernetes, yaml12 });
}

/**
 * Reads a multi-document YAML stream the way kubectl and Argo CD do (go-yaml v2, YAML 1.1
 * resolution, see the module doc for the known differences), and lists, per document, every plain
 * scalar that YAML 1.2 reads differently. Empty documents are kept (value null).
 *
 * The `yaml` package reads first. It refuses some YAML that go-yaml (a port of libyaml) accepts —
 * e.g. a multi-line quoted scalar whose continuation lines are not indented more than its key, as
 * knative-operator 1.16.6's CRDs have (helm, kubectl and Argo CD read them). A stream the `yaml`
 * package refuses is read again with `js-yaml` ({@link parseWithJsYaml}), with the same go-yaml v2
 * resolution; only when that refuses it too is it an error.
 * @throws on a YAML syntax error, naming the document
 */
export function parseKubernetesYaml(content: string): KubernetesDocument[] {
  const docs = parseAllDocuments(content, KUBERNETES_OPTIONS);
  const failed = docs.findIndex((d) => d.errors.length > 0);
  if (failed < 0) return docs.map(readDocument);
  let fallback: KubernetesDocument[];
  try {
    fallback = parseWithJsYaml(content);
  } catch {
    throw new Error(`document ${failed + 1}: ${docs[failed].errors[0].message}`);
  }
  // Same document boundaries: keep the `yaml` package's reading (and its key differences) where it succeeded.
  if (fallback.length === docs.length) return docs.map((d, i) => (d.errors.length > 0 ? fallback[i] : readDocument(d)));
  return fallback;
}

function readDocument(doc: ReturnType<typeof parseAllDocuments>[number]): KubernetesDocument {
  const differences: ReadingDifference[] = [];
  collectDifferences(doc.contents, '', differences);
  return { value: doc.toJS({ maxAliasCount: -1 }) as unknown, differences };
}

// --- The fallback reader: js-yaml with go-yaml v2 resolution ---

/** What go-yaml v2 makes of a plain map key, as sigs.k8s.io/yaml turns it into a JSON key. */
function goKey(source: string): string {
  const { value } = resolveGoYamlV2(source);
  return value === null ? '' : String(value);
}

/**
 * A plain (unquoted, untagged) scalar as written, left unresolved by the js-yaml schema below and
 * resolved afterwards, so that the reading difference can be recorded with its pointer. As a map
 * key js-yaml turns it into a string with `toString`: go-yaml's key.
 */
class PlainScalar {
  constructor(readonly source: string) {}
  get [Symbol.toStringTag](): string {
    return 'PlainScalar';
  }
  toString(): string {
    return goKey(this.source);
  }
}

const goExplicit = (tag: string, kind: GoYamlKind) =>
  new jsyaml.Type(tag, { kind: 'scalar', resolve: (s: unknown) => typeof s === 'string' && resolveGoYamlV2(s).kind === kind, construct: (s: string) => resolveGoYamlV2(s).value });

/**
 * The js-yaml schema of the fallback: every plain scalar stays a {@link PlainScalar} (a plain `<<`
 * key is a merge, as go-yaml's `isMerge`); explicit tags as in {@link kubernetesTags}: `!!null`,
 * `!!bool`, `!!int`, `!!float` by go-yaml's resolution, `!!timestamp` kept as text, `!!binary`
 * decoded to text, `!!set`, `!!omap`, `!!pairs` read as the plain map or sequence.
 */
const JS_YAML_SCHEMA = jsyaml.FAILSAFE_SCHEMA.extend({
  implicit: [
    new jsyaml.Type('tag:yaml.org,2002:merge', { kind: 'scalar', resolve: (s: unknown) => s === '<<' }),
    new jsyaml.Type('tag:kompile.dev,2025:plain', { kind: 'scalar', resolve: () => true, construct: (s: string) => new PlainScalar(s) }),
  ],
  explicit: [
    goExplicit('tag:yaml.org,2002:null', 'null'),
    goExplicit('tag:yaml.org,2002:bool', 'bool'),
    goExplicit('tag:yaml.org,2002:int', 'int'),
    goExplicit('tag:yaml.org,2002:float', 'float'),
    new jsyaml.Type('tag:yaml.org,2002:timestamp', { kind: 'scalar', construct: (s: string) => s }),
    new jsyaml.Type('tag:yaml.org,2002:binary', { kind: 'scalar', construct: (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'base64').toString('utf8') }),
    new jsyaml.Type('tag:yaml.org,2002:set', { kind: 'mapping' }),
    new jsyaml.Type('tag:yaml.org,2002:omap', { kind: 'sequence' }),
    new jsyaml.Type('tag:yaml.org,2002:pairs', { kind: 'sequence' }),
  ],
});

/** Resolves the {@link PlainScalar}s of a js-yaml reading, recording where YAML 1.2 would differ (values only). */
function resolvePlain(node: unknown, pointer: string, out: ReadingDifference[]): unknown {
  if (node instanceof PlainScalar) {
    const kubernetes = resolveGoYamlV2(node.source).value;
    const yaml12 = resolveCore(node.source);
    if (!sameValue(kubernetes, yaml12)) out.push({ pointer, isKey: false, source: node.source, kubernetes, yaml12 });
    return kubernetes;
  }
  if (Array.isArray(node)) return node.map((item, i) => resolvePlain(item, `${pointer}/${i}`, out));
  if (typeof node === 'object' && node !== null && Object.getPrototypeOf(node) === Object.prototype) {
    const out2: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) out2[k] = resolvePlain(v, `${pointer}/${escapePointer(k)}`, out);
    return out2;
  }
  return node;
}

/**
 * Reads a stream with js-yaml, resolving plain scalars as go-yaml v2 does. Reading differences are
 * recorded for values only: a plain key is already go-yaml's key when js-yaml builds the map.
 * @throws js-yaml's error when it refuses the stream too
 */
export function parseWithJsYaml(content: string): KubernetesDocument[] {
  return jsyaml.loadAll(content, null, { schema: JS_YAML_SCHEMA }).map((doc) => {
    const differences: ReadingDifference[] = [];
    const value = resolvePlain(doc ?? null, '', differences);
    return { value, differences };
  });
}

function describe(v: unknown): string {
  if (typeof v === 'symbol') return 'a merge key (<<)';
  if (v === null) return 'null';
  if (typeof v === 'boolean') return `the boolean ${v}`;
  if (typeof v === 'number') return `the number ${v}`;
  return `the string ${JSON.stringify(v)}`;
}

/** A finding's message: what was written, and what Kubernetes and YAML 1.2 make of it. */
export function describeDifference(d: ReadingDifference): string {
  const what = d.isKey ? `key '${d.source}'` : `plain '${d.source}'`;
  return `${what} reads as ${describe(d.kubernetes)} in YAML 1.1 (kubectl, Argo CD, the API server) but as ${describe(d.yaml12)} in YAML 1.2; quote it`;
}

/** The first place where `actual` differs from `expected` (JSON data), as a JSON pointer; undefined if equal. */
export function firstDifference(expected: unknown, actual: unknown, pointer = ''): string | undefined {
  if (sameValue(expected, actual)) return undefined;
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return pointer;
    if (expected.length !== actual.length) return pointer;
    for (let i = 0; i < expected.length; i++) {
      const d = firstDifference(expected[i], actual[i], `${pointer}/${i}`);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  if (typeof expected === 'object' && expected !== null) {
    if (typeof actual !== 'object' || actual === null || Array.isArray(actual)) return pointer;
    const e = expected as Record<string, unknown>;
    const a = actual as Record<string, unknown>;
    const keys = Object.keys(e).filter((k) => e[k] !== undefined);
    for (const k of keys) {
      if (!(k in a)) return `${pointer}/${escapePointer(k)}`;
      const d = firstDifference(e[k], a[k], `${pointer}/${escapePointer(k)}`);
      if (d !== undefined) return d;
    }
    for (const k of Object.keys(a)) if (!keys.includes(k)) return `${pointer}/${escapePointer(k)}`;
    return undefined;
  }
  return pointer;
}

/** Where a written YAML stream, read the Kubernetes way, is not the data it was written from. */
export interface ReadBackProblem {
  /** 0-based index of the document (the object). */
  readonly document: number;
  readonly pointer: string;
  readonly message: string;
}

/**
 * Reads `content` the Kubernetes way and compares each document with the data it was written
 * from: [] when kubectl reads exactly `objects`.
 */
export function readBackDifferences(content: string, objects: readonly unknown[]): ReadBackProblem[] {
  const docs = parseKubernetesYaml(content).filter((d) => d.value !== null && d.value !== undefined);
  const problems: ReadBackProblem[] = [];
  if (docs.length !== objects.length) problems.push({ document: 0, pointer: '', message: `${docs.length} document(s) read back, ${objects.length} written` });
  objects.forEach((o, i) => {
    if (i >= docs.length) return;
    const pointer = firstDifference(o, docs[i].value);
    if (pointer !== undefined) {
      const diff = docs[i].differences.find((d) => d.pointer === pointer);
      problems.push({ document: i, pointer, message: diff ? describeDifference(diff) : 'reads back differently under YAML 1.1 (kubectl, Argo CD)' });
    }
  });
  return problems;
}
