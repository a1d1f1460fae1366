import { parseAllDocuments } from 'yaml';
import { Image, ImageReferenceError } from '../core/image';
import { imageMapFieldsOf, imageTemplatesOf } from '../core/image-field';
import { isTagAtDigest, referenceAtImageKey } from '../core/image-reference';
import { escapeSegment, INJECTED_IMAGE } from '../core/images-walk';
import { RegistryPolicy } from '../core/registry-policy';

/**
 * A reference that points outside what the environment allows.
 *
 * Findings inside configuration held in a string (JCasC in Helm values, a ConfigMap's config file,
 * JSON in a value) point at the string and say where inside its text: `inner` is the path in the
 * parsed text (`unclassified.location.url`, `[0].image`), absent for a finding about the string as
 * a whole or a URL found in unparsed text.
 */
export interface AuditFinding {
  /** JSON pointer of the string (or value) in the object. */
  readonly pointer: string;
  /** Path inside the embedded text the string holds, when the finding is there. */
  readonly inner?: string;
  readonly message: string;
}

/** `pointer`, and the path inside the embedded text when there is one. */
export function findingLocation(f: AuditFinding): string {
  return f.inner === undefined ? f.pointer : `${f.pointer} (in its text at ${f.inner})`;
}

/** A whole string value that is an scp-like Git URL, `git@host:org/repo.git`. */
const SCP_GIT = /^[\w.-]+@([\w.-]+):/;
/**
 * URLs inside text: scheme, `://`, authority (group 2), then the rest of the URL. Both stop at
 * whitespace, quotes and the brackets text puts around URLs.
 */
const URL_IN_TEXT = /\b([a-z][a-z0-9+.-]*):\/\/([^\s/?#"'`<>()[\]{}\\|]*)[^\s"'`<>()[\]{}\\|]*/gi;
/**
 * scp-like Git remotes inside text (`git@github.com:org/repo.git`): a user, a dotted host, a colon
 * not followed by a port or `//`, and a path with a `/` or ending in `.git` (so that an e-mail
 * address followed by a colon is not one).
 */
const SCP_IN_TEXT = /(?<![\w.@/-])[\w.-]+@([a-z0-9-]+(?:\.[a-z0-9-]+)+):(?!\/\/)(?!\d+(?:\/|\s|$))([\w~.-]+(?:\/[\w~.-]+)+|[\w~.-]+\.git)\b/gi;
/** Template placeholders (JCasC and shell `${VAR}`, Helm `{{ }}`): their value is not known here. */
const PLACEHOLDER = /\$\{|\{\{|%\{/;
/** Fields that hold a source location without a scheme (Argo CD OCI Helm sources). */
const SCHEMELESS_SOURCE_KEYS = new Set(['repoURL']);
/** Strings worth parsing as embedded YAML or JSON: several lines, or a JSON object or array. */
const EMBEDDED = /\n|^\s*[{[]/;
/** Embedded text inside embedded text (JSON in a YAML file in a value) is followed this deep. */
const MAX_DEPTH = 4;

/**
 * Checks one image reference against the policy: a finding when it is malformed or outside the
 * allowed registries. Relocation's targets (lib/core/synthesize.ts) and every image the audit finds
 * go through here, so both say the same.
 */
export function auditImage(pointer: string, value: string, policy: RegistryPolicy, inner?: string): AuditFinding | undefined {
  try {
    const image = Image.parse(value);
    if (!policy.allowsImage(image)) return { pointer, inner, message: `image '${value}' is outside the allowed registries` };
  } catch (e) {
    if (e instanceof ImageReferenceError) return { pointer, inner, message: e.message };
    throw e;
  }
  return undefined;
}

/** Text fields of a CRD that are documentation (kubectl prints them), not references. */
const CRD_DOCUMENTATION = new Set(['description', 'deprecationWarning']);
/** The ConfigMap key Knative and KServe hold documentation in. */
const EXAMPLE_KEY = '_example';
/**
 * URL schemes that name no network host: Istio's `kubernetes://` names a Kubernetes Secret
 * (SDS credentials, e.g. `kubernetes://apis/…` in its injection templates).
 */
const HOSTLESS_SCHEMES = new Set(['kubernetes']);

/**
 * Text (scripts, templates, config files) without its comment lines: shell and YAML `#` lines and
 * Go-template comments (`{{/*` … `*\/}}`) are read by no program, so a URL there is no reference.
 */
export function withoutComments(text: string): string {
  return text.replace(/\{\{-?\s*\/\*[\s\S]*?\*\/\s*-?\}\}/g, '').replace(/^\s*#.*$/gm, '');
}

/** Every URL and scp-like Git remote in a text, as `scheme://host` for the policy and as written. */
export function urlsInText(text: string): { readonly url: string; readonly written: string }[] {
  const found: { url: string; written: string }[] = [];
  // Both patterns need these characters: most strings hold neither, and skip the regular expressions.
  const hasScheme = text.includes('://');
  if (!hasScheme && !text.includes('@')) return found;
  for (const m of hasScheme ? text.matchAll(URL_IN_TEXT) : []) {
    const authority = m[2].slice(m[2].lastIndexOf('@') + 1).replace(/[.,;:!]+$/, '');
    // `file:///path`, `unix:///run/x.sock`: no host; `https://${HOST}`: a placeholder, not a URL.
    if (authority === '' || /[$%{}]/.test(authority) || HOSTLESS_SCHEMES.has(m[1].toLowerCase())) continue;
    found.push({ url: `${m[1]}://${authority}`, written: m[0].replace(/[.,;:!]+$/, '') });
  }
  for (const m of text.matchAll(SCP_IN_TEXT)) found.push({ url: `ssh://${m[1]}`, written: m[0] });
  return found;
}

/** The documents of an embedded text when it is YAML or JSON holding mappings or sequences. */
function parseEmbedded(text: string): unknown[] | undefined {
  // A Go template (Istio's injection templates, Helm-style text) is no YAML until it is executed.
  if (text.includes('{{')) return undefined;
  let docs;
  try {
    docs = parseAllDocuments(text, { logLevel: 'error' });
  } catch {
    return undefined;
  }
  if (!Array.isArray(docs) || docs.length === 0 || docs.some((d) => d.errors.length > 0)) return undefined;
  const values = docs.map((d) => d.toJS() as unknown);
  if (!values.every((v) => v === null || typeof v === 'object')) return undefined;
  const structured = values.filter((v) => v !== null);
  return structured.length > 0 ? structured : undefined;
}

function innerPath(parent: string | undefined, key: string | number): string {
  if (typeof key === 'number') return `${parent ?? ''}[${key}]`;
  const segment = /^[\w-]+$/.test(key) ? key : JSON.stringify(key);
  return parent === undefined || parent === '' ? segment : `${parent}.${segment}`;
}

/**
 * Checks every string of a rendered object against the environment's policy:
 * - any value at an `image` key, read with the registry, tag and digest a chart keeps beside it
 *   (`referenceAtImageKey` in lib/core/image-reference.ts), and every value of a custom-resource image map
 *   (`IMAGE_MAP_FIELDS` in lib/core/image-field.ts), must be an image from an allowed registry; an
 *   image template (`IMAGE_TEMPLATE_FIELDS`) must name an allowed registry;
 * - every URL and scp-like Git remote anywhere in a string (not only a string that is one) must
 *   name an allowed or in-cluster host (a split image's `tag@digest` is neither); so must a scheme-less chart source (`repoURL`);
 * - a string holding configuration (several lines, or JSON: JCasC scripts in Helm values, config
 *   files in ConfigMaps, KServe's JSON configuration) is parsed as YAML/JSON and, when it holds
 *   mappings or sequences, audited with the same rules, its findings naming the path inside the text.
 *   Comments are not configuration and are not read; text that does not parse is searched for URLs.
 * Placeholders (`${VAR}`, `{{ }}`) are not references: an image or host written with one is skipped.
 * Descriptions in CustomResourceDefinition schemas are documentation and are not read.
 *
 * Runs after relocation, so it reports what relocation missed (an image field nobody declared, a URL
 * in a value). Run by the synth (lib/core/synthesize.ts) and by `kompile validate`.
 *
 * @param checked pointers of images already checked through relocation; skipped here
 */
export function auditObject(obj: unknown, checked: ReadonlySet<string>, policy: RegistryPolicy): AuditFinding[] {
  const findings: AuditFinding[] = [];
  const root = typeof obj === 'object' && obj !== null && !Array.isArray(obj) ? (obj as Record<string, unknown>) : undefined;
  const isCrd = root?.kind === 'CustomResourceDefinition';
  const isConfigMap = root?.kind === 'ConfigMap' && root.apiVersion === 'v1';
  const mapImages = new Set(root ? imageMapFieldsOf(root).map((f) => f.pointer) : []);
  const templates = new Map((root ? imageTemplatesOf(root) : []).map((t) => [t.pointer, t]));

  const checkImage = (pointer: string, value: string, inner?: string) => {
    if (PLACEHOLDER.test(value) || value === INJECTED_IMAGE) return;
    const f = auditImage(pointer, value, policy, inner);
    if (f) findings.push(f);
  };
  const checkUrls = (pointer: string, text: string, inner?: string) => {
    // Where every host is allowed no URL can be a finding: the text need not be searched.
    if (!policy.restrictsHosts) return;
    for (const { url, written } of urlsInText(text)) {
      if (!policy.allowsUrl(url)) findings.push({ pointer, inner, message: `'${written}' points outside the allowed hosts` });
    }
  };

  /** A string: an image, a URL, or text that may hold configuration. */
  const visitString = (value: string, pointer: string, key: string, inner: string | undefined, depth: number) => {
    if (key === 'image') return checkImage(pointer, value, inner);
    if (SCHEMELESS_SOURCE_KEYS.has(key) && !value.includes('://') && value.includes('/') && !PLACEHOLDER.test(value)) {
      if (!policy.allowsUrl(value)) findings.push({ pointer, inner, message: `'${value}' points outside the allowed hosts` });
      return;
    }
    // `v1.11.3@sha256:…` is a split image's tag pinned by digest (image-reference.ts), not `user@host:`.
    if (isTagAtDigest(value)) return;
    const scp = SCP_GIT.exec(value);
    if (scp && !value.includes('\n')) {
      if (!policy.allowsUrl(`ssh://${scp[1]}`)) findings.push({ pointer, inner, message: `'${value}' points outside the allowed hosts` });
      return;
    }
    if (depth < MAX_DEPTH && EMBEDDED.test(value)) {
      const docs = parseEmbedded(value);
      if (docs) {
        docs.forEach((doc, i) => walk(doc, pointer, '', docs.length > 1 ? `${inner ? `${inner}.` : ''}document[${i}]` : (inner ?? ''), depth + 1));
        return;
      }
    }
    checkUrls(pointer, value.includes('\n') ? withoutComments(value) : value, inner);
  };

  /**
   * `inner` is undefined while walking the object itself; inside embedded text it is the path in
   * the text ('' at the text's root), and `pointer` stays the string's pointer.
   */
  const walk = (node: unknown, pointer: string, key: string, inner: string | undefined, depth: number): void => {
    if (typeof node === 'string') {
      if (inner === undefined) {
        if (checked.has(pointer)) return;
        if (mapImages.has(pointer)) return checkImage(pointer, node);
        const template = templates.get(pointer);
        if (template) return checkImage(pointer, node.split(template.placeholder).join('name'));
        if (isCrd && CRD_DOCUMENTATION.has(key)) return;
        // Knative's and KServe's ConfigMaps keep commented examples under `_example`, which their
        // controllers never read (knative.dev/pkg configmap: the key is documentation).
        if (isConfigMap && pointer.startsWith('/data/') && key === EXAMPLE_KEY) return;
      }
      return visitString(node, pointer, key, inner, depth);
    }
    if (Array.isArray(node)) {
      node.forEach((v, i) => (inner === undefined ? walk(v, `${pointer}/${i}`, key, undefined, depth) : walk(v, pointer, key, innerPath(inner, i), depth)));
      return;
    }
    if (typeof node === 'object' && node !== null) {
      for (const [k, entry] of Object.entries(node)) {
        // An `image` string is read with the parts a chart keeps beside it (its registry, tag, digest).
        const v = k === 'image' && typeof entry === 'string' && entry !== INJECTED_IMAGE ? (referenceAtImageKey(node as Record<string, unknown>) ?? entry) : entry;
        if (inner === undefined) walk(v, `${pointer}/${escapeSegment(k)}`, k, undefined, depth);
        else walk(v, pointer, k, innerPath(inner, k), depth);
      }
    }
  };
  walk(obj, '', '', undefined, 0);
  return findings;
}
