import { k8s } from 'cdk8s-plus-28';
import { describe, expect, it } from 'vitest';
import { podAdmissionFindings } from '../../lib/checks/pod-admission';
import { ManifestLike } from '../../lib/checks/objects';
import { runningPods } from '../../lib/checks/pods';
import { Component } from '../../lib/core/component';
import { SynthError } from '../../lib/core/errors';
import { Namespaces } from '../../lib/core/namespaces';
import { restrictedContainerSecurityContext } from '../../lib/core/pod-security';
import { Istio } from '../../lib/serving/istio';
import { synthPlatform, testPlatform } from '../helpers';

const OK_CONTAINER = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };

function ns(name: string, level: string, labels: Record<string, string> = {}): ManifestLike {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'pod-security.kubernetes.io/enforce': level, ...labels } } };
}

function istiod(cni: boolean): ManifestLike {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: 'istiod', namespace: 'argocd' },
    spec: { source: { chart: 'istiod', helm: { valuesObject: { pilot: cni ? { cni: { enabled: true } } : {} } } } },
  };
}

function deployment(namespace: string, labels: Record<string, string> = {}, podSecurityContext?: Record<string, unknown>): ManifestLike {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'api', namespace },
    spec: { template: { metadata: { labels: { app: 'api', ...labels } }, spec: { securityContext: podSecurityContext, containers: [{ name: 'app', securityContext: OK_CONTAINER }] } } },
  };
}

function isvc(namespace: string, storageUri: string, annotations: Record<string, string> = {}, predictor: Record<string, unknown> = {}): ManifestLike {
  return {
    apiVersion: 'serving.kserve.io/v1beta1',
    kind: 'InferenceService',
    metadata: { name: 'iris', namespace, annotations },
    spec: { predictor: { model: { modelFormat: { name: 'sklearn' }, storageUri, securityContext: OK_CONTAINER }, ...predictor } },
  };
}

const messages = (objects: ManifestLike[]) => podAdmissionFindings(objects).map((f) => `${f.index} ${f.pointer}: ${f.message}`);

describe('mesh injection', () => {
  const meshed = { 'sidecar.istio.io/inject': 'true' };

  it("refuses a meshed pod where the namespace forbids istio-init's capabilities, naming who adds them", () => {
    const found = messages([ns('ml', 'baseline'), istiod(false), deployment('ml', meshed)]);
    expect(found).toEqual([
      "2 /spec/template: namespace 'ml' enforces Pod Security 'baseline'; the pod template is refused: container 'istio-init': capability 'NET_ADMIN' may not be added (it is not one of the capabilities baseline allows) (added by Istio sidecar injection (istio-init, no Istio CNI node agent))",
      "2 /spec/template: namespace 'ml' enforces Pod Security 'baseline'; the pod template is refused: container 'istio-init': capability 'NET_RAW' may not be added (it is not one of the capabilities baseline allows) (added by Istio sidecar injection (istio-init, no Istio CNI node agent))",
    ]);
  });

  it('admits it at baseline with the Istio CNI node agent, and at restricted only with a pod-level seccomp profile', () => {
    expect(messages([ns('ml', 'baseline'), istiod(true), deployment('ml', meshed)])).toEqual([]);
    const restricted = messages([ns('ml', 'restricted'), istiod(true), deployment('ml', meshed)]);
    expect(restricted.map((m) => m.replace(/.*container '([^']+)'.*/, '$1'))).toEqual(['istio-proxy', 'istio-validation']);
    expect(restricted[0]).toContain('seccompProfile');
    expect(messages([ns('ml', 'restricted'), istiod(true), deployment('ml', meshed, { seccompProfile: { type: 'RuntimeDefault' } })])).toEqual([]);
  });

  it("injects by the namespace label, skips pods labelled 'false', and injects nothing without istiod", () => {
    const injected = (objects: ManifestLike[]) => runningPods(objects).map((p) => (p.spec.containers as { name: string }[]).map((c) => c.name).join(','));
    expect(injected([ns('ml', 'baseline', { 'istio-injection': 'enabled' }), istiod(true), deployment('ml')])).toEqual(['app,istio-proxy']);
    expect(injected([ns('ml', 'baseline', { 'istio-injection': 'enabled' }), istiod(true), deployment('ml', { 'sidecar.istio.io/inject': 'false' })])).toEqual(['app']);
    expect(injected([ns('ml', 'baseline'), deployment('ml', meshed)])).toEqual(['app']);
    // A namespace labelled anything but 'enabled' refuses injection even to pods that ask for it.
    expect(injected([ns('ml', 'baseline', { 'istio-injection': 'disabled' }), istiod(true), deployment('ml', meshed)])).toEqual(['app']);
    expect(injected([ns('ml', 'baseline', { 'istio.io/rev': 'default' }), istiod(true), deployment('ml')])).toEqual(['app,istio-proxy']);
  });

  it('does not judge pods of namespaces the environment does not label', () => {
    expect(messages([istiod(false), deployment('elsewhere', meshed)])).toEqual([]);
  });
});

describe('pods controllers make', () => {
  it("models KServe's Serverless predictor pod: model container, queue-proxy, storage initializer, no pod-level context", () => {
    const pods = runningPods([isvc('models', 'gs://bucket/model', {}, { securityContext: { seccompProfile: { type: 'RuntimeDefault' } } })]);
    expect(pods).toHaveLength(1);
    const names = (l: string) => (pods[0].spec[l] as { name: string }[]).map((c) => c.name);
    expect(names('containers')).toEqual(['kserve-container', 'queue-proxy']);
    expect(names('initContainers')).toEqual(['storage-initializer']);
    expect(pods[0].spec.securityContext).toBeUndefined();
    expect(pods[0].labels).toMatchObject({ 'serving.kserve.io/inferenceservice': 'iris', component: 'predictor' });
  });

  it('keeps the pod-level context in RawDeployment mode, which then covers the storage initializer at restricted', () => {
    const raw = { 'serving.kserve.io/deploymentMode': 'RawDeployment' };
    const podSc = { securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } } };
    expect(messages([ns('models', 'restricted'), isvc('models', 'gs://bucket/model', raw, podSc)])).toEqual([]);
    const without = messages([ns('models', 'restricted'), isvc('models', 'gs://bucket/model', raw)]);
    expect(without).toEqual([expect.stringContaining("container 'storage-initializer': seccompProfile.type must be RuntimeDefault or Localhost (on the container or the pod) (added by KServe's pod webhook (storage initializer))")]);
    expect(without[0]).toMatch(/^1 \/spec\/predictor: /);
  });

  it('gives the storage initializer of a pvc:// model no security context (no ClusterStorageContainer matches it)', () => {
    const found = messages([ns('models', 'restricted'), isvc('models', 'pvc://models/iris')]);
    expect(found.filter((m) => m.includes('storage-initializer')).length).toBeGreaterThan(2);
    expect(messages([ns('models', 'baseline'), isvc('models', 'pvc://models/iris')])).toEqual([]);
  });

  it("meshes the Knative deployments a KnativeServing's workload overrides label", () => {
    const serving: ManifestLike = {
      apiVersion: 'operator.knative.dev/v1beta1',
      kind: 'KnativeServing',
      metadata: { name: 'knative-serving', namespace: 'knative-serving' },
      spec: { workloads: [{ name: 'activator', labels: { 'sidecar.istio.io/inject': 'true' } }] },
    };
    const found = messages([ns('knative-serving', 'baseline'), istiod(false), serving]);
    expect(found.every((m) => m.startsWith('2 /spec/workloads/0: ') && m.includes('the activator pod (made by the Knative Operator)'))).toBe(true);
    expect(found).toHaveLength(2);
    expect(messages([ns('knative-serving', 'restricted'), serving])).toEqual([]);
  });
});

describe('the synth', () => {
  function meshedPlatform(cni: boolean) {
    const p = testPlatform();
    const namespaces = new Namespaces(p, 'Namespaces', { kubernetesVersion: '1.28' });
    namespaces.add({ name: 'ml', podSecurity: 'baseline', podSecurityReason: 'meshed' });
    namespaces.add({ name: 'istio-system', podSecurity: 'baseline', podSecurityReason: 'gateway' });
    if (cni) namespaces.add({ name: 'istio-cni', podSecurity: 'privileged', podSecurityReason: 'node agent' });
    new Istio(p, 'Istio', { version: '1.24.6', namespace: 'istio-system', cni: cni ? { namespace: 'istio-cni' } : undefined });
    const app = new Component(p, 'App', { name: 'app', namespace: 'ml' });
    new k8s.KubeDeployment(app, 'Api', {
      metadata: { name: 'api', namespace: 'ml' },
      spec: {
        selector: { matchLabels: { app: 'api' } },
        template: {
          metadata: { labels: { app: 'api', 'sidecar.istio.io/inject': 'true' } },
          spec: { securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } }, containers: [{ name: 'app', image: 'ghcr.io/acme/api:1.0', securityContext: restrictedContainerSecurityContext() }] },
        },
      },
    });
    return p;
  }

  it('fails when a meshed pod lands in a namespace that forbids what injection adds, naming the construct', () => {
    let error: unknown;
    try {
      synthPlatform(meshedPlatform(false));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SynthError);
    const issues = (error as SynthError).issues.map((i) => `[${i.path}] ${i.message}`);
    expect(issues).toEqual([
      expect.stringMatching(/^\[App\/Api\] \/spec\/template: namespace 'ml' enforces Pod Security 'baseline'.*'NET_ADMIN'.*istio-init/),
      expect.stringMatching(/^\[App\/Api\] .*'NET_RAW'/),
    ]);
  });

  it('passes once the mesh redirects traffic with the Istio CNI node agent', () => {
    expect(() => synthPlatform(meshedPlatform(true))).not.toThrow();
  });

  it('fails on any pod template that breaks its namespace level, not only restricted ones', () => {
    const p = testPlatform();
    const namespaces = new Namespaces(p, 'Namespaces', { kubernetesVersion: '1.28' });
    namespaces.add({ name: 'ops', podSecurity: 'baseline', podSecurityReason: 'tools' });
    const c = new Component(p, 'Ops', { name: 'ops', namespace: 'ops' });
    new k8s.KubeDaemonSet(c, 'Agent', {
      metadata: { name: 'agent', namespace: 'ops' },
      spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { hostNetwork: true, containers: [{ name: 'agent', image: 'ghcr.io/acme/agent:1.0' }] } } },
    });
    expect(() => synthPlatform(p)).toThrow(/\[Ops\/Agent\] \/spec\/template\/spec\/hostNetwork: namespace 'ops' enforces Pod Security 'baseline'/);
  });
});

describe('what a rendered chart says about the mesh and KServe', () => {
  const injector = (cni: boolean): ManifestLike => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'istio-sidecar-injector', namespace: 'istio-system' },
    data: { values: JSON.stringify({ pilot: { cni: { enabled: cni } } }) },
  });

  it("reads CNI from the injector's rendered ConfigMap where istiod is hydrated (no Helm values on its Application)", () => {
    const meshed = { 'sidecar.istio.io/inject': 'true' };
    expect(messages([ns('ml', 'baseline'), injector(true), deployment('ml', meshed)])).toEqual([]);
    expect(messages([ns('ml', 'baseline'), injector(false), deployment('ml', meshed)])).toHaveLength(2);
  });

  it("reads KServe's default deployment mode from its rendered inferenceservice-config", () => {
    const config = (mode: string): ManifestLike => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'inferenceservice-config', namespace: 'kserve' }, data: { deploy: JSON.stringify({ defaultDeploymentMode: mode }) } });
    const names = (objects: ManifestLike[]) => (runningPods(objects)[0].spec.containers as { name: string }[]).map((c) => c.name);
    expect(names([config('RawDeployment'), isvc('models', 'gs://b/m')])).toEqual(['kserve-container']);
    expect(names([config('Serverless'), isvc('models', 'gs://b/m')])).toEqual(['kserve-container', 'queue-proxy']);
  });
});
