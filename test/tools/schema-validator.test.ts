import { beforeAll, describe, expect, it } from 'vitest';
import { SchemaFinding, SchemaValidator } from '../../lib/tools/schema-validator';
import { kubernetesSchema } from '../helpers';

let validator: SchemaValidator;

beforeAll(() => {
  validator = kubernetesSchema();
}, 30_000);

type Obj = Record<string, unknown>;

/** One edit of a test object: the property path and the new value (`undefined` deletes it). */
type Edit = [path: ReadonlyArray<string | number>, value: unknown];

/** A deep copy of `base` with `edits` applied. */
function edited(base: Obj, edits: readonly Edit[]): Obj {
  const copy = structuredClone(base);
  for (const [keys, value] of edits) {
    let parent: Record<string | number, unknown> = copy;
    for (const key of keys.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
    const last = keys[keys.length - 1];
    if (value === undefined) delete parent[last];
    else parent[last] = value;
  }
  return copy;
}

const CONTAINER = ['spec', 'template', 'spec', 'containers', 0];

/** A valid apps/v1 Deployment, with `edits` applied. */
function deployment(...edits: Edit[]): Obj {
  const d = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'chatbot-api',
      namespace: 'chatbot',
      labels: { 'app.kubernetes.io/name': 'chatbot-api', tier: '' },
      annotations: { 'argocd.argoproj.io/sync-wave': '2' },
      creationTimestamp: null,
    },
    spec: {
      replicas: 2,
      selector: { matchLabels: { 'app.kubernetes.io/name': 'chatbot-api' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } },
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': 'chatbot-api' } },
        spec: {
          containers: [
            {
              name: 'api',
              image: 'registry.local:5000/chatbot/api:1.0.0',
              imagePullPolicy: 'IfNotPresent',
              ports: [{ name: 'http', containerPort: 8000 }],
              env: [{ name: 'REDIS_URL', value: 'redis://redis:6379' }],
              resources: { limits: { cpu: 2, memory: '4Gi', 'nvidia.com/gpu': 1 }, requests: { cpu: '500m' } },
              readinessProbe: { httpGet: { path: '/healthz', port: 'http' } },
              livenessProbe: { httpGet: { path: '/healthz', port: 8000 } },
            },
          ],
        },
      },
    },
    status: { anything: 'goes' },
  };
  return edited(d, edits);
}

function service(name: string, targetPort: unknown): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'chatbot' },
    spec: { type: 'NodePort', selector: { app: 'api' }, ports: [{ port: 80, targetPort, nodePort: 31302 }] },
  };
}

function mcpServer(spec: Obj): Obj {
  return {
    apiVersion: 'toolhive.stacklok.dev/v1beta1',
    kind: 'MCPServer',
    metadata: { name: 'fetch', namespace: 'toolhive-system' },
    spec,
  };
}

/** The [path, message] pairs of findings, for compact assertions. */
function pairs(findings: SchemaFinding[]): Array<[string, string]> {
  return findings.map((f) => [f.path, f.message]);
}

/** The [path, message] pairs of the findings for `obj`. */
function problemsOf(obj: Obj): Array<[string, string]> {
  return pairs(validator.validate(obj));
}

describe('SchemaValidator: built-in kinds', () => {
  it('accepts a valid Deployment (nulls, status and int-or-string included)', () => {
    expect(validator.validate(deployment())).toEqual([]);
  });

  it('rejects an unknown container field at the container path', () => {
    const findings = validator.validate(deployment([[...CONTAINER, 'imagePullPolicyy'], 'Always']));
    expect(findings).toEqual([
      {
        object: 'Deployment/chatbot/chatbot-api',
        path: '/spec/template/spec/containers/0',
        message: 'unknown field "imagePullPolicyy"',
      },
    ]);
  });

  it('rejects an unknown top-level spec field', () => {
    expect(problemsOf(deployment([['spec', 'replica'], 3]))).toEqual([['/spec', 'unknown field "replica"']]);
  });

  it('rejects unknown metadata fields', () => {
    expect(problemsOf(deployment([['metadata', 'lables'], {}]))).toEqual([['/metadata', 'unknown field "lables"']]);
  });

  it('rejects a wrong type with the field path and the offending value', () => {
    const findings = validator.validate(deployment([['spec', 'replicas'], '3']));
    expect(pairs(findings)).toEqual([['/spec/replicas', 'must be integer (got "3")']]);
  });

  it('rejects int32 overflow', () => {
    const findings = validator.validate(deployment([['spec', 'replicas'], 2 ** 31]));
    expect(pairs(findings)).toEqual([['/spec/replicas', expect.stringMatching(/valid int32/)]]);
  });

  it('reports missing required fields at the parent path', () => {
    const noName = validator.validate(deployment([[...CONTAINER, 'name'], undefined]));
    expect(pairs(noName)).toEqual([['/spec/template/spec/containers/0', 'missing required field "name"']]);
    const noSelector = validator.validate(deployment([['spec', 'selector'], undefined]));
    expect(pairs(noSelector)).toEqual([['/spec', 'missing required field "selector"']]);
  });

  it('enforces enums the API server checks but the 1.28 OpenAPI omits', () => {
    const findings = validator.validate(deployment([[...CONTAINER, 'imagePullPolicy'], 'Sometimes']));
    expect(pairs(findings)).toEqual([
      [
        '/spec/template/spec/containers/0/imagePullPolicy',
        expect.stringMatching(/^must be one of "", "Always", "IfNotPresent", "Never"/),
      ],
    ]);
  });

  it('accepts int-or-string ports both ways and rejects other types', () => {
    expect(validator.validate(service('chatbot-api', 8000))).toEqual([]);
    expect(validator.validate(service('chatbot-api', 'http'))).toEqual([]);
    expect(problemsOf(service('chatbot-api', true))).toEqual([
      ['/spec/ports/0/targetPort', 'must be string or integer (got true)'],
    ]);
  });

  it('accepts quantities as strings and numbers, nothing else', () => {
    const bad = validator.validate(deployment([[...CONTAINER, 'resources', 'limits', 'memory'], { gi: 4 }]));
    expect(pairs(bad)).toEqual([
      ['/spec/template/spec/containers/0/resources/limits/memory', expect.stringMatching(/^must be string or number/)],
    ]);
  });

  it('checks quantity syntax', () => {
    const findings = validator.validate(deployment([[...CONTAINER, 'resources', 'limits', 'memory'], '4GB']));
    expect(pairs(findings)).toEqual([
      ['/spec/template/spec/containers/0/resources/limits/memory', 'must be a quantity such as 500m, 2, 1.5Gi or 1e3 (got "4GB")'],
    ]);
  });

  it('checks base64 of Secret data', () => {
    const secret = (token: string): Obj => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { token } });
    expect(validator.validate(secret('c2VjcmV0'))).toEqual([]);
    expect(problemsOf(secret('not base64!'))).toEqual([['/data/token', expect.stringMatching(/valid byte/)]]);
  });

  it('requires the selector to match the pod template labels', () => {
    const findings = validator.validate(deployment([['spec', 'selector', 'matchLabels'], { app: 'other' }]));
    expect(pairs(findings)).toEqual([['/spec/template/metadata/labels', '`selector` does not match template `labels`']]);
  });
});

describe('SchemaValidator: names, labels and annotations', () => {
  it('requires metadata.name (or generateName)', () => {
    const findings = validator.validate(deployment([['metadata', 'name'], undefined]));
    expect(findings).toEqual([
      {
        object: 'Deployment/chatbot/<no name>',
        path: '/metadata',
        message: expect.stringMatching(/missing required field "name"/),
      },
    ]);
    const generated = deployment([['metadata', 'generateName'], 'api-'], [['metadata', 'name'], undefined]);
    expect(validator.validate(generated)).toEqual([]);
  });

  it('rejects names that are not DNS-1123 subdomains', () => {
    const findings = validator.validate(deployment([['metadata', 'name'], 'Chatbot_API']));
    expect(pairs(findings)).toEqual([
      ['/metadata/name', expect.stringMatching(/^invalid name "Chatbot_API": a lowercase RFC 1123 subdomain/)],
    ]);
    expect(problemsOf(deployment([['metadata', 'name'], 'a'.repeat(254)]))).toEqual([
      ['/metadata/name', expect.stringMatching(/no more than 253 characters/)],
    ]);
    // Dots are fine in a subdomain.
    expect(validator.validate(deployment([['metadata', 'name'], 'chatbot.api']))).toEqual([]);
  });

  it('applies the label rules to Namespace and Service names', () => {
    const ns = (name: string): Obj => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    expect(validator.validate(ns('mlops-serving'))).toEqual([]);
    expect(problemsOf(ns('mlops.serving'))).toEqual([['/metadata/name', expect.stringMatching(/RFC 1123 label/)]]);
    expect(problemsOf(ns('a'.repeat(64)))).toEqual([['/metadata/name', expect.stringMatching(/no more than 63/)]]);
    // Services are DNS-1035 labels: a leading digit is rejected.
    expect(problemsOf(service('2048-game', 80))).toEqual([['/metadata/name', expect.stringMatching(/DNS-1035 label/)]]);
  });

  it('allows colons in RBAC names', () => {
    const role = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'system:kompile-reader' },
      rules: [],
    };
    expect(validator.validate(role)).toEqual([]);
  });

  it('rejects invalid label keys and values, on the object and the pod template', () => {
    const findings = validator.validate(
      deployment(
        [['metadata', 'labels', 'bad/key/name'], 'x'],
        [['metadata', 'labels', 'version'], 'v1 beta'],
        [['metadata', 'labels', 'long'], 'x'.repeat(64)],
        [['spec', 'template', 'metadata', 'labels', '-team'], 'ml'],
      ),
    );
    expect(pairs(findings)).toEqual([
      ['/metadata/labels/bad~1key~1name', expect.stringMatching(/^invalid label key "bad\/key\/name"/)],
      ['/metadata/labels/version', expect.stringMatching(/^invalid label value "v1 beta"/)],
      ['/metadata/labels/long', expect.stringMatching(/no more than 63 characters/)],
      ['/spec/template/metadata/labels/-team', expect.stringMatching(/^invalid label key "-team"/)],
    ]);
  });

  it('rejects invalid annotation keys', () => {
    const findings = validator.validate(deployment([['metadata', 'annotations', 'Not A Key'], 'x']));
    expect(pairs(findings)).toEqual([['/metadata/annotations/Not A Key', expect.stringMatching(/^invalid annotation key/)]]);
  });

  it('rejects an invalid namespace', () => {
    const findings = validator.validate(deployment([['metadata', 'namespace'], 'Chatbot']));
    expect(pairs(findings)).toEqual([['/metadata/namespace', expect.stringMatching(/^invalid namespace "Chatbot"/)]]);
  });
});

describe('SchemaValidator: custom resources', () => {
  it('accepts a valid ToolHive MCPServer and rejects unknown spec fields', () => {
    const valid = mcpServer({ image: 'ghcr.io/stackloklabs/gofetch/server:1.0.0', transport: 'streamable-http', proxyPort: 8080 });
    expect(validator.validate(valid)).toEqual([]);
    const findings = validator.validate(mcpServer({ image: 'x', imagee: 'y' }));
    expect(findings).toEqual([
      { object: 'MCPServer/toolhive-system/fetch', path: '/spec', message: 'unknown field "imagee"' },
    ]);
  });

  it('enforces CRD required fields, enums and bounds', () => {
    expect(problemsOf(mcpServer({ transport: 'stdio' }))).toEqual([['/spec', 'missing required field "image"']]);
    expect(problemsOf(mcpServer({ image: 'x', transport: 'carrier-pigeon' }))).toEqual([
      ['/spec/transport', expect.stringMatching(/^must be one of .*"stdio"/)],
    ]);
    expect(problemsOf(mcpServer({ image: 'x', proxyPort: 70000 }))).toEqual([['/spec/proxyPort', 'must be <= 65535']]);
  });

  it('accepts anything under x-kubernetes-preserve-unknown-fields (MCPServer podTemplateSpec)', () => {
    const spec = { image: 'x', podTemplateSpec: { spec: { whatever: [1, { deep: true }], containers: [{ name: 'mcp' }] } } };
    expect(validator.validate(mcpServer(spec))).toEqual([]);
  });

  it('validates custom resource metadata as ObjectMeta', () => {
    const obj = edited(mcpServer({ image: 'x' }), [[['metadata', 'labelz'], {}]]);
    expect(problemsOf(obj)).toEqual([['/metadata', 'unknown field "labelz"']]);
  });

  it('rejects duplicate keys in x-kubernetes-list-type map lists', () => {
    const env = [{ name: 'A', value: '1' }, { name: 'A', value: '2' }];
    expect(problemsOf(mcpServer({ image: 'x', env }))).toEqual([['/spec/env/1', 'duplicate entry with name="A"']]);
  });

  it('accepts a KServe InferenceService with predictor.sklearn.storageUri', () => {
    const isvc = {
      apiVersion: 'serving.kserve.io/v1beta1',
      kind: 'InferenceService',
      metadata: { name: 'sklearn-iris', namespace: 'kserve-test' },
      spec: {
        predictor: {
          sklearn: {
            storageUri: 'gs://kfserving-examples/models/sklearn/1.0/model',
            resources: { limits: { cpu: 1, memory: '1Gi' } },
          },
        },
      },
    };
    expect(validator.validate(isvc)).toEqual([]);
    const bad = edited(isvc, [[['spec', 'predictor', 'sklearn', 'storageURI'], 'typo']]);
    expect(problemsOf(bad)).toEqual([['/spec/predictor/sklearn', 'unknown field "storageURI"']]);
  });

  it('checks CRD quantities and list-map keys with their defaults (KServe container ports)', () => {
    const sklearn = {
      storageUri: 'pvc://models/iris',
      resources: { limits: { memory: '1Gb' } },
      // protocol defaults to TCP, so these two ports collide.
      ports: [{ containerPort: 8080 }, { containerPort: 8080, protocol: 'TCP' }],
    };
    const isvc = {
      apiVersion: 'serving.kserve.io/v1beta1',
      kind: 'InferenceService',
      metadata: { name: 'sklearn-iris', namespace: 'kserve-test' },
      spec: { predictor: { sklearn } },
    };
    expect(problemsOf(isvc)).toEqual([
      ['/spec/predictor/sklearn/ports/1', 'duplicate entry with containerPort=8080, protocol="TCP"'],
      ['/spec/predictor/sklearn/resources/limits/memory', expect.stringMatching(/^must be a quantity/)],
    ]);
  });

  it('accepts an Argo CD Application with helm.valuesObject (preserve-unknown-fields)', () => {
    const app = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'kserve', namespace: 'argocd', annotations: { 'argocd.argoproj.io/sync-wave': '3' } },
      spec: {
        project: 'default',
        destination: { server: 'https://kubernetes.default.svc', namespace: 'kserve' },
        source: {
          repoURL: 'https://charts.example',
          chart: 'kserve',
          targetRevision: '0.15.0',
          helm: { valuesObject: { any: { nested: ['thing'] } } },
        },
        syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['CreateNamespace=true'] },
      },
    };
    expect(validator.validate(app)).toEqual([]);
  });

  it('names mutually exclusive fields (Istio oneOf)', () => {
    const dr = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: 'api', namespace: 'chatbot' },
      spec: {
        host: 'api',
        trafficPolicy: { loadBalancer: { simple: 'ROUND_ROBIN', consistentHash: { useSourceIp: true } } },
      },
    };
    expect(problemsOf(dr)).toEqual([
      ['/spec/trafficPolicy/loadBalancer', 'fields "simple" and "consistentHash" are mutually exclusive; set only one'],
    ]);
  });
});

describe('SchemaValidator: unknown kinds', () => {
  it('reports an apiVersion/kind without schema as a finding', () => {
    const obj = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } };
    expect(validator.has('example.com/v1', 'Widget')).toBe(false);
    expect(validator.validate(obj)).toEqual([
      { object: 'Widget/w', path: '', message: expect.stringMatching(/^no schema for example.com\/v1 kind Widget/) },
    ]);
  });

  it('knows built-in and CRD kinds, by exact version', () => {
    expect(validator.has('apps/v1', 'Deployment')).toBe(true);
    expect(validator.has('v1', 'ConfigMap')).toBe(true);
    expect(validator.has('toolhive.stacklok.dev/v1beta1', 'MCPServer')).toBe(true);
    expect(validator.has('apps/v1beta1', 'Deployment')).toBe(false);
    expect(validator.has('serving.kserve.io/v1beta1', 'Deployment')).toBe(false);
  });

  it('reports a missing apiVersion or kind', () => {
    expect(problemsOf({ kind: 'ConfigMap', metadata: { name: 'c' } })).toEqual([['', 'missing required field "apiVersion"']]);
  });
});
