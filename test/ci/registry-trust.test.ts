import { k8s } from 'cdk8s-plus-28';
import { describe, expect, it } from 'vitest';
import { REGISTRY_TLS_SECRET } from '../../lib/ci/private-registry';
import { RegistryTrust, TRUST_MANAGER_NAMESPACE } from '../../lib/ci/registry-trust';
import { Component } from '../../lib/core/component';
import { Namespaces } from '../../lib/core/namespaces';
import { TrustBundle } from '../../lib/core/trust-bundle';
import { JETSTACK_CHARTS } from '../../lib/serving/cert-manager';
import { TrustManager } from '../../lib/serving/trust-manager';
import { TrustManagerRbac } from '../../lib/serving/trust-manager-rbac';
import { airgap } from '../../stacks/airgap';
import { CHARTS } from '../../stacks/charts';
import { dev } from '../../stacks/dev';
import { prod } from '../../stacks/prod';
import { allObjects, compiledEnvironment, findObject, K8sObject, objectsIn, synthIssues, synthPlatform, testPlatform } from '../helpers';

type Rec = Record<string, unknown>;
const at = (o: unknown, ...path: string[]): unknown => path.reduce<unknown>((v, k) => (v as Rec | undefined)?.[k], o);
const wave = (objects: readonly K8sObject[], app: string) => Number(at(findObject(objects, 'Application', app), 'metadata', 'annotations', 'argocd.argoproj.io/sync-wave'));
const API = { cidrs: ['10.0.0.1/32'], ports: [6443] };

describe('TrustBundle', () => {
  it('writes a cluster-scoped Bundle of single keys into a ConfigMap of the named namespaces only', () => {
    const p = testPlatform();
    const c = new Component(p, 'C', { name: 'c' });
    const b = new TrustBundle(c, 'B', { name: 'ca', key: 'bundle.pem', sources: [{ secret: { name: 's', key: 'ca.crt' } }, { configMap: { name: 'm', key: 'root.pem' } }], namespaces: ['b', 'a', 'b'] });
    expect(b.configMapName).toBe('ca');
    const bundle = findObject(objectsIn(synthPlatform(p), 'c/manifests.yaml'), 'Bundle', 'ca');
    expect(bundle.apiVersion).toBe('trust.cert-manager.io/v1alpha1');
    expect(bundle.metadata.namespace).toBeUndefined();
    expect(bundle.spec).toEqual({
      sources: [{ secret: { name: 's', key: 'ca.crt' } }, { configMap: { name: 'm', key: 'root.pem' } }],
      target: { configMap: { key: 'bundle.pem' }, namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['a', 'b'] }] } },
    });
  });

  it("writes ca.crt by default, and refuses no sources or no namespaces (trust-manager's selector would then match every namespace)", () => {
    const c = new Component(testPlatform(), 'C', { name: 'c' });
    const b = new TrustBundle(c, 'B', { name: 'ca', sources: [{ secret: { name: 's', key: 'ca.crt' } }], namespaces: ['a'] });
    expect(at(b.resource.toJson(), 'spec', 'target', 'configMap', 'key')).toBe('ca.crt');
    expect(() => new TrustBundle(c, 'NoSources', { name: 'x', sources: [], namespaces: ['a'] })).toThrow(/prop 'sources'/);
    expect(() => new TrustBundle(c, 'NoNamespaces', { name: 'x', sources: [{ secret: { name: 's', key: 'ca.crt' } }], namespaces: [] })).toThrow(/prop 'namespaces'.*every namespace/);
  });
});

describe('TrustManager', () => {
  it('installs the chart with its CRD, trust and target namespaces, no RBAC, no default CA package, and replicas', () => {
    const p = testPlatform();
    const namespaces = new Namespaces(p, 'Namespaces', { kubernetesVersion: '1.28' });
    const resources = { requests: { cpu: '1m', memory: '1Mi' }, limits: { cpu: '2m', memory: '2Mi' } };
    new TrustManager(p, 'TM', { chartVersion: 'v0.20.2', namespace: 'tm', namespaces, trustNamespace: 'reg', targetNamespaces: ['z', 'a', 'z'], apiServer: API, replicas: 2, resources });
    const out = synthPlatform(p);
    const app = findObject(objectsIn(out, 'apps/trust-manager.yaml'), 'Application', 'trust-manager');
    expect(at(app, 'spec', 'source')).toMatchObject({ repoURL: JETSTACK_CHARTS, chart: 'trust-manager', targetRevision: 'v0.20.2' });
    expect(at(app, 'spec', 'destination', 'namespace')).toBe('tm');
    expect(at(app, 'spec', 'source', 'helm', 'valuesObject')).toEqual({
      crds: { enabled: true, keep: true },
      global: { rbac: { create: false } },
      replicaCount: 2,
      resources,
      defaultPackage: { enabled: false },
      secretTargets: { enabled: false },
      app: { trust: { namespace: 'reg' }, targetNamespaces: ['a', 'z'] },
      image: { repository: 'quay.io/jetstack/trust-manager', tag: 'v0.20.2' },
    });
    expect(at(app, 'spec', 'syncPolicy', 'syncOptions')).toContain('ServerSideApply=true');
    const policies = objectsIn(out, 'namespaces/manifests.yaml').filter((o) => o.kind === 'NetworkPolicy' && o.metadata.namespace === 'tm');
    const webhook = policies.find((o) => JSON.stringify(o.spec).includes('6443') && (o.spec as Rec).ingress !== undefined);
    expect(at(webhook, 'spec', 'podSelector')).toEqual({ matchLabels: { app: 'trust-manager' } });
  });

  it('refuses an empty target list (the controller would write ConfigMaps everywhere)', () => {
    const p = testPlatform();
    expect(() => new TrustManager(p, 'TM', { chartVersion: 'v0.20.2', namespace: 'tm', namespaces: new Namespaces(p, 'N', { kubernetesVersion: '1.28' }), trustNamespace: 'r', targetNamespaces: [], apiServer: API })).toThrow(/prop 'targetNamespaces'/);
  });
});

describe('TrustManagerRbac', () => {
  const rbac = (props: Partial<ConstructorParameters<typeof TrustManagerRbac>[2]> = {}) => {
    const p = testPlatform();
    const c = new Component(p, 'C', { name: 'c', namespace: 'tm' });
    new TrustManagerRbac(c, 'R', { serviceAccountNamespace: 'tm', trustNamespace: 'reg', configMapNamespaces: ['agents', 'tm'], configMaps: ['registry-ca', 'other-ca'], ...props });
    return objectsIn(synthPlatform(p), 'c/manifests.yaml');
  };

  it("grants the chart's rules: Bundles and Namespaces cluster-wide, Secrets in the trust namespace only, leases in its own", () => {
    const objects = rbac();
    expect(at(findObject(objects, 'ClusterRole', 'trust-manager'), 'rules')).toEqual([
      { apiGroups: ['trust.cert-manager.io'], resources: ['bundles'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['trust.cert-manager.io'], resources: ['bundles/finalizers'], verbs: ['update'] },
      { apiGroups: ['trust.cert-manager.io'], resources: ['bundles/status'], verbs: ['patch'] },
      { apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch'] },
    ]);
    expect(JSON.stringify(findObject(objects, 'ClusterRole', 'trust-manager').rules)).not.toMatch(/secrets|configmaps/);
    expect(at(findObject(objects, 'Role', 'trust-manager', 'reg'), 'rules')).toEqual([{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch'] }]);
    expect(findObjectsOf(objects, 'Role').filter((o) => JSON.stringify(o.rules).includes('secrets')).map((o) => o.metadata.namespace)).toEqual(['reg']);
    expect(at(findObject(objects, 'RoleBinding', 'trust-manager:leaderelection', 'tm'), 'subjects')).toEqual([{ kind: 'ServiceAccount', name: 'trust-manager', namespace: 'tm' }]);
  });

  it("lets it change and delete only its Bundles' ConfigMaps, in the named namespaces", () => {
    const objects = rbac();
    for (const ns of ['agents', 'tm']) {
      expect(at(findObject(objects, 'Role', 'trust-manager-role', ns), 'rules')).toEqual([
        { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch', 'create'] },
        { apiGroups: [''], resources: ['configmaps'], verbs: ['patch', 'delete'], resourceNames: ['other-ca', 'registry-ca'] },
        { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
      ]);
      expect(at(findObject(objects, 'RoleBinding', 'trust-manager-role-binding', ns), 'roleRef')).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'trust-manager-role' });
    }
  });

  it('writes only the ConfigMap Roles without the controller part, and refuses bad props', () => {
    const objects = rbac({ controller: false, trustNamespace: undefined, configMapNamespaces: ['argocd'] });
    expect(objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`).filter((k) => !k.startsWith('NetworkPolicy') && !k.startsWith('Namespace'))).toEqual([
      'Role/argocd/trust-manager-role',
      'RoleBinding/argocd/trust-manager-role-binding',
    ]);
    expect(() => rbac({ configMaps: [] })).toThrow(/prop 'configMaps'/);
    expect(() => rbac({ trustNamespace: undefined })).toThrow(/prop 'trustNamespace' is required/);
  });
});

function findObjectsOf(objects: readonly K8sObject[], kind: string): K8sObject[] {
  return objects.filter((o) => o.kind === kind);
}

describe('RegistryTrust', () => {
  const build = (targets: { configMap: string; namespace: string }[]) => {
    const p = testPlatform();
    const namespaces = new Namespaces(p, 'Namespaces', { kubernetesVersion: '1.28' });
    const t = new RegistryTrust(p, 'RT', { registryNamespace: 'registry', targets, chartVersion: 'v0.20.2', namespaces, apiServer: API, argocdNamespace: 'argocd' });
    return { t, out: synthPlatform(p) };
  };

  it('publishes ca.crt of the registry certificate, one Bundle per ConfigMap name, with the RBAC for Argo CD\'s namespace apart', () => {
    const { t, out } = build([
      { configMap: 'registry-ca', namespace: 'jenkins-agents' },
      { configMap: 'registry-ca', namespace: 'argocd' },
      { configMap: 'updater-ca', namespace: 'argocd' },
    ]);
    const bundles = objectsIn(out, 'registry-trust/manifests.yaml');
    expect(at(findObject(bundles, 'Bundle', 'registry-ca'), 'spec', 'sources')).toEqual([{ secret: { name: REGISTRY_TLS_SECRET, key: 'ca.crt' } }]);
    expect(at(findObject(bundles, 'Bundle', 'registry-ca'), 'spec', 'target', 'namespaceSelector', 'matchExpressions', '0', 'values')).toEqual(['argocd', 'jenkins-agents']);
    expect(at(findObject(bundles, 'Bundle', 'updater-ca'), 'spec', 'target', 'namespaceSelector', 'matchExpressions', '0', 'values')).toEqual(['argocd']);
    expect(at(findObject(objectsIn(out, 'apps/trust-manager.yaml'), 'Application', 'trust-manager'), 'spec', 'source', 'helm', 'valuesObject', 'app')).toEqual({ trust: { namespace: 'registry' }, targetNamespaces: ['argocd', 'jenkins-agents'] });
    // Argo CD's namespace only in its own component; the other gets the targets, the trust and trust-manager's namespaces.
    const argocd = objectsIn(out, 'trust-manager-rbac-argocd/manifests.yaml');
    expect(argocd.every((o) => o.metadata.namespace === 'argocd')).toBe(true);
    expect(at(findObject(argocd, 'Role', 'trust-manager-role', 'argocd'), 'rules', '1', 'resourceNames')).toEqual(['registry-ca', 'updater-ca']);
    const rest = objectsIn(out, 'trust-manager-rbac/manifests.yaml').filter((o) => o.kind === 'Role' && o.metadata.name === 'trust-manager-role');
    expect(rest.map((o) => o.metadata.namespace).sort()).toEqual(['jenkins-agents', 'registry', TRUST_MANAGER_NAMESPACE]);
    expect(t.argocdRbac?.name).toBe('trust-manager-rbac-argocd');
    // Bundles after trust-manager (its CRD and webhook), trust-manager after its RBAC.
    const apps = [...out.files.keys()].filter((f) => f.startsWith('apps/')).flatMap((f) => objectsIn(out, f));
    expect(wave(apps, 'registry-trust')).toBeGreaterThan(wave(apps, 'trust-manager'));
    expect(wave(apps, 'trust-manager')).toBeGreaterThan(wave(apps, 'trust-manager-rbac'));
    expect(wave(apps, 'trust-manager')).toBeGreaterThan(wave(apps, 'trust-manager-rbac-argocd'));
  });

  it("needs no component in Argo CD's namespace when nothing is published there, and refuses no targets", () => {
    const { t, out } = build([{ configMap: 'registry-ca', namespace: 'jenkins-agents' }]);
    expect(t.argocdRbac).toBeUndefined();
    expect(out.files.has('trust-manager-rbac-argocd/manifests.yaml')).toBe(false);
    expect(() => build([])).toThrow(/prop 'targets'/);
  });
});

describe('every environment with CI', () => {
  it("publishes the registry CA to Kaniko's and the Image Updater's ConfigMaps, and orders their consumers after it", () => {
    for (const env of [dev, prod, airgap]) {
      const objects = allObjects(compiledEnvironment(env));
      const bundle = findObject(objects, 'Bundle', 'registry-ca');
      expect(at(bundle, 'spec', 'target', 'namespaceSelector', 'matchExpressions', '0', 'values')).toEqual(['argocd', 'jenkins-agents']);
      expect(at(findObject(objects, 'Application', 'trust-manager'), 'spec', 'source', 'targetRevision')).toBe(CHARTS.version('trust-manager'));
      expect(wave(objects, 'jenkins')).toBeGreaterThan(wave(objects, 'registry-trust'));
      expect(wave(objects, 'argocd-image-updater')).toBeGreaterThan(wave(objects, 'registry-trust'));
      expect(wave(objects, 'trust-manager')).toBeGreaterThan(wave(objects, 'cert-manager'));
      expect(wave(objects, 'registry-trust')).toBeGreaterThan(wave(objects, 'registry'));
    }
  });

  it('refuses a Bundle copying a private key in the synth, and passes it with a reasoned exception', () => {
    const build = (annotations?: Record<string, string>) => {
      const p = testPlatform();
      const c = new Component(p, 'C', { name: 'c', namespace: 'apps' });
      const b = new TrustBundle(c, 'B', { name: 'ca', sources: [{ secret: { name: 's', key: 'tls.key' } }], namespaces: ['apps'] });
      if (annotations) for (const [k, v] of Object.entries(annotations)) b.resource.metadata.addAnnotation(k, v);
      new k8s.KubeConfigMap(c, 'Cm', { metadata: { name: 'x', namespace: 'apps' } });
      return p;
    };
    expect(synthIssues(() => synthPlatform(build()))).toContainEqual(expect.stringMatching(/\/spec\/sources\/0\/secret\/key: source 0 copies key 'tls.key' .*\[trust-private-key\]/));
    expect(findObject(objectsIn(synthPlatform(build({ 'kompile.dev/security-exception.trust-private-key': 'a test of the exception' })), 'c/manifests.yaml'), 'Bundle', 'ca').kind).toBe('Bundle');
  });
});
