import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LockedChart } from '../../lib/core/chart-lock';
import type { ChartRenderRequest, RenderedChart } from '../../lib/core/chart-render';
import { canonicalJson, folderDigest, globRegExp, renderCharts, RenderStats } from '../../lib/tools/chart-render';
import { helmBinary } from '../../lib/tools/helm';

const FIXTURES = path.join(__dirname, '../fixtures/charts');
const helm = helmBinary();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kompile-chart-render-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

let n = 0;
/** A fresh cache folder per test, so tests do not see each other's renders. */
const freshCache = () => path.join(tmp, `cache-${n++}`);

const locked = (name: string): LockedChart => ({ name, source: 'helm', repoURL: 'https://charts.example.com', chart: name, version: '0.1.0', undeclaredValues: [] });
const request = (chart: string, over: Partial<ChartRenderRequest> = {}): ChartRenderRequest => ({
  component: chart,
  chart: locked(chart),
  images: [],
  hydrate: false,
  releaseName: 'web',
  namespace: 'apps',
  values: {},
  kubeVersion: '1.28.0',
  apiVersions: [],
  ...over,
});
const ids = (r: RenderedChart) => r.objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);

async function render(requests: ChartRenderRequest[], cacheDir = freshCache(), chartsDir = FIXTURES) {
  const stats: RenderStats = { helmRuns: 0, cacheHits: 0 };
  const results = await renderCharts(requests, { helm, chartsDir, cacheDir, stats });
  return { results, stats, cacheDir };
}

describe('renderCharts', () => {
  it('renders a chart with real helm: CRDs, subchart, release namespace on namespaced objects, values, kube version', async () => {
    const { results } = await render([request('render-basic', { values: { image: { tag: '2.0.0' }, podAnnotations: { 'a.io/b': 'c' } }, kubeVersion: '1.29.3' })]);
    const [r] = results;
    expect(ids(r).sort()).toEqual(['ConfigMap/apps/web-scripts', 'CustomResourceDefinition//widgets.demo.example.com', 'Deployment/apps/web-web', 'Service/apps/web-sidecar']);
    const deployment = r.objects.find((o) => o.kind === 'Deployment') as unknown as { spec: { template: { metadata: { annotations: unknown }; spec: { containers: Array<{ image: string; env: unknown }> } } } };
    expect(deployment.spec.template.metadata.annotations).toEqual({ 'a.io/b': 'c' });
    expect(deployment.spec.template.spec.containers[0].image).toBe('ghcr.io/acme/web:2.0.0');
    expect(deployment.spec.template.spec.containers[0].env).toEqual([
      { name: 'GREETING', value: 'hello' },
      { name: 'KUBE_VERSION', value: 'v1.29.3' },
    ]);
    // The subchart's defaults apply under its name, the parent's values.yaml overriding them.
    const svc = r.objects.find((o) => o.kind === 'Service') as unknown as { spec: { ports: Array<{ port: number; protocol: string }> } };
    expect(svc.spec.ports[0]).toMatchObject({ port: 8080, protocol: 'TCP' });
    // The hard-coded image in the ConfigMap's text comes through as written.
    expect((r.objects.find((o) => o.kind === 'ConfigMap') as unknown as { data: Record<string, string> }).data['job-image']).toBe('busybox:1.36');
  });

  it('reads the CRD whose quoted descriptions continue at their key\'s indentation (knative-operator 1.16.6 shape), as go-yaml does', async () => {
    const { results } = await render([request('render-basic')]);
    const crd = results[0].objects.find((o) => o.kind === 'CustomResourceDefinition') as unknown as { spec: { versions: Array<{ schema: { openAPIV3Schema: { properties: { spec: { properties: Record<string, Record<string, unknown>> } } } } }> } };
    const props = crd.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties;
    expect(props.initialDelaySeconds).toEqual({
      description: 'Number of seconds after the container has started before liveness probes are initiated. More info: https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle#container-probes',
      format: 'int32',
      type: 'integer',
    });
    // YAML 1.1 resolution is kept in that document: a plain `on` is true.
    expect(props.mode.default).toBe(true);
  });

  it('honours --api-versions: a template gated on .Capabilities.APIVersions.Has renders only when the API is passed', async () => {
    const { results } = await render([request('render-basic'), request('render-basic', { apiVersions: ['monitoring.coreos.com/v1'] })]);
    expect(ids(results[0])).not.toContain('ServiceMonitor/apps/web-web');
    expect(ids(results[1])).toContain('ServiceMonitor/apps/web-web');
  });

  it('returns the chart facts: values.yaml (with subchart defaults), values.schema.json, every template', async () => {
    const { results } = await render([request('render-basic'), request('render-schema')]);
    expect(results[0].facts!.defaults).toMatchObject({ replicas: 1, sidecar: { port: 8080, protocol: 'TCP' } });
    expect(results[0].facts!.schema).toBeUndefined();
    expect([...results[0].facts!.templates.keys()]).toEqual(['templates/_helpers.tpl', 'templates/configmap.yaml', 'templates/deployment.yaml', 'templates/servicemonitor.yaml', 'charts/sidecar/templates/service.yaml']);
    expect(results[0].facts!.templates.get('templates/configmap.yaml')).toContain('busybox:1.36');
    expect(results[1].facts!.schema).toMatchObject({ properties: { operator: { type: 'object' } } });
  });

  it('renders several requests in parallel and returns them in request order', async () => {
    const requests = ['op-a', 'web-b', 'op-c', 'web-d', 'plain-e'].map((c, i) =>
      request(c.startsWith('op') ? 'render-schema' : c.startsWith('web') ? 'render-basic' : 'manifests-plain', { component: c, releaseName: c, namespace: `ns-${i}` }),
    );
    const stats: RenderStats = { helmRuns: 0, cacheHits: 0 };
    const results = await renderCharts(requests, { helm, chartsDir: FIXTURES, cacheDir: freshCache(), concurrency: 3, stats });
    expect(results.map((r) => r.request.component)).toEqual(['op-a', 'web-b', 'op-c', 'web-d', 'plain-e']);
    expect(ids(results[0])).toEqual(['Deployment/ns-0/op-a-operator']);
    expect(ids(results[3])).toContain('Deployment/ns-3/web-d-web');
    // helm version once, then one helm template per chart request; none for the plain folder.
    expect(stats).toEqual({ helmRuns: 5, cacheHits: 0 });
  });

  it('renders identical requests once', async () => {
    const { results, stats } = await render([request('render-schema', { component: 'a' }), request('render-schema', { component: 'b' })]);
    expect(results.map((r) => r.request.component)).toEqual(['a', 'b']);
    expect(stats.helmRuns).toBe(2);
  });

  it('answers a second call from the cache without running helm, and writes one cache file per render', async () => {
    const requests = [request('render-basic', { values: { replicas: 3 } }), request('render-schema')];
    const cold = await render(requests);
    expect(cold.stats).toEqual({ helmRuns: 3, cacheHits: 0 });
    const warm = await render(requests, cold.cacheDir);
    expect(warm.stats).toEqual({ helmRuns: 0, cacheHits: 2 });
    expect(warm.results.map((r) => r.objects)).toEqual(cold.results.map((r) => r.objects));
    expect(warm.results[1].facts!.templates).toEqual(cold.results[1].facts!.templates);
    const files = fs.readdirSync(cold.cacheDir).sort();
    expect(files.filter((f) => /^[a-f0-9]{64}\.json$/.test(f))).toHaveLength(2);
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('renders again when values, kube version, api versions, release, namespace or chart files change', async () => {
    const chartsDir = path.join(tmp, 'charts-copy');
    fs.cpSync(path.join(FIXTURES, 'render-basic'), path.join(chartsDir, 'render-basic'), { recursive: true });
    const base = request('render-basic');
    const { cacheDir } = await render([base], freshCache(), chartsDir);
    for (const changed of [
      { values: { replicas: 2 } },
      { kubeVersion: '1.30.0' },
      { apiVersions: ['monitoring.coreos.com/v1'] },
      { releaseName: 'other' },
      { namespace: 'elsewhere' },
    ]) {
      const { stats } = await render([{ ...base, ...changed }], cacheDir, chartsDir);
      expect(stats, JSON.stringify(changed)).toEqual({ helmRuns: 1, cacheHits: 0 });
    }
    // Same values written in another key order: the same render.
    expect((await render([{ ...base, values: { a: 1, b: { c: 2, d: 3 } } }], cacheDir, chartsDir)).stats.helmRuns).toBe(1);
    expect((await render([{ ...base, values: { b: { d: 3, c: 2 }, a: 1 } }], cacheDir, chartsDir)).stats).toEqual({ helmRuns: 0, cacheHits: 1 });
    // A chart file changes (the lock's digest is not consulted): rendered again, and the change shows.
    fs.appendFileSync(path.join(chartsDir, 'render-basic', 'templates', 'configmap.yaml'), '  added: "yes"\n');
    const after = await render([base], cacheDir, chartsDir);
    expect(after.stats).toEqual({ helmRuns: 1, cacheHits: 0 });
    expect((after.results[0].objects.find((o) => o.kind === 'ConfigMap') as unknown as { data: Record<string, string> }).data.added).toBe('yes');
  });

  it('renders again when a cache file is unreadable', async () => {
    const { cacheDir } = await render([request('render-schema')]);
    for (const f of fs.readdirSync(cacheDir)) if (f.endsWith('.json')) fs.writeFileSync(path.join(cacheDir, f), '{"truncated');
    const again = await render([request('render-schema')], cacheDir);
    expect(again.stats).toEqual({ helmRuns: 1, cacheHits: 0 });
    expect(ids(again.results[0])).toEqual(['Deployment/apps/web-operator']);
  });

  it('reads a plain manifest folder without helm: top-level YAML files in path order, skip marker, include glob', async () => {
    const all = await render([request('manifests-plain', { namespace: 'plain' })]);
    expect(all.stats).toEqual({ helmRuns: 0, cacheHits: 0 });
    // kustomization.yaml is no Kubernetes object and is skipped; nested/ is not read (no recurse); b-skipped.yml has the marker.
    expect(ids(all.results[0])).toEqual(['ConfigMap/plain/plain-config', 'Namespace//plain-system', 'CustomResourceDefinition//gizmos.plain.example.com']);
    expect(all.results[0].facts).toBeUndefined();
    const one = await render([request('manifests-plain', { namespace: 'plain', include: 'crd*.yaml' })]);
    expect(ids(one.results[0])).toEqual(['Namespace//plain-system', 'CustomResourceDefinition//gizmos.plain.example.com']);
    const two = await render([request('manifests-plain', { namespace: 'plain', include: '{a-config,crds}.yaml' })]);
    expect(ids(two.results[0])).toHaveLength(3);
  });

  it('fails naming every component whose chart is not vendored or does not render', async () => {
    const chartsDir = path.join(tmp, 'charts-broken');
    fs.cpSync(path.join(FIXTURES, 'render-schema'), path.join(chartsDir, 'broken'), { recursive: true });
    fs.writeFileSync(path.join(chartsDir, 'broken', 'templates', 'bad.yaml'), '{{ .Values.nope.deeper }}\n');
    await expect(render([request('missing', { component: 'gone' })], freshCache(), chartsDir)).rejects.toThrow(/component 'gone': chart 'missing' is not vendored .*kompile charts pull/);
    await expect(render([request('broken', { component: 'bad' })], freshCache(), chartsDir)).rejects.toThrow(/component 'bad' \(chart 'broken'\): helm template web .* failed: .*nope/s);
  });
});

describe('globRegExp', () => {
  it('matches Argo CD directory include globs: *, ?, {a,b}, [..], [!..], literal dots', () => {
    const cases: Array<[string, string, boolean]> = [
      ['*.yaml', 'crds.yaml', true],
      ['*.yaml', 'sub/crds.yaml', true], // no separators: * crosses '/'
      ['*.yaml', 'crds.yml', false],
      ['crd?.yaml', 'crds.yaml', true],
      ['crd?.yaml', 'crd.yaml', false],
      ['{a,b}.yaml', 'b.yaml', true],
      ['{a,b}.yaml', 'c.yaml', false],
      ['[ab].yaml', 'a.yaml', true],
      ['[!ab].yaml', 'a.yaml', false],
      ['a.yaml', 'axyaml', false],
    ];
    for (const [glob, file, expected] of cases) expect(globRegExp(glob).test(file), `${glob} ${file}`).toBe(expected);
    expect(() => globRegExp('{a,b')).toThrow(/'\{' without '\}'/);
  });
});

describe('cache key parts', () => {
  it('canonical JSON sorts keys at every level, keeps list order', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, 1], c: null } })).toBe('{"a":{"c":null,"d":[2,1]},"b":1}');
  });

  it('folder digest follows the files, not their order or timestamps', () => {
    const dir = path.join(tmp, 'digest');
    fs.cpSync(path.join(FIXTURES, 'render-schema'), dir, { recursive: true });
    const before = folderDigest(dir);
    fs.utimesSync(path.join(dir, 'values.yaml'), new Date(0), new Date(0));
    expect(folderDigest(dir)).toBe(before);
    fs.appendFileSync(path.join(dir, 'values.yaml'), '# changed\n');
    expect(folderDigest(dir)).not.toBe(before);
    expect(before).toMatch(/^sha256:[a-f0-9]{64}$/);
  });
});
