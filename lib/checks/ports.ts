/**
 * One allocation of the ports an environment opens on its nodes, across everything it installs:
 * Kompile's own Services, the Services an upstream chart renders (when the chart is vendored and
 * rendered), and, for a chart Argo CD renders from Helm values without a rendering at hand, the
 * values that set its node ports (`PortFacts.charts`: each component declares its charts' tables,
 * `chartPorts` of its definition, collected by lib/components.ts).
 *
 * - Every NodePort is unique in the environment (the API server refuses a second Service on an
 *   allocated node port) and inside the cluster's node-port range (kube-apiserver
 *   `--service-node-port-range`, default 30000-32767: `DefaultServiceNodePortRange` in
 *   kubernetes/kubernetes pkg/kubeapiserver/options).
 * - On k3s with ServiceLB (klipper-lb), every LoadBalancer Service port is unique across the
 *   environment: ServiceLB answers a LoadBalancer Service with a DaemonSet binding each of its ports
 *   as a host port on the nodes, so a second Service on the same port never gets an address. k3s
 *   deploys Traefik by default as a LoadBalancer Service on 80 and 443 (docs.k3s.io, Networking
 *   Services: "Traefik Ingress Controller"; removed with `--disable=traefik`), so those two are taken
 *   where the cluster runs it (`cluster.k3s.traefik`).
 *
 * A clash names both owners. The synth and `kompile validate` both run this.
 */
import { escapePointer, groupKind, list, ManifestLike, rec } from './objects';

/** How one chart's values shape one Service it renders. Value paths are dotted; `[]` is every item of a list. */
export interface ChartServiceValues {
  /** Value that switches the Service on, and the chart's default for it. @default - always rendered */
  readonly enabled?: { readonly path: string; readonly default: boolean };
  /** Value of the Service's type, and the chart's default for it. */
  readonly type: string;
  readonly typeDefault: string;
  /** Value(s) of the Service's ports, and the chart's defaults where the values set none. */
  readonly port: string;
  readonly portDefaults: readonly number[];
  /** Value(s) of its fixed node ports. */
  readonly nodePort: string;
  /** Types with which the chart renders `nodePort`. @default - NodePort and LoadBalancer (what Kubernetes accepts) */
  readonly nodePortTypes?: readonly string[];
}

/** The Services of one chart whose ports its values set. */
export interface ChartPortValues {
  /** The chart's name (`spec.source.chart` of the Application). */
  readonly chart: string;
  readonly services: readonly ChartServiceValues[];
  /**
   * The chart is the cluster's ingress controller: where the environment installs it, its node ports
   * are the ones `cluster.ingress.nodePorts` describes, not a second claim on them. @default false
   */
  readonly ingressController?: boolean;
}

/** What the rule needs to know about the cluster (see `clusterPortFacts` in lib/core/config/cluster.ts). */
export interface PortFacts {
  /** The API server's node-port range. @default 30000-32767 */
  readonly nodePortRange?: { readonly min: number; readonly max: number };
  /** LoadBalancer Services bind their ports on the nodes (k3s ServiceLB). @default false */
  readonly hostLoadBalancer?: boolean;
  /** Ports outside the environment's objects: the cluster's own Services (Traefik), a controller Kompile does not install. */
  readonly reserved?: readonly ReservedPort[];
  /**
   * How the charts the environment may install set their node ports from values, read where a chart
   * is not rendered (`chartPortValues` of lib/components.ts). @default [] - no chart's values are read
   */
  readonly charts?: readonly ChartPortValues[];
}

/** A port something outside the environment's objects holds. */
export interface ReservedPort {
  readonly kind: 'node-port' | 'load-balancer';
  readonly port: number;
  /** Who holds it, naming the setting: `cluster.ingress.nodePorts.http (the ingress controller)`. */
  readonly owner: string;
  /** Released where the environment installs a chart marked `ingressController`. @default false */
  readonly ingressController?: boolean;
}

export interface PortFinding {
  readonly rule: 'node-port' | 'load-balancer-port';
  /** Index of the object that claims the port (for a chart value: its Application). */
  readonly index: number;
  /** JSON pointer of the field inside it. */
  readonly pointer: string;
  readonly message: string;
  /** The other object of a clash, whose owner the message names. @default - none */
  readonly otherIndex?: number;
}

export interface PortOptions {
  /**
   * For an object rendered from a chart by one of the given Applications: that Application's index.
   * Its values are then not read (the rendering says what the chart does). @default - none
   */
  readonly renderedBy?: (index: number) => number | undefined;
}

/** Who holds a port: an object's field, or (no index) something outside the environment's objects. */
interface Owner {
  readonly port: number;
  /** TCP unless the Service port says otherwise: host ports are bound per protocol. */
  readonly protocol: string;
  readonly index?: number;
  readonly pointer: string;
  readonly owner: string;
}

/** A port an object of the environment claims. */
interface Claim extends Owner {
  readonly index: number;
}

/** Values at a dotted path with `[]` for list items, each with its path below the values. */
export function valuesAt(values: unknown, path: string): { value: unknown; at: string[] }[] {
  let found: { value: unknown; at: string[] }[] = [{ value: values, at: [] }];
  for (const part of path.split('.')) {
    const each = part.endsWith('[]');
    const key = each ? part.slice(0, -2) : part;
    found = found.flatMap(({ value, at }) => {
      const v = rec(value)[key];
      if (v === undefined || v === null) return [];
      if (!each) return [{ value: v, at: [...at, key] }];
      return Array.isArray(v) ? v.map((item, i) => ({ value: item, at: [...at, key, String(i)] })) : [];
    });
  }
  return found;
}

function nameOf(o: ManifestLike): string {
  const ns = o.metadata.namespace;
  return `${o.kind}/${ns ? `${ns}/` : ''}${o.metadata.name}`;
}

/** The helm source of an Application (first of `sources` when it has several). */
function helmSource(o: ManifestLike): { chart: string; values: unknown; base: string } | undefined {
  const spec = rec(o.spec);
  const candidates: [unknown, string][] = [[spec.source, '/spec/source'], ...list(spec.sources).map((s, i): [unknown, string] => [s, `/spec/sources/${i}`])];
  for (const [s, base] of candidates) {
    const src = rec(s);
    if (typeof src.chart === 'string') return { chart: src.chart, values: rec(src.helm).valuesObject ?? {}, base: `${base}/helm/valuesObject` };
  }
  return undefined;
}

function claimsOfService(o: ManifestLike, index: number): { node: Claim[]; lb: Claim[] } {
  const spec = rec(o.spec);
  const type = spec.type;
  const node: Claim[] = [];
  const lb: Claim[] = [];
  list(spec.ports).forEach((p, i) => {
    const at = `/spec/ports/${i}`;
    const protocol = typeof p.protocol === 'string' ? p.protocol : 'TCP';
    if ((type === 'NodePort' || type === 'LoadBalancer') && typeof p.nodePort === 'number' && p.nodePort !== 0) {
      node.push({ port: p.nodePort, protocol, index, pointer: `${at}/nodePort`, owner: `${nameOf(o)} ${at}/nodePort` });
    }
    if (type === 'LoadBalancer' && typeof p.port === 'number') lb.push({ port: p.port, protocol, index, pointer: `${at}/port`, owner: `${nameOf(o)} ${at}/port` });
  });
  return { node, lb };
}

function claimsOfValues(o: ManifestLike, index: number, entry: ChartPortValues, values: unknown, base: string): { node: Claim[]; lb: Claim[] } {
  const node: Claim[] = [];
  const lb: Claim[] = [];
  const owner = (at: string[]) => `Application '${o.metadata.name}' (chart ${entry.chart}) value ${at.join('.')}`;
  const pointer = (at: string[]) => `${base}/${at.map(escapePointer).join('/')}`;
  for (const s of entry.services) {
    if (s.enabled) {
      const on = valuesAt(values, s.enabled.path)[0]?.value;
      if (!(typeof on === 'boolean' ? on : s.enabled.default)) continue;
    }
    const typeValue = valuesAt(values, s.type)[0]?.value;
    const type = typeof typeValue === 'string' ? typeValue : s.typeDefault;
    if ((s.nodePortTypes ?? ['NodePort', 'LoadBalancer']).includes(type)) {
      for (const { value, at } of valuesAt(values, s.nodePort)) if (typeof value === 'number') node.push({ port: value, protocol: 'TCP', index, pointer: pointer(at), owner: owner(at) });
    }
    if (type === 'LoadBalancer') {
      // The chart's default ports apply where the values set none at the port's list (or key).
      const set = valuesAt(values, s.port);
      const listPath = s.port.includes('[]') ? s.port.slice(0, s.port.indexOf('[]')) : s.port;
      if (valuesAt(values, listPath).length > 0) {
        for (const { value, at } of set) if (typeof value === 'number') lb.push({ port: value, protocol: 'TCP', index, pointer: pointer(at), owner: owner(at) });
      } else {
        for (const port of s.portDefaults) lb.push({ port, protocol: 'TCP', index, pointer: base, owner: `Application '${o.metadata.name}' (chart ${entry.chart}, ${s.type} ${type}) default port of ${s.port}` });
      }
    }
  }
  return { node, lb };
}

/**
 * Findings over one environment's objects (Applications included): a NodePort claimed twice or
 * outside the node-port range ('node-port'), and, where LoadBalancer Services bind host ports, a
 * LoadBalancer port claimed twice or held by the cluster ('load-balancer-port').
 */
export function portFindings(objects: readonly ManifestLike[], facts: PortFacts = {}, options: PortOptions = {}): PortFinding[] {
  const charts = facts.charts ?? [];
  const rendered = new Set<number>();
  objects.forEach((_, i) => {
    const app = options.renderedBy?.(i);
    if (app !== undefined) rendered.add(app);
  });
  const node: Claim[] = [];
  const lb: Claim[] = [];
  let ingressInstalled = false;
  objects.forEach((o, index) => {
    const gk = groupKind(o);
    if (gk === '/Service') {
      const c = claimsOfService(o, index);
      node.push(...c.node);
      lb.push(...c.lb);
    } else if (gk === 'argoproj.io/Application') {
      const source = helmSource(o);
      const entry = source && charts.find((e) => e.chart === source.chart);
      if (!source || !entry) return;
      if (entry.ingressController) ingressInstalled = true;
      if (rendered.has(index)) return;
      const c = claimsOfValues(o, index, entry, source.values, source.base);
      node.push(...c.node);
      lb.push(...c.lb);
    }
  });

  const findings: PortFinding[] = [];
  const reserved = (facts.reserved ?? []).filter((r) => !(r.ingressController && ingressInstalled));
  const range = facts.nodePortRange ?? { min: 30000, max: 32767 };
  const held = (kind: ReservedPort['kind']): Owner[] => reserved.filter((r) => r.kind === kind).map((r) => ({ port: r.port, protocol: 'TCP', pointer: '', owner: r.owner }));
  // Host ports are bound per protocol; a node port is one Service's, which may use it for TCP and UDP alike.
  const allocate = (rule: PortFinding['rule'], what: string, why: string, claims: readonly Claim[], held: readonly Owner[], key: (c: Owner) => string) => {
    const owners = new Map<string, Owner>(held.map((c) => [key(c), c]));
    for (const c of claims) {
      const first = owners.get(key(c));
      if (first === undefined || (rule === 'node-port' && first.index === c.index && first.protocol !== c.protocol)) {
        if (first === undefined) owners.set(key(c), c);
        continue;
      }
      findings.push({ rule, index: c.index, pointer: c.pointer, otherIndex: first.index, message: `${what} ${c.port} (${c.owner}) is also claimed by ${first.owner}: ${why}` });
    }
  };
  for (const c of node) {
    if (c.port < range.min || c.port > range.max) {
      findings.push({ rule: 'node-port', index: c.index, pointer: c.pointer, message: `node port ${c.port} (${c.owner}) is outside the cluster's node-port range ${range.min}-${range.max}: the API server refuses the Service` });
    }
  }
  allocate('node-port', 'node port', 'the API server allocates a node port to one Service only and refuses the other', node, held('node-port'), (c) => String(c.port));
  if (facts.hostLoadBalancer) {
    allocate('load-balancer-port', 'LoadBalancer port', 'k3s ServiceLB binds every LoadBalancer port as a host port on the nodes, so one of the two Services never gets an address', lb, held('load-balancer'), (c) => `${c.port}/${c.protocol}`);
  }
  return findings;
}
