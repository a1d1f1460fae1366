import { describe, expect, it } from 'vitest';
import { ClusterImagePolicy } from '../../lib/ci/cluster-image-policy';
import { namespacesRunning } from '../../lib/ci/policy-controller';
import { Component } from '../../lib/core/component';
import { parseEnvironment } from '../../lib/core/config';
import { k8s } from 'cdk8s-plus-28';
import { dev } from '../../stacks/dev';
import { prod } from '../../stacks/prod';
import { DEMO_SIGNING_PUBLIC_KEY, merge } from '../../stacks/base';
import { compiledEnvironment, findObject, objectsIn, synthEnvironment, testPlatform } from '../helpers';
import { dig } from './dig';

const INCLUDE = 'policy.sigstore.dev/include';

function labelled(objects: ReturnType<typeof objectsIn>): string[] {
  return objects.filter((o) => o.kind === 'Namespace' && (o.metadata.labels as Record<string, string> | undefined)?.[INCLUDE] === 'true').map((o) => o.metadata.name).sort();
}

describe('admission of signed images', () => {
  it('installs the policy-controller in a production tier, with a policy requiring the CI key for the platform registry', () => {
    const out = compiledEnvironment(prod);
    const app = findObject(objectsIn(out, 'apps/policy-controller.yaml'), 'Application', 'policy-controller');
    expect(dig(app, 'spec.destination.namespace')).toBe('cosign-system');
    expect(dig(app, 'spec.source')).toMatchObject({ repoURL: 'https://sigstore.github.io/helm-charts', chart: 'policy-controller', targetRevision: '0.10.6' });
    const values = dig(app, 'spec.source.helm.valuesObject') as Record<string, unknown>;
    expect(dig(values, 'webhook.replicaCount')).toBe(2);
    expect(dig(values, 'webhook.configData')).toEqual({ 'no-match-policy': 'allow' });
    expect(dig(values, 'webhook.image')).toEqual({ repository: 'ghcr.io/sigstore/policy-controller/policy-controller', version: 'v0.13.1' });
    expect(dig(values, 'webhook.securityContext')).toMatchObject({ enabled: true, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });

    const policy = findObject(objectsIn(out, 'image-policy/manifests.yaml'), 'ClusterImagePolicy', 'platform-registry-signed');
    expect(policy.apiVersion).toBe('policy.sigstore.dev/v1beta1');
    expect(policy.metadata.namespace).toBeUndefined();
    expect(dig(policy, 'spec')).toEqual({ images: [{ glob: 'registry.local:30500/**' }], authorities: [{ name: 'ci', key: { data: DEMO_SIGNING_PUBLIC_KEY, hashAlgorithm: 'sha256' }, source: [{ signaturePullSecrets: [{ name: 'registry-signatures' }] }] }], mode: 'enforce' });
    // Only the public key reaches the output.
    for (const content of out.files.values()) expect(content).not.toMatch(/PRIVATE KEY/);
  });

  it('opts in exactly the namespaces that run images of the platform registry, and syncs their components after the policy', () => {
    const out = compiledEnvironment(prod);
    expect(labelled(objectsIn(out, 'namespaces/manifests.yaml'))).toEqual(['chatbot', 'kcloud-optimizer', 'mlops-serving', 'mlops-training']);
    const wave = (name: string) => Number(dig(findObject(objectsIn(out, `apps/${name}.yaml`), 'Application', name), 'metadata.annotations')!['argocd.argoproj.io/sync-wave' as never]);
    expect(wave('chatbot')).toBeGreaterThan(wave('image-policy'));
    expect(wave('image-policy')).toBeGreaterThan(wave('policy-controller'));
  });

  it('is off in a development tier by default, and on where configuration says', () => {
    const devOut = compiledEnvironment(dev);
    expect(devOut.files.has('apps/policy-controller.yaml')).toBe(false);
    expect(labelled(objectsIn(devOut, 'namespaces/manifests.yaml'))).toEqual([]);
    const on = synthEnvironment({ components: { ci: { signing: { admission: { enabled: true, namespace: 'sigstore' } } } } });
    expect(labelled(objectsIn(on, 'namespaces/manifests.yaml')).length).toBeGreaterThan(0);
    expect(dig(findObject(objectsIn(on, 'apps/policy-controller.yaml'), 'Application', 'policy-controller'), 'spec.destination.namespace')).toBe('sigstore');
    expect(dig(findObject(objectsIn(on, 'apps/policy-controller.yaml'), 'Application', 'policy-controller'), 'spec.source.helm.valuesObject.webhook.replicaCount')).toBe(1);
  });

  it('can be switched off in a production tier', () => {
    const cfg = parseEnvironment(merge(prod, { components: { ci: { signing: { admission: { enabled: false } } } } }));
    expect(cfg.components.ci.signing.admission.enabled).toBe(false);
  });

  it('refuses admission without the public key, and a private key given as one, naming the field', () => {
    // merge copies the objects along the path it writes, so replacing `signing` leaves prod alone.
    const noKey = merge(prod, { components: { ci: { signing: {} } } }) as { components: { ci: { signing: unknown } } };
    noKey.components.ci.signing = {};
    expect(() => parseEnvironment(noKey as never)).toThrow(/components\.ci\.signing\.publicKey: admission verifies signatures in a production tier: set the public key/);
    const devOn = merge(dev, { components: { ci: { signing: {} } } }) as { components: { ci: { signing: unknown } } };
    devOn.components.ci.signing = { admission: { enabled: true } };
    expect(() => parseEnvironment(devOn as never)).toThrow(/components\.ci\.signing\.publicKey: admission verifies signatures: set/);
    const priv = merge(dev, { components: { ci: { signing: { publicKey: '-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n' } } } });
    expect(() => parseEnvironment(priv)).toThrow(/components\.ci\.signing\.publicKey: must be a PEM public key/);
  });
});

describe('ClusterImagePolicy', () => {
  const props = { name: 'p', images: ['registry.local:30500/**'], authorities: [{ name: 'ci', key: { data: DEMO_SIGNING_PUBLIC_KEY } }] };

  it('writes the fields it models, with warn mode and another hash when asked', () => {
    const platform = testPlatform();
    const c = new Component(platform, 'C', { name: 'c' });
    const p = new ClusterImagePolicy(c, 'P', { ...props, mode: 'warn', authorities: [{ name: 'ci', key: { data: DEMO_SIGNING_PUBLIC_KEY, hashAlgorithm: 'sha512' } }] });
    expect(p.toJson()).toMatchObject({ kind: 'ClusterImagePolicy', spec: { mode: 'warn', authorities: [{ key: { hashAlgorithm: 'sha512' } }] } });
  });

  it('names the Secrets signatures are read with only when given (else the workload\'s own pull credentials)', () => {
    const platform = testPlatform();
    const c = new Component(platform, 'C', { name: 'c' });
    const withSecret = new ClusterImagePolicy(c, 'S', { ...props, authorities: [{ name: 'ci', key: { data: DEMO_SIGNING_PUBLIC_KEY }, signaturePullSecrets: ['sigs'] }] });
    expect((withSecret.toJson() as { spec: { authorities: unknown[] } }).spec.authorities[0]).toMatchObject({ source: [{ signaturePullSecrets: [{ name: 'sigs' }] }] });
    const without = new ClusterImagePolicy(c, 'W', props);
    expect((without.toJson() as { spec: { authorities: Record<string, unknown>[] } }).spec.authorities[0].source).toBeUndefined();
  });

  it('takes another signature pull Secret from the configuration', () => {
    const out = compiledEnvironment(merge(prod, { components: { ci: { signing: { admission: { signaturePullSecret: 'zot-read' } } } } }));
    const policy = findObject(objectsIn(out, 'image-policy/manifests.yaml'), 'ClusterImagePolicy', 'platform-registry-signed');
    expect(dig(policy, 'spec.authorities')).toEqual([expect.objectContaining({ source: [{ signaturePullSecrets: [{ name: 'zot-read' }] }] })]);
  });

  it.each([
    [{ images: [] }, /images must name at least one glob/],
    [{ images: ['registry.local:30500/{a,b}'] }, /image glob 'registry.local:30500\/\{a,b\}' has characters policy-controller refuses/],
    [{ authorities: [] }, /authorities must name at least one key/],
    [{ authorities: [{ name: 'ci', key: { data: 'not a key' } }] }, /authority 'ci' key.data must be a PEM public key/],
  ])('refuses %j', (change, message) => {
    const platform = testPlatform();
    const c = new Component(platform, 'C', { name: 'c' });
    expect(() => new ClusterImagePolicy(c, 'P', { ...props, ...change })).toThrow(message);
  });
});

describe('namespacesRunning', () => {
  it('finds the namespaces of objects naming an image of the registry, and only those', () => {
    const platform = testPlatform();
    const c = new Component(platform, 'C', { name: 'c' });
    const pod = (image: string) => ({ containers: [{ name: 'x', image }] });
    new k8s.KubePod(c, 'A', { metadata: { name: 'a', namespace: 'apps' }, spec: pod('registry.local:30500/team/app:1.0.0') });
    new k8s.KubePod(c, 'B', { metadata: { name: 'b', namespace: 'other' }, spec: pod('docker.io/library/redis:7.4.2') });
    new k8s.KubePod(c, 'D', { metadata: { name: 'd', namespace: 'lookalike' }, spec: pod('registry.local:30501/team/app:1.0.0') });
    expect(namespacesRunning(c, 'registry.local:30500')).toEqual(['apps']);
  });
});
