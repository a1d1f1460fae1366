import { describe, expect, it } from 'vitest';
import { Namespaces } from '../../lib/core/namespaces';
import { mirrorPort, outside } from '../../lib/core/platform-namespace';
import { findObject, objectsIn, synthPlatform, testPlatform } from '../helpers';

function build(configure: (ns: Namespaces) => void) {
  const p = testPlatform();
  const namespaces = new Namespaces(p, 'Namespaces', { kubernetesVersion: '1.28' });
  configure(namespaces);
  return objectsIn(synthPlatform(p), 'namespaces/manifests.yaml');
}

describe('PlatformNamespace', () => {
  it('enforces restricted Pod Security pinned to the cluster version, denies all traffic and allows DNS by default', () => {
    const objects = build((n) => n.add({ name: 'apps' }));
    expect(findObject(objects, 'Namespace', 'apps').metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/enforce-version': 'v1.28',
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/audit': 'restricted',
    });
    expect(findObject(objects, 'NetworkPolicy', 'default-deny', 'apps').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    const dns = findObject(objects, 'NetworkPolicy', 'allow-to-dns', 'apps').spec as { egress: { to: unknown[]; ports: unknown[] }[] };
    expect(dns.egress[0].to).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }]);
    expect(dns.egress[0].ports).toEqual([{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }]);
    expect(objects.filter((o) => o.kind === 'ResourceQuota' || o.kind === 'LimitRange')).toEqual([]);
  });

  it('syncs the namespace before anything inside it', () => {
    const objects = build((n) => n.add({ name: 'apps' }));
    expect(findObject(objects, 'Namespace', 'apps').metadata.annotations!['argocd.argoproj.io/sync-wave']).toBe('0');
    expect(findObject(objects, 'NetworkPolicy', 'default-deny').metadata.annotations!['argocd.argoproj.io/sync-wave']).toBe('1');
  });

  it('takes a lower Pod Security level only with a reason, and records the reason', () => {
    const p = testPlatform();
    const n = new Namespaces(p, 'Namespaces', { kubernetesVersion: '1.28' });
    expect(() => n.add({ name: 'ci', podSecurity: 'baseline' })).toThrow(/podSecurity 'baseline' needs a podSecurityReason/);
    const objects = build((ns) => ns.add({ name: 'ci', podSecurity: 'baseline', podSecurityReason: 'Kaniko builds as root' }));
    const ns = findObject(objects, 'Namespace', 'ci');
    expect(ns.metadata.labels!['pod-security.kubernetes.io/enforce']).toBe('baseline');
    expect(ns.metadata.labels!['pod-security.kubernetes.io/warn']).toBe('restricted');
    expect(ns.metadata.annotations!['kompile.dev/pod-security-reason']).toBe('Kaniko builds as root');
  });

  it('adds a quota and container defaults when asked', () => {
    const objects = build((n) =>
      n.add({
        name: 'train',
        quota: { requestsCpu: '8', requestsMemory: '32Gi', limitsCpu: '16', limitsMemory: '64Gi', extended: { 'nvidia.com/gpu': '4' }, pods: 20, persistentVolumeClaims: 5 },
        containerDefaults: { request: { cpu: '100m', memory: '128Mi' }, limit: { cpu: '1', memory: '1Gi' } },
        allowDns: false,
      }),
    );
    expect(findObject(objects, 'ResourceQuota', 'quota', 'train').spec).toEqual({
      hard: { 'requests.cpu': '8', 'requests.memory': '32Gi', 'limits.cpu': '16', 'limits.memory': '64Gi', 'requests.nvidia.com/gpu': '4', pods: 20, persistentvolumeclaims: 5 },
    });
    expect(findObject(objects, 'LimitRange', 'container-defaults', 'train').spec).toEqual({
      limits: [{ type: 'Container', defaultRequest: { cpu: '100m', memory: '128Mi' }, default: { cpu: '1', memory: '1Gi' } }],
    });
    expect(objects.some((o) => o.metadata.name === 'allow-to-dns')).toBe(false);
  });

  it('turns explicit allows into one policy each, with peers, pods and ports', () => {
    const objects = build((n) => {
      const ns = n.add({ name: 'serving' });
      ns.allowIngress({ name: 'ingress-nginx', podSelector: { app: 'api' }, peers: [{ namespaces: ['ingress-nginx'] }], ports: [{ port: 8000 }] });
      ns.allowEgress({ name: 'storage', peers: [{ cidrs: ['10.0.0.0/24'] }], ports: [{ port: 2049, protocol: 'TCP' }] });
      ns.allowEgress({ name: 'mlflow', peers: [{ namespaces: ['training'], pods: { app: 'mlflow' } }] });
    });
    expect(findObject(objects, 'NetworkPolicy', 'allow-from-ingress-nginx').spec).toEqual({
      podSelector: { matchLabels: { app: 'api' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }], ports: [{ port: 8000, protocol: 'TCP' }] }],
    });
    expect(findObject(objects, 'NetworkPolicy', 'allow-to-storage').spec).toEqual({
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/24' } }], ports: [{ port: 2049, protocol: 'TCP' }] }],
    });
    expect((findObject(objects, 'NetworkPolicy', 'allow-to-mlflow').spec as { egress: unknown[] }).egress).toEqual([
      { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'training' } }, podSelector: { matchLabels: { app: 'mlflow' } } }] },
    ]);
  });

  it('refuses a rule without peers and a rule name used twice', () => {
    const p = testPlatform();
    const ns = new Namespaces(p, 'Namespaces', { kubernetesVersion: '1.28' }).add({ name: 'x' });
    expect(() => ns.allowIngress({ name: 'open', peers: [] })).toThrow(/rule 'open' has no peers/);
    ns.allowIngress({ name: 'a', peers: [{ namespaces: ['y'] }] });
    expect(() => ns.allowIngress({ name: 'a', peers: [{ namespaces: ['z'] }] })).toThrow(/an ingress rule named 'a' exists already/);
  });

  it('refuses a namespace declared twice', () => {
    const n = new Namespaces(testPlatform(), 'Namespaces', { kubernetesVersion: '1.28' });
    n.add({ name: 'x' });
    expect(() => n.add({ name: 'x' })).toThrow(/namespace 'x' is declared twice/);
    expect(() => n.get('nope')).toThrow(/no namespace 'nope'/);
    expect(n.names).toEqual(['x']);
  });
});

describe('destinations outside the cluster', () => {
  it('are the stated blocks on the stated ports, else on the purpose ports', () => {
    expect(outside({ cidrs: ['192.0.2.0/24'], ports: [8443] }, [443, 80])).toEqual({ peers: [{ cidrs: ['192.0.2.0/24'] }], ports: [{ port: 8443 }] });
    expect(outside({ cidrs: ['192.0.2.0/24'] }, [443, 80])).toEqual({ peers: [{ cidrs: ['192.0.2.0/24'] }], ports: [{ port: 443 }, { port: 80 }] });
  });

  it('are anywhere outside the cluster where none is stated', () => {
    expect(outside(undefined, [443])).toEqual({ peers: [{ cidrs: ['0.0.0.0/0'] }], ports: [{ port: 443 }] });
  });

  it("add a mirror's port other than 443", () => {
    expect(mirrorPort('registry.airgap.internal:35000')).toEqual([35000]);
    expect(mirrorPort('mirror.example:443')).toEqual([]);
    expect(mirrorPort('mirror.example')).toEqual([]);
    expect(mirrorPort(undefined)).toEqual([]);
  });
});
