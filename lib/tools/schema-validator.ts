/**
 * Validates plain Kubernetes objects the way an API server with strict field validation would:
 * built-in kinds against the Kubernetes OpenAPI definitions, custom resources against the
 * `openAPIV3Schema` of their CustomResourceDefinition, plus the name, label and annotation syntax
 * rules the API server applies beyond the schema.
 *
 * Schemas are normalized once (unknown fields closed, OpenAPI quirks mapped onto JSON Schema) and
 * compiled lazily, once per group/version/kind.
 */
import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import type { AddedFormat, ErrorObject, SchemaValidateFunction, ValidateFunction } from 'ajv/dist/types';
import { annotationMapProblems, labelMapProblems, NameProblem, objectMetaProblems, ObjectMetaRules } from './k8s-names';
import { WORKLOAD_TEMPLATE_PATHS } from '../checks/pods';
import { yamlDocumentsOf } from './yaml-file-cache';

/** One problem found in one object. */
export interface SchemaFinding {
  /** `kind/namespace/name` or `kind/name` for cluster-scoped objects. */
  readonly object: string;
  /** JSON-pointer-like field path inside the object, e.g. `/spec/template/spec/containers/0/image`; '' for the object itself. */
  readonly path: string;
  readonly message: string;
}

/** Where the validator finds its schemas. */
export interface SchemaValidatorOptions {
  /** Path to the Kubernetes `_definitions.json`. */
  readonly kubernetesDefinitions: string;
  /** Folders (searched recursively) or files holding CRD YAML. */
  readonly crdPaths: readonly string[];
}

type JsonObject = Record<string, unknown>;

/** Where the schema of one group/version/kind comes from. */
type SchemaSource =
  | { readonly origin: 'kubernetes'; readonly definition: string }
  | { readonly origin: 'crd'; readonly crd: string; readonly schema: JsonObject };

/** A compiled validator, or why the schema could not be compiled. */
type Compiled = { readonly validate: ValidateFunction } | { readonly error: string };

/** The id under which the (normalized) Kubernetes definitions are registered with ajv. */
const K8S_SCHEMA_ID = 'k8s';
const OBJECT_META_REF = `${K8S_SCHEMA_ID}#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta`;
/** Custom ajv keyword carrying `x-kubernetes-list-map-keys` of a `x-kubernetes-list-type: map` list. */
const LIST_MAP_KEYS_KEYWORD = 'kompileListMapKeys';

/** Top-level fields every object may carry whatever its schema says (status is dropped on create). */
const ALWAYS_ALLOWED_TOP_LEVEL: Readonly<JsonObject> = {
  apiVersion: { type: 'string' },
  kind: { type: 'string' },
  status: {},
};

/** JSON Schema keywords copied as they are; everything else (descriptions, defaults, x-kubernetes-*) is dropped. */
const COPIED_KEYWORDS = [
  '$ref',
  'type',
  'required',
  'enum',
  'minimum',
  'maximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minProperties',
  'maxProperties',
] as const;

// Go's int32 range: out-of-range numbers fail to decode into built-in types.
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/**
 * Formats that are checked. Any other format (int64, double, uri, duration, …) is dropped from the
 * schemas, so ajv neither rejects nor warns about it.
 */
const FORMATS: Readonly<Record<string, AddedFormat>> = {
  int32: { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= INT32_MIN && n <= INT32_MAX },
  // Go's base64.StdEncoding, used for `[]byte` fields such as Secret.data.
  byte: /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/,
  // RFC 3339, as metav1.Time expects.
  'date-time': /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/,
};

/** How one schema dialect is normalized. */
interface Dialect {
  /**
   * Which object schemas reject unknown fields: Kubernetes definitions close those with `properties`;
   * CRD (structural) schemas also close `type: object` without properties, whose fields the API server prunes.
   */
  readonly closeObjects: 'with-properties' | 'all';
  /** Whether `x-kubernetes-list-type` set/map uniqueness is enforced (the API server does so for CRDs). */
  readonly listTypes: boolean;
}

const KUBERNETES_DIALECT: Dialect = { closeObjects: 'with-properties', listTypes: false };
const CRD_DIALECT: Dialect = { closeObjects: 'all', listTypes: true };

/** The values of a string field; `''` is listed where the API server defaults an empty value. */
type EnumTable = Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;

const PROTOCOLS = ['', 'TCP', 'UDP', 'SCTP'];
const PULL_POLICIES = ['', 'Always', 'IfNotPresent', 'Never'];
const TERMINATION_MESSAGE_POLICIES = ['', 'File', 'FallbackToLogsOnError'];

/**
 * Enumerations the API server's Go validation enforces but the 1.28 OpenAPI definitions do not declare
 * (they only mention them in descriptions), keyed by definition and property. For array properties the
 * values apply to the items.
 */
const BUILTIN_ENUMS: EnumTable = {
  'io.k8s.api.core.v1.Container': { imagePullPolicy: PULL_POLICIES, terminationMessagePolicy: TERMINATION_MESSAGE_POLICIES },
  'io.k8s.api.core.v1.EphemeralContainer': {
    imagePullPolicy: PULL_POLICIES,
    terminationMessagePolicy: TERMINATION_MESSAGE_POLICIES,
  },
  'io.k8s.api.core.v1.PodSpec': {
    restartPolicy: ['', 'Always', 'OnFailure', 'Never'],
    dnsPolicy: ['', 'ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'],
  },
  'io.k8s.api.core.v1.ContainerPort': { protocol: PROTOCOLS },
  'io.k8s.api.core.v1.ServicePort': { protocol: PROTOCOLS },
  'io.k8s.api.networking.v1.NetworkPolicyPort': { protocol: PROTOCOLS },
  'io.k8s.api.core.v1.ServiceSpec': {
    type: ['', 'ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'],
    sessionAffinity: ['', 'ClientIP', 'None'],
    externalTrafficPolicy: ['', 'Cluster', 'Local'],
    internalTrafficPolicy: ['', 'Cluster', 'Local'],
  },
  'io.k8s.api.apps.v1.DeploymentStrategy': { type: ['', 'Recreate', 'RollingUpdate'] },
  'io.k8s.api.apps.v1.StatefulSetSpec': { podManagementPolicy: ['', 'OrderedReady', 'Parallel'] },
  'io.k8s.api.apps.v1.StatefulSetUpdateStrategy': { type: ['', 'RollingUpdate', 'OnDelete'] },
  'io.k8s.api.apps.v1.DaemonSetUpdateStrategy': { type: ['', 'RollingUpdate', 'OnDelete'] },
  'io.k8s.api.batch.v1.CronJobSpec': { concurrencyPolicy: ['', 'Allow', 'Forbid', 'Replace'] },
  'io.k8s.api.batch.v1.JobSpec': { completionMode: ['', 'NonIndexed', 'Indexed'] },
  'io.k8s.api.core.v1.PersistentVolumeClaimSpec': {
    accessModes: ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'],
    volumeMode: ['', 'Filesystem', 'Block'],
  },
  'io.k8s.api.networking.v1.HTTPIngressPath': { pathType: ['Exact', 'Prefix', 'ImplementationSpecific'] },
  'io.k8s.api.networking.v1.NetworkPolicySpec': { policyTypes: ['Ingress', 'Egress'] },
  'io.k8s.api.core.v1.Toleration': {
    operator: ['', 'Equal', 'Exists'],
    effect: ['', 'NoSchedule', 'PreferNoSchedule', 'NoExecute'],
  },
  'io.k8s.api.core.v1.Taint': { effect: ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] },
  'io.k8s.api.core.v1.NodeSelectorRequirement': { operator: ['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt'] },
  'io.k8s.api.core.v1.HTTPGetAction': { scheme: ['', 'HTTP', 'HTTPS'] },
  'io.k8s.api.core.v1.SeccompProfile': { type: ['RuntimeDefault', 'Unconfined', 'Localhost'] },
  'io.k8s.api.autoscaling.v2.MetricSpec': { type: ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'] },
  'io.k8s.api.autoscaling.v2.MetricTarget': { type: ['Utilization', 'Value', 'AverageValue'] },
};

/**
 * resource.Quantity syntax (`500m`, `1.5`, `4Gi`, `1e3`), as controller-gen writes it into CRDs. The 1.28
 * definitions declare Quantity as any string or number; the API server parses it, so we check it too.
 */
const QUANTITY_PATTERN =
  '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';
const QUANTITY_DEFINITION = 'io.k8s.apimachinery.pkg.api.resource.Quantity';

/**
 * Smallest subschema (counted in schema nodes) that is shared through `definitions` when it occurs more
 * than once in a CRD schema. Large CRDs repeat the pod and container schemas dozens of times; compiling
 * each copy once cuts ajv compile time about tenfold (KServe InferenceService: ~1 s to ~0.1 s).
 */
const MIN_SHARED_SUBSCHEMA_SIZE = 4;

/** Validates Kubernetes objects against built-in and CRD schemas. */
export class SchemaValidator {
  /**
   * Reads the Kubernetes definitions and every CRD under `crdPaths`. Schemas are compiled later,
   * on first use of each kind.
   * @throws if a file cannot be read or parsed.
   */
  static load(options: SchemaValidatorOptions): SchemaValidator {
    const definitions = readKubernetesDefinitions(options.kubernetesDefinitions);
    const sources = new Map<string, SchemaSource>(definitions.sources);
    for (const file of options.crdPaths.flatMap(yamlFilesUnder)) {
      for (const [key, source] of crdSourcesInFile(file)) {
        if (!sources.has(key)) sources.set(key, source);
      }
    }
    return new SchemaValidator(definitions.schema, sources);
  }

  private readonly ajv: Ajv;
  private readonly compiled = new Map<string, Compiled>();

  private constructor(
    private readonly kubernetesSchema: JsonObject,
    private readonly sources: ReadonlyMap<string, SchemaSource>,
  ) {
    this.ajv = createAjv();
    this.ajv.addSchema(kubernetesSchema, K8S_SCHEMA_ID);
  }

  /**
   * A validator that also knows the CRDs among `objects` (e.g. the CRDs upstream charts install),
   * for kinds it does not know yet: the schemas loaded from files win.
   */
  withCrds(objects: readonly unknown[]): SchemaValidator {
    const sources = new Map(this.sources);
    for (const [key, source] of objects.flatMap(crdSources)) if (!sources.has(key)) sources.set(key, source);
    return sources.size === this.sources.size ? this : new SchemaValidator(this.kubernetesSchema, sources);
  }

  /** True if a schema for this apiVersion+kind is known. */
  has(apiVersion: string, kind: string): boolean {
    return this.sources.has(gvkKey(apiVersion, kind));
  }

  /** The `openAPIV3Schema` of a loaded CRD kind; undefined for built-in and unknown kinds. */
  crdSchema(apiVersion: string, kind: string): JsonObject | undefined {
    const source = this.sources.get(gvkKey(apiVersion, kind));
    return source?.origin === 'crd' ? source.schema : undefined;
  }

  /** Validates one object; returns [] when valid. */
  validate(obj: Record<string, unknown>): SchemaFinding[] {
    const object = objectId(obj);
    const { apiVersion, kind } = obj;
    if (typeof apiVersion !== 'string' || apiVersion === '' || typeof kind !== 'string' || kind === '') {
      const missing = typeof apiVersion !== 'string' || apiVersion === '' ? 'apiVersion' : 'kind';
      return [{ object, path: '', message: `missing required field "${missing}"` }];
    }
    const source = this.sources.get(gvkKey(apiVersion, kind));
    const problems: NameProblem[] = source
      ? this.schemaProblems(gvkKey(apiVersion, kind), source, withoutNulls(obj))
      : [{ path: '', message: `no schema for ${apiVersion} kind ${kind} (neither a built-in type nor a loaded CRD)` }];
    problems.push(...objectMetaProblems(obj.metadata, '/metadata', nameRules(apiGroup(apiVersion), kind, source)));
    if (source?.origin === 'kubernetes') problems.push(...workloadProblems(apiGroup(apiVersion), kind, obj));
    return uniqueProblems(problems).map((p) => ({ object, path: p.path, message: p.message }));
  }

  /** Runs the compiled schema of `key` over `obj`. */
  private schemaProblems(key: string, source: SchemaSource, obj: unknown): NameProblem[] {
    const compiled = this.compile(key, source);
    if ('error' in compiled) return [{ path: '', message: compiled.error }];
    if (compiled.validate(obj)) return [];
    return describeErrors(compiled.validate.errors ?? []);
  }

  /** Compiles the schema of `key` once and caches the result (including a failure). */
  private compile(key: string, source: SchemaSource): Compiled {
    const cached = this.compiled.get(key);
    if (cached) return cached;
    let result: Compiled;
    try {
      const schema =
        source.origin === 'kubernetes'
          ? { $ref: `${K8S_SCHEMA_ID}#/definitions/${source.definition}` }
          : normalizeCrdRoot(source.schema);
      result = { validate: this.ajv.compile(schema) };
    } catch (e) {
      const from = source.origin === 'kubernetes' ? source.definition : `CRD ${source.crd}`;
      result = { error: `schema for ${key} (${from}) could not be compiled: ${e instanceof Error ? e.message : String(e)}` };
    }
    this.compiled.set(key, result);
    return result;
  }
}

// ---------------------------------------------------------------------------------------------------
// Loading

/** Reads `_definitions.json`, normalizes it and indexes its top-level kinds by group/version/kind. */
function readKubernetesDefinitions(file: string): { schema: JsonObject; sources: Map<string, SchemaSource> } {
  const parsed: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
  const definitions = isRecord(parsed) && isRecord(parsed.definitions) ? parsed.definitions : undefined;
  if (!definitions) throw new Error(`${file}: expected a JSON schema with "definitions"`);
  const normalized: JsonObject = {};
  const sources = new Map<string, SchemaSource>();
  for (const [name, definition] of Object.entries(definitions)) {
    const schema = normalizeSchema(definition, KUBERNETES_DIALECT, false);
    addEnums(schema, BUILTIN_ENUMS[name] ?? {});
    if (name === QUANTITY_DEFINITION) schema.pattern = QUANTITY_PATTERN;
    const gvks = isRecord(definition) ? groupVersionKinds(definition['x-kubernetes-group-version-kind']) : [];
    if (gvks.length > 0) schema.properties = { ...asRecord(schema.properties), ...ALWAYS_ALLOWED_TOP_LEVEL };
    for (const key of gvks) if (!sources.has(key)) sources.set(key, { origin: 'kubernetes', definition: name });
    normalized[name] = schema;
  }
  return { schema: { definitions: normalized }, sources };
}

/** Adds `enum` to the named properties of a normalized definition (to the items of array properties). */
function addEnums(schema: JsonObject, enums: Readonly<Record<string, readonly string[]>>): void {
  const properties = asRecord(schema.properties);
  for (const [property, values] of Object.entries(enums)) {
    const target = asRecord(properties[property]);
    if (target.type === 'array') target.items = { ...asRecord(target.items), enum: values };
    else target.enum = values;
  }
}

/** The `group/version/kind` keys of an `x-kubernetes-group-version-kind` list. */
function groupVersionKinds(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isRecord).flatMap((gvk) => {
    const { group, version, kind } = gvk;
    if (typeof group !== 'string' || typeof version !== 'string' || typeof kind !== 'string') return [];
    return [gvkKey(group === '' ? version : `${group}/${version}`, kind)];
  });
}

/** The YAML files of a path: the file itself, or every `.yaml`/`.yml` file below a folder, sorted. */
function yamlFilesUnder(root: string): string[] {
  if (!fs.statSync(root).isDirectory()) return [root];
  const files: string[] = [];
  for (const entry of fs.readdirSync(root, { withFileTypes: true })) {
    const full = path.join(root, entry.name);
    if (entry.isDirectory()) files.push(...yamlFilesUnder(full));
    else if (/\.ya?ml$/i.test(entry.name)) files.push(full);
  }
  return files.sort();
}

/**
 * Every served version of every `apiextensions.k8s.io/v1` CRD in a (multi-document) YAML file, read
 * as the cluster that installs it reads it (YAML 1.1, lib/checks/yaml.ts).
 */
function crdSourcesInFile(file: string): Array<[string, SchemaSource]> {
  // Parsed as Kubernetes reads it, remembered by content (the CRD schemas are megabytes of YAML).
  return yamlDocumentsOf(file).flatMap((doc) => crdSources(doc));
}

/** The schema sources of one CRD document; [] for anything that is not a v1 CRD. */
function crdSources(doc: unknown): Array<[string, SchemaSource]> {
  if (!isRecord(doc) || doc.apiVersion !== 'apiextensions.k8s.io/v1' || doc.kind !== 'CustomResourceDefinition') {
    return [];
  }
  const spec = asRecord(doc.spec);
  const kind = asRecord(spec.names).kind;
  const crd = String(asRecord(doc.metadata).name ?? kind);
  if (typeof spec.group !== 'string' || typeof kind !== 'string' || !Array.isArray(spec.versions)) return [];
  const group = spec.group;
  return spec.versions.filter(isRecord).flatMap((version): Array<[string, SchemaSource]> => {
    // Versions with `served: false` are not reachable through the API.
    if (typeof version.name !== 'string' || version.served === false) return [];
    const schema = asRecord(asRecord(version.schema).openAPIV3Schema);
    return [[gvkKey(`${group}/${version.name}`, kind), { origin: 'crd', crd, schema }]];
  });
}

// ---------------------------------------------------------------------------------------------------
// Schema normalization

/**
 * Turns a CRD's `openAPIV3Schema` into the root schema ajv compiles: normalized, `apiVersion`, `kind`
 * and `status` always allowed, `metadata` checked as ObjectMeta (plus any name rules the CRD adds).
 */
function normalizeCrdRoot(schema: JsonObject): JsonObject {
  const root = normalizeSchema(schema, CRD_DIALECT, false);
  const properties = { ...asRecord(root.properties), ...ALWAYS_ALLOWED_TOP_LEVEL, metadata: crdMetadataSchema(schema) };
  return shareRepeatedSubschemas({ ...root, type: 'object', properties });
}

/** ObjectMeta, combined with the CRD's own `metadata.name`/`generateName` constraints if it has any. */
function crdMetadataSchema(schema: JsonObject): JsonObject {
  const declared = asRecord(asRecord(asRecord(schema.properties).metadata).properties);
  const nameRules: JsonObject = {};
  for (const field of ['name', 'generateName']) {
    if (isRecord(declared[field])) nameRules[field] = normalizeSchema(declared[field], CRD_DIALECT, true);
  }
  if (Object.keys(nameRules).length === 0) return { $ref: OBJECT_META_REF };
  return { allOf: [{ $ref: OBJECT_META_REF }, { properties: nameRules }] };
}

/**
 * Maps one (OpenAPI v2/v3, Kubernetes-flavoured) schema node onto plain JSON Schema for ajv.
 * `inJunctor` is true inside anyOf/oneOf/allOf/not, where (as in structural schemas) objects are
 * not closed: the unknown-field check belongs to the skeleton only.
 */
function normalizeSchema(node: unknown, dialect: Dialect, inJunctor: boolean): JsonObject {
  if (!isRecord(node)) return {};
  const out: JsonObject = {};
  for (const keyword of COPIED_KEYWORDS) if (node[keyword] !== undefined) out[keyword] = node[keyword];
  copyFormatAndPattern(node, out);
  copyExclusiveBounds(node, out);
  copyChildren(node, out, dialect, inJunctor);
  applyTypeExtensions(node, out);
  if (node['x-kubernetes-embedded-resource'] === true) {
    const implicit = { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' } };
    out.properties = { ...implicit, ...asRecord(out.properties) };
  }
  if (dialect.listTypes) applyListType(node, out);
  if (!inJunctor && shouldClose(node, out, dialect)) out.additionalProperties = false;
  return out;
}

/** Keeps `format` only when it is one we check, and `pattern` only when JavaScript can compile it. */
function copyFormatAndPattern(node: JsonObject, out: JsonObject): void {
  const format = node.format;
  if (typeof format === 'string' && Object.prototype.hasOwnProperty.call(FORMATS, format)) out.format = format;
  if (typeof node.pattern === 'string' && compilesAsUnicodeRegExp(node.pattern)) out.pattern = node.pattern;
}

/** OpenAPI's boolean `exclusiveMinimum`/`exclusiveMaximum` become draft-07 numeric bounds. */
function copyExclusiveBounds(node: JsonObject, out: JsonObject): void {
  for (const [exclusive, bound] of [['exclusiveMinimum', 'minimum'], ['exclusiveMaximum', 'maximum']] as const) {
    const value = node[exclusive];
    if (typeof value === 'number') out[exclusive] = value;
    else if (value === true && typeof node[bound] === 'number') {
      out[exclusive] = node[bound];
      delete out[bound];
    }
  }
}

/** Normalizes the sub-schemas: properties, items, additionalProperties and the junctors. */
function copyChildren(node: JsonObject, out: JsonObject, dialect: Dialect, inJunctor: boolean): void {
  if (isRecord(node.properties)) {
    const properties: JsonObject = {};
    for (const [name, child] of Object.entries(node.properties)) {
      properties[name] = normalizeSchema(child, dialect, inJunctor);
    }
    out.properties = properties;
  }
  if (isRecord(node.items)) out.items = normalizeSchema(node.items, dialect, inJunctor);
  if (typeof node.additionalProperties === 'boolean') out.additionalProperties = node.additionalProperties;
  else if (isRecord(node.additionalProperties)) {
    out.additionalProperties = normalizeSchema(node.additionalProperties, dialect, inJunctor);
  }
  for (const junctor of ['anyOf', 'oneOf', 'allOf'] as const) {
    const branches = node[junctor];
    if (Array.isArray(branches)) out[junctor] = branches.map((b) => normalizeSchema(b, dialect, true));
  }
  if (isRecord(node.not)) out.not = normalizeSchema(node.not, dialect, true);
}

/**
 * Applies `x-kubernetes-int-or-string` (or `format: int-or-string`) and `nullable`, and collapses
 * type-only alternatives such as IntOrString's and Quantity's `oneOf: [{type: string}, {type: integer}]`
 * into a type list, which gives one clear error instead of one per alternative.
 */
function applyTypeExtensions(node: JsonObject, out: JsonObject): void {
  if (node['x-kubernetes-int-or-string'] === true || node.format === 'int-or-string') {
    out.type = ['integer', 'string'];
    if (isTypeOnlyAlternatives(out.anyOf)) delete out.anyOf;
  }
  for (const junctor of ['oneOf', 'anyOf'] as const) {
    const types = isTypeOnlyAlternatives(out[junctor]);
    if (types && out.type === undefined) {
      out.type = types;
      delete out[junctor];
    }
  }
  // Null is dropped from objects before validation (the API server treats it as unset); inside
  // lists, `nullable: true` still allows it.
  if (node.nullable === true && out.type !== undefined) {
    out.type = [...new Set([...(Array.isArray(out.type) ? out.type : [out.type]), 'null'])];
  }
}

/** The types of `[{type: a}, {type: b}]`, or undefined when the alternatives say anything else. */
function isTypeOnlyAlternatives(value: unknown): string[] | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  const types: string[] = [];
  for (const branch of value) {
    if (!isRecord(branch) || Object.keys(branch).length !== 1 || typeof branch.type !== 'string') return undefined;
    types.push(branch.type);
  }
  return types;
}

/**
 * `x-kubernetes-list-type: set` items must be unique; `map` items unique by their map keys, where a
 * missing key counts as its schema default (the API server defaults before it validates).
 */
function applyListType(node: JsonObject, out: JsonObject): void {
  const listType = node['x-kubernetes-list-type'];
  if (listType === 'set') out.uniqueItems = true;
  const keys = node['x-kubernetes-list-map-keys'];
  if (listType !== 'map' || !Array.isArray(keys) || keys.length === 0) return;
  const itemProperties = asRecord(asRecord(node.items).properties);
  const defaults: JsonObject = {};
  for (const key of keys.map(String)) {
    const fallback = asRecord(itemProperties[key]).default;
    if (fallback !== undefined) defaults[key] = fallback;
  }
  out[LIST_MAP_KEYS_KEYWORD] = { keys: keys.map(String), defaults };
}

/** Whether an object node should reject fields it does not declare. */
function shouldClose(node: JsonObject, out: JsonObject, dialect: Dialect): boolean {
  if (out.additionalProperties !== undefined || out.$ref !== undefined) return false;
  if (node['x-kubernetes-preserve-unknown-fields'] === true) return false;
  if (out.properties !== undefined) return true;
  return dialect.closeObjects === 'all' && out.type === 'object';
}

/** Where a normalized schema holds sub-schemas. */
const SUBSCHEMA_MAPS = ['properties'] as const;
const SUBSCHEMA_SINGLES = ['items', 'additionalProperties', 'not'] as const;
const SUBSCHEMA_LISTS = ['anyOf', 'oneOf', 'allOf'] as const;
const JUNCTOR_POSITIONS: ReadonlySet<string> = new Set(['anyOf', 'oneOf', 'allOf', 'not']);

/** One distinct subschema: its keywords with sub-schemas replaced by their ids, its size, and its uses. */
interface InternedSchema {
  readonly shape: JsonObject;
  readonly size: number;
  uses: number;
}

/**
 * Rewrites a normalized schema so that each subschema occurring more than once (and of at least
 * {@link MIN_SHARED_SUBSCHEMA_SIZE} nodes) lives once under `definitions` and is referenced by `$ref`.
 * Validation results are unchanged: the copies were identical.
 */
function shareRepeatedSubschemas(root: JsonObject): JsonObject {
  const interned: InternedSchema[] = [];
  const idsByShape = new Map<string, number>();
  const definitions: JsonObject = {};

  /** Returns the id of a subschema, interning it and its children bottom-up. */
  const intern = (node: JsonObject): number => {
    let size = 1;
    const child = (value: unknown): number => {
      const id = intern(asRecord(value));
      size += interned[id].size;
      return id;
    };
    const shape = mapSubschemas(node, child);
    const key = JSON.stringify(shape);
    let id = idsByShape.get(key);
    if (id === undefined) {
      id = interned.push({ shape, size, uses: 0 }) - 1;
      idsByShape.set(key, id);
    }
    interned[id].uses += 1;
    return id;
  };

  /**
   * Rebuilds a subschema from its id: a `$ref` when shared, else inline. Junctor branches (and all
   * below them) are inlined, so their errors' schema paths stay below the junctor's; `describeErrors`
   * relies on that to fold them into the junctor's message.
   */
  const build = (id: number, share: boolean): JsonObject => {
    const { shape, size, uses } = interned[id];
    const children = (): JsonObject =>
      mapSubschemas(shape, (childId, position) => build(Number(childId), share && !JUNCTOR_POSITIONS.has(position)));
    if (!share || uses < 2 || size < MIN_SHARED_SUBSCHEMA_SIZE) return children();
    const name = `s${id}`;
    if (!(name in definitions)) {
      definitions[name] = {}; // reserved before recursing, so the name is taken once
      definitions[name] = children();
    }
    return { $ref: `#/definitions/${name}` };
  };

  const rootShape = interned[intern(root)].shape;
  const result = mapSubschemas(rootShape, (childId, position) => build(Number(childId), !JUNCTOR_POSITIONS.has(position)));
  return Object.keys(definitions).length > 0 ? { ...result, definitions } : result;
}

/**
 * A copy of `node` with each sub-schema position (properties, items, additionalProperties unless boolean,
 * not, junctor branches) replaced by `map(sub)`. Works on schemas and on interned shapes (whose
 * sub-schemas are ids).
 */
function mapSubschemas(node: JsonObject, map: (sub: unknown, position: string) => unknown): JsonObject {
  const out: JsonObject = { ...node };
  for (const key of SUBSCHEMA_MAPS) {
    if (!isRecord(node[key])) continue;
    const mapped: JsonObject = {};
    for (const [name, sub] of Object.entries(node[key])) mapped[name] = map(sub, key);
    out[key] = mapped;
  }
  for (const key of SUBSCHEMA_SINGLES) {
    if (node[key] !== undefined && typeof node[key] !== 'boolean') out[key] = map(node[key], key);
  }
  for (const key of SUBSCHEMA_LISTS) {
    const list = node[key];
    if (Array.isArray(list)) out[key] = list.map((sub) => map(sub, key));
  }
  return out;
}

function compilesAsUnicodeRegExp(pattern: string): boolean {
  try {
    new RegExp(pattern, 'u');
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------------
// ajv

/** An ajv instance with the formats we check and the list-map-keys keyword. */
function createAjv(): Ajv {
  const ajv = new Ajv({
    strict: false,
    allErrors: true,
    // `verbose` puts the offending value on each error, for messages like `must be integer (got "3")`.
    verbose: true,
    // Our schemas are generated, not hand-written; skipping meta-validation and code optimization
    // roughly halves compile time.
    validateSchema: false,
    code: { optimize: false },
    formats: { ...FORMATS },
  });
  ajv.addKeyword({
    keyword: LIST_MAP_KEYS_KEYWORD,
    type: 'array',
    schemaType: 'object',
    errors: true,
    validate: validateListMapKeys,
  });
  return ajv;
}

/** Rejects list items that repeat another item's map keys, as the API server does for list-type map. */
const validateListMapKeys: SchemaValidateFunction = (
  rule: unknown,
  data: unknown,
  _parentSchema?: unknown,
  cxt?: { instancePath: string },
): boolean => {
  if (!isRecord(rule) || !Array.isArray(rule.keys) || !Array.isArray(data)) return true;
  const keys = rule.keys.map(String);
  const defaults = asRecord(rule.defaults);
  const seen = new Set<string>();
  const errors: Array<Partial<ErrorObject>> = [];
  data.forEach((item, index) => {
    if (!isRecord(item)) return;
    const identity = keys.map((k) => `${k}=${JSON.stringify(item[k] ?? defaults[k])}`).join(', ');
    if (seen.has(identity)) {
      errors.push({
        keyword: LIST_MAP_KEYS_KEYWORD,
        instancePath: `${cxt?.instancePath ?? ''}/${index}`,
        message: `duplicate entry with ${identity}`,
        params: { keys },
      });
    }
    seen.add(identity);
  });
  validateListMapKeys.errors = errors;
  return errors.length === 0;
};

/**
 * Turns ajv errors into problems. Errors from inside a failed anyOf/oneOf alternative are folded into
 * the message of the anyOf/oneOf error itself.
 */
function describeErrors(errors: readonly ErrorObject[]): NameProblem[] {
  const junctors = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  const branchOf = (e: ErrorObject): ErrorObject | undefined =>
    junctors.find(
      (j) => j !== e && e.schemaPath.startsWith(`${j.schemaPath}/`) && e.instancePath.startsWith(j.instancePath),
    );
  const problems: NameProblem[] = [];
  for (const error of errors) {
    if (branchOf(error)) continue;
    if (junctors.includes(error)) {
      const branches = errors.filter((e) => branchOf(e) === error).map((e) => relativeMessage(e, error.instancePath));
      problems.push({ path: error.instancePath, message: junctorMessage(error, [...new Set(branches)]) });
    } else {
      problems.push({ path: error.instancePath, message: errorMessage(error) });
    }
  }
  return problems;
}

/** Message for a failed anyOf/oneOf, listing what each alternative missed. */
function junctorMessage(error: ErrorObject, branches: string[]): string {
  const passing = error.params.passingSchemas;
  if (Array.isArray(passing)) return exclusiveFieldsMessage(error.schema, passing);
  const which = error.keyword === 'oneOf' ? 'exactly one' : 'at least one';
  const base = `must match ${which} alternative (${error.keyword})`;
  return branches.length > 0 ? `${base}: ${branches.join(' | ')}` : base;
}

/**
 * Message for a oneOf matched by several alternatives. The common case is mutually exclusive fields
 * (`oneOf: [{required: [a]}, {required: [b]}]`, as in Istio's CRDs), which is named as such.
 */
function exclusiveFieldsMessage(alternatives: unknown, passing: unknown[]): string {
  const fields = passing.flatMap((index) => {
    const alternative = Array.isArray(alternatives) ? asRecord(alternatives[Number(index)]) : {};
    return Array.isArray(alternative.required) ? alternative.required.map((f) => `"${String(f)}"`) : [];
  });
  if (fields.length === passing.length) return `fields ${fields.join(' and ')} are mutually exclusive; set only one`;
  return `must match exactly one alternative (oneOf), but matches alternatives ${passing.join(' and ')}`;
}

/** A branch error's message, prefixed with its path below the anyOf/oneOf when it is deeper. */
function relativeMessage(error: ErrorObject, base: string): string {
  const below = error.instancePath.slice(base.length);
  return below === '' ? errorMessage(error) : `${below}: ${errorMessage(error)}`;
}

/** A precise, API-server-like message for one ajv error. */
function errorMessage(error: ErrorObject): string {
  const params = error.params;
  switch (error.keyword) {
    case 'additionalProperties':
      return `unknown field "${String(params.additionalProperty)}"`;
    case 'required':
      return `missing required field "${String(params.missingProperty)}"`;
    case 'type':
      return `must be ${String(params.type).split(',').join(' or ')} (got ${preview(error.data)})`;
    case 'enum': {
      const allowed = Array.isArray(params.allowedValues) ? params.allowedValues : [];
      return `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')} (got ${preview(error.data)})`;
    }
    case 'format':
      return `must be a valid ${String(params.format)} (got ${preview(error.data)})`;
    case 'pattern':
      if (params.pattern === QUANTITY_PATTERN) {
        return `must be a quantity such as 500m, 2, 1.5Gi or 1e3 (got ${preview(error.data)})`;
      }
      return `must match pattern "${String(params.pattern)}" (got ${preview(error.data)})`;
    default:
      return error.message ?? `fails "${error.keyword}"`;
  }
}

/** A short rendering of an offending value. */
function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

// ---------------------------------------------------------------------------------------------------
// Checks beyond the schema

/** How the API server validates `metadata.name` of a kind (pkg/apis/<group>/validation). */
function nameRules(group: string, kind: string, source: SchemaSource | undefined): ObjectMetaRules {
  if (source?.origin !== 'kubernetes') return { nameRule: 'dns1123-subdomain' };
  if (group === '' && kind === 'Namespace') return { nameRule: 'dns1123-label' };
  if (group === '' && kind === 'Service') return { nameRule: 'dns1035-label' };
  if (group === 'rbac.authorization.k8s.io') return { nameRule: 'path-segment' };
  // CronJob names are at most 52 characters: the controller appends an 11-character suffix to Job names.
  if (group === 'batch' && kind === 'CronJob') return { nameRule: 'dns1123-subdomain', maxNameLength: 52 };
  return { nameRule: 'dns1123-subdomain' };
}

/** Where the pod template lives in built-in kinds, keyed `group/kind`: the workloads (lib/checks/pods.ts) and PodTemplate. */
const POD_TEMPLATES: Readonly<Record<string, readonly string[]>> = { ...WORKLOAD_TEMPLATE_PATHS, '/PodTemplate': ['template'] };

/** Kinds whose `spec.selector` (a LabelSelector) must select their own pod template. */
const SELECTOR_MUST_MATCH_TEMPLATE = new Set(['apps/Deployment', 'apps/ReplicaSet', 'apps/StatefulSet', 'apps/DaemonSet']);

/** Pod template label/annotation syntax and, for apps/v1 workloads, selector validity and match. */
function workloadProblems(group: string, kind: string, obj: JsonObject): NameProblem[] {
  const templatePath = POD_TEMPLATES[`${group}/${kind}`];
  if (!templatePath) return [];
  const metaPath = `/${templatePath.join('/')}/metadata`;
  const meta = asRecord(asRecord(dig(obj, templatePath)).metadata);
  const problems = [
    ...labelMapProblems(meta.labels, `${metaPath}/labels`),
    ...annotationMapProblems(meta.annotations, `${metaPath}/annotations`),
  ];
  const selector = asRecord(obj.spec).selector;
  if (SELECTOR_MUST_MATCH_TEMPLATE.has(`${group}/${kind}`) && isRecord(selector)) {
    problems.push(...selectorProblems(selector, '/spec/selector', asRecord(meta.labels), `${metaPath}/labels`));
  }
  return problems;
}

/** Checks a LabelSelector's syntax and that it selects `labels` (the pod template's). */
function selectorProblems(selector: JsonObject, path: string, labels: JsonObject, labelsPath: string): NameProblem[] {
  const matchLabels = asRecord(selector.matchLabels);
  const expressions = Array.isArray(selector.matchExpressions) ? selector.matchExpressions.filter(isRecord) : [];
  if (Object.keys(matchLabels).length === 0 && expressions.length === 0) {
    return [{ path, message: 'empty selector is invalid for this workload' }];
  }
  const problems = labelMapProblems(matchLabels, `${path}/matchLabels`);
  expressions.forEach((expr, i) => problems.push(...expressionProblems(expr, `${path}/matchExpressions/${i}`)));
  if (problems.length > 0) return problems;
  const matches =
    Object.entries(matchLabels).every(([k, v]) => labels[k] === v) && expressions.every((e) => expressionMatches(e, labels));
  return matches ? [] : [{ path: labelsPath, message: '`selector` does not match template `labels`' }];
}

/** Checks one `matchExpressions` entry: known operator, values present exactly when needed. */
function expressionProblems(expr: JsonObject, path: string): NameProblem[] {
  const values = Array.isArray(expr.values) ? expr.values : [];
  switch (expr.operator) {
    case 'In':
    case 'NotIn':
      if (values.length > 0) return [];
      return [{ path: `${path}/values`, message: "must be specified when `operator` is 'In' or 'NotIn'" }];
    case 'Exists':
    case 'DoesNotExist':
      if (values.length === 0) return [];
      return [{ path: `${path}/values`, message: "may not be specified when `operator` is 'Exists' or 'DoesNotExist'" }];
    default:
      return [{ path: `${path}/operator`, message: `not a valid selector operator (got ${preview(expr.operator)})` }];
  }
}

/** Whether a valid `matchExpressions` entry selects `labels`. */
function expressionMatches(expr: JsonObject, labels: JsonObject): boolean {
  const key = String(expr.key);
  const values = Array.isArray(expr.values) ? expr.values : [];
  const has = Object.prototype.hasOwnProperty.call(labels, key);
  switch (expr.operator) {
    case 'In':
      return has && values.includes(labels[key]);
    case 'NotIn':
      return !has || !values.includes(labels[key]);
    case 'Exists':
      return has;
    default:
      return !has;
  }
}

// ---------------------------------------------------------------------------------------------------
// Small helpers

/** Map key of a group/version/kind: `apps/v1/Deployment`, `v1/Service`. */
function gvkKey(apiVersion: string, kind: string): string {
  return `${apiVersion}/${kind}`;
}

/** The API group of an apiVersion: '' for the core group (`v1`). */
function apiGroup(apiVersion: string): string {
  const slash = apiVersion.lastIndexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** `kind/namespace/name`, or `kind/name` when the object has no namespace. */
function objectId(obj: JsonObject): string {
  const meta = asRecord(obj.metadata);
  const kind = typeof obj.kind === 'string' && obj.kind !== '' ? obj.kind : '<no kind>';
  const name =
    typeof meta.name === 'string' && meta.name !== ''
      ? meta.name
      : typeof meta.generateName === 'string' && meta.generateName !== ''
        ? `${meta.generateName}*`
        : '<no name>';
  const namespace = typeof meta.namespace === 'string' && meta.namespace !== '' ? meta.namespace : undefined;
  return namespace === undefined ? `${kind}/${name}` : `${kind}/${namespace}/${name}`;
}

/**
 * A copy of `value` without null-valued object fields: the API server decodes `field: null` as an
 * unset field (and prunes it from custom resources), so it must not fail type checks.
 */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (!isRecord(value)) return value;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = withoutNulls(v);
  return out;
}

/** The value at a property path, or undefined. */
function dig(value: unknown, keys: readonly string[]): unknown {
  return keys.reduce<unknown>((current, key) => (isRecord(current) ? current[key] : undefined), value);
}

/** Drops repeated problems (same path and message), keeping the first. */
function uniqueProblems(problems: readonly NameProblem[]): NameProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.path}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function isRecord(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value` if it is an object, else an empty one: for reading optional nested fields. */
function asRecord(value: unknown): JsonObject {
  return isRecord(value) ? value : {};
}
