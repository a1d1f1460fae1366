import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

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

  it('refuses an unknown charts mode with a usage error', () => {
    const r = synthIn(path.join(tmp, 'usage'), '--charts-mode', 'inline');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("--charts-mode takes 'hydrated' or 'referenced', not 'inline'");
  });
});
