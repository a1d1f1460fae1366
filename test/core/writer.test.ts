import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EnvironmentOutput } from '../../lib/core/synthesize';
import { writeOutputs } from '../../lib/core/writer';
import { RenderedFiles } from '../../lib/core/yaml-output';

const output = (environment: string, files: Record<string, string>): EnvironmentOutput => ({ environment, files: new Map(Object.entries(files)), images: new Map(), charts: [], chartsMode: 'referenced' });

const made: string[] = [];
function tmp(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kompile-writer-'));
  made.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function read(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) out[path.relative(dir, path.join(e.parentPath, e.name))] = fs.readFileSync(path.join(e.parentPath, e.name), 'utf8');
  }
  return out;
}

describe('writeOutputs', () => {
  it('writes every environment under its folder and removes what is no longer produced', () => {
    const root = tmp();
    const dist = path.join(root, 'dist');
    writeOutputs(dist, [output('dev', { 'a/manifests.yaml': 'a1', 'images.txt': '' }), output('old', { 'x.yaml': 'x' })]);
    writeOutputs(dist, [output('dev', { 'b/manifests.yaml': 'b1' })]);
    expect(read(dist)).toEqual({ 'dev/b/manifests.yaml': 'b1' });
    expect(fs.readdirSync(root)).toEqual(['dist']);
  });

  it('leaves the previous output untouched and no staging folder behind when writing fails', () => {
    const root = tmp();
    const dist = path.join(root, 'dist');
    writeOutputs(dist, [output('dev', { 'a/manifests.yaml': 'v1' })]);
    // 'a' is a file in the second output and a folder in the third: the write fails half-way.
    expect(() => writeOutputs(dist, [output('dev', { 'a/manifests.yaml': 'v2', a: 'clash' })])).toThrow();
    expect(read(dist)).toEqual({ 'dev/a/manifests.yaml': 'v1' });
    expect(fs.readdirSync(root)).toEqual(['dist']);
  });

  it('carries over the files it is told to preserve, where their folder still exists', () => {
    const root = tmp();
    const dist = path.join(root, 'dist');
    writeOutputs(dist, [output('dev', { 'web/manifests.yaml': 'v1', 'gone/manifests.yaml': 'g' })]);
    fs.writeFileSync(path.join(dist, 'dev/web/.argocd-source-web.yaml'), 'kustomize:\n  images: [web:2]\n');
    fs.writeFileSync(path.join(dist, 'dev/gone/.argocd-source-gone.yaml'), 'x');
    fs.writeFileSync(path.join(dist, 'dev/web/stray.yaml'), 'not preserved');
    writeOutputs(dist, [output('dev', { 'web/manifests.yaml': 'v2' })], { preserve: (rel) => rel.includes('.argocd-source-') });
    expect(read(dist)).toEqual({ 'dev/web/manifests.yaml': 'v2', 'dev/web/.argocd-source-web.yaml': 'kustomize:\n  images: [web:2]\n' });
  });

  it('never lets a preserved file override a generated one', () => {
    const root = tmp();
    const dist = path.join(root, 'dist');
    writeOutputs(dist, [output('dev', { 'web/manifests.yaml': 'v1' })]);
    writeOutputs(dist, [output('dev', { 'web/manifests.yaml': 'v2' })], { preserve: () => true });
    expect(read(dist)).toEqual({ 'dev/web/manifests.yaml': 'v2' });
  });

  it('renders each file only when it writes it, after the one before is on disk (one file held at a time)', () => {
    const root = tmp();
    const dist = path.join(root, 'dist');
    const events: string[] = [];
    const staged = () => fs.readdirSync(root).find((d) => d.includes('.staging-'))!;
    const file = (name: string) => () => {
      // What is already written, when this file is rendered.
      const dir = path.join(root, staged(), 'dev');
      events.push(`${name} after [${fs.existsSync(dir) ? fs.readdirSync(dir).sort().join(',') : ''}]`);
      return `${name}\n`;
    };
    const files = new RenderedFiles([
      ['a.yaml', file('a')],
      ['b.yaml', file('b')],
      ['c.txt', 'plain text'],
    ]);
    expect(events).toEqual([]);
    writeOutputs(dist, [{ ...output('dev', {}), files }]);
    expect(events).toEqual(['a after []', 'b after [a.yaml]']);
    expect(read(dist)).toEqual({ 'dev/a.yaml': 'a\n', 'dev/b.yaml': 'b\n', 'dev/c.txt': 'plain text' });
  });

  it('leaves the previous output untouched when rendering a file fails half-way', () => {
    const root = tmp();
    const dist = path.join(root, 'dist');
    writeOutputs(dist, [output('dev', { 'a.yaml': 'v1' })]);
    const files = new RenderedFiles([
      ['a.yaml', () => 'v2'],
      ['b.yaml', () => {
        throw new Error('cannot render b');
      }],
    ]);
    expect(() => writeOutputs(dist, [{ ...output('dev', {}), files }])).toThrow('cannot render b');
    expect(read(dist)).toEqual({ 'dev/a.yaml': 'v1' });
    expect(fs.readdirSync(root)).toEqual(['dist']);
  });
});

describe('RenderedFiles', () => {
  it('reads like a map of file → content, rendering a file each time it is read and never keeping it', () => {
    let renders = 0;
    const files = new RenderedFiles([
      ['x.yaml', () => `x${++renders}`],
      ['y.txt', 'y'],
    ]);
    expect(files.size).toBe(2);
    expect(files.has('x.yaml')).toBe(true);
    expect(files.has('z')).toBe(false);
    expect(files.get('z')).toBeUndefined();
    expect([...files.keys()]).toEqual(['x.yaml', 'y.txt']);
    expect(renders).toBe(0);
    expect(files.get('x.yaml')).toBe('x1');
    expect([...files]).toEqual([
      ['x.yaml', 'x2'],
      ['y.txt', 'y'],
    ]);
    expect([...files.values()]).toEqual(['x3', 'y']);
    const seen: string[] = [];
    files.forEach((content, file) => seen.push(`${file}=${content}`));
    expect(seen).toEqual(['x.yaml=x4', 'y.txt=y']);
  });
});
