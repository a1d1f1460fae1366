import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeOutputs } from '../../lib/core/writer';
import { OVERVIEW, run } from '../../lib/tools/cli';
import { helmBinary } from '../../lib/tools/helm';
import { kubeconfigSource, SERVICE_ACCOUNT_DIR } from '../../lib/tools/kube-client';
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
  return kompileWith({ cwd }, ...argv);
}

async function kompileWith(io: { cwd: string; env?: NodeJS.ProcessEnv }, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(argv, { ...io, out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

/**
 * Runs `bin/kompile.js` (the CLI as a process) with its stdout closed by the reader before anything
 * is written, as `kompile … | head -1` closes it after the first line.
 */
function kompileIntoClosedPipe(...argv: string[]): Promise<{ code: number | null; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(REPO, 'bin/kompile.js'), ...argv], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, err }));
  });
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
      // A bump as `charts pull --update` would record it: the new tag and its commit (a fixture's).
      ...CHARTS.charts.map((c) => (c.name.startsWith('toolhive-operator') ? { ...c, version: 'v0.45.0', commit: 'c'.repeat(40) } : c)),
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
    expect(r.out).toContain(`spec.source.targetRevision: b3df9689bdb7d55d0765565890ba9dc0c076dec0 → ${'c'.repeat(40)}`);
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

  it('reports usage errors in one line on stderr with exit code 2', async () => {
    const unknown = await kompile('frobnicate');
    expect(unknown).toEqual({ code: 2, out: '', err: "kompile: unknown command 'frobnicate' (see kompile --help)\n" });
    const r = await kompile('diff', '--after', after);
    expect(r.code).toBe(2);
    expect(r.err).toBe('kompile diff: diff needs exactly one of --base <git-ref> or --before <dir> (see kompile diff --help)\n');
    expect((await kompile('images', '--dist', after, '--env', 'nope')).err).toContain("no environment 'nope' in the tree (have: dev)");
    expect((await kompile('verify')).err).toBe('kompile verify: verify needs --env <name> (see kompile verify --help)\n');
    const missing = await kompile('diff', '--before', path.join(tmp, 'nope'), '--after', after);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain(`--before: no directory ${path.join(tmp, 'nope')}`);
    const envFolder = await kompile('diff', '--before', after, '--after', path.join(after, 'dev'));
    expect(envFolder.code).toBe(2);
    expect(envFolder.err).toContain(`--after: ${path.join(after, 'dev')} is an environment folder`);
    expect(envFolder.err).toContain('--env dev');
    for (const e of [r, missing, envFolder]) expect(e.err.split('\n')).toHaveLength(2); // one line and its newline
  });

  it('diff and help exit quietly with their own exit code when the reader closes the pipe', async () => {
    const [destructive, help] = await Promise.all([
      kompileIntoClosedPipe('diff', '--before', before, '--after', after, '--fail-on', 'destructive'),
      kompileIntoClosedPipe('--help'),
    ]);
    // No EPIPE stack trace; the exit code is the check's (1: an unacknowledged destructive change).
    expect(destructive).toEqual({ code: 1, err: '' });
    expect(help).toEqual({ code: 0, err: '' });
  });
});

describe('kompile help', () => {
  const COMMANDS = ['diff', 'validate', 'verify', 'images', 'charts', 'helm'];

  it('kompile --help, -h and help print the overview of every command and exit 0', async () => {
    for (const flag of ['--help', '-h', 'help']) {
      const r = await kompile(flag);
      expect(r).toEqual({ code: 0, out: OVERVIEW, err: '' });
    }
    for (const c of COMMANDS) expect(OVERVIEW).toMatch(new RegExp(`^  ${c} +\\S`, 'm'));
    // No command at all is a usage error: the overview goes to stderr.
    expect(await kompile()).toEqual({ code: 2, out: '', err: OVERVIEW });
  });

  it('<command> --help, -h and help <command> print that command\'s help and exit 0, whatever else is given', async () => {
    const helps = new Map<string, string>();
    for (const c of COMMANDS) {
      const r = await kompile(c, '--help');
      expect(r.code).toBe(0);
      expect(r.err).toBe('');
      expect(r.out.split('\n')[0]).toMatch(new RegExp(`^Usage: kompile ${c}\\b`));
      expect(r.out).toMatch(/\nExit codes: /);
      expect(await kompile(c, '-h')).toEqual(r);
      expect(await kompile('help', c)).toEqual(r);
      helps.set(c, r.out);
    }
    expect(new Set(helps.values()).size).toBe(COMMANDS.length);
    expect(helps.get('verify')).toContain('--kubeconfig <file>');
    expect(helps.get('charts')).toContain('--plain-http');
    expect(helps.get('diff')).not.toContain('--kubeconfig');
    // --help wins over a bad option, a missing required one, or a subcommand.
    expect((await kompile('diff', '--foo', '--help')).out).toBe(helps.get('diff'));
    expect((await kompile('charts', 'pull', '-h')).out).toBe(helps.get('charts'));
    // After `--`, --help is an argument, not a request for help.
    expect((await kompile('images', '--', '--help')).code).toBe(2);
    expect(await kompile('help', 'nope')).toEqual({ code: 2, out: '', err: "kompile help: unknown command 'nope' (see kompile --help)\n" });
  });

  it('an option the command does not take, a missing value or a stray argument is one line naming it', async () => {
    expect(await kompile('diff', '--foo')).toEqual({ code: 2, out: '', err: "kompile diff: unknown option '--foo' (see kompile diff --help)\n" });
    expect((await kompile('validate', '--env')).err).toBe("kompile validate: option '--env' needs a value (see kompile validate --help)\n");
    expect((await kompile('diff', '--before', 'x', '--output', '--fail-on')).err).toBe(
      "kompile diff: option '--output' needs a value (a value starting with '-' goes as --output=<value>) (see kompile diff --help)\n",
    );
    expect((await kompile('images', '--check=yes')).err).toBe("kompile images: option '--check' takes no value (see kompile images --help)\n");
    expect((await kompile('images', 'prod')).err).toBe("kompile images: unexpected argument 'prod' (see kompile images --help)\n");
    expect((await kompile('helm', '--verbose')).err).toBe("kompile helm: unknown option '--verbose' (see kompile helm --help)\n");
    expect((await kompile('images', '--dist')).err).toBe('kompile images: --dist needs a value (see kompile images --help)\n');
    expect((await kompile('--frob')).err).toBe("kompile: unknown option '--frob' (see kompile --help)\n");
  });

  it('README.md, docs/tools.md and the help state the same exit codes', () => {
    const stated = (text: string) => [...text.matchAll(/Exit codes: \**0\** fine, \**1\** the check failed, \**2\** (\w+(?: \w+)*)/g)].map((m) => m[1]);
    const overview = stated(OVERVIEW);
    expect(overview).toEqual(['usage or runtime error']);
    expect(stated(fs.readFileSync(path.join(REPO, 'README.md'), 'utf8'))).toEqual(overview);
    expect(stated(fs.readFileSync(path.join(REPO, 'docs/tools.md'), 'utf8'))).toEqual(overview);
  });
});

describe('kompile verify: finding the kubeconfig', () => {
  const home = path.join(tmp, 'home');
  const kubeconfig = (file: string, doc: object) => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ apiVersion: 'v1', kind: 'Config', ...doc }));
  };
  const cluster = { clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:6443' } }], users: [{ name: 'u', user: { token: 't' } }] };

  it('without a kubeconfig says where it looked and what to pass', async () => {
    fs.mkdirSync(home, { recursive: true });
    const r = await kompileWith({ cwd: REPO, env: { HOME: home } }, 'verify', '--env', 'dev');
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err.split('\n')).toHaveLength(2);
    expect(r.err).toContain('kompile verify: no kubeconfig found: KUBECONFIG is not set');
    expect(r.err).toContain(`${path.join(home, '.kube/config')} does not exist`);
    expect(r.err).toContain(`${SERVICE_ACCOUNT_DIR}/token`);
    expect(r.err).toMatch(/pass --kubeconfig <file> \(and --context <name>/);
    const unset = await kompileWith({ cwd: REPO, env: { KUBECONFIG: path.join(home, 'absent') } }, 'verify', '--env', 'dev');
    expect(unset.err).toContain(`KUBECONFIG=${path.join(home, 'absent')}: no such file ${path.join(home, 'absent')}`);
    expect((await kompileWith({ cwd: home, env: {} }, 'verify', '--env', 'dev', '--kubeconfig', 'kc.yaml')).err).toContain(`--kubeconfig ${path.join(home, 'kc.yaml')}: no such file`);
  });

  it('a context that is not in the kubeconfig, or none, is an error listing the contexts', async () => {
    const file = path.join(tmp, 'contexts/config');
    kubeconfig(file, { ...cluster, contexts: [{ name: 'a', context: { cluster: 'c', user: 'u' } }, { name: 'b', context: { cluster: 'c', user: 'u' } }] });
    const wrong = await kompileWith({ cwd: REPO, env: {} }, 'verify', '--env', 'dev', '--kubeconfig', file, '--context', 'prod');
    expect(wrong).toEqual({ code: 2, out: '', err: `kompile verify: --context prod: no such context in ${file} (have: a, b)\n` });
    const none = await kompileWith({ cwd: REPO, env: { KUBECONFIG: file } }, 'verify', '--env', 'dev');
    expect(none.err).toBe(`kompile verify: ${file} sets no current context; pass --context <name> (have: a, b)\n`);
  });

  it('reads $KUBECONFIG (every file), else ~/.kube/config, before the in-cluster service account', () => {
    const user = path.join(home, '.kube/config');
    kubeconfig(user, cluster);
    const extra = path.join(tmp, 'extra/config');
    kubeconfig(extra, cluster);
    expect(kubeconfigSource({ env: { HOME: home } })).toEqual({ files: [user] });
    expect(kubeconfigSource({ env: { HOME: home, KUBECONFIG: [extra, user].join(path.delimiter) } })).toEqual({ files: [extra, user] });
    expect(kubeconfigSource({ env: { HOME: home }, kubeconfig: extra })).toEqual({ files: [extra] });
  });
});

describe('cdk8s synth', () => {
  it('prints what the app prints (main.ts\'s dist/<env> summary): cdk8s.yaml sends it past cdk8s-cli, which swallows the app\'s stdout', () => {
    // A stand-in for main.ts (the real synth takes ~15 s) run by the real cdk8s-cli with the real cdk8s.yaml.
    const project = path.join(tmp, 'cdk8s-project');
    fs.mkdirSync(project);
    fs.copyFileSync(path.join(REPO, 'cdk8s.yaml'), path.join(project, 'cdk8s.yaml'));
    fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(project, 'node_modules'));
    fs.writeFileSync(
      path.join(project, 'main.ts'),
      "import * as fs from 'node:fs';\nfs.mkdirSync(process.env.CDK8S_OUTDIR!, { recursive: true });\nfs.writeFileSync(`${process.env.CDK8S_OUTDIR}/a.yaml`, 'kind: A\\n');\nconsole.log('dist/lab: 1 files, 0 images');\n",
    );
    const r = spawnSync(process.execPath, [path.join(REPO, 'node_modules/cdk8s-cli/bin/cdk8s'), 'synth'], {
      cwd: project,
      env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' },
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Synthesizing application');
    expect(`${r.stdout}${r.stderr}`).toContain('dist/lab: 1 files, 0 images\n');
  });
});
