import { describe, expect, it } from 'vitest';
import { PrivateRegistry } from '../../lib/ci/private-registry';
import { PrivateRegistrySchema } from '../../lib/core/config';
import { findObject, K8sObject, objectsIn, synthPlatform, testPlatform } from '../helpers';
import { dig, item, list } from './dig';


function build(props: Partial<ConstructorParameters<typeof PrivateRegistry>[2]> = {}): K8sObject[] {
  const platform = testPlatform();
  new PrivateRegistry(platform, 'Registry', { host: 'registry.local:30500', namespace: 'registry', image: 'docker.io/library/registry:2.8.3', storageClass: 'local-path', nodePort: 30500, ...props });
  return objectsIn(synthPlatform(platform), 'registry/manifests.yaml');
}

describe('PrivateRegistry', () => {
  it('runs registry v2 with htpasswd auth and TLS from Secrets, on a volume of the storage class', () => {
    const objects = build();
    const pod = dig(findObject(objects, 'Deployment', 'registry', 'registry'), 'spec.template.spec');
    const c = item(pod, 'containers', 'registry');
    expect(c.image).toBe('docker.io/library/registry:2.8.3');
    const env = Object.fromEntries(list(c, 'env').map((e) => [e.name, e.value]));
    expect(env).toMatchObject({ REGISTRY_AUTH: 'htpasswd', REGISTRY_AUTH_HTPASSWD_PATH: '/auth/htpasswd', REGISTRY_HTTP_TLS_CERTIFICATE: '/certs/tls.crt', REGISTRY_HTTP_ADDR: ':5000' });
    expect(dig(item(pod, 'volumes', 'auth'), 'secret.secretName')).toBe('registry-htpasswd');
    expect(dig(item(pod, 'volumes', 'certs'), 'secret.secretName')).toBe('registry-tls');
    expect(dig(item(pod, 'volumes', 'data'), 'persistentVolumeClaim.claimName')).toBe('registry-data');
    expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
    expect(dig(c, 'resources.limits')).toEqual({ cpu: '1', memory: '1Gi' });
    const pvc = findObject(objects, 'PersistentVolumeClaim', 'registry-data', 'registry');
    expect(dig(pvc, 'spec.storageClassName')).toBe('local-path');
    expect(dig(pvc, 'spec.resources.requests.storage')).toBe('50Gi');
    expect(pvc.metadata.annotations?.['argocd.argoproj.io/sync-options']).toContain('Prune=false');
  });

  it('gets its certificate from a namespace-local CA by default, with the host and Service names', () => {
    const objects = build();
    findObject(objects, 'Issuer', 'registry-selfsigned', 'registry');
    expect(dig(findObject(objects, 'Certificate', 'registry-ca', 'registry'), 'spec.isCA')).toBe(true);
    const cert = findObject(objects, 'Certificate', 'registry-tls', 'registry');
    expect(dig(cert, 'spec.issuerRef')).toEqual({ kind: 'Issuer', name: 'registry-ca', group: 'cert-manager.io' });
    expect(dig(cert, 'spec.dnsNames')).toEqual(['registry.local', 'registry.registry.svc', 'registry.registry.svc.cluster.local']);
    const dep = findObject(objects, 'Deployment', 'registry', 'registry');
    expect(Number(dep.metadata.annotations?.['argocd.argoproj.io/sync-wave'])).toBeGreaterThan(Number(cert.metadata.annotations?.['argocd.argoproj.io/sync-wave']));
  });

  it('uses a given issuer instead of its own CA', () => {
    const objects = build({ issuer: { kind: 'ClusterIssuer', name: 'site-ca' } });
    expect(objects.filter((o) => o.kind === 'Issuer')).toHaveLength(0);
    const cert = findObject(objects, 'Certificate', 'registry-tls', 'registry');
    expect(dig(cert, 'spec.issuerRef')).toEqual({ kind: 'ClusterIssuer', name: 'site-ca', group: 'cert-manager.io' });
  });

  it('exposes a NodePort, or only a ClusterIP, and an Ingress when asked', () => {
    const svc = findObject(build(), 'Service', 'registry', 'registry');
    expect(dig(svc, 'spec.type')).toBe('NodePort');
    expect(item(svc, 'spec.ports', 'https')).toMatchObject({ port: 5000, nodePort: 30500 });
    expect(build().some((o) => o.kind === 'Ingress')).toBe(false);
    const objects = build({ nodePort: undefined, ingressClassName: 'nginx', host: 'registry.example.org' });
    expect(dig(findObject(objects, 'Service', 'registry', 'registry'), 'spec.type')).toBe('ClusterIP');
    const ing = findObject(objects, 'Ingress', 'registry', 'registry');
    expect(dig(ing, 'spec.ingressClassName')).toBe('nginx');
    expect(dig(ing, 'spec.rules.0.host')).toBe('registry.example.org');
    expect(dig(ing, 'spec.tls.0')).toEqual({ hosts: ['registry.example.org'], secretName: 'registry-tls' });
    expect(ing.metadata.annotations?.['nginx.ingress.kubernetes.io/proxy-body-size']).toBe('0');
  });

  it('takes non-default storage, secret, image and resources', () => {
    const objects = build({ storage: '200Gi', htpasswdSecret: 'site-htpasswd', image: 'registry.airgap.internal:35000/library/registry:2.8.3', resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '2', memory: '2Gi' } } });
    expect(dig(findObject(objects, 'PersistentVolumeClaim', 'registry-data'), 'spec.resources.requests.storage')).toBe('200Gi');
    const pod = dig(findObject(objects, 'Deployment', 'registry'), 'spec.template.spec');
    expect(dig(item(pod, 'volumes', 'auth'), 'secret.secretName')).toBe('site-htpasswd');
    expect(item(pod, 'containers', 'registry').image).toBe('registry.airgap.internal:35000/library/registry:2.8.3');
    expect(item(pod, 'containers', 'registry').resources).toEqual({ requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '2', memory: '2Gi' } });
  });
});

describe('PrivateRegistrySchema', () => {
  it('refuses a host port that is not the NodePort', () => {
    const r = PrivateRegistrySchema.safeParse({ host: 'registry.local:5000', exposure: { nodePort: 30500 } });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]).toMatchObject({ path: ['host'] });
    expect(r.error?.issues[0].message).toMatch(/not its NodePort 30500/);
  });

  it('syncs its volume before the registry, or with it on a WaitForFirstConsumer class', () => {
    const waveOf = (objects: K8sObject[], kind: string, name: string) => Number(findObject(objects, kind, name, 'registry').metadata.annotations?.['argocd.argoproj.io/sync-wave']);
    const immediate = build();
    expect(waveOf(immediate, 'PersistentVolumeClaim', 'registry-data')).toBeLessThan(waveOf(immediate, 'Deployment', 'registry'));
    const late = build({ storageWaitsForFirstConsumer: true });
    expect(waveOf(late, 'PersistentVolumeClaim', 'registry-data')).toBe(waveOf(late, 'Deployment', 'registry'));
    // Still after the certificate the Deployment needs.
    expect(waveOf(late, 'PersistentVolumeClaim', 'registry-data')).toBeGreaterThan(waveOf(late, 'Certificate', 'registry-tls'));
  });

  it('refuses a registry nobody can reach', () => {
    const r = PrivateRegistrySchema.safeParse({ host: 'registry.local', exposure: { ingress: false } });
    expect(r.error?.issues[0]).toMatchObject({ path: ['exposure'] });
  });

  it('refuses an Ingress for an IP address', () => {
    const r = PrivateRegistrySchema.safeParse({ host: '10.0.0.5', exposure: { ingress: true } });
    expect(r.error?.issues[0]).toMatchObject({ path: ['host'], message: expect.stringMatching(/host name/) });
  });

  it('defaults to the NodePort of the default host', () => {
    expect(PrivateRegistrySchema.parse({})).toMatchObject({ host: 'registry.local:30500', exposure: { nodePort: 30500, ingress: false } });
  });
});
