import { K8sObject } from '../helpers';

/** A pod by namespace and labels, or an address outside the pod network. */
export type Endpoint = { readonly namespace: string; readonly labels: Readonly<Record<string, string>> } | { readonly ip: string };

interface Selector {
  matchLabels?: Record<string, string>;
}
interface Peer {
  podSelector?: Selector;
  namespaceSelector?: Selector;
  ipBlock?: { cidr: string; except?: string[] };
}
interface Port {
  port?: number;
  protocol?: string;
}
interface Rule {
  from?: Peer[];
  to?: Peer[];
  ports?: Port[];
}
interface PolicySpec {
  podSelector: Selector;
  policyTypes: string[];
  ingress?: Rule[];
  egress?: Rule[];
}

function selects(selector: Selector | undefined, labels: Readonly<Record<string, string>>): boolean {
  return Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
}

function ipToInt(ip: string): number {
  return ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
}

function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  const start = Math.floor(ipToInt(base) / size) * size;
  const n = ipToInt(ip);
  return n >= start && n < start + size;
}

/** Whether a peer of a policy in `policyNamespace` matches an endpoint (Kubernetes NetworkPolicy semantics). */
function peerMatches(peer: Peer, policyNamespace: string, other: Endpoint): boolean {
  if ('ip' in other) return peer.ipBlock !== undefined && inCidr(other.ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((c) => inCidr(other.ip, c));
  if (peer.ipBlock) return false;
  const nsOk = peer.namespaceSelector ? selects(peer.namespaceSelector, { 'kubernetes.io/metadata.name': other.namespace }) : other.namespace === policyNamespace;
  return nsOk && selects(peer.podSelector, other.labels);
}

function portMatches(ports: Port[] | undefined, port: number): boolean {
  return ports === undefined || ports.some((p) => (p.port === undefined || p.port === port) && (p.protocol ?? 'TCP') === 'TCP');
}

/** Whether one side lets the traffic through: unselected pods are open; selected ones need a matching rule. */
function sideAllows(policies: readonly K8sObject[], self: Endpoint, other: Endpoint, port: number, direction: 'Ingress' | 'Egress'): boolean {
  if ('ip' in self) return true;
  const applying = policies.filter((p) => {
    const spec = p.spec as PolicySpec;
    return p.metadata.namespace === self.namespace && spec.policyTypes.includes(direction) && selects(spec.podSelector, self.labels);
  });
  if (applying.length === 0) return true;
  return applying.some((p) => {
    const spec = p.spec as PolicySpec;
    const rules = (direction === 'Ingress' ? spec.ingress : spec.egress) ?? [];
    return rules.some((r) => {
      const peers = direction === 'Ingress' ? r.from : r.to;
      return (peers === undefined || peers.some((peer) => peerMatches(peer, self.namespace, other))) && portMatches(r.ports, port);
    });
  });
}

/** Whether `from` may open a TCP connection to `to` on `port`, given every NetworkPolicy in `objects`. */
export function mayConnect(objects: readonly K8sObject[], from: Endpoint, to: Endpoint, port: number): boolean {
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
  return sideAllows(policies, from, to, port, 'Egress') && sideAllows(policies, to, from, port, 'Ingress');
}
