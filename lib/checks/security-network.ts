/**
 * NetworkPolicies wider than the platform needs. The synth and `kompile validate` both run this.
 *
 * - `netpol-open-peer`: an ingress `from` or egress `to` ipBlock of `0.0.0.0/0` (or `::/0`) whose
 *   `except` does not cover the cluster's pod and service networks. Such a block admits every pod
 *   of every namespace (and, after kube-proxy's DNAT, every Service), so the namespace-by-namespace
 *   default-deny the platform builds means nothing for that rule: a build pod that may reach
 *   "anywhere" reaches the registry's, Argo CD's and every operator's pods too. Pods inside the
 *   cluster are named as peers by namespace; the address block stands for what is outside.
 * - `netpol-unknown-namespace`: a `namespaceSelector` on `kubernetes.io/metadata.name` naming a
 *   namespace nothing in the environment creates (nor Kubernetes itself). Whoever creates that
 *   namespace later is trusted by a rule nobody reviewed for it.
 *
 * An exception is explicit, per object and rule, and reasoned: the annotation
 * `kompile.dev/security-exception.<rule>: "<reason>"` on the NetworkPolicy. An exception without a
 * reason, or on a NetworkPolicy the rule finds nothing wrong with, is itself an error (rule
 * `security-exception`), so exceptions cannot outlive what they excuse.
 */
import { list, ManifestLike, ObjectFinding, rec, SECURITY_EXCEPTION_RULE, securityExceptionFindings, SecurityRuleFinding } from './objects';

export type NetworkSecurityRule = 'netpol-open-peer' | 'netpol-unknown-namespace';
export const NETWORK_SECURITY_RULES: readonly NetworkSecurityRule[] = ['netpol-open-peer', 'netpol-unknown-namespace'];

/** A finding of the rules of this file; `security-exception` for a problem with an exception (objects.ts `securityExceptionFindings`). */
export type NetworkSecurityFinding = ObjectFinding<NetworkSecurityRule | typeof SECURITY_EXCEPTION_RULE>;

export interface NetworkSecurityFacts {
  /**
   * The cluster's pod and service networks (`clusterNetworkCidrs` of lib/core/config/cluster.ts).
   * @default - unknown: an open block is judged only on having no `except` at all
   */
  readonly clusterCidrs?: readonly string[];
  /**
   * Namespaces that exist without the environment creating them ({@link KUBERNETES_NAMESPACES},
   * Argo CD's, the cluster's). @default - unknown: the rule 'netpol-unknown-namespace' is off
   * (construct tests synthesize fragments of an environment)
   */
  readonly existingNamespaces?: readonly string[];
}

/**
 * Namespaces the API server itself creates (kubernetes/kubernetes pkg/controlplane, the system
 * namespaces controller: `default`, `kube-system`, `kube-public`, `kube-node-lease`).
 */
export const KUBERNETES_NAMESPACES: readonly string[] = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

const NAME_LABEL = 'kubernetes.io/metadata.name';
const OPEN = new Set(['0.0.0.0/0', '::/0']);

interface Cidr {
  readonly v6: boolean;
  readonly bits: bigint;
  readonly prefix: number;
}

/** A CIDR as address bits and prefix length, or undefined when it is not one. */
export function parseCidr(text: string): Cidr | undefined {
  const [addr, len, extra] = text.split('/');
  if (extra !== undefined || len === undefined || !/^\d{1,3}$/.test(len)) return undefined;
  const prefix = Number(len);
  if (addr.includes(':')) {
    const halves = addr.split('::');
    if (halves.length > 2) return undefined;
    const part = (s: string) => (s === '' ? [] : s.split(':'));
    const head = part(halves[0]);
    const tail = halves.length === 2 ? part(halves[1]) : [];
    const groups = halves.length === 2 ? [...head, ...Array(8 - head.length - tail.length).fill('0'), ...tail] : head;
    if (groups.length !== 8 || groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g)) || prefix > 128) return undefined;
    return { v6: true, bits: groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n), prefix };
  }
  const octets = addr.split('.');
  if (octets.length !== 4 || octets.some((o) => !/^\d{1,3}$/.test(o) || Number(o) > 255) || prefix > 32) return undefined;
  return { v6: false, bits: octets.reduce((acc, o) => (acc << 8n) | BigInt(Number(o)), 0n), prefix };
}

/** Whether the block `outer` contains every address of `inner`. */
export function cidrContains(outer: string, inner: string): boolean {
  const a = parseCidr(outer);
  const b = parseCidr(inner);
  if (!a || !b || a.v6 !== b.v6 || a.prefix > b.prefix) return false;
  const width = a.v6 ? 128n : 32n;
  const shift = width - BigInt(a.prefix);
  return a.bits >> shift === b.bits >> shift;
}

/** Findings of the network rules, and of their exceptions, over the environment's objects. */
export function networkSecurityFindings(objects: readonly ManifestLike[], facts: NetworkSecurityFacts = {}): NetworkSecurityFinding[] {
  const judgeNamespaces = facts.existingNamespaces !== undefined;
  const created = new Set([...(facts.existingNamespaces ?? []), ...objects.filter((o) => o.kind === 'Namespace' && o.apiVersion === 'v1').map((o) => o.metadata.name)]);
  const out: NetworkSecurityFinding[] = [];
  objects.forEach((o, index) => {
    if (o.kind !== 'NetworkPolicy' || !o.apiVersion.startsWith('networking.k8s.io/')) return;
    const raw: SecurityRuleFinding<NetworkSecurityRule>[] = [];
    const spec = rec(o.spec);
    for (const [direction, key] of [
      ['ingress', 'from'],
      ['egress', 'to'],
    ] as const) {
      list(spec[direction]).forEach((r, i) => {
        list(r[key]).forEach((peer, j) => {
          const at = `/spec/${direction}/${i}/${key}/${j}`;
          const block = rec(peer.ipBlock);
          if (typeof block.cidr === 'string' && OPEN.has(block.cidr)) {
            const except = Array.isArray(block.except) ? block.except.filter((e): e is string => typeof e === 'string') : [];
            const v6 = block.cidr.includes(':');
            const needed = facts.clusterCidrs?.filter((c) => parseCidr(c)?.v6 === v6);
            const missing = needed ? needed.filter((c) => !except.some((e) => cidrContains(e, c))) : except.length === 0 ? ['the pod and service networks'] : [];
            if (missing.length > 0) {
              raw.push({
                index,
                rule: 'netpol-open-peer',
                pointer: `${at}/ipBlock`,
                message:
                  `${direction} ${key} ${block.cidr} admits every pod and Service of the cluster: its except does not cover ${missing.join(', ')}. ` +
                  `Name in-cluster peers by namespace and except the cluster's pod and service networks (cluster.network), or narrow the block to the endpoints it is for`,
              });
            }
          }
          const names = rec(rec(peer.namespaceSelector).matchLabels)[NAME_LABEL];
          const exprs = list(rec(peer.namespaceSelector).matchExpressions).filter((e) => e.key === NAME_LABEL && e.operator === 'In');
          const named = [...(typeof names === 'string' ? [names] : []), ...exprs.flatMap((e) => (Array.isArray(e.values) ? e.values.filter((v): v is string => typeof v === 'string') : []))];
          for (const ns of named) {
            if (!judgeNamespaces || created.has(ns)) continue;
            raw.push({
              index,
              rule: 'netpol-unknown-namespace',
              pointer: `${at}/namespaceSelector`,
              message: `${direction} ${key} trusts namespace '${ns}', which nothing in the environment creates: whoever creates it later gets this access unreviewed. Remove the peer or create the namespace`,
            });
          }
        });
      });
    }
    const judged = NETWORK_SECURITY_RULES.filter((rule) => judgeNamespaces || rule !== 'netpol-unknown-namespace');
    out.push(...securityExceptionFindings(o, index, judged, raw));
  });
  return out;
}
