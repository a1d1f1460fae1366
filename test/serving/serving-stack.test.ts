import { describe, expect, it } from 'vitest';
import { Image } from '../../lib/core/image';
import { IMAGE_PINS } from '../../lib/core/image-pins';
import { EnvironmentOutput } from '../../lib/core/synthesize';
import { TORCHSERVE_GPU_RUNTIME } from '../../lib/serving/serving-stack';
import { airgap } from '../../stacks/airgap';
import { prod } from '../../stacks/prod';
import { allObjects, compiledEnvironment, findObject, K8sObject, objectsIn, synthEnvironment } from '../helpers';
import { at } from './json-path';

/** The pinned images these tests expect (images.pins.json): a Renovate bump changes them, not the tests. */
const TORCHSERVE = Image.parse(IMAGE_PINS.reference('torchserve'));
const TORCHSERVE_GPU = Image.parse(IMAGE_PINS.reference('torchserve-gpu'));
const RBAC_PROXY = Image.parse(IMAGE_PINS.reference('kube-rbac-proxy'));
/** `<repository without registry>:<tag>`, as relocated under a mirror. */
const repoAndTag = (i: Image) => `${i.toString().replace(/^[^/]+\//, '')}`;

const MIRROR = 'registry.airgap.internal:35000';
const prodOut = compiledEnvironment(prod);
const airgapOut = compiledEnvironment(airgap);
const devOut = compiledEnvironment();

function app(out: EnvironmentOutput, name: string): K8sObject {
  return findObject(objectsIn(out, `apps/${name}.yaml`), 'Application', name);
}
function wave(out: EnvironmentOutput, name: string): number {
  return Number(app(out, name).metadata.annotations?.['argocd.argoproj.io/sync-wave']);
}
function values(out: EnvironmentOutput, name: string, path: string) {
  return at(app(out, name), `spec.source.helm.valuesObject.${path}`);
}
function syncOptions(out: EnvironmentOutput, name: string): string[] {
  return (app(out, name).spec as { syncPolicy: { syncOptions: string[] } }).syncPolicy.syncOptions;
}
/** Every string of a value, with its path. */
function strings(node: unknown, path = ''): [string, string][] {
  if (typeof node === 'string') return [[path, node]];
  if (Array.isArray(node)) return node.flatMap((v, i) => strings(v, `${path}/${i}`));
  if (typeof node === 'object' && node !== null) return Object.entries(node).flatMap(([k, v]) => strings(v, `${path}/${k}`));
  return [];
}

describe('serving stack waves', () => {
  it('orders cert-manager and Istio base < istiod and gateway < Knative < KServe < models', () => {
    const w = (n: string) => wave(prodOut, n);
    expect(w('cert-manager')).toBeGreaterThan(w('namespaces'));
    expect(w('istio-base')).toBeGreaterThan(w('namespaces'));
    for (const first of ['cert-manager', 'istio-base']) {
      expect(w('istiod')).toBeGreaterThan(w(first));
      expect(w('istio-ingressgateway')).toBeGreaterThan(w(first));
    }
    for (const istio of ['istiod', 'istio-ingressgateway']) expect(w('knative-operator')).toBeGreaterThan(w(istio));
    expect(w('knative-serving')).toBeGreaterThan(w('knative-operator'));
    expect(w('kserve-crd')).toBeGreaterThan(w('knative-serving'));
    expect(w('kserve')).toBeGreaterThan(w('kserve-crd'));
    expect(w('models')).toBeGreaterThan(w('kserve'));
    expect(w('models')).toBeGreaterThan(w('serving-security'));
    expect(w('serving-security')).toBeGreaterThan(w('cert-manager'));
    expect(w('serving-security')).toBeGreaterThan(w('istiod'));
  });

  it('puts KServe after Istio and cert-manager when there is no Knative (dev)', () => {
    expect(devOut.files.has('apps/knative-operator.yaml')).toBe(false);
    expect(devOut.files.has('apps/knative-serving.yaml')).toBe(false);
    expect(wave(devOut, 'kserve-crd')).toBeGreaterThan(wave(devOut, 'istio-ingressgateway'));
    expect(wave(devOut, 'kserve-crd')).toBeGreaterThan(wave(devOut, 'cert-manager'));
    expect(values(devOut, 'kserve', 'kserve.controller.deploymentMode')).toBe('RawDeployment');
    // Routes are Kompile's VirtualServices; no Ingress (and no IngressClass) from KServe.
    expect(values(devOut, 'kserve', 'kserve.controller.gateway.disableIngressCreation')).toBe(true);
  });

  it('syncs the charts carrying CRDs server-side, the 1 MB InferenceService CRD first of all', () => {
    for (const name of ['kserve-crd', 'istio-base', 'cert-manager', 'knative-operator']) expect(syncOptions(prodOut, name)).toContain('ServerSideApply=true');
    expect(syncOptions(prodOut, 'kserve')).not.toContain('ServerSideApply=true');
    expect(values(prodOut, 'cert-manager', 'crds')).toEqual({ enabled: true, keep: true });
  });

  it('installs the charts from their upstream repositories and versions', () => {
    const source = (n: string) => (app(prodOut, n).spec as { source: { repoURL: string; chart: string; targetRevision: string } }).source;
    expect(source('cert-manager')).toMatchObject({ repoURL: 'https://charts.jetstack.io', chart: 'cert-manager', targetRevision: 'v1.18.6' });
    expect(source('istiod')).toMatchObject({ repoURL: 'https://istio-release.storage.googleapis.com/charts', chart: 'istiod', targetRevision: '1.24.6' });
    expect(source('istio-ingressgateway')).toMatchObject({ chart: 'gateway' });
    expect(source('knative-operator')).toMatchObject({ repoURL: 'https://knative.github.io/operator', targetRevision: '1.16.6' });
    expect(source('kserve')).toMatchObject({ repoURL: 'ghcr.io/kserve/charts', chart: 'kserve', targetRevision: 'v0.15.2' });
    expect(source('kserve-crd')).toMatchObject({ chart: 'kserve-crd', targetRevision: 'v0.15.2' });
  });
});

describe('serving namespaces', () => {
  const ns = (out: EnvironmentOutput, name: string) => findObject(objectsIn(out, 'namespaces/manifests.yaml'), 'Namespace', name);
  const enforce = (o: K8sObject) => o.metadata.labels?.['pod-security.kubernetes.io/enforce'];

  it('keeps controllers restricted and explains every namespace below it', () => {
    for (const name of ['cert-manager', 'kserve']) expect(enforce(ns(prodOut, name))).toBe('restricted');
    for (const name of ['kserve-models', 'istio-system', 'knative-serving', 'knative-operator']) {
      expect(enforce(ns(prodOut, name))).toBe('baseline');
      expect(ns(prodOut, name).metadata.annotations?.['kompile.dev/pod-security-reason']).toBeTruthy();
    }
    // Meshed namespaces are baseline with the Istio CNI node agent; its own namespace is privileged.
    expect(ns(prodOut, 'kserve-models').metadata.annotations?.['kompile.dev/pod-security-reason']).toMatch(/istio-validation and istio-proxy containers set no seccomp profile/);
    expect(ns(prodOut, 'knative-operator').metadata.annotations?.['kompile.dev/pod-security-reason']).toMatch(/1\.17\.1/);
    expect(enforce(ns(prodOut, 'istio-cni'))).toBe('privileged');
    expect(ns(prodOut, 'istio-cni').metadata.annotations?.['kompile.dev/pod-security-reason']).toMatch(/hostPath/);
  });

  it('lets RawDeployment models (dev) run restricted: the predictor carries a pod-level context covering injected containers', () => {
    expect(enforce(ns(devOut, 'kserve-models'))).toBe('restricted');
    const isvc = findObject(objectsIn(devOut, 'models/manifests.yaml'), 'InferenceService', 'sklearn-iris');
    expect(at(isvc, 'spec.predictor.securityContext')).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    // Knative refuses a pod-level security context on revisions: none in Serverless mode.
    expect(at(findObject(objectsIn(prodOut, 'models/manifests.yaml'), 'InferenceService', 'sklearn-iris'), 'spec.predictor.securityContext')).toBeUndefined();
  });

  it('installs the Istio CNI node agent before istiod and switches injection to it', () => {
    expect(at(app(prodOut, 'istio-cni'), 'spec.source')).toMatchObject({ chart: 'cni', targetRevision: '1.24.6', repoURL: 'https://istio-release.storage.googleapis.com/charts' });
    expect(at(app(prodOut, 'istio-cni'), 'spec.destination.namespace')).toBe('istio-cni');
    expect(values(prodOut, 'istio-cni', 'image')).toBe('docker.io/istio/install-cni:1.24.6');
    expect(values(prodOut, 'istio-cni', 'tag')).toBe('1.24.6');
    expect(values(prodOut, 'istio-cni', 'global')).toBeUndefined();
    expect(values(devOut, 'istio-cni', 'global.platform')).toBe('k3s');
    expect(values(prodOut, 'istiod', 'pilot.cni.enabled')).toBe(true);
    expect(values(prodOut, 'istiod', 'pilot.seccompProfile')).toEqual({ type: 'RuntimeDefault' });
    expect(wave(prodOut, 'istiod')).toBeGreaterThan(wave(prodOut, 'istio-cni'));
    expect(values(airgapOut, 'istio-cni', 'image')).toBe(`${MIRROR}/istio/install-cni:1.24.6`);
  });

  it('without the CNI node agent, meshed namespaces must be privileged, and say why', () => {
    // The chatbot's back end would need istio-init in its restricted namespace: off (config rule).
    const out = synthEnvironment({ components: { serving: { istioCni: false }, chatbot: { enabled: false }, ci: { imageUpdater: { applications: [] } } } }, prod);
    expect(out.files.has('apps/istio-cni.yaml')).toBe(false);
    expect(values(out, 'istiod', 'pilot.cni')).toBeUndefined();
    for (const name of ['kserve-models', 'knative-serving']) {
      expect(enforce(ns(out, name))).toBe('privileged');
      expect(ns(out, name).metadata.annotations?.['kompile.dev/pod-security-reason']).toMatch(/istio-init.*NET_ADMIN/);
    }
  });

  it('gives the KServe controller the seccomp profile its restricted namespace requires', () => {
    expect(values(prodOut, 'kserve', 'kserve.controller.securityContext')).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    // Chart v0.15.2 has no key to disable the multi-node Hugging Face runtime: none is set.
    expect(values(prodOut, 'kserve', 'kserve.servingruntime.huggingfaceserver_multinode')).toBeUndefined();
  });

  it('sets only the container keys the Knative Operator chart reads', () => {
    for (const component of ['knative_operator', 'operator_webhook']) {
      expect(values(prodOut, 'knative-operator', `knative_operator.${component}.containerSecurityContext`)).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true });
      expect(values(prodOut, 'knative-operator', `knative_operator.${component}.securityContext`)).toBeUndefined();
    }
  });

  it('lets controllers reach the API server and the API server reach their webhooks', () => {
    const objects = objectsIn(prodOut, 'namespaces/manifests.yaml');
    const egress = findObject(objects, 'NetworkPolicy', 'allow-to-kube-apiserver', 'kserve');
    expect(at(egress, 'spec.egress.0.to')).toEqual([{ ipBlock: { cidr: '10.61.3.0/24' } }]);
    const webhook = findObject(objects, 'NetworkPolicy', 'allow-from-kube-apiserver', 'kserve');
    expect(at(webhook, 'spec.ingress.0.ports')).toEqual([{ port: 9443, protocol: 'TCP' }]);
  });

  it('opens the ingress gateway to clients, and istiod to the meshed namespaces only', () => {
    const objects = objectsIn(prodOut, 'namespaces/manifests.yaml');
    const gw = findObject(objects, 'NetworkPolicy', 'allow-from-ingress-gateway', 'istio-system');
    expect(at(gw, 'spec.podSelector.matchLabels')).toEqual({ istio: 'ingressgateway' });
    expect((at(gw, 'spec.ingress.0.ports') as { port: number }[]).map((p) => p.port)).toEqual([80, 443, 8081, 8444, 15021]);
    const istiod = findObject(objects, 'NetworkPolicy', 'allow-from-mesh-to-istiod', 'istio-system');
    expect(at(istiod, 'spec.ingress.0.from')).toEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kserve-models' } } },
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'knative-serving' } } },
      // The chatbot's back end joins the mesh for its /api authentication.
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'chatbot' } } },
    ]);
  });

  it('lets the model pods download from outside only where a remote scheme is allowed', () => {
    expect(() => findObject(objectsIn(prodOut, 'namespaces/manifests.yaml'), 'NetworkPolicy', 'allow-to-model-storage', 'kserve-models')).not.toThrow();
    expect(() => findObject(objectsIn(airgapOut, 'namespaces/manifests.yaml'), 'NetworkPolicy', 'allow-to-model-storage', 'kserve-models')).toThrow();
  });
});

describe('egress outside the cluster', () => {
  const policy = (out: EnvironmentOutput, name: string, namespace: string) => at(findObject(objectsIn(out, 'namespaces/manifests.yaml'), 'NetworkPolicy', name, namespace), 'spec.egress.0');

  it("sends Knative's tag resolution anywhere outside the cluster where no registries are stated, else to them", () => {
    expect(policy(prodOut, 'allow-to-registries', 'knative-serving')).toEqual({ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.244.0.0/16', '10.96.0.0/12'] } }], ports: [{ port: 443, protocol: 'TCP' }] });
    // airgap states its mirror's address and port (stacks/airgap.ts).
    expect(policy(airgapOut, 'allow-to-registries', 'knative-serving')).toEqual({ to: [{ ipBlock: { cidr: '10.61.3.31/32' } }], ports: [{ port: 35000, protocol: 'TCP' }] });
  });

  it('sends storage initializers to the stated model storage, on its ports', () => {
    const out = synthEnvironment({ cluster: { network: { egress: { modelStorage: { cidrs: ['198.51.100.0/24'], ports: [9000] } } } } }, prod);
    expect(policy(out, 'allow-to-model-storage', 'kserve-models')).toEqual({ to: [{ ipBlock: { cidr: '198.51.100.0/24' } }], ports: [{ port: 9000, protocol: 'TCP' }] });
  });
});

describe('models as data', () => {
  const models = objectsIn(prodOut, 'models/manifests.yaml');

  it('gives every model an InferenceService and a route through the TLS gateway', () => {
    const iris = findObject(models, 'InferenceService', 'sklearn-iris', 'kserve-models');
    expect(at(iris, 'spec.predictor.model')).toMatchObject({ modelFormat: { name: 'sklearn' }, storageUri: 'gs://kfserving-examples/models/sklearn/1.0/model' });
    expect(at(iris, 'spec.predictor.labels')).toEqual({ 'sidecar.istio.io/inject': 'true' });
    const route = findObject(models, 'VirtualService', 'sklearn-iris', 'kserve-models');
    expect(at(route, 'spec.hosts')).toEqual(['sklearn-iris.models.example.com']);
    expect(at(route, 'spec.gateways')).toEqual(['istio-system/kserve-models-gateway']);
    // Serverless: through Knative's local gateway, by host.
    expect(at(route, 'spec.http.0.rewrite')).toEqual({ authority: 'sklearn-iris-predictor.kserve-models.svc.cluster.local' });
  });

  it('runs the GPU model on the GPU TorchServe runtime with the cluster GPU resource and runtime class', () => {
    const cifar = findObject(models, 'InferenceService', 'pytorch-cifar10');
    expect(at(cifar, 'spec.predictor.model.runtime')).toBe(TORCHSERVE_GPU_RUNTIME);
    expect(at(cifar, 'spec.predictor.model.resources.limits')).toMatchObject({ 'nvidia.com/gpu': '1' });
    expect(at(cifar, 'spec.predictor.model.resources.requests')).toMatchObject({ 'nvidia.com/gpu': '1' });
    expect(at(cifar, 'spec.predictor.runtimeClassName')).toBe('nvidia');
    const runtime = findObject(models, 'ServingRuntime', TORCHSERVE_GPU_RUNTIME);
    expect(at(runtime, 'spec.containers.0.image')).toBe(TORCHSERVE_GPU.toString());
  });

  it('routes RawDeployment models straight to the predictor Service (dev)', () => {
    const route = findObject(objectsIn(devOut, 'models/manifests.yaml'), 'VirtualService', 'sklearn-iris');
    expect(at(route, 'spec.http.0.route.0.destination.host')).toBe('sklearn-iris-predictor.kserve-models.svc.cluster.local');
    expect(at(route, 'spec.http.0.rewrite')).toBeUndefined();
  });

  it('creates the model PVC of the airgap site and keeps Argo CD from pruning it', () => {
    const pvc = findObject(objectsIn(airgapOut, 'models/manifests.yaml'), 'PersistentVolumeClaim', 'models', 'kserve-models');
    expect(at(pvc, 'spec')).toMatchObject({ accessModes: ['ReadWriteMany'], storageClassName: 'nfs-csi', resources: { requests: { storage: '50Gi' } } });
    expect(pvc.metadata.annotations?.['argocd.argoproj.io/sync-options']).toContain('Prune=false');
  });

  it('leaves out the models component when there are no models', () => {
    const out = synthEnvironment({ components: { serving: { models: [] } } });
    expect(out.files.has('apps/models.yaml')).toBe(false);
    expect(out.files.has('apps/kserve.yaml')).toBe(true);
  });

  it('builds no serving stack when it is off', () => {
    // The chatbot's /api needs the mesh (config rule): off with it.
    const out = synthEnvironment({ components: { serving: { enabled: false }, chatbot: { enabled: false }, ci: { imageUpdater: { applications: [] } } } });
    expect([...out.files.keys()].filter((f) => /kserve|istio|cert-manager|knative/.test(f))).toEqual([]);
  });
});

describe('airgap relocation of configuration-held images', () => {
  /** What the environment pulls: the lock's targets. */
  const images = [...airgapOut.images.values()];

  it('relocates every Knative image the operator sets, the queue-proxy included', () => {
    const ks = findObject(objectsIn(airgapOut, 'knative-serving/manifests.yaml'), 'KnativeServing', 'knative-serving', 'knative-serving');
    const override = at(ks, 'spec.registry.override') as Record<string, string>;
    expect(Object.keys(override).sort()).toEqual(
      ['activator', 'autoscaler', 'autoscaler-hpa', 'cleanup', 'controller', 'migrate', 'net-istio-controller/controller', 'net-istio-webhook/webhook', 'queue-proxy', 'webhook'].sort(),
    );
    for (const ref of Object.values(override)) {
      expect(Image.parse(ref).registry).toBe(MIRROR);
      expect(images).toContain(ref);
    }
    expect(at(ks, 'spec.config.deployment.queue-sidecar-image')).toBe(`${MIRROR}/knative-releases/knative.dev/serving/cmd/queue:v1.16.3`);
    expect(at(ks, 'spec.config.deployment.registries-skipping-tag-resolving')).toContain(MIRROR);
  });

  it('relocates the storage initializer, agent, router and runtime images KServe takes from its values', () => {
    const k = (path: string) => values(airgapOut, 'kserve', `kserve.${path}`);
    expect(k('storage')).toMatchObject({ image: `${MIRROR}/kserve/storage-initializer`, tag: 'v0.15.2' });
    expect(k('agent')).toMatchObject({ image: `${MIRROR}/kserve/agent`, tag: 'v0.15.2' });
    expect(k('router')).toMatchObject({ image: `${MIRROR}/kserve/router`, tag: 'v0.15.2' });
    expect(k('servingruntime.sklearnserver')).toMatchObject({ image: `${MIRROR}/kserve/sklearnserver`, tag: 'v0.15.2' });
    expect(k('servingruntime.torchserve')).toMatchObject({ image: `${MIRROR}/${repoAndTag(TORCHSERVE).split(':')[0]}`, tag: TORCHSERVE.tag });
    expect(k('servingruntime.art')).toMatchObject({ image: `${MIRROR}/kserve/art-explainer`, defaultVersion: 'v0.15.2' });
    expect(k('controller')).toMatchObject({ image: `${MIRROR}/kserve/kserve-controller`, rbacProxyImage: `${MIRROR}/${repoAndTag(RBAC_PROXY)}`, deploymentMode: 'Serverless' });
    // The multi-node Hugging Face runtime pulls `<huggingfaceserver>:<tag>-gpu`: relocated, locked and named on the Application.
    const lock = JSON.parse(airgapOut.files.get('images.lock.json')!) as Record<string, string>;
    expect(lock['docker.io/kserve/huggingfaceserver:v0.15.2-gpu']).toBe(`${MIRROR}/kserve/huggingfaceserver:v0.15.2-gpu`);
    expect(app(airgapOut, 'kserve').metadata.annotations?.['kompile.dev/derived-images']).toBe(`${MIRROR}/kserve/huggingfaceserver:v0.15.2-gpu`);
    for (const i of ['kserve/storage-initializer:v0.15.2', 'kserve/agent:v0.15.2', 'kserve/router:v0.15.2', 'kserve/sklearnserver:v0.15.2', repoAndTag(TORCHSERVE), repoAndTag(TORCHSERVE_GPU)]) {
      expect(images).toContain(`${MIRROR}/${i}`);
    }
  });

  it('relocates the Istio proxy (sidecars and gateway) and cert-manager images set through values', () => {
    const istiod = (path: string) => values(airgapOut, 'istiod', path);
    expect(istiod('global.proxy.image')).toBe(`${MIRROR}/istio/proxyv2:1.24.6`);
    expect(istiod('global.proxy_init.image')).toBe(`${MIRROR}/istio/proxyv2:1.24.6`);
    expect(istiod('pilot.image')).toBe(`${MIRROR}/istio/pilot:1.24.6`);
    expect(values(airgapOut, 'cert-manager', 'webhook.image')).toEqual({ repository: `${MIRROR}/jetstack/cert-manager-webhook`, tag: 'v1.18.6' });
    const op = values(airgapOut, 'knative-operator', 'knative_operator.knative_operator');
    // The image keys are merged beside the other values of the same workload.
    expect(op).toMatchObject({ image: `${MIRROR}/knative-releases/knative.dev/operator/cmd/operator`, tag: 'v1.16.6' });
    expect(at(op, 'containerSecurityContext.runAsNonRoot')).toBe(true);
  });

  it('references nothing outside the mirror: images, chart sources, model storage', () => {
    // Everything from the mirror, but for the images the platform's own CI builds into its registry.
    expect(images.filter((i) => !i.startsWith('registry.local:30500/')).every((i) => i.startsWith(`${MIRROR}/`))).toBe(true);
    const outside = /(gcr\.io|docker\.io|quay\.io|ghcr\.io|nvcr\.io|gs:\/\/|s3:\/\/|hf:\/\/|googleapis\.com|charts\.jetstack\.io|github\.(com|io))/;
    const leaks = allObjects(airgapOut).flatMap((o) => strings(o).filter(([, v]) => outside.test(v)).map(([p, v]) => `${o.kind}/${o.metadata.name}${p}: ${v}`));
    expect(leaks).toEqual([]);
    const sources = ['cert-manager', 'istio-base', 'istiod', 'istio-ingressgateway', 'knative-operator', 'kserve-crd', 'kserve'].map(
      (n) => (app(airgapOut, n).spec as { source: { repoURL: string } }).source.repoURL,
    );
    for (const s of sources) expect(s).toMatch(/^(https:\/\/git\.airgap\.internal\/|registry\.airgap\.internal:35000\/)/);
  });

  it('keeps prod on the upstream registries with the same image set', () => {
    const prodImages = [...prodOut.images.values()];
    expect(prodImages).toContain('gcr.io/knative-releases/knative.dev/serving/cmd/queue:v1.16.3');
    expect(prodImages.length).toBe(images.length);
  });
});
