import { describe, expect, it } from 'vitest';
import { kubernetesVersionFindings } from '../../checks/kubernetes-versions';
import { ConfigError, parseEnvironment } from '../../core/config';
import { IMAGE_PINS } from '../../core/image-pins';
import { INGRESS_NGINX_CHARTS } from './ingress-nginx';
import { merge } from '../../../stacks/base';
import { airgap } from '../../../stacks/airgap';
import { CHARTS } from '../../../stacks/charts';
import { dev } from '../../../stacks/dev';
import { prod } from '../../../stacks/prod';
import { allObjects, compiledEnvironment, findObject, K8sObject, synthEnvironment } from '../../../test/helpers';

type Rec = Record<string, unknown>;
const at = (o: unknown, ...path: string[]): unknown => path.reduce<unknown>((v, k) => (v as Rec | undefined)?.[k], o);
const wave = (objects: readonly K8sObject[], app: string) => Number((findObject(objects, 'Application', app).metadata.annotations as Rec)['argocd.argoproj.io/sync-wave']);
const policy = (objects: readonly K8sObject[], name: string) => findObject(objects, 'NetworkPolicy', name, 'ingress-nginx');

describe('ingress-nginx component (cluster.ingress.install)', () => {
  const objects = allObjects(compiledEnvironment(prod));
  const app = findObject(objects, 'Application', 'ingress-nginx');
  const values = at(app, 'spec', 'source', 'helm', 'valuesObject') as Rec;

  it('installs the locked chart from its Helm repository into its own namespace', () => {
    expect(at(app, 'spec', 'source')).toMatchObject({ repoURL: INGRESS_NGINX_CHARTS, chart: 'ingress-nginx', targetRevision: CHARTS.version('ingress-nginx') });
    expect(at(app, 'spec', 'source', 'helm', 'releaseName')).toBe('ingress-nginx');
    expect(at(app, 'spec', 'destination', 'namespace')).toBe('ingress-nginx');
  });

  it('sets a NodePort Service on the environment ports, the IngressClass of cluster.ingress.className, and cluster.replicas', () => {
    expect(at(values, 'controller', 'service')).toEqual({ type: 'NodePort', nodePorts: { http: 31302, https: 31084 } });
    expect(at(values, 'controller', 'ingressClassResource')).toEqual({ name: 'nginx', enabled: true, default: false });
    expect(at(values, 'controller', 'ingressClass')).toBe('nginx');
    expect(at(values, 'controller', 'replicaCount')).toBe(2);
    expect(at(values, 'controller', 'resources', 'limits')).toEqual({ cpu: '1', memory: '512Mi' });
  });

  it('sets both images it runs from the pins, without the chart digests, and lists them', () => {
    const [controller, certgen] = ['ingress-nginx-controller', 'kube-webhook-certgen'].map((n) => IMAGE_PINS.reference(n));
    expect(at(values, 'controller', 'image')).toEqual({ repository: controller.split(':')[0], tag: controller.split(':')[1], digest: '' });
    expect(at(values, 'controller', 'admissionWebhooks', 'patch', 'image')).toEqual({ repository: certgen.split(':')[0], tag: certgen.split(':')[1], digest: '' });
    const listed = compiledEnvironment(prod).files.get('images/ingress-nginx.txt');
    expect(listed).toBe(`${controller}\n${certgen}\n`);
  });

  it('relocates the images and the chart source in the airgapped environment', () => {
    const relocated = findObject(allObjects(compiledEnvironment(airgap)), 'Application', 'ingress-nginx');
    expect(at(relocated, 'spec', 'source', 'repoURL')).toBe('https://git.airgap.internal/mirrors/helm/ingress-nginx');
    expect(at(relocated, 'spec', 'source', 'helm', 'valuesObject', 'controller', 'image', 'repository')).toBe('registry.airgap.internal:35000/ingress-nginx/controller');
    expect(at(relocated, 'spec', 'source', 'helm', 'valuesObject', 'controller', 'admissionWebhooks', 'patch', 'image', 'repository')).toBe('registry.airgap.internal:35000/ingress-nginx/kube-webhook-certgen');
  });

  it("enforces Pod Security 'restricted' in its namespace and lets the project create its IngressClass", () => {
    const ns = findObject(objects, 'Namespace', 'ingress-nginx');
    expect((ns.metadata.labels as Rec)['pod-security.kubernetes.io/enforce']).toBe('restricted');
    const project = objects.find((o) => o.kind === 'AppProject')!;
    expect(at(project, 'spec', 'clusterResourceWhitelist')).toContainEqual({ group: 'networking.k8s.io', kind: 'IngressClass' });
  });

  it('allows clients on 80/443, the API server to its webhook and from it, and the controller to the back ends of its Ingresses', () => {
    const controller = { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' } };
    expect(at(policy(objects, 'allow-from-clients'), 'spec')).toMatchObject({ podSelector: controller, ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 80 }, { port: 443 }] }] });
    expect(at(policy(objects, 'allow-from-kube-apiserver'), 'spec')).toMatchObject({ podSelector: controller, ingress: [{ from: [{ ipBlock: { cidr: '10.61.3.0/24' } }], ports: [{ port: 8443 }] }] });
    expect(at(policy(objects, 'allow-to-kube-apiserver'), 'spec')).toMatchObject({ egress: [{ to: [{ ipBlock: { cidr: '10.61.3.0/24' } }], ports: [{ port: 6443 }] }] });
    expect(at(policy(objects, 'allow-to-backends-chatbot'), 'spec')).toMatchObject({ podSelector: controller, egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'chatbot' } } }] }] });
    const backends = objects.filter((o) => o.kind === 'NetworkPolicy' && o.metadata.namespace === 'ingress-nginx' && o.metadata.name.startsWith('allow-to-backends-')).map((o) => o.metadata.name);
    // Jenkins' UI is an Ingress too (component jenkins-ingress).
    expect(backends).toEqual(['allow-to-backends-chatbot', 'allow-to-backends-jenkins']);
  });

  it('syncs before every component with an Ingress of its class, and reaches the registry where the registry has an Ingress', () => {
    expect(wave(objects, 'chatbot')).toBeGreaterThan(wave(objects, 'ingress-nginx'));
    const withRegistryIngress = allObjects(synthEnvironment({ components: { ci: { registry: { exposure: { ingress: true } } } } }, prod));
    expect(wave(withRegistryIngress, 'registry')).toBeGreaterThan(wave(withRegistryIngress, 'ingress-nginx'));
    expect(policy(withRegistryIngress, 'allow-to-backends-registry')).toBeDefined();
  });

  it('follows another class name, and installs nothing where the cluster has the controller', () => {
    const other = allObjects(synthEnvironment({ cluster: { ingress: { className: 'platform-nginx' } } }, dev));
    expect(at(findObject(other, 'Application', 'ingress-nginx'), 'spec', 'source', 'helm', 'valuesObject', 'controller', 'ingressClassResource', 'name')).toBe('platform-nginx');
    const provided = synthEnvironment({ cluster: { ingress: { install: false } } }, dev);
    expect(allObjects(provided).filter((o) => o.metadata.name === 'ingress-nginx')).toEqual([]);
    expect([...provided.files.keys()].filter((f) => f.includes('ingress-nginx'))).toEqual([]);
  });
});

describe('cluster.ingress configuration', () => {
  it('install needs nodePorts, an error naming the field', () => {
    const input = structuredClone(dev) as typeof dev & { cluster: { ingress: { nodePorts?: unknown } } };
    delete input.cluster.ingress.nodePorts;
    expect(() => parseEnvironment(input)).toThrow(ConfigError);
    expect(() => parseEnvironment(input)).toThrow(/cluster\.ingress\.install.*needs nodePorts/);
    expect(() => parseEnvironment(merge(input, { cluster: { ingress: { install: false } } }))).not.toThrow();
  });

  it("lets the chatbot's NetworkPolicies admit the controller wherever the cluster runs it (one fact: cluster.ingress.namespace)", () => {
    const moved = synthEnvironment({ cluster: { ingress: { namespace: 'edge' } } });
    const policy = findObject(allObjects(moved), 'NetworkPolicy', 'allow-from-ingress-to-frontend', 'chatbot');
    expect(JSON.stringify(policy.spec)).toContain('"kubernetes.io/metadata.name":"edge"');
    expect(JSON.stringify(policy.spec)).not.toContain('"ingress-nginx"');
  });
});

describe('Kubernetes versions of the ingress-nginx chart', () => {
  const application = (version: string) => ({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'ingress-nginx' }, spec: { source: { chart: 'ingress-nginx', targetRevision: version } } });

  it("warns outside chart 4.12's published window (1.28-1.32) and fails below its enforced kubeVersion (1.21)", () => {
    expect(kubernetesVersionFindings([application('4.12.8')], '1.28')).toEqual([]);
    expect(kubernetesVersionFindings([application('4.12.8')], '1.33').map((f) => f.severity)).toEqual(['warning']);
    expect(kubernetesVersionFindings([application('4.12.8')], '1.20').map((f) => f.severity)).toContain('error');
  });
});
