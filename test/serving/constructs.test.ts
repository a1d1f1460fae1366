import { describe, expect, it } from 'vitest';
import { Component } from '../../lib/core/component';
import { Platform } from '../../lib/core/platform';
import { EnvironmentOutput } from '../../lib/core/synthesize';
import { CertManager } from '../../lib/serving/cert-manager';
import { GatewayTls } from '../../lib/serving/gateway-tls';
import { InferenceGraph } from '../../lib/serving/inference-graph';
import { InferenceService, PREVIOUS_STORAGE_URI } from '../../lib/serving/inference-service';
import { Istio } from '../../lib/serving/istio';
import { KnativeOperator } from '../../lib/serving/knative-operator';
import { KnativeServing } from '../../lib/serving/knative-serving';
import { KServe } from '../../lib/serving/kserve';
import { MeshPolicy } from '../../lib/serving/mesh-policy';
import { ModelGateway } from '../../lib/serving/model-gateway';
import { ModelRoute } from '../../lib/serving/model-route';
import { ServingRuntime } from '../../lib/serving/serving-runtime';
import { prod } from '../../stacks/prod';
import { findObject, K8sObject, objectsIn, synthEnvironment, synthPlatform, testPlatform } from '../helpers';
import { at } from './json-path';


/** A platform with one component for custom resources, and a way to read that component's objects. */
function withComponent(): { platform: Platform; component: Component; objects: () => K8sObject[]; out: () => EnvironmentOutput } {
  const platform = testPlatform();
  const component = new Component(platform, 'Test', { name: 'test' });
  const out = () => synthPlatform(platform);
  return { platform, component, out, objects: () => objectsIn(out(), 'test/manifests.yaml') };
}

function appValues(out: EnvironmentOutput, name: string): unknown {
  return at(findObject(objectsIn(out, `apps/${name}.yaml`), 'Application', name), 'spec.source.helm.valuesObject');
}

describe('CertManager', () => {
  it('sets replicas and resources of every cert-manager container', () => {
    const platform = testPlatform();
    const resources = { requests: { cpu: '10m', memory: '64Mi' }, limits: { cpu: '1', memory: '1Gi' } };
    new CertManager(platform, 'CertManager', { version: '1.18.2', namespace: 'certs', replicas: 3, resources });
    const v = appValues(synthPlatform(platform), 'cert-manager');
    expect(at(v, 'replicaCount')).toBe(3);
    expect(at(v, 'webhook.replicaCount')).toBe(3);
    expect(at(v, 'cainjector.resources')).toEqual(resources);
    expect(at(v, 'image')).toEqual({ repository: 'quay.io/jetstack/cert-manager-controller', tag: 'v1.18.2' });
    // Leader election in its own namespace, not kube-system (no namespace of the platform's project).
    expect(at(v, 'global.leaderElection.namespace')).toBe('certs');
  });
});

describe('Istio', () => {
  it('has Argo CD ignore (and leave) the failurePolicy istiod closes on its validating webhooks', () => {
    const platform = testPlatform();
    new Istio(platform, 'Istio', { version: '1.24.6', namespace: 'istio-system' });
    const out = synthPlatform(platform);
    const app = (name: string) => findObject(objectsIn(out, `apps/${name}.yaml`), 'Application', name);
    const ignoring = (webhooks: string) => [
      { group: 'admissionregistration.k8s.io', kind: 'ValidatingWebhookConfiguration', name: webhooks, jqPathExpressions: ['.webhooks[]?.failurePolicy'] },
    ];
    expect(at(app('istio-base'), 'spec.ignoreDifferences')).toEqual(ignoring('istiod-default-validator'));
    expect(at(app('istiod'), 'spec.ignoreDifferences')).toEqual(ignoring('istio-validator-istio-system'));
    for (const name of ['istio-base', 'istiod']) expect(at(app(name), 'spec.syncPolicy.syncOptions')).toContain('RespectIgnoreDifferences=true');
    expect(at(app('istio-ingressgateway'), 'spec.ignoreDifferences')).toBeUndefined();
    expect(at(app('istio-ingressgateway'), 'spec.syncPolicy.syncOptions')).not.toContain('RespectIgnoreDifferences=true');
  });

  it('takes replicas, the gateway service type and the resources', () => {
    const platform = testPlatform();
    const istiodResources = { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '2', memory: '4Gi' } };
    const proxyResources = { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } };
    new Istio(platform, 'Istio', { version: '1.24.3', namespace: 'mesh', replicas: 2, gatewayServiceType: 'NodePort', istiodResources, proxyResources });
    const out = synthPlatform(platform);
    expect(at(appValues(out, 'istiod'), 'pilot')).toMatchObject({ replicaCount: 2, resources: istiodResources, image: 'docker.io/istio/pilot:1.24.3' });
    expect(at(appValues(out, 'istiod'), 'global.proxy')).toEqual({ resources: proxyResources, image: 'docker.io/istio/proxyv2:1.24.3' });
    expect(appValues(out, 'istio-ingressgateway')).toMatchObject({ replicaCount: 2, resources: proxyResources, service: { type: 'NodePort' }, labels: { istio: 'ingressgateway' } });
    const dest = at(findObject(objectsIn(out, 'apps/istiod.yaml'), 'Application', 'istiod'), 'spec.destination.namespace');
    expect(dest).toBe('mesh');
  });

  it('defaults the gateway to a LoadBalancer Service', () => {
    const platform = testPlatform();
    new Istio(platform, 'Istio', { version: '1.24.6', namespace: 'istio-system' });
    expect(at(appValues(synthPlatform(platform), 'istio-ingressgateway'), 'service.type')).toBe('LoadBalancer');
  });
});

describe('KnativeOperator', () => {
  it('sets resources and the container keys the chart reads beside the image keys', () => {
    const platform = testPlatform();
    const resources = { requests: { cpu: '10m', memory: '32Mi' }, limits: { cpu: '100m', memory: '64Mi' } };
    new KnativeOperator(platform, 'Op', { version: '1.16.1', namespace: 'kop', resources });
    const v = at(appValues(synthPlatform(platform), 'knative-operator'), 'knative_operator.operator_webhook');
    expect(v).toMatchObject({ resources, image: 'gcr.io/knative-releases/knative.dev/operator/cmd/webhook', tag: 'v1.16.1' });
    // Chart 1.16.x reads three scalars of containerSecurityContext and hard-codes the rest.
    expect(at(v, 'containerSecurityContext')).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true });
  });
});

describe('KnativeServing', () => {
  it('writes autoscaler defaults, replicas, tag-resolution skips and the data path in the mesh', () => {
    const { component, objects } = withComponent();
    new KnativeServing(component, 'Serving', {
      namespace: 'knative-serving',
      version: '1.16.2',
      netIstioVersion: '1.16.1',
      domain: 'ml.example.org',
      autoscaler: { scaleToZero: false, targetConcurrency: 7, scaleToZeroGracePeriod: '1m' },
      replicas: 3,
      skipTagResolution: ['registry.local:5000'],
      dataPathInMesh: true,
    });
    const ks = findObject(objects(), 'KnativeServing', 'knative-serving', 'knative-serving');
    expect(at(ks, 'spec.version')).toBe('1.16');
    expect(at(ks, 'spec.config.autoscaler')).toEqual({ 'enable-scale-to-zero': 'false', 'container-concurrency-target-default': '7', 'scale-to-zero-grace-period': '1m' });
    expect(at(ks, 'spec.config.domain')).toEqual({ 'ml.example.org': '' });
    expect(at(ks, 'spec.high-availability.replicas')).toBe(3);
    expect(at(ks, 'spec.config.deployment.registries-skipping-tag-resolving')).toBe('kind.local,ko.local,dev.local,registry.local:5000');
    expect(at(ks, 'spec.workloads')).toEqual([
      { name: 'activator', labels: { 'sidecar.istio.io/inject': 'true' } },
      { name: 'autoscaler', labels: { 'sidecar.istio.io/inject': 'true' } },
    ]);
    expect(at(ks, 'spec.registry.override.net-istio-webhook/webhook')).toBe('gcr.io/knative-releases/knative.dev/net-istio/cmd/webhook:v1.16.1');
    expect(at(ks, 'spec.registry.override.queue-proxy')).toBe('gcr.io/knative-releases/knative.dev/serving/cmd/queue:v1.16.2');
  });

  it('lists every Knative image of the resource in images.txt, by default outside the mesh', () => {
    const { component, objects, out } = withComponent();
    new KnativeServing(component, 'Serving', { namespace: 'knative-serving', version: '1.16.3', netIstioVersion: '1.16.0', domain: 'example.com' });
    expect(at(findObject(objects(), 'KnativeServing', 'knative-serving'), 'spec.workloads')).toBeUndefined();
    expect(out().files.get('images.txt')!.trim().split('\n')).toHaveLength(10);
  });
});

describe('KServe', () => {
  it('takes the deployment mode, domain, ingress gateway and resources', () => {
    const platform = testPlatform();
    const resources = { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '2', memory: '2Gi' } };
    new KServe(platform, 'KServe', { version: '0.15.1', namespace: 'ks', deploymentMode: 'RawDeployment', domain: 'ml.example.org', ingressGateway: 'istio-system/models', resources });
    const out = synthPlatform(platform);
    const c = at(appValues(out, 'kserve'), 'kserve.controller');
    expect(at(c, 'gateway.disableIngressCreation')).toBe(false);
    expect(c).toMatchObject({ deploymentMode: 'RawDeployment', resources, gateway: { domain: 'ml.example.org', ingressGateway: { gateway: 'istio-system/models' } }, tag: 'v0.15.1' });
    expect(at(c, 'securityContext')).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(at(appValues(out, 'kserve'), 'kserve.servingruntime.huggingfaceserver_multinode')).toBeUndefined();
    // Its own webhook validates its ClusterServingRuntimes: more retries than the default 5.
    expect(at(findObject(objectsIn(out, 'apps/kserve.yaml'), 'Application', 'kserve'), 'spec.syncPolicy.retry.limit')).toBe(10);
    expect(at(findObject(objectsIn(out, 'apps/kserve-crd.yaml'), 'Application', 'kserve-crd'), 'spec.syncPolicy.retry.limit')).toBe(5);
    expect(at(findObject(objectsIn(out, 'apps/kserve-crd.yaml'), 'Application', 'kserve-crd'), 'spec.syncPolicy.syncOptions')).toContain('ServerSideApply=true');
  });

  it('leaves Ingress creation to KServe unless told not to', () => {
    const platform = testPlatform();
    new KServe(platform, 'KServe', { version: '0.15.2', namespace: 'kserve', deploymentMode: 'Serverless', domain: 'd.example.org', createIngress: false });
    expect(at(appValues(synthPlatform(platform), 'kserve'), 'kserve.controller.gateway.disableIngressCreation')).toBe(true);
  });
});

describe('InferenceService', () => {
  const base = { name: 'm', namespace: 'models', storageUri: 'gs://bucket/m' } as const;

  it('serves a custom container with args, GPUs, replicas, canary, resources and a sidecar', () => {
    const { component, objects } = withComponent();
    const resources = { requests: { cpu: '2', memory: '4Gi' }, limits: { cpu: '4', memory: '8Gi' } };
    new InferenceService(component, 'M', {
      ...base,
      format: 'custom',
      image: 'registry.local:5000/team/server:1.2',
      args: ['--port=8080'],
      gpu: { count: 2, resourceName: 'nvidia.com/gpu', runtimeClassName: 'nvidia' },
      minReplicas: 0,
      maxReplicas: 3,
      canary: { trafficPercent: 25, previousStorageUri: 'gs://bucket/m-old' },
      resources,
      sidecar: true,
    });
    const isvc = findObject(objects(), 'InferenceService', 'm', 'models');
    const p = at(isvc, 'spec.predictor');
    expect(p).toMatchObject({ minReplicas: 0, maxReplicas: 3, canaryTrafficPercent: 25, runtimeClassName: 'nvidia', labels: { 'sidecar.istio.io/inject': 'true' } });
    expect(at(p, 'containers.0')).toMatchObject({
      name: 'kserve-container',
      image: 'registry.local:5000/team/server:1.2',
      args: ['--port=8080'],
      env: [{ name: 'STORAGE_URI', value: 'gs://bucket/m' }],
      resources: { requests: { cpu: '2', memory: '4Gi', 'nvidia.com/gpu': '2' }, limits: { cpu: '4', memory: '8Gi', 'nvidia.com/gpu': '2' } },
    });
    expect(isvc.metadata.annotations?.[PREVIOUS_STORAGE_URI]).toBe('gs://bucket/m-old');
  });

  it('serves a format through KServe runtimes, a named one if given, unprivileged, one replica by default', () => {
    const { component, objects } = withComponent();
    new InferenceService(component, 'M', { ...base, format: 'huggingface', runtime: 'my-hf' });
    const p = at(findObject(objects(), 'InferenceService', 'm'), 'spec.predictor');
    expect(p).toMatchObject({ minReplicas: 1, maxReplicas: 1 });
    expect(at(p, 'model')).toMatchObject({ modelFormat: { name: 'huggingface' }, runtime: 'my-hf', storageUri: 'gs://bucket/m', resources: { limits: { cpu: '1', memory: '2Gi' } } });
    expect(at(p, 'model.securityContext')).toEqual({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(at(p, 'labels')).toBeUndefined();
  });

  it('names the prop of every invalid combination', () => {
    const make = (extra: Record<string, unknown>) => () => new InferenceService(withComponent().component, 'M', { ...base, format: 'sklearn', ...extra });
    expect(make({ format: 'custom' })).toThrow(/\[Test\/M\] prop 'image' is required/);
    expect(make({ image: 'x/y:1' })).toThrow(/prop 'image' is only for format 'custom'/);
    expect(make({ gpu: { count: 0, resourceName: 'nvidia.com/gpu' } })).toThrow(/prop 'gpu.count'/);
    expect(make({ canary: { trafficPercent: 10, previousStorageUri: '' } })).toThrow(/needs a previous revision/);
    expect(make({ canary: { trafficPercent: 10, previousStorageUri: base.storageUri } })).toThrow(/no previous revision/);
    expect(make({ canary: { trafficPercent: 100, previousStorageUri: 'gs://b/o' } })).toThrow(/canary.trafficPercent/);
    expect(make({ minReplicas: 3, maxReplicas: 2 })).toThrow(/prop 'maxReplicas' \(2\) is below 'minReplicas' \(3\)/);
  });
});

describe('ServingRuntime', () => {
  it('is a namespaced ServingRuntime with a namespace, with protocols, args, resources and GPUs', () => {
    const { component, objects } = withComponent();
    new ServingRuntime(component, 'R', {
      name: 'torch-gpu',
      namespace: 'models',
      image: 'docker.io/pytorch/torchserve-kfs:0.9.0-gpu',
      formats: [{ name: 'pytorch', version: '1', autoSelect: true, priority: 2 }],
      protocolVersions: ['v1', 'v2'],
      args: ['torchserve', '--start'],
      resources: { requests: { cpu: '2', memory: '4Gi' }, limits: { cpu: '2', memory: '4Gi' } },
      extendedLimits: { 'nvidia.com/gpu': '1' },
      runAsUser: 1000,
    });
    const r = findObject(objects(), 'ServingRuntime', 'torch-gpu', 'models');
    expect(at(r, 'spec.supportedModelFormats')).toEqual([{ name: 'pytorch', version: '1', autoSelect: true, priority: 2 }]);
    expect(at(r, 'spec.protocolVersions')).toEqual(['v1', 'v2']);
    expect(at(r, 'spec.containers.0')).toMatchObject({ args: ['torchserve', '--start'], resources: { limits: { cpu: '2', memory: '4Gi', 'nvidia.com/gpu': '1' } } });
    expect(at(r, 'spec.containers.0.securityContext.runAsUser')).toBe(1000);
  });

  it('is a ClusterServingRuntime without a namespace, and needs a format', () => {
    const { component, objects } = withComponent();
    const r = new ServingRuntime(component, 'R', { name: 'sk', image: 'docker.io/kserve/sklearnserver:v0.15.2', formats: [{ name: 'sklearn' }] });
    expect(r.clusterScoped).toBe(true);
    const obj = findObject(objects(), 'ClusterServingRuntime', 'sk');
    expect(obj.metadata.namespace).toBeUndefined();
    expect(at(obj, 'spec.protocolVersions')).toEqual(['v1']);
    expect(at(obj, 'spec.containers.0.securityContext.runAsUser')).toBeUndefined();
    expect(() => new ServingRuntime(withComponent().component, 'R', { name: 'x', image: 'a/b:1', formats: [] })).toThrow(/prop 'formats'/);
  });
});

describe('InferenceGraph', () => {
  it('renders a splitter graph with replica bounds and router resources', () => {
    const { component, objects } = withComponent();
    new InferenceGraph(component, 'G', {
      name: 'ab',
      namespace: 'models',
      nodes: {
        root: { routerType: 'Splitter', steps: [{ name: 'a', serviceName: 'iris-a', weight: 80 }, { name: 'b', nodeName: 'second', weight: 20 }] },
        second: { routerType: 'Sequence', steps: [{ name: 'c', serviceName: 'iris-b', data: '$response' }] },
      },
      minReplicas: 2,
      maxReplicas: 4,
      resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '1', memory: '512Mi' } },
    });
    const g = findObject(objects(), 'InferenceGraph', 'ab', 'models');
    expect(at(g, 'spec')).toMatchObject({ minReplicas: 2, maxReplicas: 4, resources: { limits: { cpu: '1', memory: '512Mi' } } });
    expect(at(g, 'spec.nodes.root.steps.0')).toEqual({ name: 'a', serviceName: 'iris-a', weight: 80 });
    expect(at(g, 'spec.nodes.second.routerType')).toBe('Sequence');
  });

  it('rejects graphs that could never route', () => {
    const make = (nodes: Record<string, unknown>) => () => new InferenceGraph(withComponent().component, 'G', { name: 'g', namespace: 'm', nodes: nodes as never });
    expect(make({ other: { routerType: 'Sequence', steps: [{ name: 'a', serviceName: 's' }] } })).toThrow(/'root' node/);
    expect(make({ root: { routerType: 'Sequence', steps: [] } })).toThrow(/node 'root' has no steps/);
    expect(make({ root: { routerType: 'Sequence', steps: [{ name: 'a' }] } })).toThrow(/exactly one of serviceName and nodeName/);
    expect(make({ root: { routerType: 'Sequence', steps: [{ name: 'a', nodeName: 'nope' }] } })).toThrow(/unknown node 'nope'/);
    expect(make({ root: { routerType: 'Splitter', steps: [{ name: 'a', serviceName: 's', weight: 60 }] } })).toThrow(/adding up to 60/);
  });
});

describe('GatewayTls, ModelGateway, ModelRoute, MeshPolicy', () => {
  it('chains a self-signed CA to the gateway certificate with namespaced issuers in the gateway namespace, with prefix and duration', () => {
    const { component, objects } = withComponent();
    const tls = new GatewayTls(component, 'Tls', { prefix: 'ml', gatewayNamespace: 'gw', dnsNames: ['*.ml.example.org'], secretName: 'ml-tls', duration: '720h' });
    const objs = objects();
    expect(objs.filter((o) => o.kind === 'ClusterIssuer')).toEqual([]);
    expect(at(findObject(objs, 'Issuer', 'ml-selfsigned', 'gw'), 'spec')).toEqual({ selfSigned: {} });
    expect(at(findObject(objs, 'Certificate', 'ml-ca', 'gw'), 'spec')).toMatchObject({ isCA: true, secretName: 'ml-ca', issuerRef: { kind: 'Issuer', name: 'ml-selfsigned' } });
    expect(at(findObject(objs, 'Issuer', 'ml-ca', 'gw'), 'spec.ca.secretName')).toBe('ml-ca');
    expect(at(findObject(objs, 'Certificate', 'ml-tls', 'gw'), 'spec')).toMatchObject({ secretName: 'ml-tls', duration: '720h', dnsNames: ['*.ml.example.org'], issuerRef: { kind: 'Issuer', name: 'ml-ca' } });
    expect(tls.caSecretName).toBe('ml-ca');
    expect(objs.filter((o) => o.kind === 'Secret')).toEqual([]);
    expect(() => new GatewayTls(withComponent().component, 'Tls', { gatewayNamespace: 'gw', dnsNames: [], secretName: 's' })).toThrow(/prop 'dnsNames'/);
  });

  it('serves HTTPS with the certificate secret, optionally without redirecting HTTP', () => {
    const { component, objects } = withComponent();
    const gw = new ModelGateway(component, 'Gw', { name: 'models', namespace: 'gw', selector: { istio: 'ingressgateway' }, hosts: ['*.ml.example.org'], credentialName: 'ml-tls', httpsRedirect: false });
    expect(gw.ref).toBe('gw/models');
    const servers = at(findObject(objects(), 'Gateway', 'models', 'gw'), 'spec.servers');
    expect(servers).toEqual([
      { name: 'https', port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['*.ml.example.org'], tls: { mode: 'SIMPLE', credentialName: 'ml-tls' } },
      { name: 'http', port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*.ml.example.org'], tls: { httpsRedirect: false } },
    ]);
    expect(() => new ModelGateway(withComponent().component, 'Gw', { name: 'g', namespace: 'n', selector: {}, hosts: [], credentialName: 's' })).toThrow(/prop 'hosts'/);
  });

  it('routes a host to a destination port, with authority rewrite and timeout', () => {
    const { component, objects } = withComponent();
    new ModelRoute(component, 'R', { name: 'iris', namespace: 'm', host: 'iris.ml.example.org', gateways: ['gw/models'], destinationHost: 'lg.svc.cluster.local', destinationPort: 8080, rewriteAuthority: 'iris-predictor.m.svc.cluster.local', timeout: '5s' });
    const http = at(findObject(objects(), 'VirtualService', 'iris', 'm'), 'spec.http.0');
    expect(http).toEqual({ name: 'model', timeout: '5s', rewrite: { authority: 'iris-predictor.m.svc.cluster.local' }, route: [{ destination: { host: 'lg.svc.cluster.local', port: { number: 8080 } } }] });
    expect(() => new ModelRoute(withComponent().component, 'R', { name: 'x', namespace: 'm', host: 'h', gateways: [], destinationHost: 'd' })).toThrow(/prop 'gateways'/);
  });

  it('enforces the mTLS mode and allows only the listed principals and namespaces', () => {
    const { component, objects } = withComponent();
    new MeshPolicy(component, 'Mesh', { namespace: 'm', mtls: 'PERMISSIVE', allowPrincipals: ['cluster.local/ns/istio-system/sa/gw'], allowNamespaces: ['knative-serving'] });
    const objs = objects();
    expect(at(findObject(objs, 'PeerAuthentication', 'default', 'm'), 'spec')).toEqual({ mtls: { mode: 'PERMISSIVE' } });
    expect(at(findObject(objs, 'AuthorizationPolicy', 'allow-gateway-and-namespace', 'm'), 'spec')).toEqual({
      action: 'ALLOW',
      rules: [{ from: [{ source: { principals: ['cluster.local/ns/istio-system/sa/gw'] } }, { source: { namespaces: ['knative-serving', 'm'] } }] }],
    });
    expect(() => new MeshPolicy(withComponent().component, 'Mesh', { namespace: 'm', allowPrincipals: [] })).toThrow(/prop 'allowPrincipals'/);
  });
});

describe('ServingStack options', () => {
  it('keeps Knative out of the mesh (and restricted) with PERMISSIVE mTLS', () => {
    const out = synthEnvironment({ components: { serving: { mtls: 'PERMISSIVE' } } }, prod);
    const ns = findObject(objectsIn(out, 'namespaces/manifests.yaml'), 'Namespace', 'knative-serving');
    expect(ns.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
    expect(at(findObject(objectsIn(out, 'knative-serving/manifests.yaml'), 'KnativeServing', 'knative-serving'), 'spec.workloads')).toBeUndefined();
    expect(at(findObject(objectsIn(out, 'serving-security/manifests.yaml'), 'PeerAuthentication', 'default', 'kserve-models'), 'spec.mtls.mode')).toBe('PERMISSIVE');
  });

  it('takes the model namespace, domain and Knative autoscaler from configuration', () => {
    const out = synthEnvironment({ components: { serving: { namespace: 'ml', domain: 'ml.corp.internal', knative: { autoscaler: { scaleToZero: false } } } } }, prod);
    expect(findObject(objectsIn(out, 'models/manifests.yaml'), 'InferenceService', 'sklearn-iris').metadata.namespace).toBe('ml');
    expect(at(findObject(objectsIn(out, 'serving-security/manifests.yaml'), 'Certificate', 'kserve-models-tls', 'istio-system'), 'spec.dnsNames')).toEqual(['*.ml.corp.internal']);
    expect(at(findObject(objectsIn(out, 'knative-serving/manifests.yaml'), 'KnativeServing', 'knative-serving'), 'spec.config.autoscaler.enable-scale-to-zero')).toBe('false');
  });
});
