import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EnvironmentOutput } from '../../lib/core/synthesize';
import { writeOutputs } from '../../lib/core/writer';

const output = (environment: string, files: Record<string, string>): EnvironmentOutput => ({ environment, files: new Map(Object.entries(files)), images: new Map(), charts: [], chartsMode: 'referenced' });

const made: string[] = [];
afterAll(() => made.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

function tmp(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kompile-writer-'));
  made.push(dir);
  return dir;
}

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
});
