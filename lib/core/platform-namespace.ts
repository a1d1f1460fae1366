import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { SECURITY_EXCEPTION_PREFIX } from '../checks/objects';
import { ENFORCE_LABEL, PodSecurityLevel } from '../checks/pod-security';
import type { NetworkSecurityRule } from '../checks/security-network';

export type { PodSecurityLevel };

export interface NamespaceQuota {
  /** Sum of CPU requests, e.g. `8`. */
  readonly requestsCpu: string;
  readonly requestsMemory: string;
  readonly limitsCpu: string;
  readonly limitsMemory: string;
  /** Extended-resource requests, e.g. `{ 'nvidia.com/gpu': '4' }`. @default - none */
  readonly extended?: Readonly<Record<string, string>>;
  /** @default - no limit */
  readonly pods?: number;
  /** @default - no limit */
  readonly persistentVolumeClaims?: number;
}

export interface ContainerDefaults {
  /** Requests given to containers that set none. */
  readonly request: { readonly cpu: string; readonly memory: string };
  /** Limits given to containers that set none. */
  readonly limit: { readonly cpu: string; readonly memory: string };
}

/** A port a NetworkPolicy rule opens. */
export interface PolicyPort {
  readonly port: number;
  /** @default 'TCP' */
  readonly protocol?: 'TCP' | 'UDP' | 'SCTP';
}

/** Who a rule allows: pods in namespaces, pods by label in this namespace, or address blocks. */
export interface PolicyPeer {
  /** Namespaces by name (matched on `kubernetes.io/metadata.name`). */
  readonly namespaces?: readonly string[];
  /** Pods of this namespace, by labels. */
  readonly pods?: Readonly<Record<string, string>>;
  /**
   * Address blocks outside the pod network, e.g. the API server's. `0.0.0.0/0` stands for
   * "anywhere outside the cluster": it excepts the namespace's `clusterCidrs` (the pod and service
   * networks), so it admits no pod; pods are peers by namespace (rule 'netpol-open-peer').
   */
  readonly cidrs?: readonly string[];
}

export interface PolicyRule {
  /** Short DNS-label name of the rule; the policy is named `allow-<name>`. */
  readonly name: string;
  /** Pods of this namespace the rule applies to. @default - every pod of the namespace */
  readonly podSelector?: Readonly<Record<string, string>>;
  readonly peers: readonly PolicyPeer[];
  /** @default - every port */
  readonly ports?: readonly PolicyPort[];
  /**
   * Exceptions to security rules, by rule, each with its reason: the policy's annotations
   * `kompile.dev/security-exception.<rule>` (lib/checks/security-network.ts). An exception to
   * 'netpol-open-peer' keeps `0.0.0.0/0` whole (no `except`). @default - none
   */
  readonly exceptions?: Readonly<Partial<Record<NetworkSecurityRule, string>>>;
  /**
   * The rule's address blocks admit traffic that reaches the pods from nodes: clients of a NodePort
   * or LoadBalancer Service, or the host-network API server calling a webhook. Its `0.0.0.0/0` is
   * then written whole, with the exception {@link NODE_SOURCED_REASON} (rule 'netpol-open-peer'),
   * since the pod network cannot be excepted from such sources. Only ingress. @default false
   */
  readonly fromNodes?: boolean;
}

/**
 * Why an ingress block from nodes cannot except the pod network. kube-proxy masquerades traffic to
 * a NodePort with `externalTrafficPolicy: Cluster` (every Service of the platform), and traffic
 * from a host address to a ClusterIP, to the forwarding node's address on its way to the pod; when
 * the pod runs on another node that address is the node's overlay interface (Flannel's flannel.1,
 * Calico's tunl0), which lies inside the pod network. Excepting the pod network would drop every
 * such connection that lands on a node other than the pod's. (kube-proxy: kubernetes/kubernetes
 * pkg/proxy/iptables/proxier.go, "masquerade traffic for … external destinations" unless
 * `ExternalPolicyLocal`. The overlay interface's address is the CNI's choice, not verified here.)
 */
export const NODE_SOURCED_REASON =
  "admits clients arriving through a node (NodePort/LoadBalancer with externalTrafficPolicy Cluster, or the host-network API server): kube-proxy masquerades them to the forwarding node's address, on overlay CNIs an address of the pod network, so the pod network cannot be excepted";

/** Addresses outside the cluster a rule reaches: `cluster.network.egress.<purpose>` as constructs take it. */
export interface OutsideDestination {
  readonly cidrs: readonly string[];
  /** @default - the purpose's own ports */
  readonly ports?: readonly number[];
}

/**
 * The peers and ports of an egress rule to a destination outside the cluster: its stated blocks and
 * ports, or, where the environment states none, anywhere outside the cluster (`0.0.0.0/0`, which
 * a namespace writes excepting the pod and service networks) on `ports`.
 */
export function outside(destination: OutsideDestination | undefined, ports: readonly number[]): Pick<PolicyRule, 'peers' | 'ports'> {
  return { peers: [{ cidrs: destination?.cidrs ?? ['0.0.0.0/0'] }], ports: (destination?.ports ?? ports).map((port) => ({ port })) };
}

/** The port a registry `host:port` (the environment's mirror) is reached on, when other than HTTPS' 443. */
export function mirrorPort(mirror: string | undefined): number[] {
  const port = mirror?.match(/:(\d+)$/)?.[1];
  return port && port !== '443' ? [Number(port)] : [];
}

export interface PlatformNamespaceProps {
  /** The namespace's name. */
  readonly name: string;
  /**
   * Pod Security level enforced by the admission controller.
   * @default 'restricted'
   */
  readonly podSecurity?: PodSecurityLevel;
  /** Why a level below `restricted` is needed. Required when `podSecurity` is not `restricted`. */
  readonly podSecurityReason?: string;
  /** Kubernetes minor version the Pod Security level is pinned to, e.g. `1.28`. */
  readonly kubernetesVersion: string;
  /** @default - no ResourceQuota */
  readonly quota?: NamespaceQuota;
  /** @default - no LimitRange */
  readonly containerDefaults?: ContainerDefaults;
  /**
   * Allow every pod egress to cluster DNS (kube-dns in kube-system, port 53).
   * @default true
   */
  readonly allowDns?: boolean;
  /**
   * The cluster's pod and service networks (`clusterNetworkCidrs`), which a `0.0.0.0/0` peer
   * excepts. @default - none: `0.0.0.0/0` is written whole
   */
  readonly clusterCidrs?: readonly string[];
}

/**
 * A namespace the way a platform needs it: Pod Security admission labels (enforce, audit and warn,
 * pinned to the cluster's version), an optional quota and container defaults, and a default-deny
 * NetworkPolicy for ingress and egress to which components add explicit allows.
 */
export class PlatformNamespace extends Construct {
  readonly name: string;
  readonly podSecurity: PodSecurityLevel;
  private readonly namespace: k8s.KubeNamespace;
  private readonly clusterCidrs: readonly string[];

  constructor(scope: Construct, id: string, props: PlatformNamespaceProps) {
    super(scope, id);
    this.name = props.name;
    this.clusterCidrs = props.clusterCidrs ?? [];
    this.podSecurity = props.podSecurity ?? 'restricted';
    if (this.podSecurity !== 'restricted' && !props.podSecurityReason) {
      throw new Error(`[${this.node.path}] namespace '${props.name}': podSecurity '${this.podSecurity}' needs a podSecurityReason saying why 'restricted' cannot be used`);
    }
    const version = `v${props.kubernetesVersion}`;
    this.namespace = new k8s.KubeNamespace(this, 'Resource', {
      metadata: {
        name: props.name,
        labels: {
          [ENFORCE_LABEL]: this.podSecurity,
          'pod-security.kubernetes.io/enforce-version': version,
          // Audit and warn at 'restricted' even where less is enforced, so the gap stays visible.
          'pod-security.kubernetes.io/audit': 'restricted',
          'pod-security.kubernetes.io/audit-version': version,
          'pod-security.kubernetes.io/warn': 'restricted',
          'pod-security.kubernetes.io/warn-version': version,
        },
        annotations: props.podSecurityReason ? { 'kompile.dev/pod-security-reason': props.podSecurityReason } : undefined,
      },
    });

    this.inNamespace(
      new k8s.KubeNetworkPolicy(this, 'DefaultDeny', {
        metadata: { name: 'default-deny', namespace: this.name },
        spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
      }),
    );
    if (props.allowDns ?? true) {
      this.allowEgress({
        name: 'dns',
        peers: [{ namespaces: ['kube-system'], pods: { 'k8s-app': 'kube-dns' } }],
        ports: [
          { port: 53, protocol: 'UDP' },
          { port: 53, protocol: 'TCP' },
        ],
      });
    }
    if (props.quota) {
      const q = props.quota;
      const hard: Record<string, k8s.Quantity> = {
        'requests.cpu': k8s.Quantity.fromString(q.requestsCpu),
        'requests.memory': k8s.Quantity.fromString(q.requestsMemory),
        'limits.cpu': k8s.Quantity.fromString(q.limitsCpu),
        'limits.memory': k8s.Quantity.fromString(q.limitsMemory),
      };
      for (const [res, amount] of Object.entries(q.extended ?? {})) hard[`requests.${res}`] = k8s.Quantity.fromString(amount);
      if (q.pods !== undefined) hard.pods = k8s.Quantity.fromNumber(q.pods);
      if (q.persistentVolumeClaims !== undefined) hard.persistentvolumeclaims = k8s.Quantity.fromNumber(q.persistentVolumeClaims);
      this.inNamespace(new k8s.KubeResourceQuota(this, 'Quota', { metadata: { name: 'quota', namespace: this.name }, spec: { hard } }));
    }
    if (props.containerDefaults) {
      const d = props.containerDefaults;
      this.inNamespace(
        new k8s.KubeLimitRange(this, 'Defaults', {
          metadata: { name: 'container-defaults', namespace: this.name },
          spec: {
            limits: [
              {
                type: 'Container',
                defaultRequest: { cpu: k8s.Quantity.fromString(d.request.cpu), memory: k8s.Quantity.fromString(d.request.memory) },
                default: { cpu: k8s.Quantity.fromString(d.limit.cpu), memory: k8s.Quantity.fromString(d.limit.memory) },
              },
            ],
          },
        }),
      );
    }
  }

  /** Adds a label to the Namespace (e.g. an admission controller's opt-in label). */
  addLabel(key: string, value: string): void {
    this.namespace.metadata.addLabel(key, value);
  }

  /** Opens ingress to pods of this namespace. */
  allowIngress(rule: PolicyRule): k8s.KubeNetworkPolicy {
    return this.policy(rule, 'Ingress');
  }

  /** Opens egress from pods of this namespace. */
  allowEgress(rule: PolicyRule): k8s.KubeNetworkPolicy {
    return this.policy(rule, 'Egress');
  }

  private policy(rule: PolicyRule, direction: 'Ingress' | 'Egress'): k8s.KubeNetworkPolicy {
    const id = `Allow${direction}-${rule.name}`;
    if (this.node.tryFindChild(id)) throw new Error(`[${this.node.path}] an ${direction.toLowerCase()} rule named '${rule.name}' exists already`);
    if (rule.peers.length === 0) throw new Error(`[${this.node.path}] rule '${rule.name}' has no peers; a rule without peers would allow everyone`);
    if (rule.fromNodes && direction !== 'Ingress') throw new Error(`[${this.node.path}] rule '${rule.name}': fromNodes is for ingress rules`);
    const open = rule.peers.some((p) => p.cidrs?.includes('0.0.0.0/0'));
    const exceptions = { ...(rule.fromNodes && open && this.clusterCidrs.length > 0 ? { 'netpol-open-peer': NODE_SOURCED_REASON } : {}), ...rule.exceptions };
    const whole = exceptions['netpol-open-peer'] !== undefined;
    const peers = rule.peers.flatMap((p) => toPeers(p, whole ? [] : this.clusterCidrs));
    const annotations = Object.keys(exceptions).length > 0 ? Object.fromEntries(Object.entries(exceptions).map(([r, reason]) => [`${SECURITY_EXCEPTION_PREFIX}${r}`, reason])) : undefined;
    const ports = rule.ports?.map((p) => ({ port: k8s.IntOrString.fromNumber(p.port), protocol: p.protocol ?? 'TCP' }));
    const podSelector = { matchLabels: rule.podSelector ? { ...rule.podSelector } : undefined };
    const spec: k8s.NetworkPolicySpec =
      direction === 'Ingress'
        ? { podSelector, policyTypes: ['Ingress'], ingress: [{ from: peers, ports }] }
        : { podSelector, policyTypes: ['Egress'], egress: [{ to: peers, ports }] };
    return this.inNamespace(new k8s.KubeNetworkPolicy(this, id, { metadata: { name: `allow-${direction === 'Ingress' ? 'from' : 'to'}-${rule.name}`, namespace: this.name, annotations }, spec }));
  }

  /** Orders a namespaced object of this construct after the Namespace itself. */
  private inNamespace<T extends ApiObject>(obj: T): T {
    obj.addDependency(this.namespace);
    return obj;
  }
}

function toPeers(peer: PolicyPeer, clusterCidrs: readonly string[]): k8s.NetworkPolicyPeer[] {
  if (peer.cidrs) return peer.cidrs.map((cidr) => ({ ipBlock: { cidr, except: cidr === '0.0.0.0/0' && clusterCidrs.length > 0 ? [...clusterCidrs] : undefined } }));
  const podSelector = peer.pods ? { matchLabels: { ...peer.pods } } : undefined;
  if (!peer.namespaces) return [{ podSelector: podSelector ?? {} }];
  return peer.namespaces.map((ns) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } }, podSelector }));
}
