/**
 * Fields a CRD defaults inside list items, which an object leaves unset: Argo CD never converges on
 * such an object.
 *
 * The API server fills in a structural schema's `default` where the object leaves the field out
 * ("Defaulting happens on the object in the request to the API server ... when reading from etcd";
 * https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/,
 * "Defaulting"). It walks the object it is given (k8s.io/apiextensions-apiserver
 * `schema/defaulting.Default(x, s)`), so below an object the manifest leaves out nothing is
 * defaulted; this check looks where the parent object is present. The live object then carries
 * fields Git does not. Argo CD's default client-side
 * diff does not know CRD defaults (argo-cd#11074, maintainer comment of 2022-11-01: "Argo CD is
 * unable to consider CRD default values during diff calculation which causes it to show resources
 * out-of-sync"); outside lists the three-way diff skips fields Git never set, but a list is compared
 * whole, so one defaulted field in one item keeps the Application OutOfSync and self-heal syncing
 * for ever. Writing the default explicitly makes Git and the cluster equal.
 */
import { escapePointer, rec, type Rec } from './objects';

/** One defaulted field an object leaves unset inside a list item. */
export interface CrdListDefaultFinding {
  /** JSON pointer of the missing field, e.g. `/spec/applicationRefs/0/useAnnotations`. */
  readonly pointer: string;
  /** The schema's default. */
  readonly default: unknown;
  readonly message: string;
}

/**
 * Every field with a schema `default` inside a list item of `obj` that `obj` leaves unset, where its
 * parent object is present (the API server defaults nothing below an absent object).
 * `schema` is the CRD version's `openAPIV3Schema`.
 */
export function crdListDefaultFindings(obj: unknown, schema: Rec): CrdListDefaultFinding[] {
  const findings: CrdListDefaultFinding[] = [];
  walk(obj, schema, '', false, findings);
  return findings;
}

function walk(value: unknown, schema: Rec, pointer: string, inList: boolean, out: CrdListDefaultFinding[]): void {
  if (Array.isArray(value)) {
    const items = rec(schema.items);
    value.forEach((item, i) => walk(item, items, `${pointer}/${i}`, true, out));
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  const object = value as Rec;
  const properties = rec(schema.properties);
  for (const [key, propSchema] of Object.entries(properties)) {
    const child = rec(propSchema);
    const at = `${pointer}/${escapePointer(key)}`;
    if (key in object) walk(object[key], child, at, inList, out);
    else if (inList && 'default' in child) {
      const d = JSON.stringify(child.default);
      out.push({
        pointer: at,
        default: child.default,
        message: `the CRD defaults ${at} to ${d} inside a list item, and Argo CD's client-side diff compares the list whole: write ${at} explicitly (default ${d}) or use server-side diff`,
      });
    }
  }
  const additional = schema.additionalProperties;
  if (typeof additional === 'object' && additional !== null) {
    for (const [key, v] of Object.entries(object)) if (!(key in properties)) walk(v, rec(additional), `${pointer}/${escapePointer(key)}`, inList, out);
  }
}

/**
 * The `openAPIV3Schema` of every served version of the v1 CRDs among `objects`, by
 * `apiVersion kind` of their instances (for the synth, which knows only the CRDs it renders).
 */
export function crdSchemasAmong(objects: readonly unknown[]): Map<string, Rec> {
  const out = new Map<string, Rec>();
  for (const doc of objects.map(rec)) {
    if (doc.apiVersion !== 'apiextensions.k8s.io/v1' || doc.kind !== 'CustomResourceDefinition') continue;
    const spec = rec(doc.spec);
    const kind = rec(spec.names).kind;
    if (typeof spec.group !== 'string' || typeof kind !== 'string' || !Array.isArray(spec.versions)) continue;
    for (const v of spec.versions.map(rec)) {
      if (typeof v.name === 'string' && v.served !== false) out.set(`${spec.group}/${v.name} ${kind}`, rec(rec(v.schema).openAPIV3Schema));
    }
  }
  return out;
}
