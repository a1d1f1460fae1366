import { describe, expect, it } from 'vitest';
import { PrivateRegistry, zotConfig } from '../../lib/ci/private-registry';
import { CiSchema, PrivateRegistrySchema } from '../../lib/core/config';
import { RegistryIdentity } from '../../lib/core/registry-access';
import { findObject, K8sObject, objectsIn, synthPlatform, testPlatform } from '../helpers';
import { dig, item } from './dig';

const ZOT = 'ghcr.io/project-zot/zot-minimal:v2.1.20';
const IDENTITIES: RegistryIdentity[] = [
  { user: 'ci', actions: ['read', 'create'], repositories: ['cache', 'chatbot/backend'] },
  { user: 'nodes', actions: ['read'], repositories: ['**'] },
];

function build(props: Partial<ConstructorParameters<typeof PrivateRegistry>[2]> = {}): K8sObject[] {
  const platform = testPlatform();
  new PrivateRegistry(platform, 'Registry', { host: 'registry.local:30500', namespace: 'registry', image: ZOT, identities: IDENTITIES, storageClass: 'local-path', nodePort: 30500, ...props });
  return objectsIn(synthPlatform(platform), 'registry/manifests.yaml');
}

/** The Zot configuration the registry's ConfigMap carries. */
function configOf(objects: K8sObject[]): Record<string, any> {
  const data = dig(findObject(objects, 'ConfigMap', 'registry-config', 'registry'), 'data') as Record<string, string>;
  return JSON.parse(data['config.json']);
}

describe('PrivateRegistry', () => {
  it('runs Zot with its configuration from a ConfigMap, htpasswd auth and TLS from Secrets, on a volume of the storage class', () => {
    const objects = build();
    const pod = dig(findObject(objects, 'Deployment', 'registry', 'registry'), 'spec.template.spec');
    const c = item(pod, 'containers', 'registry');
    expect(c.image).toBe(ZOT);
    expect(c.args).toEqual(['serve', '/etc/zot/config.json']);
    expect(c.env).toBeUndefined();
    expect(dig(item(pod, 'volumes', 'config'), 'configMap.name')).toBe('registry-config');
    expect(item(c, 'volumeMounts', 'config')).toMatchObject({ mountPath: '/etc/zot', readOnly: true });
    const config = configOf(objects);
    expect(config.http).toMatchObject({ address: '0.0.0.0', port: '5000', tls: { cert: '/certs/tls.crt', key: '/certs/tls.key' }, auth: { htpasswd: { path: '/auth/htpasswd' } }, compat: ['docker2s2'] });
    expect(config.storage).toEqual({ rootDirectory: '/var/lib/registry/zot', dedupe: true, gc: true });
    expect(item(c, 'volumeMounts', 'auth').mountPath).toBe('/auth');
    expect(item(c, 'volumeMounts', 'certs').mountPath).toBe('/certs');
    expect(item(c, 'volumeMounts', 'data').mountPath).toBe('/var/lib/registry');
    expect(dig(c, 'readinessProbe.httpGet')).toEqual({ path: '/readyz', port: 'https', scheme: 'HTTPS' });
    expect(dig(pod, 'securityContext')).toMatchObject({ runAsNonRoot: true, runAsUser: 65532, fsGroup: 65532 });
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
    const objects = build({ storage: '200Gi', htpasswdSecret: 'site-htpasswd', image: 'registry.airgap.internal:35000/project-zot/zot-minimal:v2.1.20', resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '2', memory: '2Gi' } } });
    expect(dig(findObject(objects, 'PersistentVolumeClaim', 'registry-data'), 'spec.resources.requests.storage')).toBe('200Gi');
    const pod = dig(findObject(objects, 'Deployment', 'registry'), 'spec.template.spec');
    expect(dig(item(pod, 'volumes', 'auth'), 'secret.secretName')).toBe('site-htpasswd');
    expect(item(pod, 'containers', 'registry').image).toBe('registry.airgap.internal:35000/project-zot/zot-minimal:v2.1.20');
    expect(item(pod, 'containers', 'registry').resources).toEqual({ requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '2', memory: '2Gi' } });
  });

  it('gives each identity only its rights, per repository: no delete, nothing to anonymous or to every user', () => {
    const config = configOf(build());
    expect(config.http.accessControl).toEqual({
      repositories: {
        '**': { policies: [{ users: ['nodes'], actions: ['read'] }], defaultPolicy: [], anonymousPolicy: [] },
        cache: { policies: [{ users: ['ci'], actions: ['read', 'create'] }, { users: ['nodes'], actions: ['read'] }], defaultPolicy: [], anonymousPolicy: [] },
        'chatbot/backend': { policies: [{ users: ['ci'], actions: ['read', 'create'] }, { users: ['nodes'], actions: ['read'] }], defaultPolicy: [], anonymousPolicy: [] },
      },
    });
    expect(JSON.stringify(config)).not.toMatch(/delete|adminPolicy/);
  });

  it('restarts the registry when its configuration changes', () => {
    const hash = (objects: K8sObject[]) => (dig(findObject(objects, 'Deployment', 'registry', 'registry'), 'spec.template.metadata.annotations') as Record<string, string>)['kompile.dev/config-sha256'];
    expect(hash(build())).toMatch(/^[0-9a-f]{64}$/);
    expect(hash(build())).toBe(hash(build()));
    expect(hash(build({ identities: [...IDENTITIES, { user: 'image-updater', actions: ['read'], repositories: ['chatbot/backend'] }] }))).not.toBe(hash(build()));
  });

  it('refuses identities Zot could not apply as meant', () => {
    expect(() => zotConfig([])).toThrow(/at least one identity/);
    expect(() => zotConfig([IDENTITIES[0], { ...IDENTITIES[1], user: 'ci' }])).toThrow(/user 'ci' is given twice/);
    expect(() => zotConfig([{ user: 'nodes', actions: ['read'], repositories: [] }])).toThrow(/user 'nodes' has no repository/);
    expect(() => zotConfig([{ user: 'nodes', actions: ['read'], repositories: ['chat*'] }])).toThrow(/'chat\*' is not a repository name/);
    // `chatbot/**` is longer than `chatbot` and matches it: Zot would apply only its group, without CI.
    expect(() => zotConfig([{ user: 'ci', actions: ['read', 'create'], repositories: ['chatbot'] }, { user: 'nodes', actions: ['read'], repositories: ['chatbot/**'] }])).toThrow(
      /pattern 'chatbot\/\*\*' of user 'nodes' is longer than repository 'chatbot' of user 'ci'/,
    );
  });
});

describe('the registry identities of the delivery chain (components.ci)', () => {
  const chain = (over: Record<string, unknown> = {}) => ({
    registry: { access: {} },
    jenkins: { jobs: [{ name: 'backend', project: 'chatbot/backend', image: 'registry.local:30500/chatbot/backend' }] },
    imageUpdater: { applications: [{ component: 'chatbot', images: [{ alias: 'backend', image: 'registry.local:30500/chatbot/backend' }] }] },
    ...over,
  });
  const issues = (input: unknown) => {
    const r = CiSchema.safeParse(input);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  it('derives CI push rights from the jobs (update only where a job moves a channel tag), pull rights for the Image Updater and the nodes', async () => {
    const { registryIdentities } = await import('../../lib/core/registry-access');
    const ci = CiSchema.parse(chain({ registry: { access: { ci: { repositories: ['kcloud/kcloud-operator'] } } } }));
    expect(registryIdentities(ci)).toEqual([
      { user: 'ci', actions: ['read', 'create'], repositories: ['chatbot/backend', 'kcloud/kcloud-operator'], updateIn: ['chatbot/backend'] },
      { user: 'nodes', actions: ['read'], repositories: ['**'] },
      { user: 'image-updater', actions: ['read'], repositories: ['chatbot/backend'] },
    ]);
    // Without watched images the Image Updater's user gets nothing.
    expect(registryIdentities(CiSchema.parse(chain({ imageUpdater: { enabled: false } }))).map((i) => i.user)).toEqual(['ci', 'nodes']);
  });

  it('takes non-default users and node repositories', async () => {
    const { registryIdentities } = await import('../../lib/core/registry-access');
    const ci = CiSchema.parse(chain({ registry: { access: { ci: { user: 'kaniko' }, imageUpdater: { user: 'updater' }, nodes: { user: 'kubelet', repositories: ['chatbot/**'] } } } }));
    expect(registryIdentities(ci)).toEqual([
      { user: 'kaniko', actions: ['read', 'create'], repositories: ['chatbot/backend'], updateIn: ['chatbot/backend'] },
      { user: 'kubelet', actions: ['read'], repositories: ['chatbot/**'] },
      { user: 'updater', actions: ['read'], repositories: ['chatbot/backend'] },
    ]);
    expect(issues(chain())).toEqual([]);
  });

  it('refuses a watched repository no identity may push, naming the field', () => {
    expect(issues(chain({ jenkins: { jobs: [] } }))).toEqual([
      "imageUpdater.applications.0.images.0.image: no identity may push 'chatbot/backend', so nothing would ever be rolled out: build it with a job (jenkins.jobs) or add it to registry.access.ci.repositories",
    ]);
    expect(issues(chain({ jenkins: { jobs: [] }, registry: { access: { ci: { repositories: ['chatbot/backend'] } } } }))).toEqual([]);
  });

  it('refuses a built or watched repository the nodes may not pull', () => {
    const r = issues(chain({ registry: { access: { nodes: { repositories: ['kcloud/**'] } } } }));
    expect(r).toContain("registry.access.nodes.repositories: nodes may not pull 'chatbot/backend', which job 'backend' (jenkins.jobs[0]) builds; add it (or a pattern over it)");
    expect(r).toContain("registry.access.nodes.repositories: nodes may not pull 'chatbot/backend', which imageUpdater.applications[0] rolls out; add it (or a pattern over it)");
  });

  it('refuses a node pattern that would take a repository away from CI', () => {
    const r = issues(chain({ registry: { access: { nodes: { repositories: ['chatbot/backend/**'] } } } }));
    expect(r.some((m) => /^registry\.access\.nodes\.repositories: pattern 'chatbot\/backend\/\*\*' of user 'nodes' is longer than repository 'chatbot\/backend' of user 'ci'/.test(m))).toBe(true);
  });

  it('refuses identities sharing a user, CI patterns and malformed node patterns', () => {
    expect(issues(chain({ registry: { access: { imageUpdater: { user: 'ci' } } } }))).toEqual(["registry.access.imageUpdater.user: 'ci' is already the user of access.ci: each identity needs a user of its own"]);
    expect(issues(chain({ registry: { access: { nodes: { user: 'image-updater' } } } }))).toEqual(["registry.access.nodes.user: 'image-updater' is already the user of access.imageUpdater: each identity needs a user of its own"]);
    expect(issues(chain({ registry: { access: { ci: { repositories: ['kcloud/**'] } } } }))[0]).toMatch(/^registry\.access\.ci\.repositories\.0: must be a repository name such as kcloud\/kcloud-operator: CI may push named repositories only, never a pattern/);
    expect(issues(chain({ registry: { access: { nodes: { repositories: ['chat*'] } } } }))[0]).toMatch(/^registry\.access\.nodes\.repositories\.0: must be a repository name, \*\* or <repository>\/\*\*/);
    expect(issues(chain({ registry: { access: { nodes: { repositories: [] } } } }))[0]).toMatch(/^registry\.access\.nodes\.repositories: /);
    expect(issues(chain({ registry: { access: { ci: { user: 'c:i' } } } }))[0]).toMatch(/^registry\.access\.ci\.user: must be a user name/);
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
