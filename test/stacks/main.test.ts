import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadEnvironments } from '../../lib/tools/synth';
import { dev } from '../../stacks/dev';

const REPO = path.join(__dirname, '../..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kompile-main-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/**
 * The real entry point, run as `npm run synth` runs it, in a copy of the repository whose dist/ is
 * a folder of its own (main.ts writes beside itself): the repository's code, stacks and lock by link.
 */
function synthIn(dir: string, ...args: string[]) {
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(path.join(REPO, 'main.ts'), path.join(dir, 'main.ts'));
  for (const f of ['lib', 'stacks', 'imports', 'node_modules', 'package.json', 'charts.lock.json', 'tsconfig.json']) {
    if (!fs.existsSync(path.join(dir, f))) fs.symlinkSync(path.join(REPO, f), path.join(dir, f));
  }
  return spawnSync(process.execPath, ['--import', require.resolve('tsx'), path.join(dir, 'main.ts'), ...args], { cwd: dir, encoding: 'utf8' });
}

describe('npm run synth', () => {
  it('leaves dist/ exactly as it was when an environment cannot be hydrated, saying what to do', () => {
    const dir = path.join(tmp, 'repo');
    const dist = path.join(dir, 'dist', 'dev');
    fs.mkdirSync(dist, { recursive: true });
    fs.writeFileSync(path.join(dist, 'sentinel.yaml'), 'kept: true\n');
    // No charts/ here: hydrated mode needs every chart vendored.
    const r = synthIn(dir, '--charts-mode', 'hydrated');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/dev: component '[a-z-]+' is hydrated but chart '[a-z-]+' is not vendored/);
    expect(r.stderr).toContain('Nothing was written: dist/ is unchanged.');
    expect(fs.readdirSync(path.join(dir, 'dist'))).toEqual(['dev']);
    expect(fs.readdirSync(dist)).toEqual(['sentinel.yaml']);
  });

  it('reports a stack file with a syntax error by name, writes nothing and leaves dist/ as it was', () => {
    const dir = path.join(tmp, 'syntax');
    // A stacks/ of its own: the repository's stack files, and a new one that does not parse.
    fs.cpSync(path.join(REPO, 'stacks'), path.join(dir, 'stacks'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'stacks', 'staging.ts'), "import { defineEnvironment } from './base';\n\nexport const staging = defineEnvironment({ name: 'staging', tier: \n");
    const index = path.join(dir, 'stacks', 'index.ts');
    fs.writeFileSync(index, `${fs.readFileSync(index, 'utf8')}\nimport { staging } from './staging';\nexport const withStaging = [...environments, staging];\n`);
    fs.mkdirSync(path.join(dir, 'dist', 'dev'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'dist', 'dev', 'sentinel.yaml'), 'kept: true\n');
    const r = synthIn(dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^could not load stacks\/staging\.ts:4:0: /);
    expect(r.stderr).toContain('stacks/staging.ts:4:0: ERROR: Unexpected end of file');
    expect(r.stderr).toContain('Nothing was written: dist/ is unchanged.');
    expect(r.stderr).not.toContain(dir);
    expect(fs.readdirSync(path.join(dir, 'dist'))).toEqual(['dev']);
    expect(fs.readdirSync(path.join(dir, 'dist', 'dev'))).toEqual(['sentinel.yaml']);
  });

  it('compiles nothing when neither the inputs nor dist/ changed, and compiles again when dist/ was edited', () => {
    const dir = path.join(tmp, 'unchanged');
    const first = synthIn(dir);
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/^dist\/dev: \d+ files/m);
    expect(first.stdout).not.toContain('nothing compiled');
    const file = path.join(dir, 'dist', 'dev', 'apps', 'project.yaml');
    const written = fs.readFileSync(file, 'utf8');

    const second = synthIn(dir);
    expect(second.status).toBe(0);
    expect(second.stdout).toContain('inputs and dist/ unchanged since the last synth: nothing compiled');
    // The same summary and warnings as the synth that wrote dist/.
    expect(second.stdout.replace(/\(inputs and dist\/ unchanged[^\n]*\n/, '')).toBe(first.stdout);
    expect(second.stderr).toBe(first.stderr);

    fs.writeFileSync(file, '# edited by hand\n');
    const third = synthIn(dir);
    expect(third.status).toBe(0);
    expect(third.stdout).not.toContain('nothing compiled');
    expect(fs.readFileSync(file, 'utf8')).toBe(written);

    // Nothing changed since the third, but --no-cache compiles anyway.
    const forced = synthIn(dir, '--no-cache');
    expect(forced.status).toBe(0);
    expect(forced.stdout).toBe(first.stdout);
  });

  it('refuses an unknown charts mode with a usage error', () => {
    const r = synthIn(path.join(tmp, 'usage'), '--charts-mode', 'inline');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("--charts-mode takes 'hydrated' or 'referenced', not 'inline'");
  });
});

describe('loadEnvironments', () => {
  const stacks = path.join(REPO, 'stacks');

  it('returns what the stack files define', () => {
    expect(loadEnvironments(stacks, () => [dev])).toEqual([dev]);
  });

  it('names the stack file an exception was thrown in, relative to the repository', () => {
    const thrown = new TypeError("Cannot read properties of undefined (reading 'foo')");
    thrown.stack = `TypeError: ${thrown.message}\n    at <anonymous> (${stacks}/staging.ts:3:52)\n    at require (node:internal/modules/helpers:182:18)`;
    expect(() =>
      loadEnvironments(stacks, () => {
        throw thrown;
      }),
    ).toThrow("could not load stacks/staging.ts:3:52: Cannot read properties of undefined (reading 'foo')");
  });

  it('names stacks/ when the error points at no file of it', () => {
    expect(() =>
      loadEnvironments(stacks, () => {
        throw new Error('out of memory');
      }),
    ).toThrow(/^could not load stacks\/: out of memory$/);
  });
});
