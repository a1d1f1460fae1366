/**
 * The shape every check reads: a Kubernetes object as plain data, whether it comes from the synth
 * (before writing) or from a rendered tree on disk (`kompile validate`).
 */
import { groupOf } from '../core/kinds';

/** A Kubernetes object as plain JSON data. */
export type ManifestLike = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; [k: string]: unknown };
};

export type Rec = Record<string, unknown>;

/** The value as a record, or an empty one. */
export function rec(v: unknown): Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Rec) : {};
}

/** The value as a list of records, or an empty list. */
export function list(v: unknown): Rec[] {
  return Array.isArray(v) ? v.map(rec) : [];
}

/** `group/Kind` of an object (core group ''). */
export function groupKind(o: ManifestLike): string {
  return `${groupOf(o.apiVersion)}/${o.kind}`;
}

/** JSON pointer segment escaping (RFC 6901). */
export function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Argo CD's ordering annotation, on objects and on child Applications. */
export const SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';

/** An object's sync wave (0 when it has none, or one Argo CD would not read as an integer). */
export function waveOf(o: ManifestLike): number {
  const raw = o.metadata.annotations?.[SYNC_WAVE_ANNOTATION];
  const n = raw === undefined ? 0 : Number(raw);
  return Number.isInteger(n) ? n : 0;
}

/** The group/versions the CustomResourceDefinitions among `objects` define, sorted and unique. */
export function crdApiVersions(objects: readonly unknown[]): string[] {
  const out = new Set<string>();
  for (const o of objects) {
    const obj = rec(o);
    if (obj.kind !== 'CustomResourceDefinition' || typeof obj.apiVersion !== 'string' || groupOf(obj.apiVersion) !== 'apiextensions.k8s.io') continue;
    const spec = rec(obj.spec);
    for (const v of list(spec.versions)) if (typeof spec.group === 'string' && typeof v.name === 'string') out.add(`${spec.group}/${v.name}`);
  }
  return [...out].sort();
}

/** The annotation prefix of a reasoned exception to one security rule, on the object it excuses. */
export const SECURITY_EXCEPTION_PREFIX = 'kompile.dev/security-exception.';

/**
 * The reason an object gives for an exception to security rule `rule` (its annotation
 * `kompile.dev/security-exception.<rule>`), trimmed; '' when the annotation is there without a reason,
 * undefined when there is none.
 */
export function securityException(obj: ManifestLike, rule: string): string | undefined {
  const value = rec(obj.metadata.annotations)[`${SECURITY_EXCEPTION_PREFIX}${rule}`];
  return value === undefined ? undefined : String(value).trim();
}

/** What is wrong with an exception itself, at its annotation. */
export interface ExceptionProblem {
  readonly pointer: string;
  readonly message: string;
}

/** The rule under which every security rule reports a problem with an exception itself. */
export const SECURITY_EXCEPTION_RULE = 'security-exception';

/** A finding of a security rule on the `index`-th object of the list judged. */
export interface SecurityRuleFinding<R extends string = string> {
  readonly index: number;
  readonly rule: R;
  readonly pointer: string;
  readonly message: string;
}

/**
 * Applies `obj`'s exception to `rule` to `found`, that rule's findings on the object: without an
 * exception they stand; a reasoned exception excuses them; an exception without a reason is a problem
 * and excuses nothing; one with nothing to excuse is a problem, so that it cannot outlive what it
 * excused.
 */
export function applySecurityException<F>(obj: ManifestLike, rule: string, found: readonly F[]): { kept: readonly F[]; problem?: ExceptionProblem } {
  const reason = securityException(obj, rule);
  if (reason === undefined) return { kept: found };
  const pointer = `/metadata/annotations/${escapePointer(`${SECURITY_EXCEPTION_PREFIX}${rule}`)}`;
  if (reason === '') return { kept: found, problem: { pointer, message: `the exception to rule '${rule}' gives no reason: it must give its reason as the annotation's value` } };
  if (found.length === 0) return { kept: [], problem: { pointer, message: `the exception to rule '${rule}' ("${reason}") matches nothing on this object, which the rule finds nothing wrong with: remove it` } };
  return { kept: [] };
}

/**
 * Every security rule's one way of taking exceptions (lib/checks/security-rbac.ts and
 * security-network.ts alike): for each of `rules`, the findings of that rule on `objects[index]`
 * that its exception does not excuse, and each problem with an exception itself as a finding of
 * rule {@link SECURITY_EXCEPTION_RULE} at the annotation, whichever rule it names.
 */
export function securityExceptionFindings<R extends string>(
  obj: ManifestLike,
  index: number,
  rules: readonly R[],
  found: readonly SecurityRuleFinding<R>[],
): SecurityRuleFinding<R | typeof SECURITY_EXCEPTION_RULE>[] {
  const out: SecurityRuleFinding<R | typeof SECURITY_EXCEPTION_RULE>[] = [];
  for (const rule of rules) {
    const { kept, problem } = applySecurityException(obj, rule, found.filter((f) => f.index === index && f.rule === rule));
    if (problem) out.push({ index, rule: SECURITY_EXCEPTION_RULE, ...problem });
    out.push(...kept);
  }
  return out;
}

/** A finding of an object rule: which rule, which object (its index in the list the rule was given), where in it. */
export interface ObjectFinding<R extends string> {
  readonly rule: R;
  /** Index of the object in the list given to the rule. */
  readonly index: number;
  /** JSON pointer inside the object. */
  readonly pointer: string;
  readonly message: string;
}
