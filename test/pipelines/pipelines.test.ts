import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const REPO = path.join(__dirname, '../..');
const read = (f: string) => fs.readFileSync(path.join(REPO, f), 'utf8');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kompile-pipelines-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Each shipped pipeline's shell commands, in order. */
const pipelines: Record<string, string[]> = {
  'GitHub Actions': (parse(read('ci/github-actions.yml')) as { jobs: { kompile: { steps: Array<{ run?: string }> } } }).jobs.kompile.steps.flatMap((s) => (s.run ? [s.run] : [])),
  GitLab: (parse(read('ci/gitlab-ci.yml')) as { kompile: { script: string[] } }).kompile.script,
  Jenkins: [...read('ci/Jenkinsfile').matchAll(/\bsh[ (]+(?:script: *)?(['"])(.*?)\1/g)].map((m) => m[2]),
};

describe('the shipped pipelines', () => {
  for (const [name, commands] of Object.entries(pipelines)) {
    it(`${name}: synthesize, fail on a stale dist/, pull charts on Renovate branches, validate against the declared schemas`, () => {
      const at = (needle: RegExp) => commands.findIndex((c) => needle.test(c));
      const order = [/npm run synth/, /ci\/dist-is-current\.sh/, /ci\/renovate-charts\.sh/, /kompile -- validate/, /kompile -- images --check/].map(at);
      expect(order.every((i) => i >= 0), `${name}: ${JSON.stringify(order)}`).toBe(true);
      expect([...order].sort((a, b) => a - b)).toEqual(order);
      // The schemas come from cdk8s.yaml's declaration, not a folder named in the pipeline.
      expect(commands.filter((c) => /--crds|--kubernetes-schema/.test(c))).toEqual([]);
    });
  }

  it('GitLab keeps one merge-request note (scripts/gitlab-mr-note.ts) instead of posting a new one', () => {
    const script = pipelines.GitLab.join('\n');
    expect(script).toContain('npx tsx scripts/gitlab-mr-note.ts kompile-diff.md');
    expect(script).not.toMatch(/method: *"POST"/);
  });
});

/** A git repository with a committed dist/, for the stale check. */
function repoWithDist(name: string): string {
  const dir = path.join(tmp, name);
  fs.mkdirSync(path.join(dir, 'dist', 'dev'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'dist', 'dev', 'a.yaml'), 'kind: A\n');
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: dir, stdio: 'pipe' });
  git('init', '-q');
  git('add', '.');
  git('commit', '-qm', 'init');
  return dir;
}

function sh(script: string, cwd: string, ...args: string[]): { code: number; out: string } {
  const r = spawnSync(path.join(REPO, 'ci', script), args, { cwd, encoding: 'utf8' });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

describe('ci/dist-is-current.sh', () => {
  it('passes when dist/ matches what is committed', () => {
    expect(sh('dist-is-current.sh', repoWithDist('clean'), 'main')).toEqual({ code: 0, out: 'dist/ matches the code\n' });
  });

  it('fails on a changed, a new or a deleted file under dist/, naming it', () => {
    const changed = repoWithDist('changed');
    fs.writeFileSync(path.join(changed, 'dist', 'dev', 'a.yaml'), 'kind: B\n');
    const r = sh('dist-is-current.sh', changed, 'feature/x');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/M dist\/dev\/a\.yaml/);
    expect(r.out).toContain("dist/ is stale: run 'npm run synth' and commit dist/");
    expect(r.out).not.toContain('Renovate');

    const added = repoWithDist('added');
    fs.writeFileSync(path.join(added, 'dist', 'dev', 'b.yaml'), 'kind: B\n');
    expect(sh('dist-is-current.sh', added).out).toMatch(/\?\? dist\/dev\/b\.yaml/);

    const deleted = repoWithDist('deleted');
    fs.rmSync(path.join(deleted, 'dist', 'dev', 'a.yaml'));
    expect(sh('dist-is-current.sh', deleted).code).toBe(1);
  });

  it('on a Renovate branch says what to do about it', () => {
    const dir = repoWithDist('renovate');
    fs.writeFileSync(path.join(dir, 'dist', 'dev', 'a.yaml'), 'kind: B\n');
    const r = sh('dist-is-current.sh', dir, 'renovate/kserve-0.x');
    expect(r.code).toBe(1);
    expect(r.out).toContain('This is a Renovate branch: it bumped a version in charts.lock.json or images.pins.json');
  });
});

describe('ci/renovate-charts.sh', () => {
  it('does nothing off Renovate branches (it needs the chart sources, so network)', () => {
    expect(sh('renovate-charts.sh', tmp, 'main')).toEqual({ code: 0, out: 'not a Renovate branch: charts are not pulled\n' });
    expect(sh('renovate-charts.sh', tmp)).toEqual({ code: 0, out: 'not a Renovate branch: charts are not pulled\n' });
  });
});

describe('GitLab: merging Image Updater write branches', () => {
  const job = (parse(read('ci/gitlab-ci.yml')) as { 'image-updates': { rules: Array<{ if: string }>; script: string[]; variables: Record<string, string | number> } })['image-updates'];

  it('runs on image-updates/* branches only, and merges into main by default', () => {
    expect(job.rules).toEqual([{ if: '$CI_COMMIT_BRANCH =~ /^image-updates\\//' }]);
    expect(job.variables.KOMPILE_TARGET_BRANCH).toBe('main');
  });

  it('checks that only write-back files changed, merges, runs the checks of a merge request on the merged tree, and pushes last', () => {
    const at = (needle: RegExp) => job.script.findIndex((c) => needle.test(c));
    const order = [/ci\/write-back-only\.sh/, /git checkout -B "\$KOMPILE_TARGET_BRANCH"/, /merge --no-ff/, /npm run synth/, /ci\/dist-is-current\.sh/, /kompile -- validate/, /kompile -- images --check/, /kompile -- diff .*--fail-on destructive/, /git push/].map(at);
    expect(order.every((i) => i >= 0), JSON.stringify(order)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(order[order.length - 1]).toBe(job.script.length - 1);
    // The write-back-only check is given the environment the branch is for.
    expect(job.script[order[0]]).toContain('"${CI_COMMIT_BRANCH#image-updates/}"');
  });
});

describe('ci/write-back-only.sh', () => {
  /** A repository with main and a write branch that changes `changes` (path → content). */
  function repo(name: string, changes: Record<string, string>): string {
    const dir = path.join(tmp, name);
    fs.mkdirSync(path.join(dir, 'dist', 'dev', 'chatbot'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'dist', 'dev', 'chatbot', 'manifests.yaml'), 'kind: A\n');
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: dir, stdio: 'pipe' });
    git('init', '-q', '-b', 'main');
    git('add', '.');
    git('commit', '-qm', 'init');
    git('checkout', '-qb', 'image-updates/dev');
    for (const [file, content] of Object.entries(changes)) {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), content);
    }
    git('add', '.');
    git('commit', '-qm', 'write-back', '--allow-empty');
    return dir;
  }

  it("passes a write branch that changes only its environment's write-back files", () => {
    const dir = repo('wb-good', { 'dist/dev/chatbot/.argocd-source-chatbot.yaml': 'kustomize: {}\n' });
    const r = sh('write-back-only.sh', dir, 'main', 'image-updates/dev', 'dev');
    expect(r).toEqual({ code: 0, out: 'dist/dev/chatbot/.argocd-source-chatbot.yaml\nonly write-back files changed\n' });
    expect(sh('write-back-only.sh', repo('wb-empty', {}), 'main', 'image-updates/dev', 'dev')).toEqual({ code: 0, out: 'image-updates/dev changes nothing against main\n' });
  });

  it('fails on any other change, naming it: manifests, another environment, a folder-wide override', () => {
    const dir = repo('wb-bad', {
      'dist/dev/chatbot/.argocd-source-chatbot.yaml': 'kustomize: {}\n',
      'dist/dev/chatbot/manifests.yaml': 'kind: Evil\n',
      'dist/prod/chatbot/.argocd-source-chatbot.yaml': 'kustomize: {}\n',
      'dist/dev/chatbot/.argocd-source.yaml': 'kustomize: {}\n',
    });
    const r = sh('write-back-only.sh', dir, 'main', 'image-updates/dev', 'dev');
    expect(r.code).toBe(1);
    expect(r.out).toContain('image-updates/dev changes files that are not Image Updater write-back files of environment dev:\n');
    for (const f of ['dist/dev/chatbot/manifests.yaml', 'dist/prod/chatbot/.argocd-source-chatbot.yaml', 'dist/dev/chatbot/.argocd-source.yaml']) expect(r.out).toContain(`${f}\n`);
    expect(r.out).not.toContain('dist/dev/chatbot/.argocd-source-chatbot.yaml\n');
    // Without an environment, any environment's write-back file is fine; the rest still fails.
    expect(sh('write-back-only.sh', dir, 'main', 'image-updates/dev').out).not.toContain('dist/prod/chatbot/.argocd-source-chatbot.yaml\n');
  });
});
