import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { kubeTransport } from '../../lib/tools/kube-client';
import { ManifestObject } from '../../lib/tools/tree';
import { ApiRequest, ApiResponse, ApiTransport, applyOrder, applyRequest, createRequest, driftOf, formatVerify, indexDiscovery, verifyExitCode, verifyObjects } from '../../lib/tools/verify';
import { deployment, namespace, Obj, pvc } from './fixtures';

const CORE = { groupVersion: 'v1', resources: [
  { name: 'namespaces', kind: 'Namespace', namespaced: false },
  { name: 'namespaces/status', kind: 'Namespace', namespaced: false },
  { name: 'persistentvolumeclaims', kind: 'PersistentVolumeClaim', namespaced: true },
  { name: 'configmaps', kind: 'ConfigMap', namespaced: true },
] };
const APPS = { groupVersion: 'apps/v1', resources: [{ name: 'deployments', kind: 'Deployment', namespaced: true }, { name: 'deployments/scale', kind: 'Scale', namespaced: true }] };
const BATCH = { groupVersion: 'batch/v1', resources: [{ name: 'jobs', kind: 'Job', namespaced: true }] };
const EXT = { groupVersion: 'apiextensions.k8s.io/v1', resources: [{ name: 'customresourcedefinitions', kind: 'CustomResourceDefinition', namespaced: false }] };

const crd: Obj = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.com' },
  spec: { group: 'example.com', scope: 'Namespaced', names: { kind: 'Widget', plural: 'widgets' }, versions: [{ name: 'v1', served: true, storage: true }] },
};
const widget: Obj = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'ml' }, spec: {} };

/** An in-memory API: discovery documents, live objects by path, and a record of requests. */
class RecordingTransport implements ApiTransport {
  readonly requests: ApiRequest[] = [];
  constructor(
    private readonly live: Record<string, unknown>,
    private readonly reject: Record<string, string> = {},
  ) {}
  async request(req: ApiRequest): Promise<ApiResponse> {
    this.requests.push(req);
    const p = req.path.split('?')[0];
    if (req.method === 'PATCH' || req.method === 'POST') return this.reject[p] ? { status: 422, body: { kind: 'Status', message: this.reject[p] } } : { status: 200, body: JSON.parse(req.body!) };
    const docs: Record<string, unknown> = { '/api/v1': CORE, '/apis/apps/v1': APPS, '/apis/batch/v1': BATCH, '/apiextensions.k8s.io/v1': EXT, '/apis/apiextensions.k8s.io/v1': EXT };
    if (docs[p]) return { status: 200, body: docs[p] };
    if (req.path.includes('labelSelector=')) return { status: 200, body: { items: Object.entries(this.live).filter(([k]) => k.startsWith(p)).map(([, v]) => v) } };
    return this.live[p] ? { status: 200, body: this.live[p] } : { status: 404, body: { kind: 'Status', message: 'not found' } };
  }
}

describe('verify: pure parts', () => {
  it('indexes discovery, skipping subresources', () => {
    const index = indexDiscovery([CORE, APPS]);
    expect(index.get('apps/v1/Deployment')).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', plural: 'deployments', namespaced: true });
    expect(index.get('v1/Namespace')!.plural).toBe('namespaces');
    expect(index.has('apps/v1/Scale')).toBe(false);
  });

  it('builds a server-side dry-run apply request: dryRun=All, field manager kompile, strict field validation, forced', () => {
    const info = indexDiscovery([APPS]).get('apps/v1/Deployment')!;
    const d = deployment('api', 'ml', 'x/a:1') as ManifestObject;
    const req = applyRequest(d, info);
    expect(req).toEqual({
      method: 'PATCH',
      path: '/apis/apps/v1/namespaces/ml/deployments/api?dryRun=All&fieldManager=kompile&fieldValidation=Strict&force=true',
      contentType: 'application/apply-patch+yaml',
      body: JSON.stringify(d),
    });
    expect(applyRequest(namespace('ml') as ManifestObject, indexDiscovery([CORE]).get('v1/Namespace')!, { dryRun: false, fieldManager: 'me', force: false }).path).toBe('/api/v1/namespaces/ml?fieldManager=me&fieldValidation=Strict');
  });

  it('orders CRDs, then Namespaces, then by sync wave and kind', () => {
    const cm = (name: string, wave: string): Obj => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ml', annotations: { 'argocd.argoproj.io/sync-wave': wave } } });
    const order = applyOrder([cm('late', '2'), deployment('api', 'ml', 'x/a:1'), widget, cm('early', '0'), namespace('ml'), crd].map((o) => o as ManifestObject));
    expect(order.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['CustomResourceDefinition/widgets.example.com', 'Namespace/ml', 'ConfigMap/early', 'Deployment/api', 'Widget/w', 'ConfigMap/late']);
  });

  it('computes drift on the fields the tree sets only, with quantities compared by amount', () => {
    const desired = deployment('api', 'ml', 'x/a:1') as ManifestObject;
    const live = structuredClone(desired) as ManifestObject & { spec: Record<string, unknown> };
    Object.assign(live.metadata, { uid: 'u', resourceVersion: '7', labels: { extra: 'server-added' } });
    live.spec.revisionHistoryLimit = 10; // a server default
    const c = (live.spec as { template: { spec: { containers: Array<Record<string, unknown>> } } }).template.spec.containers[0];
    c.resources = { requests: { cpu: '0.1', memory: '128Mi' }, limits: { cpu: '500m', memory: '268435456' } };
    (desired.metadata as Record<string, unknown>).labels = undefined;
    expect(driftOf(desired, live)).toEqual({ object: 'Deployment/ml/api', status: 'in-sync', fields: [] });
    live.spec.replicas = 3;
    c.image = 'x/a:hotfix';
    expect(driftOf(desired, live).fields).toEqual([
      { path: 'spec.replicas', before: 3, after: 1 },
      { path: 'spec.template.spec.containers[name=app].image', before: 'x/a:hotfix', after: 'x/a:1' },
    ]);
    expect(driftOf(desired, undefined).status).toBe('missing');
  });
});

describe('verifyObjects', () => {
  it('dry-runs in order, skips what only the tree creates, and reports drift, missing and extra objects', async () => {
    const liveDeployment = deployment('api', 'ml', 'x/a:0');
    const transport = new RecordingTransport(
      {
        '/api/v1/namespaces/ml': namespace('ml'),
        '/apis/apps/v1/namespaces/ml/deployments/api': liveDeployment,
        '/apis/apps/v1/deployments/orphan': { ...deployment('orphan', 'ml', 'x/o:1'), metadata: { name: 'orphan', namespace: 'ml' } },
      },
      { '/api/v1/namespaces/ml/persistentvolumeclaims/models': 'PersistentVolumeClaim "models" is invalid: spec: Forbidden: spec is immutable after creation' },
    );
    const objects = [widget, deployment('api', 'ml', 'x/a:1'), pvc('models', 'ml', '1Gi'), crd, namespace('ml'), namespace('new'), { ...pvc('cache', 'new', '1Gi') }].map((o) => o as ManifestObject);
    const report = await verifyObjects(transport, objects, { environment: 'dev' });
    expect(report.dryRun.map((r) => `${r.outcome} ${r.object}`)).toEqual([
      'ok CustomResourceDefinition/widgets.example.com',
      'ok Namespace/ml',
      'ok Namespace/new',
      'failed PersistentVolumeClaim/ml/models',
      'skipped PersistentVolumeClaim/new/cache',
      'ok Deployment/ml/api',
      'skipped Widget/ml/w',
    ]);
    expect(report.dryRun.find((r) => r.object === 'PersistentVolumeClaim/ml/models')!.message).toMatch(/immutable/);
    const patches = transport.requests.filter((r) => r.method === 'PATCH');
    expect(patches.every((r) => r.path.includes('dryRun=All') && r.path.includes('fieldValidation=Strict') && r.path.includes('fieldManager=kompile'))).toBe(true);
    expect(report.drift.map((d) => `${d.status} ${d.object}`)).toEqual([
      'missing CustomResourceDefinition/widgets.example.com',
      'in-sync Namespace/ml',
      'missing Namespace/new',
      'missing PersistentVolumeClaim/ml/models',
      'missing PersistentVolumeClaim/new/cache',
      'drifted Deployment/ml/api',
      'missing Widget/ml/w',
      'extra Deployment/ml/orphan',
    ]);
    expect(transport.requests.some((r) => r.path === '/apis/apps/v1/deployments?labelSelector=kompile.dev%2Fenvironment%3Ddev')).toBe(true);
    expect(verifyExitCode(report)).toBe(1);
    const text = formatVerify(report);
    expect(text).toContain('dry-run apply: 4 ok, 1 failed, 2 skipped');
    expect(text).toContain('spec.template.spec.containers[name=app].image: live x/a:0, tree x/a:1');
  });

  it('dry-run creates an object named by generateName (a hook), leaves it out of drift, and does not call its earlier runs extra', async () => {
    const hook = { apiVersion: 'batch/v1', kind: 'Job', metadata: { generateName: 'migrate-', namespace: 'ml', annotations: { 'argocd.argoproj.io/hook': 'PreSync' } }, spec: {} } as unknown as ManifestObject;
    const leftover = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'migrate-x7k2p', generateName: 'migrate-', namespace: 'ml' } };
    const other = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'seed', namespace: 'ml' } };
    const transport = new RecordingTransport({ '/api/v1/namespaces/ml': namespace('ml'), '/apis/batch/v1/jobs/migrate-x7k2p': leftover, '/apis/batch/v1/jobs/seed': other });
    const report = await verifyObjects(transport, [namespace('ml') as ManifestObject, hook], { environment: 'dev' });
    expect(report.dryRun).toEqual([{ object: 'Namespace/ml', outcome: 'ok' }, { object: 'Job/ml/migrate-*', outcome: 'ok' }]);
    const post = transport.requests.find((r) => r.method === 'POST')!;
    expect(post.path).toBe('/apis/batch/v1/namespaces/ml/jobs?dryRun=All&fieldManager=kompile&fieldValidation=Strict');
    expect(JSON.parse(post.body!).metadata.generateName).toBe('migrate-');
    // Never read or applied by a name it does not have.
    expect(transport.requests.some((r) => r.path.includes('migrate-*') || r.path.includes('undefined'))).toBe(false);
    expect(report.drift.map((d) => `${d.status} ${d.object}`)).toEqual(['in-sync Namespace/ml', 'extra Job/ml/seed']);
  });

  it('builds the dry-run create of a generateName object and refuses a namespaced one without a namespace', () => {
    const info = { apiVersion: 'batch/v1', kind: 'Job', plural: 'jobs', namespaced: true };
    const job = { apiVersion: 'batch/v1', kind: 'Job', metadata: { generateName: 'm-', namespace: 'ml' } } as unknown as ManifestObject;
    expect(createRequest(job, info)).toEqual(expect.objectContaining({ method: 'POST', path: '/apis/batch/v1/namespaces/ml/jobs?dryRun=All&fieldManager=kompile&fieldValidation=Strict', contentType: 'application/json' }));
    expect(() => createRequest({ ...job, metadata: { generateName: 'm-' } } as unknown as ManifestObject, info)).toThrow(/Job\/m-\*: namespaced kind without metadata.namespace/);
  });

  it('fails objects of kinds the server does not know, and passes a clean tree', async () => {
    const transport = new RecordingTransport({ '/api/v1/namespaces/ml': namespace('ml') });
    const report = await verifyObjects(transport, [widget as ManifestObject], { environment: 'dev', drift: false });
    expect(report.dryRun).toEqual([{ object: 'Widget/ml/w', outcome: 'failed', message: 'the server has no Widget in example.com/v1' }]);
    const clean = await verifyObjects(transport, [namespace('ml') as ManifestObject], { environment: 'dev' });
    expect(verifyExitCode(clean, true)).toBe(0);
  });
});

describe('kubeTransport', () => {
  it('sends requests to the kubeconfig context\'s server with its credentials', async () => {
    const seen: Array<{ method?: string; url?: string; auth?: string; type?: string; body: string }> = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, auth: req.headers.authorization, type: req.headers['content-type'], body });
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({ kind: 'Status', message: 'ok' }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kompile-kubeconfig-'));
    const kubeconfig = path.join(dir, 'config');
    fs.writeFileSync(
      kubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'local', cluster: { server: `http://127.0.0.1:${port}`, 'insecure-skip-tls-verify': true } }, { name: 'other', cluster: { server: 'http://127.0.0.1:1' } }],
        users: [{ name: 'dev', user: { token: 'secret-token' } }],
        contexts: [{ name: 'other', context: { cluster: 'other', user: 'dev' } }, { name: 'test', context: { cluster: 'local', user: 'dev' } }],
        'current-context': 'other',
      }),
    );
    try {
      const transport = await kubeTransport({ kubeconfig, context: 'test' });
      const res = await transport.request({ method: 'PATCH', path: '/api/v1/namespaces/ml?dryRun=All', contentType: 'application/apply-patch+yaml', body: '{"a":1}' });
      expect(res).toEqual({ status: 200, body: { kind: 'Status', message: 'ok' } });
      expect(seen).toEqual([{ method: 'PATCH', url: '/api/v1/namespaces/ml?dryRun=All', auth: 'Bearer secret-token', type: 'application/apply-patch+yaml', body: '{"a":1}' }]);
    } finally {
      server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
