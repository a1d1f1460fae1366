/**
 * Values a chart does not declare. Helm silently ignores a value no template reads, so a typo or a
 * key an upgrade renamed (`podAnnotation`, `securityContext` moved under `controller`) changes
 * nothing and says nothing. Every key Kompile sets must therefore be one the chart declares:
 * - in its `values.yaml` (at any depth; below a default that is a scalar, a list or null, Kompile
 *   replaces the default and may give it any shape);
 * - in its `values.schema.json`: `properties`, a matching `patternProperties` regexp, or an
 *   `additionalProperties` that is `true` or a schema (absent counts as not declaring: draft-07
 *   allows anything then, which would declare every typo); `$ref` to `#/definitions/…` or
 *   `#/$defs/…` and `allOf`/`anyOf`/`oneOf` are followed; below a schema of another type than
 *   object, or an object schema with no property keywords, the subtree is free-form;
 * - below a key a template passes whole to `toYaml` (`toYaml .Values.<path>`, `.Values.<path> |
 *   toYaml`, or `toYaml .` inside `{{ with .Values.<path> }}`): its subtree is free-form, as
 *   `resources`, `securityContext`, `nodeSelector` or `podAnnotations` usually are;
 * - or listed in the chart lock's `undeclaredValues` ({key, template}): valid while that template
 *   exists and mentions `.Values.<key>`; an entry that no longer does is itself a finding.
 * Lists are not descended into. Pure.
 */
import type { LockedChart } from '../core/chart-lock';
import type { ChartFacts } from '../core/chart-render';
import { editDistance } from '../core/edit-distance';

export interface ValueFinding {
  /** Dotted path of the value (or of the allow-list entry). */
  readonly key: string;
  readonly message: string;
}

type Json = Record<string, unknown>;

function isMap(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `charts/<a>/charts/<b>/templates/x.yaml` → `a.b.` : where a subchart template's `.Values` sits. */
function scopeOf(template: string): string {
  const parts = template.split('/');
  let scope = '';
  for (let i = 0; i + 1 < parts.length && parts[i] === 'charts'; i += 2) scope += `${parts[i + 1]}.`;
  return scope;
}

const ACTION = /\{\{-?([\s\S]*?)-?\}\}/g;
/** `.Values.a.b`, `$.Values.a.b` or `$root.Values.a.b` (a variable bound to the root context). */
const VALUES_PATH = String.raw`(?:\$[A-Za-z0-9_]*)?\.Values\.([A-Za-z0-9_.]*[A-Za-z0-9_])`;
const TO_YAML_PATH = new RegExp(String.raw`\btoYaml\s+\(?\s*${VALUES_PATH}`, 'g');
const PATH_TO_YAML = new RegExp(String.raw`${VALUES_PATH}\s*\|\s*toYaml\b`, 'g');
const TO_YAML_DOT = /\btoYaml\s+\.(?![\w.$])|(?:^|[\s(])\.\s*\|\s*toYaml\b/;
const OPENS = /^(if|with|range|define|block)\b/;
const WITH_VALUES = new RegExp(String.raw`^with\s+${VALUES_PATH}\s*$`);

/**
 * Dotted paths whose subtree a template passes whole to `toYaml` (see the module doc). `toYaml .`
 * counts for the innermost `with .Values.<path>` only when no `range` or other `with` rebinds the
 * dot in between.
 */
export function freeFormPaths(templates: ReadonlyMap<string, string>): Set<string> {
  const out = new Set<string>();
  for (const [file, text] of templates) {
    const scope = scopeOf(file);
    const frames: Array<{ kind: string; path?: string }> = [];
    for (const m of text.matchAll(ACTION)) {
      const action = m[1].trim();
      for (const r of action.matchAll(TO_YAML_PATH)) out.add(scope + r[1]);
      for (const r of action.matchAll(PATH_TO_YAML)) out.add(scope + r[1]);
      if (TO_YAML_DOT.test(action)) {
        const binding = [...frames].reverse().find((f) => f.kind === 'with' || f.kind === 'range' || f.kind === 'define');
        if (binding?.kind === 'with' && binding.path) out.add(scope + binding.path);
      }
      const open = OPENS.exec(action);
      if (open) frames.push({ kind: open[1], path: WITH_VALUES.exec(action)?.[1] });
      else if (/^end\b/.test(action)) frames.pop();
    }
  }
  return out;
}

/** Follows a local `$ref`; undefined when it points elsewhere. */
function deref(root: unknown, node: unknown, seen = 0): unknown {
  if (!isMap(node) || typeof node.$ref !== 'string' || seen > 20) return node;
  const m = /^#\/(definitions|\$defs)\/(.+)$/.exec(node.$ref);
  if (!m || !isMap(root) || !isMap(root[m[1]])) return undefined;
  return deref(root, (root[m[1]] as Json)[m[2].replace(/~1/g, '/').replace(/~0/g, '~')], seen + 1);
}

/** The schema node and its `allOf`/`anyOf`/`oneOf` branches, dereferenced. */
function branches(root: unknown, node: unknown): Json[] {
  const n = deref(root, node);
  if (!isMap(n)) return [];
  const out = [n];
  for (const k of ['allOf', 'anyOf', 'oneOf']) if (Array.isArray(n[k])) for (const b of n[k] as unknown[]) out.push(...branches(root, b));
  return out;
}

/** What a schema says about a map's key: its sub-schema, free-form (anything below), or nothing. */
type SchemaAnswer = { kind: 'schema'; node: unknown } | { kind: 'free' } | { kind: 'none' };

/** Whether a schema node leaves its subtree free-form: not an object schema, or one without property keywords. */
function isFreeForm(root: unknown, node: unknown): boolean {
  if (node === true) return true;
  const bs = branches(root, node);
  if (bs.length === 0) return false;
  const objecty = bs.some((b) => b.type === 'object' || (Array.isArray(b.type) && b.type.includes('object')) || 'properties' in b || 'patternProperties' in b || 'additionalProperties' in b);
  if (!objecty) return true; // a scalar, array or unconstrained schema: Kompile gives the whole value
  return !bs.some((b) => 'properties' in b || 'patternProperties' in b || 'additionalProperties' in b);
}

function schemaChild(root: unknown, node: unknown, key: string): SchemaAnswer {
  for (const b of branches(root, node)) {
    if (isMap(b.properties) && key in b.properties) return { kind: 'schema', node: b.properties[key] };
    if (isMap(b.patternProperties)) {
      for (const [re, sub] of Object.entries(b.patternProperties)) {
        try {
          if (new RegExp(re, 'u').test(key)) return { kind: 'schema', node: sub };
        } catch {
          // an ECMAScript-incompatible pattern declares nothing here
        }
      }
    }
    if (b.additionalProperties === true) return { kind: 'free' };
    if (isMap(b.additionalProperties)) return { kind: 'schema', node: b.additionalProperties };
  }
  return { kind: 'none' };
}

/** Keys a schema node lists (for messages). */
function schemaKeys(root: unknown, node: unknown): string[] {
  return branches(root, node).flatMap((b) => (isMap(b.properties) ? Object.keys(b.properties) : []));
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Whether `template` reads `<key>` (relative to the template's chart, for a subchart's): as
 * `.Values.<key>`, or as `index $.Values "<key>"` for a key of one segment.
 */
function mentions(template: string, text: string, key: string): boolean {
  const scope = scopeOf(template);
  if (!key.startsWith(scope)) return false;
  const rel = key.slice(scope.length);
  if (new RegExp(String.raw`\.Values\.${escapeRegExp(rel)}(?![A-Za-z0-9_])`).test(text)) return true;
  const dot = rel.lastIndexOf('.');
  if (dot < 0) return new RegExp(String.raw`index\s+\$?[A-Za-z0-9_]*\.Values\s+"${escapeRegExp(rel)}"`).test(text);
  // `($.Values.global).platform`: the parent read in parentheses, then the key.
  if (new RegExp(String.raw`\.Values\.${escapeRegExp(rel.slice(0, dot))}\s*\)\.${escapeRegExp(rel.slice(dot + 1))}(?![A-Za-z0-9_])`).test(text)) return true;
  return readThroughWith(text, rel.slice(0, dot), rel.slice(dot + 1));
}

/**
 * Whether the template reads `.<leaf>` where a `with` binds the dot to `.Values.<parent>`, directly
 * or merged with other values: `{{ with (merge .Values.controller.image .Values.global.image) }}`
 * … `{{ .registry }}` (ingress-nginx's images, chart 4.12). Only the innermost `with`, `range` or
 * `define` binds the dot.
 */
function readThroughWith(text: string, parent: string, leaf: string): boolean {
  const binds = new RegExp(String.raw`^with\s+\(?\s*(?:merge\s+)?(?:\$[A-Za-z0-9_]*)?\.Values\.${escapeRegExp(parent)}(?![A-Za-z0-9_.])`);
  const reads = new RegExp(String.raw`(?:^|[\s(])\.${escapeRegExp(leaf)}(?![A-Za-z0-9_.])`);
  const frames: boolean[] = [];
  for (const m of text.matchAll(ACTION)) {
    const action = m[1].trim();
    if (frames[frames.length - 1] && reads.test(action)) return true;
    const open = OPENS.exec(action);
    if (open) frames.push(open[1] === 'with' ? binds.test(action) : open[1] === 'if' ? (frames[frames.length - 1] ?? false) : false);
    else if (/^end\b/.test(action)) frames.pop();
  }
  return false;
}

/**
 * Istio's charts keep their defaults under `_internal_defaults_do_not_set` and merge them under the
 * user's values at the top (`templates/zzz_profile.yaml`, Istio 1.24): those are the chart's
 * top-level keys.
 */
const ISTIO_DEFAULTS = '_internal_defaults_do_not_set';

function effectiveDefaults(defaults: unknown): unknown {
  if (!isMap(defaults) || !isMap(defaults[ISTIO_DEFAULTS])) return defaults;
  const { [ISTIO_DEFAULTS]: inner, ...rest } = defaults;
  return { ...(inner as Json), ...rest };
}

const under = (key: string, prefix: string) => key === prefix || key.startsWith(`${prefix}.`);

/**
 * Every key path of `values` the chart does not declare, and every allow-list entry that no longer
 * holds (see the module doc). Findings are in the order of `values`, allow-list findings first.
 */
export function undeclaredValueFindings(values: unknown, facts: ChartFacts, undeclared: LockedChart['undeclaredValues']): ValueFinding[] {
  const findings: ValueFinding[] = [];
  const allowed: string[] = [];
  for (const entry of undeclared) {
    const text = facts.templates.get(entry.template);
    if (text === undefined) {
      findings.push({ key: entry.key, message: `stale allow-list entry: ${entry.template} does not exist in the chart (templates: ${[...facts.templates.keys()].filter((t) => !t.endsWith('.tpl')).slice(0, 8).join(', ')}); remove the entry from undeclaredValues or name the template that reads it` });
    } else if (!mentions(entry.template, text, entry.key)) {
      findings.push({ key: entry.key, message: `stale allow-list entry: ${entry.template} no longer mentions .Values.${entry.key.slice(scopeOf(entry.template).length)}; remove the entry from undeclaredValues or update it` });
    } else allowed.push(entry.key);
  }
  const free = [...freeFormPaths(facts.templates)];
  const root = facts.schema;

  const walk = (value: Json, prefix: string, defaults: unknown, schema: SchemaAnswer): void => {
    for (const [k, v] of Object.entries(value)) {
      const key = prefix ? `${prefix}.${k}` : k;
      if (free.some((f) => under(key, f)) || allowed.some((a) => under(key, a))) continue;
      const hasDefault = isMap(defaults) && k in defaults;
      const d = hasDefault ? defaults[k] : undefined;
      const s: SchemaAnswer = schema.kind === 'schema' ? schemaChild(root, schema.node, k) : schema.kind === 'free' ? schema : { kind: 'none' };
      if (!hasDefault && s.kind === 'none') {
        // An ancestor of an allow-listed or free-form path: look below.
        if (isMap(v) && [...free, ...allowed].some((p) => p.startsWith(`${key}.`))) {
          walk(v, key, undefined, s);
          continue;
        }
        findings.push({ key, message: describeUndeclared(key, k, defaults, schema, root) });
        continue;
      }
      if (!isMap(v)) continue; // a scalar or a list: Kompile sets the whole value
      // Below a default that is no map (scalar, list, null), or a free-form schema, Kompile replaces it whole.
      if (hasDefault && !isMap(d)) continue;
      if (s.kind === 'free' || (s.kind === 'schema' && isFreeForm(root, s.node))) continue;
      walk(v, key, d, s);
    }
  };
  if (isMap(values)) walk(values, '', effectiveDefaults(facts.defaults), root === undefined ? { kind: 'none' } : { kind: 'schema', node: root });
  return findings;
}

function describeUndeclared(key: string, k: string, defaults: unknown, schema: SchemaAnswer, root: unknown): string {
  const siblings = [...new Set([...(isMap(defaults) ? Object.keys(defaults) : []), ...(schema.kind === 'schema' ? schemaKeys(root, schema.node) : [])])];
  const parent = key.includes('.') ? `'${key.slice(0, key.lastIndexOf('.'))}'` : 'the top level';
  const nearby = siblings.sort((a, b) => editDistance(k, a) - editDistance(k, b) || (a < b ? -1 : 1)).slice(0, 5);
  const declares = nearby.length > 0 ? `at ${parent} the chart declares ${nearby.map((s) => `'${s}'`).join(', ')}${siblings.length > nearby.length ? ', …' : ''}` : `the chart declares nothing at ${parent}`;
  return `value '${key}' is not declared by the chart (values.yaml, values.schema.json, or a template passing it whole to toYaml), so helm ignores it; ${declares}. If a template reads it anyway, add {"key": "${key}", "template": "<that template>"} to the chart's undeclaredValues in charts.lock.json`;
}
