import { describe, expect, it } from 'vitest';
import { cidrContains, KUBERNETES_NAMESPACES, networkSecurityFindings } from '../../lib/checks/security-network';
import type { ManifestLike } from '../../lib/checks/objects';
import { securityException } from '../../lib/checks/objects';
import { ClusterSchema, clusterNamespaces, clusterNetworkCidrs, parseEnvironment } from '../../lib/core/config';
import { environments } from '../../stacks';
import { Namespaces } from '../../lib/core/namespaces';
import { NODE_SOURCED_REASON } from '../../lib/core/platform-namespace';
import { allObjects, compiledEnvironments, findObject, objectsIn, synthIssues, synthPlatform, testPlatform } from '../helpers';

const K3S = ['10.42.0.0/16', '10.43.0.0/16'];

function policy(spec: Record<string, unknown>, annotations?: Record<string, string>): ManifestLike {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p', namespace: 'apps', annotations }, spec: { podSelector: {}, ...spec } };
}
const namespace = (name: string): ManifestLike => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const egressTo = (...to: unknown[]) => policy({ policyTypes: ['Egress'], egress: [{ to }] });
const anywhere = (except?: string[]) => ({ ipBlock: { cidr: '0.0.0.0/0', except } });
const fromNs = (ns: string) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } } });
const OPEN_EXCEPTION = 'kompile.dev/security-exception.netpol-open-peer';

describe('netpol-open-peer', () => {
  it('refuses 0.0.0.0/0 and ::/0 whose except leaves the pod or service network in, naming what is missing', () => {
    const none = networkSecurityFindings([egressTo(anywhere())], { clusterCidrs: K3S });
    expect(none).toEqual([expect.objectContaining({ index: 0, rule: 'netpol-open-peer', pointer: '/spec/egress/0/to/0/ipBlock' })]);
    expect(none[0].message).toContain('10.42.0.0/16, 10.43.0.0/16');
    const half = networkSecurityFindings([egressTo(anywhere(['10.42.0.0/16']))], { clusterCidrs: K3S });
    expect(half.map((f) => f.message)).toEqual([expect.stringContaining('does not cover 10.43.0.0/16.')]);
    const ingress = policy({ policyTypes: ['Ingress'], ingress: [{ from: [fromNs('apps'), { ipBlock: { cidr: '::/0' } }] }] });
    expect(networkSecurityFindings([ingress], { clusterCidrs: ['fd00:42::/56', ...K3S] }).map((f) => `${f.pointer} ${f.message}`)).toEqual([expect.stringMatching(/^\/spec\/ingress\/0\/from\/1\/ipBlock ingress from ::\/0 .*does not cover fd00:42::\/56\./)]);
    // Cluster networks unknown (validate without config): an open block needs some except.
    expect(networkSecurityFindings([egressTo(anywhere())]).map((f) => f.rule)).toEqual(['netpol-open-peer']);
  });

  it('passes an open block excepting the cluster networks (or wider blocks holding them), and narrower blocks', () => {
    expect(networkSecurityFindings([egressTo(anywhere(K3S))], { clusterCidrs: K3S })).toEqual([]);
    expect(networkSecurityFindings([egressTo(anywhere(['10.0.0.0/8']))], { clusterCidrs: K3S })).toEqual([]);
    expect(networkSecurityFindings([egressTo({ ipBlock: { cidr: '192.0.2.0/24' } })], { clusterCidrs: K3S })).toEqual([]);
    // An IPv4 cluster has no IPv6 pod network for ::/0 to leave out.
    expect(networkSecurityFindings([egressTo({ ipBlock: { cidr: '::/0' } })], { clusterCidrs: K3S })).toEqual([]);
  });

  it('compares blocks by address, not by text', () => {
    expect(cidrContains('10.0.0.0/8', '10.42.0.0/16')).toBe(true);
    expect(cidrContains('10.42.0.0/16', '10.0.0.0/8')).toBe(false);
    expect(cidrContains('10.96.0.0/12', '10.100.0.0/16')).toBe(true);
    expect(cidrContains('10.96.0.0/12', '10.112.0.0/16')).toBe(false);
    expect(cidrContains('fd00::/8', 'fd00:42::/56')).toBe(true);
    expect(cidrContains('10.0.0.0/8', 'fd00::/8')).toBe(false);
    expect(cidrContains('not-a-cidr', '10.0.0.0/8')).toBe(false);
  });
});

describe('netpol-unknown-namespace', () => {
  const trusting = (ns: string) => policy({ policyTypes: ['Ingress'], ingress: [{ from: [fromNs(ns)] }] });

  it('refuses a peer naming a namespace nothing creates, by label or by In expression', () => {
    const f = networkSecurityFindings([trusting('monitoring')], { existingNamespaces: KUBERNETES_NAMESPACES });
    expect(f).toEqual([expect.objectContaining({ rule: 'netpol-unknown-namespace', pointer: '/spec/ingress/0/from/0/namespaceSelector' })]);
    expect(f[0].message).toContain("'monitoring'");
    const expr = policy({ policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['apps', 'ghost'] }] } }] }] });
    expect(networkSecurityFindings([expr, namespace('apps')], { existingNamespaces: [] }).map((x) => x.message)).toEqual([expect.stringContaining("'ghost'")]);
  });

  it("passes namespaces the environment creates, Kubernetes' own and the cluster's, and is off without the facts", () => {
    expect(networkSecurityFindings([trusting('monitoring'), namespace('monitoring')], { existingNamespaces: [] })).toEqual([]);
    expect(networkSecurityFindings([trusting('kube-system')], { existingNamespaces: KUBERNETES_NAMESPACES })).toEqual([]);
    expect(networkSecurityFindings([trusting('argocd')], { existingNamespaces: ['argocd'] })).toEqual([]);
    expect(networkSecurityFindings([trusting('monitoring')])).toEqual([]);
  });
});

describe('security exceptions on NetworkPolicies', () => {
  const open = (reason?: string) => policy({ policyTypes: ['Egress'], egress: [{ to: [anywhere()] }] }, reason === undefined ? undefined : { [OPEN_EXCEPTION]: reason });

  it('are read from the annotation kompile.dev/security-exception.<rule>', () => {
    expect(securityException(open('because'), 'netpol-open-peer')).toBe('because');
    expect(securityException(open('because'), 'netpol-unknown-namespace')).toBeUndefined();
  });

  it('silence the finding they name, with a reason', () => {
    expect(networkSecurityFindings([open('nodes masquerade into the pod network')], { clusterCidrs: K3S })).toEqual([]);
  });

  it('are errors without a reason, keeping the finding', () => {
    const f = networkSecurityFindings([open('  ')], { clusterCidrs: K3S });
    expect(f.map((x) => x.rule)).toEqual(['security-exception', 'netpol-open-peer']);
    expect(f[0]).toMatchObject({ pointer: '/metadata/annotations/kompile.dev~1security-exception.netpol-open-peer', message: expect.stringContaining('gives no reason') });
  });

  it('are errors on a NetworkPolicy the rule finds nothing wrong with', () => {
    const fine = policy({ policyTypes: ['Egress'], egress: [{ to: [anywhere(K3S)] }] }, { [OPEN_EXCEPTION]: 'old reason' });
    expect(networkSecurityFindings([fine], { clusterCidrs: K3S })).toEqual([expect.objectContaining({ rule: 'security-exception', message: expect.stringContaining('finds nothing wrong') })]);
  });
});

describe('cluster networks', () => {
  const cluster = (c: Record<string, unknown>) => ClusterSchema.parse({ kubernetesVersion: '1.28', nodes: 1, storageClasses: { default: 'local' }, ...c });

  it("take k3s' defaults, kubeadm's service default, and what the environment states", () => {
    expect(clusterNetworkCidrs(cluster({ distribution: 'k3s' }))).toEqual(K3S);
    expect(clusterNetworkCidrs(cluster({ distribution: 'kubeadm', network: { podCidrs: ['10.244.0.0/16'] } }))).toEqual(['10.244.0.0/16', '10.96.0.0/12']);
    expect(clusterNetworkCidrs(cluster({ distribution: 'k3s', network: { serviceCidrs: ['10.50.0.0/16'] } }))).toEqual(['10.42.0.0/16', '10.50.0.0/16']);
  });

  it('needs the pod network of a kubeadm cluster, which has no default', () => {
    expect(() => cluster({ distribution: 'kubeadm' })).toThrow(/network[\s\S]*podCidrs[\s\S]*kubeadm has no default pod network/);
    expect(() => cluster({ distribution: 'k3s', network: { podCidrs: ['10.42.0.0'] } })).toThrow(/must be an IPv4 CIDR/);
  });
});

describe('PlatformNamespace address blocks', () => {
  function build(rules: (ns: ReturnType<Namespaces['add']>) => void) {
    const p = testPlatform();
    const namespaces = new Namespaces(p, 'Namespaces', { kubernetesVersion: '1.28', clusterCidrs: K3S });
    rules(namespaces.add({ name: 'apps' }));
    return objectsIn(synthPlatform(p), 'namespaces/manifests.yaml');
  }

  it('write 0.0.0.0/0 as outside the cluster: excepting its pod and service networks', () => {
    const objects = build((ns) => ns.allowEgress({ name: 'internet', peers: [{ cidrs: ['0.0.0.0/0', '192.0.2.0/24'] }], ports: [{ port: 443 }] }));
    expect((findObject(objects, 'NetworkPolicy', 'allow-to-internet').spec as { egress: { to: unknown[] }[] }).egress[0].to).toEqual([{ ipBlock: { cidr: '0.0.0.0/0', except: K3S } }, { ipBlock: { cidr: '192.0.2.0/24' } }]);
  });

  it('keep the block whole for traffic from nodes, with the reasoned exception, and only where the block is open', () => {
    const objects = build((ns) => {
      ns.allowIngress({ name: 'nodeport', peers: [{ cidrs: ['0.0.0.0/0'] }], ports: [{ port: 8080 }], fromNodes: true });
      ns.allowIngress({ name: 'webhook', peers: [{ cidrs: ['10.61.3.0/24'] }], ports: [{ port: 9443 }], fromNodes: true });
    });
    const nodeport = findObject(objects, 'NetworkPolicy', 'allow-from-nodeport');
    expect((nodeport.spec as { ingress: { from: unknown[] }[] }).ingress[0].from).toEqual([{ ipBlock: { cidr: '0.0.0.0/0' } }]);
    expect(nodeport.metadata.annotations?.[OPEN_EXCEPTION]).toBe(NODE_SOURCED_REASON);
    expect(findObject(objects, 'NetworkPolicy', 'allow-from-webhook').metadata.annotations?.[OPEN_EXCEPTION]).toBeUndefined();
  });

  it('refuse fromNodes on egress', () => {
    expect(() => build((ns) => ns.allowEgress({ name: 'x', peers: [{ cidrs: ['0.0.0.0/0'] }], fromNodes: true }))).toThrow(/fromNodes is for ingress rules/);
  });

  it('fail the synth with an open block and no exception', () => {
    const issues = synthIssues(() => {
      const p = testPlatform();
      const namespaces = new Namespaces(p, 'Namespaces', { kubernetesVersion: '1.28' });
      namespaces.add({ name: 'apps' }).allowEgress({ name: 'internet', peers: [{ cidrs: ['0.0.0.0/0'] }] });
      synthPlatform(p);
    });
    expect(issues).toEqual([expect.stringMatching(/AllowEgress-internet\] \/spec\/egress\/0\/to\/0\/ipBlock: \[netpol-open-peer\]/)]);
  });
});

describe('every environment', () => {
  it('has no network finding, open blocks excepting the cluster networks, each exception with its reason', () => {
    const configs = new Map(environments.map((e) => parseEnvironment(e)).map((c) => [c.name, c]));
    for (const env of compiledEnvironments()) {
      const config = configs.get(env.environment)!;
      const objects = allObjects(env) as ManifestLike[];
      const clusterCidrs = clusterNetworkCidrs(config.cluster);
      const existingNamespaces = [...KUBERNETES_NAMESPACES, config.gitops.argocdNamespace, ...clusterNamespaces(config.cluster)];
      expect(networkSecurityFindings(objects, { clusterCidrs, existingNamespaces }), env.environment).toEqual([]);
      // The rule is exercised: egress to outside the cluster is there, with the networks excepted.
      const excepted = objects.filter((o) => o.kind === 'NetworkPolicy' && JSON.stringify(o.spec).includes(JSON.stringify({ cidr: '0.0.0.0/0', except: clusterCidrs })));
      if (!config.cluster.network.egress.git) expect(excepted.map((o) => `${o.metadata.namespace}/${o.metadata.name}`), env.environment).toContain('jenkins-agents/allow-to-sources');
      for (const o of objects) {
        for (const [k, v] of Object.entries(o.metadata.annotations ?? {})) if (k.startsWith('kompile.dev/security-exception.')) expect(v.trim().length, `${o.metadata.namespace}/${o.metadata.name}`).toBeGreaterThan(20);
      }
      // No namespace is trusted by exception: the monitoring namespace is a stated cluster fact.
      expect(objects.filter((o) => o.metadata.annotations?.['kompile.dev/security-exception.netpol-unknown-namespace'] !== undefined).map((o) => o.metadata.name), env.environment).toEqual([]);
    }
  });

  it('behind the air gap, reaches nothing outside the cluster but the stated addresses', () => {
    const airgapOut = compiledEnvironments().find((e) => e.environment === 'airgap')!;
    const open = allObjects(airgapOut).filter((o) => o.kind === 'NetworkPolicy' && JSON.stringify((o.spec as { egress?: unknown }).egress ?? []).includes('0.0.0.0/0'));
    expect(open.map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual([]);
  });
});

describe('cluster namespaces', () => {
  const cluster = (c: Record<string, unknown>) => ClusterSchema.parse({ kubernetesVersion: '1.28', distribution: 'k3s', nodes: 1, storageClasses: { default: 'local' }, ...c });

  it("count the monitoring stack's namespace only where the cluster has one", () => {
    expect(clusterNamespaces(cluster({ ingress: { install: false } }))).toEqual(['ingress-nginx']);
    expect(clusterNamespaces(cluster({ prometheusOperator: true }))).toEqual(['ingress-nginx', 'monitoring']);
    expect(clusterNamespaces(cluster({ prometheusOperator: true, monitoringNamespace: 'observability', ingress: { install: true, nodePorts: { http: 30080, https: 30443 } } }))).toEqual(['observability']);
    expect(clusterNamespaces(cluster({ monitoringNamespace: 'observability' }))).toEqual(['ingress-nginx']);
  });

  it('refuse an egress destination that is not address blocks, naming the field', () => {
    const bad = ClusterSchema.safeParse({ kubernetesVersion: '1.28', distribution: 'k3s', nodes: 1, storageClasses: { default: 'local' }, network: { egress: { git: { cidrs: ['gitlab.example.com'] } } } });
    expect(bad.success ? [] : bad.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual(['network.egress.git.cidrs.0: must be an IPv4 CIDR such as 10.0.0.0/24']);
    expect(() => cluster({ network: { egress: { nfs: { cidrs: ['10.0.0.0/8'] } } } })).toThrow(/Unrecognized key\(s\) in object: 'nfs'/);
    expect(() => cluster({ network: { nodeCidrs: [] } })).toThrow(/nodeCidrs/);
  });
});
