import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChartLock, LockedChart } from '../../lib/core/chart-lock';
import { parseEnvironment } from '../../lib/core/config';
import {
  archiveName,
  fetchError,
  folderDigest,
  gitCheckoutCommands,
  helmPullArgs,
  lockedChartsOf,
  environmentMirrors,
  selectCharts,
  sourceURL,
  unsafeMembers,
  verifyCharts,
} from '../../lib/tools/charts';
import { run } from '../../lib/tools/cli';
import { helmBinary, renderChart, runHelm } from '../../lib/tools/helm';
import { environments } from '../../stacks';
import { buildEnvironment } from '../../stacks/build';
import { CHARTS } from '../../stacks/charts';
import { DOCKER_REGISTRY, startLocalRegistry } from './local-registry';

const DEMO = path.join(__dirname, '../fixtures/charts/demo');
const PLAIN = path.join(__dirname, '../fixtures/charts/plain-manifests');
const helm = helmBinary();

/** A lock entry with the defaults the schema fills in. */
function entry(c: Omit<LockedChart, 'undeclaredValues'>): LockedChart {
  return { undeclaredValues: [], ...c };
}

function writeLock(file: string, charts: readonly Omit<LockedChart, 'undeclaredValues'>[]): void {
  fs.writeFileSync(file, ChartLock.parse({ charts }).toJson());
}

function readLock(file: string): ChartLock {
  return ChartLock.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
}

/** Runs the CLI in `cwd`, collecting what it prints. */
async function kompile(cwd: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(argv, { cwd, out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

/** Every file of a folder → its content, to compare folders byte for byte. */
function snapshot(dir: string): Map<string, string> {
  const m = new Map<string, string>();
  if (!fs.existsSync(dir)) return m;
  for (const f of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (f.isFile()) m.set(path.relative(dir, path.join(f.parentPath ?? f.path, f.name)), fs.readFileSync(path.join(f.parentPath ?? f.path, f.name), 'utf8'));
  }
  return m;
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'init.defaultBranch=main', ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** A copy of the demo chart at another version, or with changed content. */
function demoVariant(dir: string, edit: { version?: string; template?: string }): string {
  fs.cpSync(DEMO, dir, { recursive: true });
  if (edit.version) fs.writeFileSync(path.join(dir, 'Chart.yaml'), fs.readFileSync(path.join(DEMO, 'Chart.yaml'), 'utf8').replace('version: 0.1.0', `version: ${edit.version}`));
  if (edit.template) fs.writeFileSync(path.join(dir, 'templates', 'extra.yaml'), edit.template);
  return dir;
}

/**
 * The chart folder `helm package` makes of `chartDir`, unpacked: what helm pull --untar gives. (helm
 * package rewrites Chart.yaml, so its content differs from the source folder's.)
 */
const packagedDirs: string[] = [];
afterAll(() => packagedDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function packaged(chartDir: string): string {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'kompile-packaged-'));
  packagedDirs.push(out);
  runHelm(helm, ['package', chartDir, '--destination', out]);
  const tgz = fs.readdirSync(out).find((f) => f.endsWith('.tgz'))!;
  execFileSync('tar', ['-xzf', path.join(out, tgz), '-C', out]);
  const folder = fs.readdirSync(out, { withFileTypes: true }).find((f) => f.isDirectory())!;
  return path.join(out, folder.name);
}

describe('charts: pure parts', () => {
  const helmEntry = entry({ name: 'redis', source: 'helm', repoURL: 'https://charts.example.com/', chart: 'redis', version: '1.2.3' });
  const ociEntry = entry({ name: 'kserve', source: 'oci', repoURL: 'ghcr.io/kserve/charts', chart: 'kserve', version: 'v0.15.2' });

  it('says which lock entry could not be fetched, and when its version does not exist, says so', () => {
    const cause = (m: string) => new Error(m);
    expect(fetchError(ociEntry, 'ghcr.io/kserve/charts', cause('helm pull oci://ghcr.io/kserve/charts/kserve --version failed: Error: ghcr.io/kserve/charts/kserve:v0.15.2: not found')).message).toBe(
      "'kserve': oci://ghcr.io/kserve/charts has no chart kserve at version v0.15.2 (the lock names a version its source does not publish) [helm pull oci://ghcr.io/kserve/charts/kserve --version failed: Error: ghcr.io/kserve/charts/kserve:v0.15.2: not found]",
    );
    expect(fetchError(ociEntry, '127.0.0.1:5000/kserve', cause('helm pull oci://127.0.0.1:5000/kserve/kserve --version failed: Error: failed to do request: Head "http://127.0.0.1:5000/v2/kserve/kserve/manifests/v0.15.2": dial tcp 127.0.0.1:5000: connect: connection refused')).message).toBe(
      '\'kserve\': could not fetch chart kserve v0.15.2 from oci://127.0.0.1:5000/kserve: helm pull oci://127.0.0.1:5000/kserve/kserve --version failed: Error: failed to do request: Head "http://127.0.0.1:5000/v2/kserve/kserve/manifests/v0.15.2": dial tcp 127.0.0.1:5000: connect: connection refused',
    );
    const gitEntry = entry({ name: 'crds', source: 'git', repoURL: 'https://g.example/r.git', path: 'config/crd', version: 'v1' });
    expect(fetchError(gitEntry, 'https://g.example/r.git', cause('git clone failed: fatal: unable to access \'https://g.example/r.git/\': Could not resolve host: g.example')).message).toBe(
      "'crds': could not fetch folder config/crd at v1 from https://g.example/r.git: git clone failed: fatal: unable to access 'https://g.example/r.git/': Could not resolve host: g.example",
    );
  });
  const gitEntry = entry({ name: 'toolhive-operator', source: 'git', repoURL: 'https://github.com/stacklok/toolhive.git', path: 'deploy/charts/operator', version: 'v0.44.0' });

  it('builds helm pull arguments for Helm repositories and OCI registries, plain HTTP only for OCI', () => {
    expect(helmPullArgs(helmEntry, helmEntry.repoURL, '/tmp/x')).toEqual(['pull', 'redis', '--repo', 'https://charts.example.com', '--version', '1.2.3', '--untar', '--untardir', '/tmp/x']);
    expect(helmPullArgs(helmEntry, 'http://mirror.local/helm', '/tmp/x', true)).toEqual(['pull', 'redis', '--repo', 'http://mirror.local/helm', '--version', '1.2.3', '--untar', '--untardir', '/tmp/x']);
    expect(helmPullArgs(ociEntry, 'ghcr.io/kserve/charts/', '/tmp/x')).toEqual(['pull', 'oci://ghcr.io/kserve/charts/kserve', '--version', 'v0.15.2', '--untar', '--untardir', '/tmp/x']);
    expect(helmPullArgs(ociEntry, '127.0.0.1:5000/kserve', '/tmp/x', true)).toEqual(['pull', 'oci://127.0.0.1:5000/kserve/kserve', '--version', 'v0.15.2', '--plain-http', '--untar', '--untardir', '/tmp/x']);
    expect(() => helmPullArgs(gitEntry, gitEntry.repoURL, '/tmp/x')).toThrow(/'toolhive-operator' is a git source, not a chart helm pulls/);
  });

  it('checks out a tag or branch with a shallow clone and a full commit id with a fetch', () => {
    expect(gitCheckoutCommands('https://g/r.git', 'v0.44.0', '/w')).toEqual([['-c', 'advice.detachedHead=false', 'clone', '--quiet', '--depth', '1', '--branch', 'v0.44.0', 'https://g/r.git', '/w']]);
    const sha = 'a'.repeat(40);
    expect(gitCheckoutCommands('https://g/r.git', sha, '/w')).toEqual([
      ['init', '--quiet', '/w'],
      ['-C', '/w', 'fetch', '--quiet', '--depth', '1', 'https://g/r.git', sha],
      ['-C', '/w', '-c', 'advice.detachedHead=false', 'checkout', '--quiet', 'FETCH_HEAD'],
    ]);
    // A short id is taken for a name: only full ids are fetched by id.
    expect(gitCheckoutCommands('https://g/r.git', 'abc1234', '/w')[0]).toContain('--branch');
  });

  it('names archives <chart>-<version>.tgz, and <lock name>-<version>.tgz for Git folders', () => {
    expect(archiveName(helmEntry)).toBe('redis-1.2.3.tgz');
    expect(archiveName({ ...ociEntry, name: 'serving' })).toBe('kserve-v0.15.2.tgz');
    expect(archiveName(gitEntry)).toBe('toolhive-operator-v0.44.0.tgz');
  });

  it('finds archive members that would land outside the folder', () => {
    expect(unsafeMembers(['demo/', 'demo/Chart.yaml', 'demo/a..b/x', '/etc/passwd', 'demo/../../x', '..'])).toEqual(['/etc/passwd', 'demo/../../x', '..']);
  });

  it('fetches from a mirror when one is configured for the source', () => {
    expect(sourceURL(helmEntry)).toBe('https://charts.example.com/');
    expect(sourceURL(gitEntry, { 'https://github.com/stacklok/toolhive.git': 'https://git.site/toolhive.git' })).toBe('https://git.site/toolhive.git');
    expect(sourceURL(ociEntry, { 'https://github.com/stacklok/toolhive.git': 'https://git.site/toolhive.git' })).toBe('ghcr.io/kserve/charts');
  });

  it('selects the charts an environment installs, through its mirrors and those given on the command line', () => {
    const airgap = parseEnvironment(environments.find((e) => e.name === 'airgap')!);
    const dev = parseEnvironment(environments.find((e) => e.name === 'dev')!);
    const devCharts = lockedChartsOf(buildEnvironment(dev).platform);
    const airgapCharts = lockedChartsOf(buildEnvironment(airgap).platform);
    // dev serves models in RawDeployment mode: no Knative.
    expect(devCharts).not.toContain('knative-operator');
    expect(airgapCharts).toContain('knative-operator');
    expect(devCharts).toEqual(expect.arrayContaining(['cert-manager', 'istiod', 'kserve', 'toolhive-operator', 'kcloud-crds']));

    expect(selectCharts(CHARTS)).toEqual({ names: CHARTS.charts.map((c) => c.name), mirrors: {} });
    const toolhive = 'https://github.com/stacklok/toolhive.git';
    // kserve and toolhive have no sourceMirrors entry: their mirrors derive from airgap's chartMirrors bases.
    const mirrors = environmentMirrors(airgap.gitops, CHARTS.charts, airgapCharts);
    expect(mirrors[toolhive]).toBe('https://git.airgap.internal/mirrors/stacklok/toolhive.git');
    expect(environmentMirrors(airgap.gitops, CHARTS.charts, ['cert-manager'])).toEqual(airgap.gitops.sourceMirrors);
    const sel = selectCharts(CHARTS, { name: 'airgap', charts: airgapCharts, mirrors }, { [toolhive]: 'file:///disk/toolhive.git' });
    expect(sel.names).toEqual(airgapCharts);
    expect(sourceURL(CHARTS.get('kserve'), sel.mirrors)).toBe('registry.airgap.internal:35000/kserve/charts');
    expect(sourceURL(CHARTS.get('toolhive-operator'), sel.mirrors)).toBe('file:///disk/toolhive.git');
    expect(() => selectCharts(CHARTS, { name: 'x', charts: ['cert-manager', 'nope'], mirrors: {} })).toThrow(/environment 'x' installs nope, which the lock does not have/);
  });
});

/**
 * A classic Helm repository (index.yaml + chart archives made by the real helm) served on the
 * loopback interface by a separate process: helm runs synchronously, so the server cannot share
 * this process's event loop.
 */
describe('charts pull from a Helm repository, and verify', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kompile-charts-'));
  const repoDir = path.join(tmp, 'repo');
  let server: ChildProcess;
  let url = '';
  const lockFile = path.join(tmp, 'charts.lock.json');
  const chartsDir = path.join(tmp, 'charts');

  function publish(chartDir: string): void {
    runHelm(helm, ['package', chartDir, '--destination', repoDir]);
    runHelm(helm, ['repo', 'index', repoDir, '--url', url]);
  }

  beforeAll(async () => {
    fs.mkdirSync(repoDir);
    const script = `
      const http = require('http'), fs = require('fs'), path = require('path');
      const root = process.argv[1];
      const s = http.createServer((req, res) => {
        const file = path.join(root, path.basename(decodeURIComponent(req.url.split('?')[0])));
        fs.readFile(file, (err, data) => { if (err) { res.statusCode = 404; res.end(); } else res.end(data); });
      });
      s.listen(0, '127.0.0.1', () => console.log(s.address().port));
      setTimeout(() => process.exit(0), 300000).unref();`;
    server = spawn(process.execPath, ['-e', script, repoDir], { stdio: ['ignore', 'pipe', 'inherit'] });
    const port = await new Promise<string>((resolve) => server.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim())));
    url = `http://127.0.0.1:${port}`;
    publish(DEMO);
  });

  afterAll(() => {
    server?.kill();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('pulls into charts/<name>, replacing an older copy, records the digest on first pull and verifies it on the next', async () => {
    writeLock(lockFile, [{ name: 'web', source: 'helm', repoURL: url, chart: 'demo', version: '0.1.0' }]);
    fs.mkdirSync(path.join(chartsDir, 'web', 'templates'), { recursive: true });
    fs.writeFileSync(path.join(chartsDir, 'web', 'templates', 'stale.yaml'), 'kind: Stale\n');

    const first = await kompile(tmp, 'charts', 'pull');
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    const dir = path.join(chartsDir, 'web');
    expect(fs.readFileSync(path.join(dir, 'Chart.yaml'), 'utf8')).toContain('version: 0.1.0');
    expect(fs.existsSync(path.join(dir, 'templates', 'stale.yaml'))).toBe(false);
    // No staging folder is left behind.
    expect(fs.readdirSync(chartsDir)).toEqual(['web']);
    const digest = folderDigest(dir);
    expect(readLock(lockFile).get('web').digest).toBe(digest);
    // The lock keeps its format: ChartLock.toJson, and only the digest is new.
    expect(fs.readFileSync(lockFile, 'utf8')).toBe(ChartLock.parse({ charts: [{ name: 'web', source: 'helm', repoURL: url, chart: 'demo', version: '0.1.0', digest }] }).toJson());
    expect(first.out).toBe(`web 0.1.0: digest ${digest} recorded from ${url}\nvendored 1 chart(s) into charts; digests in charts.lock.json\n`);
    // What was pulled is the chart, ready to render.
    const objects = renderChart(helm, { chartDir: dir, releaseName: 'r', namespace: 'ns' });
    expect(objects.map((o) => o.kind).sort()).toEqual(['ClusterRole', 'CustomResourceDefinition', 'Deployment', 'Service', 'ServiceAccount']);

    const second = await kompile(tmp, 'charts', 'pull');
    expect(second.code).toBe(0);
    expect(second.out).toContain(`web 0.1.0: digest verified from ${url}\n`);

    const verified = await kompile(tmp, 'charts', 'verify');
    expect(verified).toEqual({ code: 0, out: '1 vendored chart(s) match charts.lock.json, 0 not vendored\n', err: '' });
  });

  it('pulls through a mirror: --mirror <upstream>=<mirror>', async () => {
    const dir = path.join(tmp, 'mirrored');
    fs.mkdirSync(dir);
    // The upstream host does not exist; only the mirror can serve the chart.
    writeLock(path.join(dir, 'charts.lock.json'), [{ name: 'web', source: 'helm', repoURL: 'https://charts.example.invalid/stable', chart: 'demo', version: '0.1.0' }]);
    const r = await kompile(dir, 'charts', 'pull', '--mirror', `https://charts.example.invalid/stable=${url}`, '--charts-dir', 'vendor');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`recorded from ${url}\n`);
    expect(fs.existsSync(path.join(dir, 'vendor', 'web', 'Chart.yaml'))).toBe(true);
    // The lock keeps the upstream URL: mirrors are where it is fetched, not what is locked.
    expect(readLock(path.join(dir, 'charts.lock.json')).get('web')).toMatchObject({ repoURL: 'https://charts.example.invalid/stable', digest: folderDigest(path.join(dir, 'vendor', 'web')) });
  });

  it('fails naming the chart when a published version changed, leaving charts/ and the lock as they were; --update accepts it', async () => {
    const before = { lock: fs.readFileSync(lockFile, 'utf8'), charts: snapshot(chartsDir) };
    const old = readLock(lockFile).get('web').digest!;
    // Upstream republishes 0.1.0 with other content.
    publish(demoVariant(path.join(tmp, 'changed'), { template: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n' }));
    const changed = folderDigest(packaged(path.join(tmp, 'changed')));

    const r = await kompile(tmp, 'charts', 'pull');
    expect(r.code).toBe(1);
    expect(r.out).toContain(`error: web 0.1.0: content from ${url} is ${changed}, the lock records ${old}`);
    expect(r.out).toContain('nothing changed: charts and charts.lock.json are as they were\n');
    expect(fs.readFileSync(lockFile, 'utf8')).toBe(before.lock);
    expect(snapshot(chartsDir)).toEqual(before.charts);
    expect(fs.readdirSync(chartsDir)).toEqual(['web']);

    const updated = await kompile(tmp, 'charts', 'pull', '--update');
    expect(updated.code).toBe(0);
    expect(updated.out).toContain(`web 0.1.0: digest changed ${old} → ${changed} (--update: recorded)`);
    expect(readLock(lockFile).get('web').digest).toBe(changed);
    expect(fs.existsSync(path.join(chartsDir, 'web', 'templates', 'extra.yaml'))).toBe(true);
    publish(DEMO);
  });

  it('reports a version the repository does not have, changing nothing', async () => {
    const dir = path.join(tmp, 'missing');
    fs.mkdirSync(dir);
    writeLock(path.join(dir, 'charts.lock.json'), [{ name: 'web', source: 'helm', repoURL: url, chart: 'demo', version: '9.9.9' }]);
    const r = await kompile(dir, 'charts', 'pull');
    expect(r.code).toBe(2);
    expect(r.err).toContain(`'web': ${url} has no chart demo at version 9.9.9 (the lock names a version its source does not publish) [helm pull demo --repo failed: Error: chart "demo" version "9.9.9" not found in ${url} repository]`);
    expect(fs.readdirSync(path.join(dir, 'charts'))).toEqual([]);
    expect(readLock(path.join(dir, 'charts.lock.json')).get('web').digest).toBeUndefined();
  });

  it('verify: a tampered file fails naming the chart and both digests', async () => {
    writeLock(lockFile, [{ name: 'web', source: 'helm', repoURL: url, chart: 'demo', version: '0.1.0' }]);
    expect((await kompile(tmp, 'charts', 'pull')).code).toBe(0);
    const locked = readLock(lockFile).get('web').digest!;
    fs.appendFileSync(path.join(chartsDir, 'web', 'values.yaml'), 'injected: true\n');
    const tampered = folderDigest(path.join(chartsDir, 'web'));
    const r = await kompile(tmp, 'charts', 'verify');
    expect(r.code).toBe(1);
    expect(r.out).toBe(`error: web: charts/web/ has content ${tampered}, charts.lock.json records ${locked}\n1 vendored chart problem(s)\n`);
    // A new file counts as much as a changed one.
    expect((await kompile(tmp, 'charts', 'pull')).code).toBe(0);
    fs.writeFileSync(path.join(chartsDir, 'web', 'templates', 'new.yaml'), '');
    expect((await kompile(tmp, 'charts', 'verify')).code).toBe(1);
    expect((await kompile(tmp, 'charts', 'pull')).code).toBe(0);
  });
});

describe('charts verify: folders and lock entries', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kompile-charts-verify-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('reports a digest without its folder, a folder without a digest or lock entry, and an entry with neither as not vendored', async () => {
    const charts = path.join(tmp, 'vendored');
    fs.cpSync(DEMO, path.join(charts, 'good'), { recursive: true });
    fs.cpSync(DEMO, path.join(charts, 'undigested'), { recursive: true });
    fs.cpSync(DEMO, path.join(charts, 'stray'), { recursive: true });
    fs.mkdirSync(path.join(charts, '.kompile-staging-x'));
    fs.writeFileSync(path.join(charts, 'README.md'), 'not a chart\n');
    const d = folderDigest(path.join(charts, 'good'));
    const base = { source: 'helm' as const, repoURL: 'https://c.example', version: '1.0.0' };
    writeLock(path.join(tmp, 'my.lock.json'), [
      { ...base, name: 'good', chart: 'a', digest: d },
      { ...base, name: 'gone', chart: 'b', digest: d },
      { ...base, name: 'undigested', chart: 'c' },
      { ...base, name: 'later', chart: 'd' },
    ]);
    const r = await kompile(tmp, 'charts', 'verify', '--charts-dir', 'vendored', '--lock', 'my.lock.json');
    expect(r.code).toBe(1);
    expect(r.out.split('\n')).toEqual([
      `error: gone: my.lock.json records ${d} but vendored/gone/ is missing`,
      'error: undigested: vendored/undigested/ is vendored but my.lock.json records no digest (charts pull records it)',
      'info: later: not vendored',
      'error: stray: vendored/stray/ is not in my.lock.json',
      '3 vendored chart problem(s)',
      '',
    ]);

    // Only "not vendored" entries: fine.
    writeLock(path.join(tmp, 'only-later.json'), [{ ...base, name: 'later', chart: 'd' }]);
    const ok = await kompile(tmp, 'charts', 'verify', '--charts-dir', 'empty', '--lock', 'only-later.json');
    expect(ok).toEqual({ code: 0, out: 'info: later: not vendored\n0 vendored chart(s) match only-later.json, 1 not vendored\n', err: '' });
  });

  it('refuses symbolic links in a vendored folder', () => {
    const charts = path.join(tmp, 'links');
    fs.cpSync(DEMO, path.join(charts, 'web'), { recursive: true });
    fs.symlinkSync('/etc/hostname', path.join(charts, 'web', 'templates', 'link.yaml'));
    const lock = ChartLock.parse({ charts: [{ name: 'web', source: 'helm', repoURL: 'https://c.example', chart: 'demo', version: '0.1.0', digest: `sha256:${'0'.repeat(64)}` }] });
    expect(verifyCharts(lock, charts)).toEqual([{ level: 'error', chart: 'web', message: expect.stringMatching(/templates\/link\.yaml is not a regular file or folder/) }]);
  });

  it('rejects bad usage with exit code 2', async () => {
    expect((await kompile(tmp, 'charts')).err).toMatch(/charts needs pull or verify/);
    expect((await kompile(tmp, 'charts', 'push')).code).toBe(2);
    expect((await kompile(tmp, 'charts', 'verify', '--env', 'dev')).code).toBe(2);
    expect((await kompile(tmp, 'charts', 'verify', '--lock', 'absent.json')).err).toMatch(/no chart lock at .*absent\.json/);
    writeLock(path.join(tmp, 'charts.lock.json'), []);
    const bad = await kompile(tmp, 'charts', 'pull', '--mirror', 'https://upstream-only');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--mirror must be <upstream>=<mirror>, got 'https:\/\/upstream-only'/);
    expect((await kompile(tmp, 'charts', 'pull', '--env', 'nope')).err).toContain(`no environment 'nope' (have: ${environments.map((e) => e.name).join(', ')})`);
    expect((await kompile(tmp, 'charts', 'pull', '--from', 'no-such-disk')).err).toMatch(/--from no-such-disk: no such folder/);
    expect((await kompile(tmp, 'vendor', 'https://x', 'demo', '1.0.0')).err).toMatch(/unknown command 'vendor'/);
  });
});

describe('charts pull from Git repositories', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kompile-charts-git-'));
  const bare = path.join(tmp, 'upstream.git');
  let firstCommit = '';
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  beforeAll(() => {
    const work = path.join(tmp, 'work');
    fs.mkdirSync(work);
    git(work, 'init', '--quiet');
    fs.cpSync(DEMO, path.join(work, 'deploy/charts/demo'), { recursive: true });
    fs.cpSync(PLAIN, path.join(work, 'config/crd'), { recursive: true });
    git(work, 'add', '.');
    git(work, 'commit', '--quiet', '-m', 'first');
    firstCommit = git(work, 'rev-parse', 'HEAD');
    git(work, 'tag', 'v0.1.0');
    // Later commits change both folders: the pinned ref must win.
    fs.writeFileSync(path.join(work, 'deploy/charts/demo/values.yaml'), 'later: true\n');
    fs.writeFileSync(path.join(work, 'config/crd/later.yaml'), 'kind: Later\n');
    git(work, 'commit', '--quiet', '-am', 'second');
    git(work, 'add', '.');
    git(work, 'commit', '--quiet', '-m', 'third');
    git(tmp, 'clone', '--quiet', '--bare', work, bare);
  });

  it('copies a chart folder at a tag and a plain manifest folder at a commit, recording their digests', async () => {
    const url = `file://${bare}`;
    writeLock(path.join(tmp, 'charts.lock.json'), [
      { name: 'demo-chart', source: 'git', repoURL: url, path: 'deploy/charts/demo', version: 'v0.1.0' },
      { name: 'demo-crds', source: 'git', repoURL: bare, path: 'config/crd', version: firstCommit },
    ]);
    const r = await kompile(tmp, 'charts', 'pull');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(snapshot(path.join(tmp, 'charts', 'demo-chart'))).toEqual(snapshot(DEMO));
    expect(snapshot(path.join(tmp, 'charts', 'demo-crds'))).toEqual(snapshot(PLAIN));
    const lock = readLock(path.join(tmp, 'charts.lock.json'));
    expect(lock.get('demo-chart').digest).toBe(folderDigest(DEMO));
    expect(lock.get('demo-crds').digest).toBe(folderDigest(PLAIN));
    expect(r.out).toContain(`demo-chart v0.1.0: digest ${folderDigest(DEMO)} recorded, commit ${firstCommit} from ${url} deploy/charts/demo@v0.1.0\n`);
    expect(r.out).toContain(`demo-crds ${firstCommit}: digest ${folderDigest(PLAIN)} recorded from ${bare} config/crd@${firstCommit}\n`);
    // The tag's commit is recorded; a version that is a commit needs no second record.
    expect(lock.get('demo-chart').commit).toBe(firstCommit);
    expect(lock.get('demo-crds').commit).toBeUndefined();
    expect((await kompile(tmp, 'charts', 'verify')).code).toBe(0);
  });

  it('refuses a tag that now resolves to another commit than the lock records, changing nothing; --update accepts it', async () => {
    const dir = path.join(tmp, 'moved');
    fs.mkdirSync(dir);
    const lockFile = path.join(dir, 'charts.lock.json');
    const recorded = 'a'.repeat(40);
    writeLock(lockFile, [{ name: 'demo-chart', source: 'git', repoURL: bare, path: 'deploy/charts/demo', version: 'v0.1.0', commit: recorded }]);
    const before = fs.readFileSync(lockFile, 'utf8');
    const r = await kompile(dir, 'charts', 'pull');
    expect(r.code).toBe(1);
    expect(r.out).toContain(`error: demo-chart v0.1.0: ${bare} deploy/charts/demo@v0.1.0 resolves v0.1.0 to commit ${firstCommit}, the lock records ${recorded} (the tag was moved upstream or on the mirror; --update accepts it)\n`);
    expect(fs.readFileSync(lockFile, 'utf8')).toBe(before);
    expect(fs.existsSync(path.join(dir, 'charts', 'demo-chart'))).toBe(false);
    const updated = await kompile(dir, 'charts', 'pull', '--update');
    expect(updated.code).toBe(0);
    expect(updated.out).toContain(`demo-chart v0.1.0: commit changed ${recorded} → ${firstCommit} (--update: recorded)`);
    expect(readLock(lockFile).get('demo-chart').commit).toBe(firstCommit);
  });

  it('names the chart when the folder or the ref does not exist', async () => {
    const dir = path.join(tmp, 'bad');
    fs.mkdirSync(dir);
    writeLock(path.join(dir, 'charts.lock.json'), [{ name: 'demo-chart', source: 'git', repoURL: bare, path: 'deploy/charts/nope', version: 'v0.1.0' }]);
    const noFolder = await kompile(dir, 'charts', 'pull');
    expect(noFolder.code).toBe(2);
    expect(noFolder.err).toContain(`'demo-chart': ${bare} at v0.1.0 has no folder 'deploy/charts/nope'`);
    writeLock(path.join(dir, 'charts.lock.json'), [{ name: 'demo-chart', source: 'git', repoURL: bare, path: 'deploy/charts/demo', version: 'v9.9.9' }]);
    const noRef = await kompile(dir, 'charts', 'pull');
    expect(noRef.code).toBe(2);
    expect(noRef.err).toContain(`'demo-chart': ${bare} has no tag, branch or commit v9.9.9 (the lock names a version its source does not publish) [git clone failed:`);
    const missingCommit = 'f'.repeat(40);
    writeLock(path.join(dir, 'charts.lock.json'), [{ name: 'demo-chart', source: 'git', repoURL: `file://${bare}`, path: 'deploy/charts/demo', version: missingCommit }]);
    const noCommit = await kompile(dir, 'charts', 'pull');
    expect(noCommit.code).toBe(2);
    expect(noCommit.err).toContain(`'demo-chart': file://${bare} has no tag, branch or commit ${missingCommit}`);
    expect(fs.readdirSync(path.join(dir, 'charts'))).toEqual([]);
  });
});

/** The Distribution registry (Debian package docker-registry) on loopback, plain HTTP. */
describe.skipIf(!DOCKER_REGISTRY)('charts pull from an OCI registry (skipped without the docker-registry binary: apt-get install docker-registry)', () => {
  // Made in beforeAll: the describe body runs even when the block is skipped, its hooks do not.
  let tmp = '';
  let registry: ChildProcess;
  let host = '';

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kompile-charts-oci-'));
    ({ host, process: registry } = await startLocalRegistry(tmp));
    runHelm(helm, ['package', DEMO, '--destination', tmp]);
    runHelm(helm, ['push', path.join(tmp, 'demo-0.1.0.tgz'), `oci://${host}/charts`, '--plain-http']);
  });

  afterAll(() => {
    registry?.kill();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('pulls with --plain-http, through a mirror of the registry path, to the same digest as the chart folder', async () => {
    writeLock(path.join(tmp, 'charts.lock.json'), [{ name: 'web', source: 'oci', repoURL: 'ghcr.io/example/charts', chart: 'demo', version: '0.1.0' }]);
    const r = await kompile(tmp, 'charts', 'pull', '--plain-http', '--mirror', `ghcr.io/example/charts=${host}/charts`);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`recorded from oci://${host}/charts\n`);
    const demo = packaged(DEMO);
    expect(snapshot(path.join(tmp, 'charts', 'web'))).toEqual(snapshot(demo));
    expect(readLock(path.join(tmp, 'charts.lock.json')).get('web').digest).toBe(folderDigest(demo));
  });
});

describe('charts pull --from: archives carried in on a disk', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kompile-charts-from-'));
  const disk = path.join(tmp, 'disk');
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
  beforeAll(() => {
    fs.mkdirSync(disk);
    runHelm(helm, ['package', DEMO, '--destination', disk]);
    // A Git folder is carried as <lock name>-<version>.tgz with one top-level folder.
    fs.cpSync(PLAIN, path.join(tmp, 'stage', 'crds'), { recursive: true });
    execFileSync('tar', ['-czf', path.join(disk, 'crds-v0.1.0.tgz'), '-C', path.join(tmp, 'stage'), 'crds']);
  });

  it('imports helm packages and Git folder archives, recording the digests a pull would', async () => {
    writeLock(path.join(tmp, 'charts.lock.json'), [
      { name: 'web', source: 'oci', repoURL: 'ghcr.io/example/charts', chart: 'demo', version: '0.1.0' },
      { name: 'crds', source: 'git', repoURL: 'https://github.com/example/crds.git', path: 'config/crd', version: 'v0.1.0' },
    ]);
    const r = await kompile(tmp, 'charts', 'pull', '--from', 'disk');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const demo = packaged(DEMO);
    expect(r.out).toContain(`web 0.1.0: digest ${folderDigest(demo)} recorded from ${path.join(disk, 'demo-0.1.0.tgz')}\n`);
    expect(snapshot(path.join(tmp, 'charts', 'web'))).toEqual(snapshot(demo));
    expect(snapshot(path.join(tmp, 'charts', 'crds'))).toEqual(snapshot(PLAIN));
    // The same digests as helm pull and git give (see above): a disk and a pull are interchangeable.
    const lock = readLock(path.join(tmp, 'charts.lock.json'));
    expect(lock.get('web').digest).toBe(folderDigest(demo));
    expect(lock.get('crds').digest).toBe(folderDigest(PLAIN));
    // Importing again checks against the recorded digests.
    expect((await kompile(tmp, 'charts', 'pull', '--from', 'disk')).out).toContain('web 0.1.0: digest verified');
  });

  it('fails naming the chart on a missing archive, another version inside, or a changed digest, changing nothing', async () => {
    const dir = path.join(tmp, 'bad');
    fs.mkdirSync(path.join(dir, 'disk'), { recursive: true });
    const lock = path.join(dir, 'charts.lock.json');
    writeLock(lock, [{ name: 'web', source: 'helm', repoURL: 'https://c.example', chart: 'demo', version: '0.2.0' }]);
    const missing = await kompile(dir, 'charts', 'pull', '--from', 'disk');
    expect(missing.code).toBe(2);
    expect(missing.err).toContain(`'web': ${path.join(dir, 'disk', 'demo-0.2.0.tgz')} is missing (expected demo-0.2.0.tgz for helm demo 0.2.0)`);

    // An archive named 0.2.0 that holds 0.1.0.
    fs.copyFileSync(path.join(disk, 'demo-0.1.0.tgz'), path.join(dir, 'disk', 'demo-0.2.0.tgz'));
    const wrong = await kompile(dir, 'charts', 'pull', '--from', 'disk');
    expect(wrong.code).toBe(2);
    expect(wrong.err).toMatch(/'web': .*demo-0\.2\.0\.tgz holds chart demo 0\.1\.0, the lock names demo 0\.2\.0/);

    // The right chart and version, other content than the lock records.
    fs.rmSync(path.join(dir, 'disk', 'demo-0.2.0.tgz'));
    runHelm(helm, ['package', demoVariant(path.join(dir, 'demo'), { version: '0.2.0' }), '--destination', path.join(dir, 'disk')]);
    const recorded = `sha256:${'1'.repeat(64)}`;
    writeLock(lock, [{ name: 'web', source: 'helm', repoURL: 'https://c.example', chart: 'demo', version: '0.2.0', digest: recorded }]);
    const before = fs.readFileSync(lock, 'utf8');
    const changed = await kompile(dir, 'charts', 'pull', '--from', 'disk');
    expect(changed.code).toBe(1);
    expect(changed.out).toContain(`error: web 0.2.0: content from ${path.join(dir, 'disk', 'demo-0.2.0.tgz')} is ${folderDigest(packaged(path.join(dir, 'demo')))}, the lock records ${recorded}`);
    expect(fs.readFileSync(lock, 'utf8')).toBe(before);
    expect(fs.readdirSync(path.join(dir, 'charts'))).toEqual([]);
  });

  it('refuses an archive without one top-level folder', async () => {
    const dir = path.join(tmp, 'flat');
    fs.mkdirSync(path.join(dir, 'disk'), { recursive: true });
    execFileSync('tar', ['-czf', path.join(dir, 'disk', 'crds-v1.tgz'), '-C', PLAIN, '.']);
    writeLock(path.join(dir, 'charts.lock.json'), [{ name: 'crds', source: 'git', repoURL: 'https://g.example/r.git', path: 'crd', version: 'v1' }]);
    const r = await kompile(dir, 'charts', 'pull', '--from', 'disk');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/'crds': .*crds-v1\.tgz must hold one top-level folder \(found: bases, kustomization\.yaml\)/);
  });

  it('--env: only the charts the environment installs', async () => {
    // The repository's lock, and a disk with a small stand-in for every locked chart.
    const dir = path.join(tmp, 'env');
    const envDisk = path.join(dir, 'disk');
    fs.mkdirSync(envDisk, { recursive: true });
    fs.writeFileSync(path.join(dir, 'charts.lock.json'), CHARTS.toJson());
    for (const c of CHARTS.charts) {
      const src = path.join(dir, 'src', c.name);
      fs.mkdirSync(src, { recursive: true });
      if (c.source === 'git') {
        fs.writeFileSync(path.join(src, 'crd.yaml'), `# ${c.name}\n`);
        execFileSync('tar', ['-czf', path.join(envDisk, archiveName(c)), '-C', path.join(dir, 'src'), c.name]);
      } else {
        fs.writeFileSync(path.join(src, 'Chart.yaml'), `apiVersion: v2\nname: ${c.chart}\nversion: ${c.version}\n`);
        runHelm(helm, ['package', src, '--destination', envDisk]);
      }
    }
    const r = await kompile(dir, 'charts', 'pull', '--env', 'dev', '--from', 'disk');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const dev = lockedChartsOf(buildEnvironment(parseEnvironment(environments.find((e) => e.name === 'dev')!)).platform);
    expect(fs.readdirSync(path.join(dir, 'charts')).sort()).toEqual(dev);
    expect(dev).not.toContain('knative-operator');
    const lock = readLock(path.join(dir, 'charts.lock.json'));
    expect(lock.get('knative-operator').digest).toBeUndefined();
    for (const name of dev) expect(lock.get(name).digest).toBe(folderDigest(path.join(dir, 'charts', name)));
    // verify: dev's charts match, the rest is simply not vendored.
    const v = await kompile(dir, 'charts', 'verify');
    expect(v.code).toBe(0);
    expect(v.out).toContain('info: knative-operator: not vendored\n');
    expect(v.out).toContain(`${dev.length} vendored chart(s) match charts.lock.json, ${CHARTS.charts.length - dev.length} not vendored\n`);
  });
});
