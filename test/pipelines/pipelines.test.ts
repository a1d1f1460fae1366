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
