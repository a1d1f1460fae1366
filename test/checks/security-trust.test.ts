import { describe, expect, it } from 'vitest';
import { ManifestLike } from '../../lib/checks/objects';
import { securityTrustFindings } from '../../lib/checks/security-trust';
import { allObjects, compiledEnvironments } from '../helpers';

const CM = 'cert-manager.io/v1';

function certificate(name: string, namespace: string, isCA = false): ManifestLike {
  return { apiVersion: CM, kind: 'Certificate', metadata: { name, namespace }, spec: { secretName: name, ...(isCA ? { isCA: true } : {}), issuerRef: { kind: 'Issuer', name: 'x' } } };
}

function issuer(kind: 'Issuer' | 'ClusterIssuer', name: string, caSecret: string, namespace?: string): ManifestLike {
  return { apiVersion: CM, kind, metadata: { name, ...(namespace ? { namespace } : {}) }, spec: { ca: { secretName: caSecret } } };
}

function pod(volumes: unknown[], namespace: string | undefined = 'apps', annotations?: Record<string, string>): ManifestLike {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'client', ...(namespace ? { namespace } : {}), ...(annotations ? { annotations } : {}) },
    spec: { selector: { matchLabels: { app: 'c' } }, template: { metadata: { labels: { app: 'c' } }, spec: { containers: [{ name: 'c', image: 'c:1' }], volumes } } },
  };
}

function bundle(secret: Record<string, unknown>, annotations?: Record<string, string>): ManifestLike {
  return {
    apiVersion: 'trust.cert-manager.io/v1alpha1',
    kind: 'Bundle',
    metadata: { name: 'ca', ...(annotations ? { annotations } : {}) },
    spec: { sources: [{ inLine: 'x' }, { secret }], target: { configMap: { key: 'ca.crt' } } },
  };
}

const rules = (objects: ManifestLike[], options?: Parameters<typeof securityTrustFindings>[1]) => securityTrustFindings(objects, options).map((f) => `${f.index} ${f.pointer} ${f.rule}`);

describe('trust-private-key: pod volumes', () => {
  it("finds a volume of a CA Certificate's Secret, of an Issuer's CA Secret and of a ClusterIssuer's (in cert-manager's namespace)", () => {
    const findings = securityTrustFindings([certificate('root', 'apps', true), pod([{ name: 'ca', secret: { secretName: 'root' } }])]);
    expect(findings).toEqual([expect.objectContaining({ rule: 'trust-private-key', index: 1, pointer: '/spec/template/spec/volumes/0/secret', message: expect.stringMatching(/Secret apps\/root, which holds a CA's private key/) })]);
    expect(rules([issuer('Issuer', 'i', 'signing', 'apps'), pod([{ name: 'ca', secret: { secretName: 'signing' } }])])).toEqual(['1 /spec/template/spec/volumes/0/secret trust-private-key']);
    expect(rules([issuer('ClusterIssuer', 'ci', 'signing'), pod([{ name: 'ca', secret: { secretName: 'signing' } }], 'cert-manager')])).toEqual(['1 /spec/template/spec/volumes/0/secret trust-private-key']);
    // Another cluster resource namespace moves where a ClusterIssuer's Secret is.
    expect(rules([issuer('ClusterIssuer', 'ci', 'signing'), pod([{ name: 'ca', secret: { secretName: 'signing' } }], 'cert-manager')], { clusterResourceNamespace: 'pki' })).toEqual([]);
    expect(rules([issuer('ClusterIssuer', 'ci', 'signing'), pod([{ name: 'ca', secret: { secretName: 'signing' } }], 'pki')], { clusterResourceNamespace: 'pki' })).toEqual(['1 /spec/template/spec/volumes/0/secret trust-private-key']);
  });

  it("finds a projected volume's Secret source too", () => {
    expect(rules([certificate('root', 'apps', true), pod([{ name: 'p', projected: { sources: [{ configMap: { name: 'x' } }, { secret: { name: 'root' } }] } }])])).toEqual(['1 /spec/template/spec/volumes/0/projected/sources/1/secret trust-private-key']);
  });

  it("finds a key Secret mounted for its certificates alone (a CA bundle), and passes a server mounting its own certificate and key", () => {
    const leaf = certificate('server-tls', 'apps');
    const findings = securityTrustFindings([leaf, pod([{ name: 'ca', secret: { secretName: 'server-tls', items: [{ key: 'ca.crt', path: 'ca.crt' }] } }])]);
    expect(findings).toEqual([expect.objectContaining({ index: 1, message: expect.stringMatching(/takes only ca\.crt from Secret apps\/server-tls, which also holds a private key/) })]);
    expect(rules([leaf, pod([{ name: 'tls', secret: { secretName: 'server-tls' } }])])).toEqual([]);
    expect(rules([leaf, pod([{ name: 'tls', secret: { secretName: 'server-tls', items: [{ key: 'tls.crt', path: 'c' }, { key: 'tls.key', path: 'k' }] } }])])).toEqual([]);
  });

  it('knows key Secrets written as Secrets (type kubernetes.io/tls, or a tls.key) and passes other Secrets', () => {
    const tlsSecret: ManifestLike = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'webhook-tls', namespace: 'apps' }, type: 'kubernetes.io/tls' };
    const keyed: ManifestLike = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'keyed', namespace: 'apps' }, data: { 'tls.key': 'x', 'ca.crt': 'y' } };
    const plain: ManifestLike = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'plain', namespace: 'apps' }, data: { 'ca.crt': 'y' } };
    const caOnly = (name: string) => pod([{ name: 'ca', secret: { secretName: name, items: [{ key: 'ca.crt', path: 'ca.crt' }] } }]);
    expect(rules([tlsSecret, caOnly('webhook-tls')])).toEqual(['1 /spec/template/spec/volumes/0/secret trust-private-key']);
    expect(rules([keyed, caOnly('keyed')])).toEqual(['1 /spec/template/spec/volumes/0/secret trust-private-key']);
    expect(rules([plain, caOnly('plain')])).toEqual([]);
  });

  it('matches Secrets by namespace, placing a chart object without one by namespaceOf', () => {
    expect(rules([certificate('root', 'pki', true), pod([{ name: 'ca', secret: { secretName: 'root' } }], 'apps')])).toEqual([]);
    expect(rules([certificate('root', 'pki', true), pod([{ name: 'ca', secret: { secretName: 'root' } }], '')], { namespaceOf: (i) => (i === 1 ? 'pki' : undefined) })).toEqual(['1 /spec/template/spec/volumes/0/secret trust-private-key']);
  });
});

describe('trust-private-key: trust-manager Bundles', () => {
  it('finds a Secret source with includeAllKeys or a key naming a private key', () => {
    expect(securityTrustFindings([bundle({ name: 'registry-tls', includeAllKeys: true })])).toEqual([
      expect.objectContaining({ index: 0, pointer: '/spec/sources/1/secret/includeAllKeys', message: expect.stringMatching(/copies every key of Secret registry-tls/) }),
    ]);
    for (const key of ['tls.key', 'ca.key', 'private-key', 'tls-key.pem']) {
      expect(rules([bundle({ name: 'registry-tls', key })])).toEqual(['0 /spec/sources/1/secret/key trust-private-key']);
    }
    expect(securityTrustFindings([bundle({ selector: { matchLabels: { a: 'b' } }, key: 'tls.key' })])[0].message).toMatch(/the Secrets its selector matches/);
  });

  it("passes a Secret source of one certificate key (what trust-manager is for), and ConfigMap sources", () => {
    expect(rules([bundle({ name: 'registry-tls', key: 'ca.crt' })])).toEqual([]);
    expect(rules([bundle({ name: 'registry-tls', key: 'tls.crt' })])).toEqual([]);
    const fromConfigMap: ManifestLike = { ...bundle({ name: 'x', key: 'ca.crt' }), spec: { sources: [{ configMap: { name: 'x', includeAllKeys: true } }] } };
    expect(rules([fromConfigMap])).toEqual([]);
  });
});

describe('trust-private-key: exceptions', () => {
  const rule = 'kompile.dev/security-exception.trust-private-key';
  it('excuses a finding with a reasoned exception on the object judged', () => {
    expect(rules([bundle({ name: 's', key: 'tls.key' }, { [rule]: 'a test of the exception' })])).toEqual([]);
    expect(rules([certificate('root', 'apps', true), pod([{ name: 'ca', secret: { secretName: 'root' } }], 'apps', { [rule]: 'a test' })])).toEqual([]);
  });

  it('refuses an exception without a reason (keeping the finding) and one that matches nothing', () => {
    expect(rules([bundle({ name: 's', key: 'tls.key' }, { [rule]: ' ' })])).toEqual(['0 /metadata/annotations/kompile.dev~1security-exception.trust-private-key trust-private-key', '0 /spec/sources/1/secret/key trust-private-key']);
    const nothing = securityTrustFindings([bundle({ name: 's', key: 'ca.crt' }, { [rule]: 'stale' })]);
    expect(nothing).toEqual([expect.objectContaining({ index: 0, message: expect.stringMatching(/matches nothing on this object/) })]);
  });
});

describe('every environment', () => {
  it('has no trust-private-key finding, and publishes the registry CA by a Bundle of ca.crt only', () => {
    for (const out of compiledEnvironments()) {
      const objects = allObjects(out) as unknown as ManifestLike[];
      expect(securityTrustFindings(objects)).toEqual([]);
      const bundles = objects.filter((o) => o.kind === 'Bundle');
      expect(bundles.length).toBeGreaterThan(0);
      for (const b of bundles) for (const s of (b.spec as { sources: { secret?: { key?: string } }[] }).sources) expect(s.secret?.key).toBe('ca.crt');
    }
  });
});
