import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { IMAGE_PINS, ImagePins } from '../../lib/core/image-pins';
import { ToolHiveOperator } from '../../lib/operators/toolhive-operator';
import { KServe } from '../../lib/serving/kserve';
import { synthPlatform, testPlatform } from '../helpers';

const pin = (over: Record<string, unknown> = {}) => ({ name: 'proxy', repository: 'quay.io/brancz/kube-rbac-proxy', tag: 'v0.18.0', note: 'metrics proxy', ...over });
const parse = (...images: unknown[]) => ImagePins.parse({ images });

describe('images.pins.json: the image tags Kompile pins in code', () => {
  it('gives the reference of a pin by name', () => {
    expect(parse(pin()).reference('proxy')).toBe('quay.io/brancz/kube-rbac-proxy:v0.18.0');
    expect(parse(pin({ repository: 'registry.local:5000/team/app', tag: '23.05-py3' })).reference('proxy')).toBe('registry.local:5000/team/app:23.05-py3');
  });

  it('rejects a bad entry naming the field', () => {
    expect(() => parse(pin({ tag: 'v1 beta' }))).toThrow(/images\[0\]\.tag: must be an image tag such as v0\.18\.0/);
    expect(() => parse(pin({ tag: '' }))).toThrow(/images\[0\]\.tag: must be an image tag/);
    expect(() => parse(pin(), pin({ name: 'b', repository: 'pytorch/torchserve-kfs' }))).toThrow(/images\[1\]\.repository: must name its registry \(such as docker\.io\/pytorch\/torchserve-kfs\)/);
    expect(() => parse(pin({ repository: 'quay.io/brancz/kube-rbac-proxy:v0.18.0' }))).toThrow(/images\[0\]\.repository: invalid image reference/);
    expect(() => parse(pin({ repository: 'quay.io/Brancz/proxy' }))).toThrow(/images\[0\]\.repository: invalid image reference/);
    expect(() => parse(pin({ name: 'Proxy' }))).toThrow(/images\[0\]\.name: must be a lowercase name/);
    expect(() => parse(pin(), pin())).toThrow(/images\[1\]\.name: 'proxy' is pinned twice/);
    expect(() => parse(pin({ version: '1' }))).toThrow(/images\[0\]: Unrecognized key\(s\) in object: 'version'/);
    expect(() => parse({ name: 'x', repository: 'docker.io/x/y', tag: '1' })).toThrow(/images\[0\]\.note: Required/);
    expect(() => ImagePins.parse({ image: [] })).toThrow(/images: Required/);
  });

  it('names the pins it has when asked for one it has not', () => {
    expect(() => parse(pin()).reference('kube-proxy')).toThrow("images.pins.json pins no image 'kube-proxy' (it pins proxy)");
  });

  it('the constructs take their images from the pins: they reach the synthesized image list', () => {
    const platform = testPlatform();
    new KServe(platform, 'KServe', { version: '0.15.2', namespace: 'kserve', deploymentMode: 'RawDeployment', domain: 'd.example.org' });
    new ToolHiveOperator(platform, 'ToolHive', { version: '0.44.0', namespace: 'toolhive' });
    const listed = synthPlatform(platform).files.get('images.txt')!.split('\n');
    for (const name of ['kube-rbac-proxy', 'torchserve', 'tensorflow-serving', 'mlserver', 'tritonserver', 'thv-registry-api']) {
      expect(listed).toContain(IMAGE_PINS.reference(name));
    }
  });

  it('every pin is read by some construct (none left over after a construct stops using it)', () => {
    const lib = path.join(__dirname, '../../lib');
    const sources = fs.readdirSync(lib, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => fs.readFileSync(path.join(lib, f), 'utf8')).join('\n');
    const read = new Set([...sources.matchAll(/IMAGE_PINS\.reference\('([^']+)'\)/g)].map((m) => m[1]));
    expect(IMAGE_PINS.images.map((p) => p.name).filter((n) => !read.has(n))).toEqual([]);
  });
});
