/**
 * Kubernetes name, label and annotation syntax rules, as enforced by the API server
 * (k8s.io/apimachinery/pkg/util/validation and pkg/api/validation/objectmeta.go).
 *
 * Every check returns a list of human-readable problems; an empty list means valid.
 */

/** A problem found in an object's metadata, with a JSON-pointer-like path inside the object. */
export interface NameProblem {
  readonly path: string;
  readonly message: string;
}

/** How an object kind's `metadata.name` is validated by the API server. */
export type NameRule = 'dns1123-subdomain' | 'dns1123-label' | 'dns1035-label' | 'path-segment';

// DNS1123LabelMaxLength and DNS1123SubdomainMaxLength in apimachinery/pkg/util/validation.
const DNS1123_LABEL_MAX = 63;
const DNS1123_SUBDOMAIN_MAX = 253;
// LabelValueMaxLength and qualifiedNameMaxLength in the same package.
const QUALIFIED_NAME_MAX = 63;
const LABEL_VALUE_MAX = 63;
// TotalAnnotationSizeLimitB in apimachinery/pkg/api/validation/objectmeta.go.
const TOTAL_ANNOTATION_SIZE_MAX = 256 * 1024;

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

/** Checks an RFC 1123 label (`my-name`, at most 63 characters). */
export function dns1123LabelErrors(value: string): string[] {
  const errors: string[] = [];
  if (value.length > DNS1123_LABEL_MAX) errors.push(`must be no more than ${DNS1123_LABEL_MAX} characters`);
  if (!DNS1123_LABEL.test(value)) {
    errors.push(
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', " +
        'and must start and end with an alphanumeric character',
    );
  }
  return errors;
}

/** Checks an RFC 1123 subdomain (`my.name`, at most 253 characters). */
export function dns1123SubdomainErrors(value: string): string[] {
  const errors: string[] = [];
  if (value.length > DNS1123_SUBDOMAIN_MAX) errors.push(`must be no more than ${DNS1123_SUBDOMAIN_MAX} characters`);
  if (!DNS1123_SUBDOMAIN.test(value)) {
    errors.push(
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', " +
        'and must start and end with an alphanumeric character',
    );
  }
  return errors;
}

/** Checks an RFC 1035 label (like RFC 1123, but must start with a letter); used for Service names. */
export function dns1035LabelErrors(value: string): string[] {
  const errors: string[] = [];
  if (value.length > DNS1123_LABEL_MAX) errors.push(`must be no more than ${DNS1123_LABEL_MAX} characters`);
  if (!DNS1035_LABEL.test(value)) {
    errors.push(
      "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic " +
        'character, and end with an alphanumeric character',
    );
  }
  return errors;
}

/** Checks a name that only has to be usable as a URL path segment (RBAC objects, e.g. `system:auth-delegator`). */
export function pathSegmentNameErrors(value: string): string[] {
  if (value === '.' || value === '..') return [`may not be '${value}'`];
  const errors: string[] = [];
  for (const forbidden of ['/', '%']) {
    if (value.includes(forbidden)) errors.push(`may not contain '${forbidden}'`);
  }
  return errors;
}

/** Checks a name against the given rule. */
export function nameErrors(value: string, rule: NameRule): string[] {
  switch (rule) {
    case 'dns1123-label':
      return dns1123LabelErrors(value);
    case 'dns1035-label':
      return dns1035LabelErrors(value);
    case 'path-segment':
      return pathSegmentNameErrors(value);
    case 'dns1123-subdomain':
      return dns1123SubdomainErrors(value);
  }
}

/**
 * Checks a qualified name such as a label or annotation key: an optional DNS subdomain prefix and '/',
 * then a name of at most 63 characters (`app.kubernetes.io/name`, `app`).
 */
export function qualifiedNameErrors(value: string): string[] {
  const parts = value.split('/');
  if (parts.length > 2) {
    return ["a qualified name must consist of an optional DNS subdomain prefix and '/', followed by a name"];
  }
  const name = parts.length === 2 ? parts[1] : parts[0];
  const errors: string[] = [];
  if (parts.length === 2) {
    const prefix = parts[0];
    if (prefix.length === 0) errors.push('prefix part must be non-empty');
    else errors.push(...dns1123SubdomainErrors(prefix).map((e) => `prefix part ${e}`));
  }
  if (name.length === 0) {
    errors.push('name part must be non-empty');
    return errors;
  }
  if (name.length > QUALIFIED_NAME_MAX) errors.push(`name part must be no more than ${QUALIFIED_NAME_MAX} characters`);
  if (!QUALIFIED_NAME.test(name)) {
    errors.push(
      "name part must consist of alphanumeric characters, '-', '_' or '.', " +
        'and must start and end with an alphanumeric character',
    );
  }
  return errors;
}

/** Checks a label value: empty, or at most 63 characters of the qualified-name alphabet. */
export function labelValueErrors(value: string): string[] {
  if (value === '') return [];
  const errors: string[] = [];
  if (value.length > LABEL_VALUE_MAX) errors.push(`must be no more than ${LABEL_VALUE_MAX} characters`);
  if (!QUALIFIED_NAME.test(value)) {
    errors.push(
      "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', " +
        'and must start and end with an alphanumeric character',
    );
  }
  return errors;
}

/** Escapes one JSON-pointer segment (`/` → `~1`, `~` → `~0`), matching ajv's instance paths. */
export function pointerSegment(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks a label map (`metadata.labels`, `matchLabels`) found at `path`.
 * Non-string values are left to the schema check, which reports their type.
 */
export function labelMapProblems(labels: unknown, path: string): NameProblem[] {
  if (!isRecord(labels)) return [];
  const problems: NameProblem[] = [];
  for (const [key, value] of Object.entries(labels)) {
    const keyPath = `${path}/${pointerSegment(key)}`;
    for (const e of qualifiedNameErrors(key)) problems.push({ path: keyPath, message: `invalid label key "${key}": ${e}` });
    if (typeof value !== 'string') continue;
    for (const e of labelValueErrors(value)) {
      problems.push({ path: keyPath, message: `invalid label value "${value}": ${e}` });
    }
  }
  return problems;
}

/** Checks an annotation map: keys are qualified names (case-insensitive), total size at most 256 KiB. */
export function annotationMapProblems(annotations: unknown, path: string): NameProblem[] {
  if (!isRecord(annotations)) return [];
  const problems: NameProblem[] = [];
  let totalSize = 0;
  for (const [key, value] of Object.entries(annotations)) {
    totalSize += Buffer.byteLength(key) + (typeof value === 'string' ? Buffer.byteLength(value) : 0);
    for (const e of qualifiedNameErrors(key.toLowerCase())) {
      problems.push({ path: `${path}/${pointerSegment(key)}`, message: `invalid annotation key "${key}": ${e}` });
    }
  }
  if (totalSize > TOTAL_ANNOTATION_SIZE_MAX) {
    problems.push({ path, message: `annotations are too long: must have at most ${TOTAL_ANNOTATION_SIZE_MAX} bytes` });
  }
  return problems;
}

/** Options for {@link objectMetaProblems}. */
export interface ObjectMetaRules {
  /** How `metadata.name` is checked. */
  readonly nameRule: NameRule;
  /**
   * Longest allowed name, when a kind is stricter than its rule (CronJob: 52).
   * @default - the rule's own limit
   */
  readonly maxNameLength?: number;
}

/**
 * Checks an object's ObjectMeta found at `path` (normally `/metadata`): name or generateName, namespace,
 * label and annotation syntax. (For embedded pod template metadata, the API server checks only labels and
 * annotations: use {@link labelMapProblems} and {@link annotationMapProblems}.)
 */
export function objectMetaProblems(metadata: unknown, path: string, rules: ObjectMetaRules): NameProblem[] {
  if (!isRecord(metadata)) return [missingName(path)];
  return [
    ...nameProblems(metadata, path, rules),
    ...namespaceProblems(metadata.namespace, `${path}/namespace`),
    ...labelMapProblems(metadata.labels, `${path}/labels`),
    ...annotationMapProblems(metadata.annotations, `${path}/annotations`),
  ];
}

/** Checks `name`, or `generateName` (with its trailing '-' masked, as the API server does) when there is no name. */
function nameProblems(metadata: Record<string, unknown>, path: string, rules: ObjectMetaRules): NameProblem[] {
  const { name, generateName } = metadata;
  if (typeof name === 'string' && name !== '') {
    const errors = nameErrors(name, rules.nameRule);
    if (rules.maxNameLength !== undefined && name.length > rules.maxNameLength) {
      errors.push(`must be no more than ${rules.maxNameLength} characters`);
    }
    return errors.map((e) => ({ path: `${path}/name`, message: `invalid name "${name}": ${e}` }));
  }
  if (typeof generateName === 'string' && generateName !== '') {
    const masked = generateName.endsWith('-') ? `${generateName.slice(0, -1)}a` : generateName;
    return nameErrors(masked, rules.nameRule).map((e) => ({
      path: `${path}/generateName`,
      message: `invalid generateName "${generateName}": ${e}`,
    }));
  }
  // A name of the wrong type is reported by the schema check, not here.
  const wrongType = name !== undefined && typeof name !== 'string';
  return wrongType ? [] : [missingName(path)];
}

function missingName(path: string): NameProblem {
  return { path, message: 'missing required field "name" (metadata.name or metadata.generateName)' };
}

/** Checks `metadata.namespace`, which must be an RFC 1123 label when set. */
function namespaceProblems(namespace: unknown, path: string): NameProblem[] {
  if (typeof namespace !== 'string' || namespace === '') return [];
  return dns1123LabelErrors(namespace).map((e) => ({ path, message: `invalid namespace "${namespace}": ${e}` }));
}
