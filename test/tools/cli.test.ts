import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeOutputs } from '../../lib/core/writer';
import { run } from '../../lib/tools/cli';
import { helmBinary } from '../../lib/tools/helm';
import { ChartLock } from '../../lib/core/chart-lock';
import { synthesizeAll } from '../../lib/tools/synth';
import { CHARTS } from '../../stacks/charts';
import { merge } from '../../stacks/base';
import { compileAll } from '../../stacks/compile';
import { dev } from '../../stacks/dev';

const REPO = path.join(__dirname, '../..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kompile-cli-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function kompile(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  return kompileIn(REPO, ...argv);
}

async function kompileIn(cwd: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(argv, { cwd, out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

/**
 * Two real synths of dev: before, and after a change that bumps ToolHive in the chart lock, moves it
 * to another namespace, adds a hydrated chart (rendered with the real helm from a vendored fixture)
 * and shrinks MLflow's volume.
 */
async function synthPair(): Promise<{ before: string; after: string }> {
  const before = path.join(tmp, 'before');
  const after = path.join(tmp, 'after');
  writeOutputs(before, compileAll([dev]));
  const changed = merge(dev, {
    components: {
      toolhive: { namespace: 'mcp' },
      charts: [{ name: 'web', chart: 'demo', namespace: 'web', hydrate: true, images: [{ image: 'ghcr.io/acme/demo:1.2.3', value: 'image', split: {} }] }],
      mlops: { mlflow: { storageSize: '5Gi' } },
    },
  });
  const lock = ChartLock.parse({
    charts: [
      ...CHARTS.charts.map((c) => (c.name.startsWith('toolhive-operator') ? { ...c, version: 'v0.45.0' } : c)),
      { name: 'demo', source: 'helm', repoURL: 'https://charts.example.com', chart: 'demo', version: '0.1.0' },
    ],
  });
  const chartsDir = path.join(tmp, 'charts');
  fs.cpSync(path.join(REPO, 'test/fixtures/charts/demo'), path.join(chartsDir, 'demo'), { recursive: true });
  const { outputs } = await synthesizeAll([changed], { charts: lock, chartsDir, render: () => ({ helm: helmBinary(), cacheDir: path.join(tmp, 'cache') }) });
  writeOutputs(after, outputs);
  return { before, after };
}

describe('kompile CLI', () => {
  let before = '';
  let after = '';
  beforeAll(async () => ({ before, after } = await synthPair()));

  it('diff names every changed object between two real synths and fails on the unacknowledged destructive change', async () => {
    const r = await kompile('diff', '--before', before, '--after', after, '--fail-on', 'destructive');
    expect(r.code).toBe(1);
    expect(r.out).toContain('!!! DESTRUCTIVE CHANGES !!!');
    expect(r.out).toMatch(/dev: PersistentVolumeClaim\/mlops-training\/mlflow-data \(mlops-training\): spec\.resources\.requests\.storage decreased/);
    // The old Namespace is Prune=false in a component that stays: Argo CD leaves it, OutOfSync.
    expect(r.out).not.toMatch(/DESTRUCTIVE[\s\S]*Namespace\/toolhive[\s\S]*Left in the cluster/);
    expect(r.out).toMatch(/Left in the cluster[^\n]*:\n(.*\n)*  dev: Namespace\/toolhive \(namespaces\): out-of-sync: marked Prune=false/);
    expect(r.out).toContain('+ Deployment/web/web-demo');
    expect(r.out).toContain('- MCPServer/toolhive/fetch');
    expect(r.out).toContain('+ MCPServer/mcp/fetch');
    expect(r.out).toContain('~ Application/argocd/toolhive-operator');
    expect(r.out).toContain('spec.source.targetRevision: v0.44.0 → v0.45.0');
    expect(r.out).toContain('+ ghcr.io/stacklok/toolhive/operator:v0.45.0');
    const acked = await kompile('diff', '--before', before, '--after', after, '--fail-on', 'destructive', '--ack', 'PersistentVolumeClaim/mlops-training/mlflow-data', '--format', 'markdown');
    expect(acked.code).toBe(0);
    expect(acked.out).toContain('| ✅ acknowledged | dev | mlops-training | `PersistentVolumeClaim/mlops-training/mlflow-data` |');
  });

  it('diff --base compares a commit with the working tree and honours acknowledgement trailers of the commits since', async () => {
    const repo = path.join(tmp, 'repo');
    fs.mkdirSync(repo);
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'pipe' });
    git('init', '-q', '-b', 'main');
    git('config', 'user.email', 't@example.com');
    git('config', 'user.name', 'Test');
    fs.cpSync(before, path.join(repo, 'dist'), { recursive: true });
    git('add', '.');
    git('commit', '-q', '-m', 'before');
    fs.rmSync(path.join(repo, 'dist'), { recursive: true });
    fs.cpSync(after, path.join(repo, 'dist'), { recursive: true });
    const unacked = await kompileIn(repo, 'diff', '--base', 'HEAD', '--fail-on', 'destructive');
    expect(unacked.code).toBe(1);
    expect(unacked.out).toContain('+ Deployment/web/web-demo');
    git('add', '-A');
    git('commit', '-q', '-m', 'Shrink the MLflow volume\n\nKompile-Ack-Destructive: dev:PersistentVolumeClaim/mlops-training/mlflow-data');
    const acked = await kompileIn(repo, 'diff', '--base', 'HEAD~1', '--fail-on', 'destructive');
    expect(acked.code).toBe(0);
    expect(acked.out).toContain('[acknowledged] dev: PersistentVolumeClaim/mlops-training/mlflow-data');
  });

  it('diff writes Markdown to a file for a PR comment', async () => {
    const file = path.join(tmp, 'diff.md');
    expect((await kompile('diff', '--before', before, '--after', after, '--format', 'markdown', '--output', file)).code).toBe(0);
    expect(fs.readFileSync(file, 'utf8')).toMatch(/^## Kompile diff\n/);
  });

  it('validate passes a real synth and fails, with precise findings, on a broken one', async () => {
    // The repository vendors no chart: every referenced chart is reported as not checked (a warning).
    const ok = await kompile('validate', '--dist', after);
    expect(ok.code).toBe(0);
    const lines = ok.out.trim().split('\n');
    expect(lines.pop()).toMatch(/^0 error\(s\), [1-9]\d* warning\(s\)$/);
    // And dev's cluster (1.28) is outside cert-manager 1.18's published support window (a warning).
    for (const line of lines) expect(line).toMatch(/^warning dev\/apps\/.* (is not vendored .* \[chart-unchecked\]|is supported on Kubernetes .* \[kubernetes-version\])$/);
    expect(lines).toContainEqual(expect.stringMatching(/^warning dev\/apps\/cert-manager\.yaml .*cert-manager 1\.18 \(v1\.18\.6\) is supported on Kubernetes 1\.29 to 1\.33.*\[kubernetes-version\]$/));
    expect((await kompile('validate', '--dist', after, '--strict')).code).toBe(1);
    const broken = path.join(tmp, 'broken');
    fs.cpSync(after, broken, { recursive: true });
    const file = path.join(broken, 'dev/web/manifests.yaml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('ghcr.io/acme/demo:1.2.3', 'ghcr.io/acme/demo:latest').replace('targetPort: http', 'targetPort: http\n      tagretPort: 1'));
    const r = await kompile('validate', '--dist', broken, '--env', 'dev', '--format', 'json');
    expect(r.code).toBe(1);
    const findings = JSON.parse(r.out) as Array<{ rule: string; object: string; path: string; file: string; message: string }>;
    expect(findings.filter((f) => f.rule !== 'chart-unchecked' && f.rule !== 'kubernetes-version').map((f) => `${f.rule} ${f.file} ${f.object} ${f.path}`)).toEqual([
      // The hydrated chart's image, edited by hand, is no longer the one the lock pulls.
      'chart-image dev/web/manifests.yaml Deployment/web/web-demo /spec/template/spec/containers/0/image',
      'image-tag dev/web/manifests.yaml Deployment/web/web-demo /spec/template/spec/containers/0/image',
      'schema dev/web/manifests.yaml Service/web/web-demo /spec/ports/0',
    ]);
    expect(findings.find((f) => f.rule === 'schema')!.message).toContain('tagretPort');
  });

  it('validate takes the WaitForFirstConsumer classes from --wait-for-first-consumer (rule sync-wave)', async () => {
    const dist = path.join(tmp, 'wffc');
    const wave = (w: number) => ({ 'argocd.argoproj.io/sync-wave': String(w) });
    const labels = { 'kompile.dev/component': 'app' };
    const docs = [
      { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'ml', labels, annotations: wave(0) }, spec: { storageClassName: 'local-path', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } },
      { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'load', namespace: 'ml', labels, annotations: wave(1) }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'ghcr.io/acme/load:1.0' }], volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'data' } }] } } } },
    ];
    fs.mkdirSync(path.join(dist, 'lab/app'), { recursive: true });
    fs.writeFileSync(path.join(dist, 'lab/app/manifests.yaml'), docs.map((d) => JSON.stringify(d)).join('\n---\n'));
    const rule = async (...extra: string[]) => (JSON.parse((await kompile('validate', '--dist', dist, '--format', 'json', ...extra)).out) as Array<{ rule: string; object: string }>).filter((f) => f.rule === 'sync-wave').map((f) => f.object);
    // 'lab' is no environment of the repository: without the option, no class is known.
    expect(await rule()).toEqual([]);
    expect(await rule('--wait-for-first-consumer', 'local-path')).toEqual(['PersistentVolumeClaim/ml/data']);
    expect(await rule('--wait-for-first-consumer', 'other')).toEqual([]);
  });

  it('images prints the list and checks it', async () => {
    expect((await kompile('images', '--dist', after, '--env', 'dev')).out).toContain('ghcr.io/acme/demo:1.2.3\n');
    expect((await kompile('images', '--dist', after, '--check')).code).toBe(0);
    const stale = path.join(tmp, 'stale');
    fs.cpSync(after, stale, { recursive: true });
    fs.appendFileSync(path.join(stale, 'dev/images.txt'), 'ghcr.io/acme/gone:1\n');
    const r = await kompile('images', '--dist', stale, '--check');
    expect(r.code).toBe(1);
    expect(r.out).toContain('dev: ghcr.io/acme/gone:1 is listed in images.txt but is no source in images.lock.json');
  });

  it('reports usage errors with exit code 2', async () => {
    expect((await kompile('frobnicate')).code).toBe(2);
    const r = await kompile('diff', '--after', after);
    expect(r.code).toBe(2);
    expect(r.err).toContain('diff needs exactly one of --base <git-ref> or --before <dir>');
    expect((await kompile('images', '--dist', after, '--env', 'nope')).err).toContain("no environment 'nope' in the tree (have: dev)");
    expect((await kompile('verify')).err).toContain('verify needs --env <name>');
    const missing = await kompile('diff', '--before', path.join(tmp, 'nope'), '--after', after);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain(`--before: no directory ${path.join(tmp, 'nope')}`);
    const envFolder = await kompile('diff', '--before', after, '--after', path.join(after, 'dev'));
    expect(envFolder.code).toBe(2);
    expect(envFolder.err).toContain(`--after: ${path.join(after, 'dev')} is an environment folder`);
    expect(envFolder.err).toContain('--env dev');
    expect((await kompile('help')).code).toBe(0);
  });
});
