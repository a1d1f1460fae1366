import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EnvironmentInput } from '../../lib/core/config';
import { helmBinary } from '../../lib/tools/helm';
import { synthesizeAll, synthWarningLines } from '../../lib/tools/synth';
import { airgap } from '../../stacks/airgap';
import { dev } from '../../stacks/dev';
import { findObject, K8sObject, withCreatedNamespaces } from '../helpers';
import { FIXTURE_LOCK, onlyCharts, vendoredCharts } from './chart-fixtures';
import { parseAllDocuments } from 'yaml';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kompile-synth-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const chartsDir = (...charts: string[]) => vendoredCharts(tmp, ...charts);
const only = onlyCharts;
const LOCK = FIXTURE_LOCK;

const cacheDir = () => fs.mkdtempSync(path.join(tmp, 'cache-'));
const synth = (inputs: EnvironmentInput[], dir: string, chartsMode?: 'hydrated' | 'referenced') =>
  synthesizeAll(inputs, { charts: LOCK, chartsDir: dir, chartsMode, render: () => ({ helm: helmBinary(), cacheDir: cacheDir() }) });

function objects(files: ReadonlyMap<string, string>, file: string): K8sObject[] {
  const text = files.get(file);
  if (text === undefined) throw new Error(`no ${file}: ${[...files.keys()].join(', ')}`);
  return parseAllDocuments(text).map((d) => d.toJS() as K8sObject);
}

async function failure(run: Promise<unknown>): Promise<string> {
  try {
    await run;
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected the synth to fail');
}

const WEB = { name: 'web', chart: 'demo', namespace: 'web', values: { greeting: 'hi' }, images: [{ image: 'ghcr.io/acme/demo:1.2.3', value: 'image', split: {} }] };
const OLD = { name: 'old', chart: 'legacy', namespace: 'old', images: [{ image: 'docker.io/acme/legacy:2.0.0', value: 'image' }] };

describe('charts at synth: referenced', () => {
  it('keeps the Helm-source Application and writes nothing of the chart, having checked what it renders', async () => {
    const { outputs, unchecked } = await synth([only(dev, [WEB])], chartsDir('demo'));
    expect(unchecked).toEqual([]);
    const files = outputs[0].files;
    expect([...files.keys()].filter((f) => f.startsWith('web/'))).toEqual([]);
    const app = findObject(objects(files, 'apps/web.yaml'), 'Application', 'web');
    expect(app.spec).toMatchObject({ source: { chart: 'demo', repoURL: 'https://charts.example.com', targetRevision: '0.1.0', helm: { valuesObject: { greeting: 'hi' } } } });
  });

  it("fails on what the chart's pods break and on images no value sets, naming the construct, object and field", async () => {
    const message = await failure(synth([only(dev, [OLD])], chartsDir('legacy')));
    expect(message).toMatch(/\[dev:Chart-old\/Deployment-old-old-legacy\] \/spec\/template\/spec\/containers\/0\/securityContext\/seccompProfile: namespace 'old' enforces Pod Security 'restricted'/);
    expect(message).not.toMatch(/containers\/0\/image/);
    expect(message).toMatch(/containers\/1\/image: chart 'legacy' runs image 'docker\.io\/acme\/helper:1\.0', which no value Kompile sets names/);
  });

  it("fails where a chart renders into a namespace the environment's project does not permit, and passes where a value moves it", async () => {
    const leader = { name: 'leader', chart: 'leader', namespace: 'leader' };
    expect(await failure(synth([only(dev, [leader])], chartsDir('leader')))).toMatch(
      /\[dev:Chart-leader\] Application 'leader', Role\/kube-system\/leader-leader: namespace 'kube-system' is not permitted in project 'kompile-dev'; the whole sync of the Application fails/,
    );
    const moved = await synth([only(dev, [{ ...leader, values: { leaderElection: { namespace: 'leader' } } }])], chartsDir('leader'));
    expect(moved.outputs).toHaveLength(1);
  });

  it('reports the charts it could not check because they are not vendored', async () => {
    const { outputs, unchecked } = await synth([only(dev, [WEB])], chartsDir());
    expect(unchecked).toEqual([{ environment: 'dev', component: 'web', chart: 'demo' }]);
    expect(outputs).toHaveLength(1);
  });
});

describe('charts at synth: hydrated', () => {
  it("writes the rendered objects as the component's folder, labelled, ordered and protected, synced as a plain folder", async () => {
    const { outputs } = await synth([only(dev, [WEB])], chartsDir('demo'), 'hydrated');
    const files = outputs[0].files;
    const web = objects(files, 'web/manifests.yaml');
    expect(web.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(['ClusterRole/web-demo-reader', 'CustomResourceDefinition/gadgets.demo.example.com', 'Deployment/web-demo', 'Service/web-demo', 'ServiceAccount/web-demo']);
    const deployment = findObject(web, 'Deployment', 'web-demo', 'web');
    expect(deployment.metadata.labels).toMatchObject({ 'kompile.dev/component': 'web', 'app.kubernetes.io/managed-by': 'kompile' });
    expect(JSON.stringify(deployment)).toContain('"value":"hi"');
    expect(findObject(web, 'CustomResourceDefinition', 'gadgets.demo.example.com').metadata.annotations!['argocd.argoproj.io/sync-options']).toBe('Prune=false,Delete=false');
    const app = findObject(objects(files, 'apps/web.yaml'), 'Application', 'web');
    expect(app.spec).toMatchObject({ source: { path: 'dist/dev/web' } });
    expect((app.spec as { source: Record<string, unknown> }).source.helm).toBeUndefined();
    expect(outputs[0].images.get('ghcr.io/acme/demo:1.2.3')).toBe('ghcr.io/acme/demo:1.2.3');
  });

  it('is deterministic: the same inputs give byte-identical files', async () => {
    const dir = chartsDir('demo');
    const a = await synth([only(dev, [WEB])], dir, 'hydrated');
    const b = await synth([only(dev, [WEB])], dir, 'hydrated');
    expect([...b.outputs[0].files]).toEqual([...a.outputs[0].files]);
  });

  it('relocates what the chart hard-codes in pod templates, lists its sources, and fails on images held in text', async () => {
    const airgapped = only(airgap as EnvironmentInput, [{ ...OLD, podSecurity: 'baseline', podSecurityReason: 'the legacy chart sets no seccomp profile' }]);
    const message = await failure(synth([airgapped], chartsDir('legacy'), 'hydrated'));
    // The ConfigMap's embedded job image cannot be relocated: the audit names the object and the place in the text.
    expect(message).toBe(
      "synth failed with 1 problem(s):\n  - [airgap:Chart-old/ConfigMap-old-old-legacy] /data/jobs.yaml (in its text at jobs[0].image): image 'quay.io/acme/cleanup:3.1' is outside the allowed registries",
    );
    // Without the ConfigMap's job list, the environment compiles: the hard-coded helper image is
    // relocated by Kompile and listed to mirror, the declared one is listed from its source.
    const dir = chartsDir('legacy');
    fs.rmSync(path.join(dir, 'legacy/templates/configmap.yaml'));
    const { outputs } = await synth([airgapped], dir, 'hydrated');
    const pod = findObject(objects(outputs[0].files, 'old/manifests.yaml'), 'Deployment', 'old-legacy', 'old');
    expect(JSON.stringify(pod)).toContain('"image":"registry.airgap.internal:35000/acme/helper:1.0"');
    expect(JSON.stringify(pod)).toContain('"image":"registry.airgap.internal:35000/acme/legacy:2.0.0"');
    expect(outputs[0].files.get('images.txt')).toBe('docker.io/acme/helper:1.0\ndocker.io/acme/legacy:2.0.0\n');
    expect(Object.fromEntries(outputs[0].images)).toEqual({
      'docker.io/acme/helper:1.0': 'registry.airgap.internal:35000/acme/helper:1.0',
      'docker.io/acme/legacy:2.0.0': 'registry.airgap.internal:35000/acme/legacy:2.0.0',
    });
  });

  it('needs every chart vendored, and says how to vendor it', async () => {
    expect(await failure(synth([only(dev, [WEB])], chartsDir(), 'hydrated'))).toMatch(/dev: component 'web' is hydrated but chart 'demo' is not vendored in .* \(run: npm run kompile -- charts pull --env dev\)/);
  });
});

describe('hydrated charts in the synth, without helm', () => {
  it('ignores image fields declared on the Application (its values are gone) and locks what was relocated before rendering', async () => {
    const { Platform } = await import('../../lib/core/platform');
    const { GitOpsSchema } = await import('../../lib/core/config');
    const { ChartSource, UpstreamChart } = await import('../../lib/core/upstream-chart');
    const { declareImageField } = await import('../../lib/core/image-field');
    const { synthesize } = await import('../../lib/core/synthesize');
    const { RegistryPolicy } = await import('../../lib/core/registry-policy');
    const demo = LOCK.get('demo');
    const request = {
      component: 'web',
      hydrate: true,
      chart: demo,
      releaseName: 'web',
      namespace: 'web',
      values: { env: [{ name: 'HELPER', value: 'mirror.internal:35000/acme/helper:1.0' }] },
      kubeVersion: '1.28.0',
      apiVersions: [],
      images: [{ source: 'docker.io/acme/helper:1.0', target: 'mirror.internal:35000/acme/helper:1.0' }],
    };
    const objects = [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web', namespace: 'web' }, data: { helper: 'mirror.internal:35000/acme/helper:1.0' } }];
    const platform = new Platform({
      environment: 'site',
      gitops: GitOpsSchema.parse({ repoURL: 'https://git.internal/gitops.git', chartsMode: 'hydrated' }),
      chartLock: LOCK,
      renderedCharts: new Map([['web', { request, objects }]]),
    });
    const chart = new UpstreamChart(platform, 'Web', { name: 'web', namespace: 'web', source: ChartSource.locked(demo), values: request.values });
    declareImageField(chart.application, '/spec/source/helm/valuesObject/env/0/value');
    const out = synthesize(withCreatedNamespaces(platform), new RegistryPolicy({ mirror: 'mirror.internal:35000', allowedRegistries: ['mirror.internal:35000'], allowedHosts: ['git.internal'] }));
    expect(out.images.get('docker.io/acme/helper:1.0')).toBe('mirror.internal:35000/acme/helper:1.0');
    expect(out.files.get('images.txt')).toBe('docker.io/acme/helper:1.0\n');
    expect(out.files.get('web/manifests.yaml')).toContain('helper: mirror.internal:35000/acme/helper:1.0');
  });
});

describe('synthWarningLines', () => {
  const w = (path: string, message: string) => ({ path, message });
  it('prints up to perRule warnings of one rule per environment, then how many more', () => {
    const lines = synthWarningLines(
      [
        { environment: 'prod', warnings: [w('A', "image 'a:1' has no digest [mutable-image]"), w('B', "image 'b:1' has no digest [mutable-image]"), w('C', "image 'c:1' has no digest [mutable-image]"), w('D', '/spec: [netpol-open-peer] open')] },
        { environment: 'dev', warnings: [w('E', 'untagged message')] },
      ],
      2,
    );
    expect(lines).toEqual([
      "warning: prod: [A] image 'a:1' has no digest [mutable-image]",
      "warning: prod: [B] image 'b:1' has no digest [mutable-image]",
      'warning: prod: … and 1 more [mutable-image] (kompile validate dist lists every one)',
      'warning: prod: [D] /spec: [netpol-open-peer] open',
      'warning: dev: [E] untagged message',
    ]);
  });
  it('prints nothing without warnings', () => {
    expect(synthWarningLines([{ environment: 'dev' }])).toEqual([]);
  });
});
