/**
 * Security rule on what the platform exposes outside the cluster (issue 15, "Services exposed outside
 * the cluster without an authentication story"), over all the objects of one environment, Kompile's
 * own and what charts render; run by the synth and by `kompile validate`.
 *
 * `edge-authentication` judges what a client outside the cluster can reach:
 * - a Service of type NodePort or LoadBalancer;
 * - the back end of every path of an Ingress (the finding is on the back-end Service when the
 *   environment holds it, else on the Ingress path);
 * - every host of a VirtualService bound to an Istio Gateway (not to `mesh` alone).
 *
 * Each must have an authentication story, one of:
 * - **Istio request authentication** on the pods that receive the request (the Service's pods, or the
 *   pods the Gateway selects): a `RequestAuthentication` with at least one JWT rule selecting them,
 *   and an `AuthorizationPolicy` that refuses requests without a request principal: either a DENY
 *   rule whose only source is `notRequestPrincipals: ["*"]`, or ALLOW policies every rule of which
 *   names `requestPrincipals`. A RequestAuthentication alone lets requests without a token through
 *   ("A request that does not contain any authentication credentials will be accepted but will not
 *   have any authenticated identity. To restrict access to authenticated requests only, this should
 *   be accompanied by an authorization rule", istio.io reference, request_authentication). For a
 *   host, a DENY rule restricted to `to.operation.hosts` must match the host with and without a
 *   port: Istio 1.24.6 matches `hosts` against the Host header as sent, exact or with one `*` at
 *   either end, and never strips a port (pilot/pkg/security/authz/matcher/header.go `HostMatcher`),
 *   so `iris.example.com` alone lets `Host: iris.example.com:443` through; `iris.example.com:*`
 *   covers it. Policies apply only to pods with an Istio proxy: a Service's pods held by the
 *   environment must be injected (pod label `sidecar.istio.io/inject: "true"`, or their namespace
 *   labelled `istio-injection: enabled`). Policies of the mesh's root namespace are not considered.
 * - **an annotation naming the mechanism**, `kompile.dev/authentication: <mechanism>`, with one of
 *   {@link AUTHENTICATION_MECHANISMS}, on the Service, Ingress, Gateway or VirtualService.
 * - **an exception**: `kompile.dev/security-exception.edge-authentication: <reason>` on the object
 *   the finding is on (objects.ts `applySecurityException`).
 *
 * A Service whose pods an Istio Gateway selects is an ingress gateway: its story is that of the
 * routes bound to that Gateway, each judged here.
 */
import { groupOf } from '../core/kinds';
import { applySecurityException, escapePointer, list, ManifestLike, ObjectFinding, Rec, rec } from './objects';
import { POD_TEMPLATE_PATHS } from './pods';

export type SecurityExposureRule = 'edge-authentication';
export const SECURITY_EXPOSURE_RULES: readonly SecurityExposureRule[] = ['edge-authentication'];

/** The annotation naming how an exposed object authenticates its clients. */
export const AUTHENTICATION_ANNOTATION = 'kompile.dev/authentication';

/**
 * The mechanisms {@link AUTHENTICATION_ANNOTATION} may name, each with what it claims. Istio request
 * authentication is not among them: the rule checks it from the policies themselves.
 */
export const AUTHENTICATION_MECHANISMS: Readonly<Record<string, string>> = {
  'http-basic': 'the server itself asks every request for a user and password (e.g. a registry with htpasswd authentication)',
  'application-login': 'the application requires its own login for everything it serves (e.g. Jenkins with a security realm and no anonymous read)',
  'gateway-routes': 'an ingress controller or gateway that serves only the routes defined for it (Ingresses, VirtualServices), each of which this rule judges on its own',
};

export type SecurityExposureFinding = ObjectFinding<SecurityExposureRule>;

export interface SecurityExposureOptions {
  /** The namespace of `objects[i]` when it has none of its own (a chart's object goes to its Application's destination). @default - its metadata.namespace only */
  readonly namespaceOf?: (index: number) => string | undefined;
}

const ISTIO_SECURITY = 'security.istio.io';
const ISTIO_NETWORKING = 'networking.istio.io';
const INJECT_LABEL = 'sidecar.istio.io/inject';
const INJECTION_NAMESPACE_LABEL = 'istio-injection';

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const labelsOf = (v: unknown): Record<string, string> => Object.fromEntries(Object.entries(rec(v)).filter(([, x]) => typeof x === 'string')) as Record<string, string>;
/** Every label of `selector` is on `labels` with the same value (an empty selector selects all). */
const selects = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);
const isKind = (o: ManifestLike, group: string, kind: string) => groupOf(o.apiVersion) === group && o.kind === kind;

/** Whether Istio's host matcher (exact, `*suffix`, `prefix*`, `*`) matches `host`, case-insensitively. */
export function istioHostMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  const h = host.toLowerCase();
  if (p === '*') return true;
  if (p.startsWith('*')) return h.endsWith(p.slice(1));
  if (p.endsWith('*')) return h.startsWith(p.slice(0, -1));
  return p === h;
}

/** Whether host patterns cover `host` as clients may send it: bare, and with any port. */
function hostsCover(patterns: readonly string[], host: string): boolean {
  const bare = patterns.some((p) => istioHostMatches(p, host));
  // A pattern covers every `host:<port>` only when it is `*` or a prefix of `host:`.
  const withPort = patterns.some((p) => p === '*' || (p.endsWith('*') && `${host}:`.toLowerCase().startsWith(p.slice(0, -1).toLowerCase())));
  return bare && withPort;
}

interface Workload {
  readonly namespace: string;
  readonly labels: Record<string, string>;
}

/** What one environment's Istio security policies require of the pods they select. */
class IstioAuthentication {
  constructor(
    private readonly objects: readonly ManifestLike[],
    private readonly nsOf: (i: number) => string | undefined,
  ) {}

  private selecting(kind: string, w: Workload): ManifestLike[] {
    return this.objects.filter((o, i) => {
      if (!isKind(o, ISTIO_SECURITY, kind) || this.nsOf(i) !== w.namespace) return false;
      const spec = rec(o.spec);
      // A policy attached by targetRef(s) selects a Gateway API gateway or Service, not these labels.
      if (spec.targetRef !== undefined || spec.targetRefs !== undefined) return false;
      return selects(labelsOf(rec(spec.selector).matchLabels), w.labels);
    });
  }

  /** Why requests without a valid JWT do not reach the workload (for `host`, when given), or undefined. */
  story(w: Workload, host?: string): string | undefined {
    const authn = this.selecting('RequestAuthentication', w).filter((o) => list(rec(o.spec).jwtRules).some((r) => typeof r.issuer === 'string' && r.issuer !== ''));
    if (authn.length === 0) return undefined;
    const policies = this.selecting('AuthorizationPolicy', w);
    const deny = policies.find((p) => {
      const spec = rec(p.spec);
      if (spec.action !== 'DENY') return false;
      return list(spec.rules).some((r) => {
        if (r.when !== undefined) return false;
        const from = list(r.from);
        if (from.length !== 1) return false;
        const source = rec(from[0].source);
        if (Object.keys(source).length !== 1 || !strings(source.notRequestPrincipals).includes('*')) return false;
        if (r.to === undefined) return true;
        if (host === undefined) return false;
        return list(r.to).some((t) => {
          const op = rec(t.operation);
          return Object.keys(op).length === 1 && hostsCover(strings(op.hosts), host);
        });
      });
    });
    if (deny) return `RequestAuthentication ${authn[0].metadata.name} and DENY AuthorizationPolicy ${deny.metadata.name}`;
    const allow = policies.filter((p) => (rec(p.spec).action ?? 'ALLOW') === 'ALLOW');
    const requiring = (p: ManifestLike) => {
      const rules = list(rec(p.spec).rules);
      return rules.length > 0 && rules.every((r) => list(r.from).length > 0 && list(r.from).every((f) => strings(rec(f.source).requestPrincipals).length > 0));
    };
    if (allow.length > 0 && allow.every(requiring)) return `RequestAuthentication ${authn[0].metadata.name} and ALLOW AuthorizationPolicy ${allow[0].metadata.name}`;
    return undefined;
  }
}

/** The mechanism an object's annotation names: a known one, or a problem. */
function annotated(o: ManifestLike): { mechanism?: string; problem?: string } {
  const value = rec(o.metadata.annotations)[AUTHENTICATION_ANNOTATION];
  if (value === undefined) return {};
  const m = String(value).trim();
  if (m in AUTHENTICATION_MECHANISMS) return { mechanism: m };
  return { problem: `annotation ${AUTHENTICATION_ANNOTATION} names '${m}', not a known mechanism (${Object.keys(AUTHENTICATION_MECHANISMS).join(', ')})` };
}

const ANNOTATION_POINTER = `/metadata/annotations/${escapePointer(AUTHENTICATION_ANNOTATION)}`;

/** Every finding of the rule over one environment's objects, exceptions applied. */
export function securityExposureFindings(objects: readonly ManifestLike[], options: SecurityExposureOptions = {}): SecurityExposureFinding[] {
  const raw = exposureFindings(objects, options);
  const out: SecurityExposureFinding[] = [];
  objects.forEach((o, index) => {
    for (const rule of SECURITY_EXPOSURE_RULES) {
      const { kept, problem } = applySecurityException(o, rule, raw.filter((f) => f.index === index && f.rule === rule));
      if (problem) out.push({ rule, index, ...problem });
      out.push(...kept);
    }
  });
  return out;
}

function exposureFindings(objects: readonly ManifestLike[], options: SecurityExposureOptions): SecurityExposureFinding[] {
  const nsOf = (i: number) => objects[i].metadata.namespace ?? options.namespaceOf?.(i);
  const istio = new IstioAuthentication(objects, nsOf);
  const out: SecurityExposureFinding[] = [];
  const add = (index: number, pointer: string, message: string) => out.push({ rule: 'edge-authentication', index, pointer, message });

  // Annotations naming no known mechanism, wherever they are.
  objects.forEach((o, i) => {
    const { problem } = annotated(o);
    if (problem) add(i, ANNOTATION_POINTER, problem);
  });

  const gateways = objects.map((o, i) => ({ o, i })).filter(({ o }) => isKind(o, ISTIO_NETWORKING, 'Gateway'));
  const injectedNamespaces = new Set(objects.filter((o) => o.apiVersion === 'v1' && o.kind === 'Namespace' && labelsOf(o.metadata.labels)[INJECTION_NAMESPACE_LABEL] === 'enabled').map((o) => o.metadata.name));

  /** Why the pods of Service `s` (index `si`) authenticate requests, or what is missing. */
  const serviceStory = (si: number): { ok: boolean; missing: string } => {
    const s = objects[si];
    if (annotated(s).mechanism) return { ok: true, missing: '' };
    const selector = labelsOf(rec(s.spec).selector);
    const namespace = nsOf(si) ?? '';
    if (Object.keys(selector).length === 0) return { ok: false, missing: 'it selects no pods Istio policies could apply to' };
    // An ingress gateway's Service: its routes are judged one by one.
    if (gateways.some(({ o, i }) => { const g = labelsOf(rec(o.spec).selector); return Object.keys(g).length > 0 && nsOf(i) === namespace && selects(g, selector); })) return { ok: true, missing: '' };
    if (!istio.story({ namespace, labels: selector })) return { ok: false, missing: 'no RequestAuthentication with a JWT rule and AuthorizationPolicy refusing requests without a request principal select its pods' };
    const pods = objects.flatMap((o, i) => {
      const path = POD_TEMPLATE_PATHS[`${groupOf(o.apiVersion)}/${o.kind}`];
      if (!path || nsOf(i) !== namespace) return [];
      let t: unknown = o;
      for (const k of path) t = rec(t)[k];
      const labels = labelsOf(rec(rec(t).metadata).labels);
      return selects(selector, labels) ? [{ o, labels }] : [];
    });
    const bare = pods.filter((p) => p.labels[INJECT_LABEL] !== 'true' && !injectedNamespaces.has(namespace));
    if (bare.length > 0) return { ok: false, missing: `Istio policies select its pods, but ${bare.map((p) => `${p.o.kind} ${p.o.metadata.name}`).join(', ')} run${bare.length === 1 ? 's' : ''} no Istio proxy to enforce them (label ${INJECT_LABEL}: "true")` };
    return { ok: true, missing: '' };
  };
  const howTo = `require a JWT with Istio (RequestAuthentication and AuthorizationPolicy), name the mechanism in annotation ${AUTHENTICATION_ANNOTATION} (${Object.keys(AUTHENTICATION_MECHANISMS).join(', ')}), or take a reasoned exception`;

  // Services reachable from outside the cluster.
  objects.forEach((o, i) => {
    if (o.apiVersion !== 'v1' || o.kind !== 'Service') return;
    const type = rec(o.spec).type;
    if (type !== 'NodePort' && type !== 'LoadBalancer') return;
    const { ok, missing } = serviceStory(i);
    if (!ok) add(i, '/spec/type', `Service of type ${String(type)} is reachable from outside the cluster without authentication: ${missing}; ${howTo}`);
  });

  // Ingress back ends.
  objects.forEach((o, i) => {
    if (!isKind(o, 'networking.k8s.io', 'Ingress') || annotated(o).mechanism) return;
    const spec = rec(o.spec);
    const namespace = nsOf(i);
    const backends: { pointer: string; host: string; path: string; service: Rec }[] = [];
    if (spec.defaultBackend !== undefined) backends.push({ pointer: '/spec/defaultBackend', host: '*', path: '', service: rec(rec(spec.defaultBackend).service) });
    list(spec.rules).forEach((r, ri) => list(rec(r.http).paths).forEach((p, pi) => backends.push({ pointer: `/spec/rules/${ri}/http/paths/${pi}`, host: typeof r.host === 'string' ? r.host : '*', path: String(p.path ?? '/'), service: rec(rec(p.backend).service) })));
    const judged = new Set<number>();
    for (const b of backends) {
      const si = objects.findIndex((s, j) => s.apiVersion === 'v1' && s.kind === 'Service' && s.metadata.name === b.service.name && nsOf(j) === namespace);
      const where = `Ingress ${o.metadata.name} exposes ${b.host}${b.path}`;
      if (si < 0) {
        add(i, b.pointer, `${where} through Service ${String(b.service.name)}, which the environment does not hold, without an authentication story: ${howTo}`);
        continue;
      }
      const { ok, missing } = serviceStory(si);
      if (!ok && !judged.has(si)) {
        judged.add(si);
        add(si, '', `${where} (Ingress ${namespace}/${o.metadata.name}) through this Service without authentication: ${missing}; ${howTo}`);
      }
    }
  });

  // Routes bound to Istio Gateways.
  objects.forEach((o, i) => {
    if (!isKind(o, ISTIO_NETWORKING, 'VirtualService') || annotated(o).mechanism) return;
    const namespace = nsOf(i);
    for (const ref of strings(rec(o.spec).gateways)) {
      if (ref === 'mesh') continue;
      const [gwNs, gwName] = ref.includes('/') ? ref.split('/', 2) : [namespace, ref];
      const gw = gateways.find(({ o: g, i: gi }) => g.metadata.name === gwName && nsOf(gi) === gwNs);
      if (!gw) continue; // a Gateway of the cluster's, not this environment's: not judged here
      if (annotated(gw.o).mechanism) continue;
      const labels = labelsOf(rec(gw.o.spec).selector);
      strings(rec(o.spec).hosts).forEach((host, hi) => {
        if (istio.story({ namespace: gwNs ?? '', labels }, host)) return;
        add(i, `/spec/hosts/${hi}`, `host ${host} is served to clients outside the cluster through Gateway ${ref} without authentication: no RequestAuthentication with a JWT rule and AuthorizationPolicy refusing requests without a request principal for this host (with and without a port) select the gateway's pods; ${howTo}`);
      });
    }
  });
  return out;
}
