import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { inputsDigest, outputDigest, readStamp, stampFile, SynthStamp, unchangedSince, writeStamp } from '../../lib/tools/synth-stamp';

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A repository folder with a stack file, a lock, a dist/ and a node_modules/. */
function repo(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kompile-stamp-'));
  made.push(root);
  const write = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  };
  write('stacks/dev.ts', 'export const dev = 1;\n');
  write('charts.lock.json', '{}\n');
  write('dist/dev/apps/a.yaml', 'kind: Application\n');
  write('node_modules/x/index.js', 'module.exports = 1;\n');
  write('.git/HEAD', 'ref: refs/heads/main\n');
  return root;
}

function stampOf(root: string, args: string[] = []): SynthStamp {
  return { inputs: inputsDigest(root, args, {}), output: outputDigest(path.join(root, 'dist')), summary: ['dist/dev: 1 files, 0 images'], warnings: ['warning: dev: w'] };
}

describe('the no-change shortcut of the synth', () => {
  it('finds the stamp when neither the inputs nor dist/ changed', () => {
    const root = repo();
    writeStamp(stampFile(root), stampOf(root));
    const found = unchangedSince(readStamp(stampFile(root)), inputsDigest(root, [], {}), path.join(root, 'dist'));
    expect(found?.summary).toEqual(['dist/dev: 1 files, 0 images']);
    expect(found?.warnings).toEqual(['warning: dev: w']);
  });

  it('compiles again when a stack file, a lock or a new file changes the inputs', () => {
    for (const change of [
      (root: string) => fs.appendFileSync(path.join(root, 'stacks/dev.ts'), '// edited\n'),
      (root: string) => fs.writeFileSync(path.join(root, 'charts.lock.json'), '{"charts":[]}\n'),
      (root: string) => fs.writeFileSync(path.join(root, 'stacks/staging.ts'), 'export const staging = 2;\n'),
      (root: string) => fs.renameSync(path.join(root, 'stacks/dev.ts'), path.join(root, 'stacks/prod.ts')),
    ]) {
      const root = repo();
      writeStamp(stampFile(root), stampOf(root));
      change(root);
      expect(unchangedSince(readStamp(stampFile(root)), inputsDigest(root, [], {}), path.join(root, 'dist'))).toBeUndefined();
    }
  });

  it('compiles again when dist/ was edited, a file removed or one added there (a write-back file pulled from Git)', () => {
    for (const change of [
      (dist: string) => fs.appendFileSync(path.join(dist, 'dev/apps/a.yaml'), '# hand edit\n'),
      (dist: string) => fs.rmSync(path.join(dist, 'dev/apps/a.yaml')),
      (dist: string) => fs.writeFileSync(path.join(dist, 'dev/.argocd-source-chatbot.yaml'), 'kustomize: {}\n'),
    ]) {
      const root = repo();
      writeStamp(stampFile(root), stampOf(root));
      change(path.join(root, 'dist'));
      expect(unchangedSince(readStamp(stampFile(root)), inputsDigest(root, [], {}), path.join(root, 'dist'))).toBeUndefined();
    }
  });

  it('compiles again with other arguments, another helm or another Node.js', () => {
    const root = repo();
    const stamp = stampOf(root);
    expect(inputsDigest(root, ['--charts-mode', 'hydrated'], {})).not.toBe(stamp.inputs);
    expect(inputsDigest(root, [], { KOMPILE_HELM: '/opt/helm' })).not.toBe(stamp.inputs);
    expect(inputsDigest(root, [], {})).toBe(stamp.inputs);
  });

  it('leaves out what is not an input: dist/, node_modules/ and .git/', () => {
    const root = repo();
    const before = inputsDigest(root, [], {});
    fs.writeFileSync(path.join(root, 'node_modules/x/index.js'), 'module.exports = 2;\n');
    fs.writeFileSync(path.join(root, '.git/HEAD'), 'ref: refs/heads/other\n');
    fs.writeFileSync(path.join(root, 'dist/dev/apps/a.yaml'), 'kind: Other\n');
    expect(inputsDigest(root, [], {})).toBe(before);
  });

  it('follows linked folders (a copy of the repository that links its code)', () => {
    const root = repo();
    const linked = fs.mkdtempSync(path.join(os.tmpdir(), 'kompile-stamp-link-'));
    made.push(linked);
    fs.symlinkSync(path.join(root, 'stacks'), path.join(linked, 'stacks'));
    const before = inputsDigest(linked, [], {});
    fs.appendFileSync(path.join(root, 'stacks/dev.ts'), '// edited through the link\n');
    expect(inputsDigest(linked, [], {})).not.toBe(before);
  });

  it('treats a missing or damaged stamp as none, and keeps the stamp in the repository folder, outside the inputs', () => {
    const a = repo();
    const b = repo();
    expect(readStamp(stampFile(a))).toBeUndefined();
    fs.mkdirSync(path.dirname(stampFile(a)), { recursive: true });
    fs.writeFileSync(stampFile(a), '{"inputs": 1');
    expect(readStamp(stampFile(a))).toBeUndefined();
    fs.writeFileSync(stampFile(a), '{"inputs":"x","output":"y","summary":[]}');
    expect(readStamp(stampFile(a))).toBeUndefined();
    expect(stampFile(a)).not.toBe(stampFile(b));
    expect(path.dirname(stampFile(a))).toBe(path.join(a, '.kompile-cache'));
    const before = inputsDigest(a, [], {});
    writeStamp(stampFile(a), stampOf(a));
    expect(inputsDigest(a, [], {})).toBe(before);
  });
});
