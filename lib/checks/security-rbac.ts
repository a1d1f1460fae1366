/**
 * Security rules on privilege, admission and secrets (issue 15), over all the objects of one
 * environment, Kompile's own and what charts render; run by the synth and by `kompile validate`.
 *
 * - `rbac-wildcard`: a Role or ClusterRole rule granting `*` verbs or `*` resources, any
 *   `escalate`/`bind`/`impersonate` verb (each lets its holder grant itself more than it has), or a
 *   ClusterRole bound cluster-wide by a ClusterRoleBinding of the environment that reaches Secrets,
 *   `pods/exec` or RBAC objects in every namespace (read every credential, run code in any pod, or
 *   write one's own permissions).
 * - `webhook-fail-closed`: a webhook whose failurePolicy is Fail (admissionregistration.k8s.io/v1
 *   defaults it to Fail: "Defaults to Fail", the 1.28 OpenAPI description) whose namespaceSelector
 *   selects kube-system or the webhook's own namespace (that of its Service), judged on the labels
 *   those namespaces have: `kubernetes.io/metadata.name: <name>`, which the API server sets on every
 *   namespace, and the labels of the environment's Namespace object. While its back end is down
 *   nothing it matches is admitted there: the cluster's own components, or what would bring the
 *   back end back. An objectSelector does not scope it: any object may carry a label. And one served
 *   by a Deployment (selected by the webhook's Service, same namespace) with fewer than 2 replicas
 *   and no PodDisruptionBudget over its pods (one pod restarting, or a node drain, stops admission).
 *   Deployments the environment does not hold are not judged.
 * - `secret-on-command-line`: a container command or argument carrying a `$(VAR)` reference the
 *   kubelet expands to a value from a Secret (`env[].valueFrom.secretKeyRef`): the value then shows
 *   in `ps` of the node and in the process list of the pod. The reference syntax is the one the 1.28
 *   Container.args description gives: `$(VAR_NAME)` expanded, `$$` reduced to `$`.
 *
 * Exceptions are per object and rule: an annotation `kompile.dev/security-exception.<rule>` with the
 * reason on the object the rule judges (objects.ts `securityException`). An exception without a
 * reason, or one on an object the rule finds nothing on, is a finding of rule `security-exception`,
 * as for the network rules (objects.ts `securityExceptionFindings`, the one way both take exceptions).
 */
import { groupOf } from '../core/kinds';
import { list, ManifestLike, ObjectFinding, Rec, rec, SECURITY_EXCEPTION_RULE, securityExceptionFindings, SecurityRuleFinding } from './objects';
import { POD_TEMPLATE_PATHS } from './pods';

export type SecurityRbacRule = 'rbac-wildcard' | 'webhook-fail-closed' | 'secret-on-command-line';

export const SECURITY_RBAC_RULES: readonly SecurityRbacRule[] = ['rbac-wildcard', 'webhook-fail-closed', 'secret-on-command-line'];

/** A finding of the rules of this file; `security-exception` for a problem with an exception (objects.ts `securityExceptionFindings`). */
export type SecurityRbacFinding = ObjectFinding<SecurityRbacRule | typeof SECURITY_EXCEPTION_RULE>;

export interface SecurityRbacOptions {
  /**
   * The namespace of `objects[i]` when it has none of its own (a chart's object goes to its
   * Application's destination). @default - its metadata.namespace only
   */
  readonly namespaceOf?: (index: number) => string | undefined;
}

const RBAC = 'rbac.authorization.k8s.io';
const ADMISSION = 'admissionregistration.k8s.io';
/** Verbs that let a subject grant (escalate, bind) or assume (impersonate) more than it has. */
const GRANTING_VERBS = new Set(['escalate', 'bind', 'impersonate']);
/** What no subject should reach in every namespace, by API group ('' is the core group). */
const CLUSTER_WIDE_SENSITIVE: Readonly<Record<string, readonly string[]>> = {
  '': ['secrets', 'pods/exec'],
  [RBAC]: ['roles', 'rolebindings', 'clusterroles', 'clusterrolebindings'],
};

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const isKind = (o: ManifestLike, group: string, ...kinds: string[]) => groupOf(o.apiVersion) === group && kinds.includes(o.kind);
const nonEmpty = (selector: unknown) => Object.keys(rec(selector)).some((k) => (Array.isArray(rec(selector)[k]) ? (rec(selector)[k] as unknown[]).length > 0 : Object.keys(rec(rec(selector)[k])).length > 0));

/** Every finding of the three rules over one environment's objects, exceptions applied. */
export function securityRbacFindings(objects: readonly ManifestLike[], options: SecurityRbacOptions = {}): SecurityRbacFinding[] {
  const raw = [...rbacFindings(objects), ...webhookFindings(objects, options), ...commandLineFindings(objects)];
  return objects.flatMap((o, index) => securityExceptionFindings(o, index, SECURITY_RBAC_RULES, raw));
}

/** A finding before exceptions. */
type Raw = SecurityRuleFinding<SecurityRbacRule>;

function rbacFindings(objects: readonly ManifestLike[]): Raw[] {
  const out: Raw[] = [];
  const boundClusterWide = new Set(
    objects.filter((o) => isKind(o, RBAC, 'ClusterRoleBinding')).map((o) => rec(o.roleRef)).filter((r) => r.kind === 'ClusterRole').map((r) => String(r.name)),
  );
  objects.forEach((o, index) => {
    if (!isKind(o, RBAC, 'Role', 'ClusterRole')) return;
    const clusterWide = o.kind === 'ClusterRole' && boundClusterWide.has(o.metadata.name);
    const add = (pointer: string, message: string) => out.push({ rule: 'rbac-wildcard', index, pointer, message });
    for (const [i, r] of list(o.rules).entries()) {
      const verbs = strings(r.verbs);
      const resources = strings(r.resources);
      if (verbs.includes('*')) add(`/rules/${i}/verbs`, `rule ${i} grants every verb ('*'), including ones added later and escalate/bind: list the verbs needed`);
      if (resources.includes('*')) add(`/rules/${i}/resources`, `rule ${i} grants every resource ('*') of API groups ${strings(r.apiGroups).map((g) => `'${g}'`).join(', ')}, including ones added later: list the resources needed`);
      for (const v of verbs.filter((x) => GRANTING_VERBS.has(x))) {
        add(`/rules/${i}/verbs/${verbs.indexOf(v)}`, `rule ${i} grants '${v}': its holder can ${v === 'impersonate' ? 'act as another user, group or service account' : 'grant itself permissions it does not have'}`);
      }
      if (!clusterWide) continue;
      const groups = strings(r.apiGroups);
      const reached = Object.entries(CLUSTER_WIDE_SENSITIVE).flatMap(([g, rs]) => (groups.includes(g) || groups.includes('*') ? rs.filter((x) => resources.includes(x)) : []));
      if (reached.length > 0 && verbs.length > 0) {
        add(`/rules/${i}/resources`, `rule ${i} reaches ${reached.join(', ')} cluster-wide (bound by a ClusterRoleBinding): ${reached.includes('secrets') ? 'every credential of the cluster can be read; ' : ''}use a Role (or a RoleBinding) in the namespaces that need it`);
      }
    }
  });
  return out;
}

/** True when a label selector (matchLabels, matchExpressions) selects an object with `labels`; an empty one selects all. */
export function selectorMatches(selector: unknown, labels: Readonly<Record<string, string>>): boolean {
  const sel = rec(selector);
  for (const [k, v] of Object.entries(rec(sel.matchLabels))) if (labels[k] !== v) return false;
  for (const e of list(sel.matchExpressions)) {
    const key = String(e.key);
    const has = Object.prototype.hasOwnProperty.call(labels, key);
    const values = strings(e.values);
    if (e.operator === 'In' && !(has && values.includes(labels[key]))) return false;
    if (e.operator === 'NotIn' && has && values.includes(labels[key])) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

/** The label the API server sets on every namespace, to its name (used to select namespaces by name). */
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

function webhookFindings(objects: readonly ManifestLike[], options: SecurityRbacOptions): Raw[] {
  const out: Raw[] = [];
  const nsOf = (i: number) => objects[i].metadata.namespace ?? options.namespaceOf?.(i);
  const namespaceLabels = (name: string): Record<string, string> => {
    const ns = objects.find((o) => o.apiVersion === 'v1' && o.kind === 'Namespace' && o.metadata.name === name);
    return { ...(ns?.metadata.labels ?? {}), [NAMESPACE_NAME_LABEL]: name };
  };
  objects.forEach((o, index) => {
    if (!isKind(o, ADMISSION, 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration')) return;
    for (const [i, w] of list(o.webhooks).entries()) {
      if ((w.failurePolicy ?? 'Fail') !== 'Fail') continue;
      const name = `webhook '${String(w.name)}'`;
      const policy = w.failurePolicy === undefined ? 'failurePolicy Fail (the admissionregistration/v1 default)' : 'failurePolicy Fail';
      const service = rec(rec(w.clientConfig).service);
      const own = typeof service.namespace === 'string' ? service.namespace : undefined;
      const selected = ['kube-system', ...(own && own !== 'kube-system' ? [own] : [])].filter((ns) => selectorMatches(w.namespaceSelector, namespaceLabels(ns)));
      if (selected.length > 0) {
        const which = selected.map((ns) => (ns === own ? `its own namespace '${ns}'` : ns)).join(' and ');
        out.push({
          rule: 'webhook-fail-closed',
          index,
          pointer: `/webhooks/${i}${w.namespaceSelector === undefined ? '' : '/namespaceSelector'}`,
          message: `${name} has ${policy} and ${w.namespaceSelector === undefined ? 'no namespaceSelector, so it matches' : 'a namespaceSelector that matches'} ${which}: while its back end is down nothing it matches is admitted there (the cluster's own components${own ? ', or what would bring the back end back' : ''}); exclude ${selected.length > 1 ? 'them' : 'it'} (${NAMESPACE_NAME_LABEL} NotIn [${selected.join(', ')}]) or select the namespaces it serves`,
        });
      }
      if (typeof service.name !== 'string' || own === undefined) continue;
      const svcIndex = objects.findIndex((s, j) => s.apiVersion === 'v1' && s.kind === 'Service' && s.metadata.name === service.name && nsOf(j) === own);
      const selector = svcIndex < 0 ? {} : rec(rec(objects[svcIndex].spec).selector);
      if (Object.keys(selector).length === 0) continue;
      objects.forEach((d, j) => {
        if (!isKind(d, 'apps', 'Deployment') || nsOf(j) !== own) return;
        const labels = rec(rec(rec(rec(d.spec).template).metadata).labels) as Record<string, string>;
        if (!Object.entries(selector).every(([k, v]) => labels[k] === v)) return;
        const replicas = rec(d.spec).replicas ?? 1;
        if (typeof replicas !== 'number' || replicas >= 2) return;
        const budgeted = objects.some((p, k) => isKind(p, 'policy', 'PodDisruptionBudget') && nsOf(k) === own && nonEmpty(rec(p.spec).selector) && selectorMatches(rec(p.spec).selector, labels));
        if (budgeted) return;
        out.push({ rule: 'webhook-fail-closed', index, pointer: `/webhooks/${i}/clientConfig/service`, message: `${name} has ${policy} but its back end, Deployment ${own}/${d.metadata.name}, runs ${replicas} replica${replicas === 1 ? '' : 's'} and no PodDisruptionBudget covers it: one restart or node drain stops admission of everything it matches; run at least 2` });
      });
    }
  });
  return out;
}

/** The variable names a string references as the kubelet expands it (`$(NAME)`; `$$` escapes). */
export function expandedReferences(s: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== '$') continue;
    if (s[i + 1] === '$') {
      i++;
      continue;
    }
    if (s[i + 1] !== '(') continue;
    const end = s.indexOf(')', i + 2);
    if (end < 0) break;
    out.push(s.slice(i + 2, end));
    i = end;
  }
  return out;
}

function commandLineFindings(objects: readonly ManifestLike[]): Raw[] {
  const out: Raw[] = [];
  objects.forEach((o, index) => {
    const path = POD_TEMPLATE_PATHS[`${groupOf(o.apiVersion)}/${o.kind}`];
    if (!path) return;
    let template: unknown = o;
    for (const key of path) template = rec(template)[key];
    const spec: Rec = rec(rec(template).spec);
    const at = path.map((k) => `/${k}`).join('');
    for (const listName of ['initContainers', 'containers', 'ephemeralContainers'] as const) {
      for (const [i, c] of list(spec[listName]).entries()) {
        const fromSecret = new Map(list(c.env).filter((e) => rec(rec(e.valueFrom).secretKeyRef).name !== undefined).map((e) => [String(e.name), rec(rec(e.valueFrom).secretKeyRef)]));
        for (const field of ['command', 'args'] as const) {
          for (const [j, arg] of strings(c[field]).entries()) {
            for (const name of expandedReferences(arg).filter((n) => fromSecret.has(n))) {
              const ref = fromSecret.get(name)!;
              out.push({
                rule: 'secret-on-command-line',
                index,
                pointer: `${at}/spec/${listName}/${i}/${field}/${j}`,
                message: `container '${String(c.name)}' puts $(${name}) (Secret ${String(ref.name)}, key ${String(ref.key)}) on its command line: the kubelet expands it, so the value shows in ps on the node and in the pod; pass it as a file or an environment variable the program reads`,
              });
            }
          }
        }
      }
    }
  });
  return out;
}
