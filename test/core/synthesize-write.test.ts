import { k8s } from 'cdk8s-plus-28';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { Component } from '../../lib/core/component';
import { CLIENT_SIDE_APPLY_LIMIT } from '../../lib/core/synthesize';
import { RenderedFiles } from '../../lib/core/yaml-output';
import { findObject, objectsIn, synthPlatform, testPlatform } from '../helpers';

/** The sync options of component c's Application, with one ConfigMap holding `blob`. */
function syncOptions(blob: string): string[] {
  const p = testPlatform();
  const c = new Component(p, 'C', { name: 'c' });
  new k8s.KubeConfigMap(c, 'Cm', { metadata: { name: 'cm', namespace: 'apps' }, data: { blob } });
  const app = findObject(objectsIn(synthPlatform(p), 'apps/c.yaml'), 'Application', 'c');
  return (app.spec as { syncPolicy: { syncOptions: string[] } }).syncPolicy.syncOptions;
}

describe('synthesize, write path', () => {
  describe('server-side apply, by the size of an object as JSON in bytes (measured without serializing small objects)', () => {
    it('is not chosen for an object whose bound passes the limit but whose JSON does not', () => {
      // 6 bytes a character bound this over the limit; as JSON it is well under.
      expect(syncOptions('x'.repeat(CLIENT_SIDE_APPLY_LIMIT / 2))).not.toContain('ServerSideApply=true');
    });

    it('is chosen for an object over the limit in UTF-8 bytes though not in characters', () => {
      // 'é' is 2 bytes in UTF-8: 0.6 × the limit in characters, 1.2 × in bytes.
      expect(syncOptions('é'.repeat(Math.round(CLIENT_SIDE_APPLY_LIMIT * 0.6)))).toContain('ServerSideApply=true');
    });

    it('is chosen for an object over the limit in JSON escapes though not in characters', () => {
      // A control character is 6 bytes as JSON (\u0001).
      expect(syncOptions('\u0001'.repeat(Math.round(CLIENT_SIDE_APPLY_LIMIT / 4)))).toContain('ServerSideApply=true');
    });
  });

  it("returns the files rendered when read: the same text on every read, and each file's objects", () => {
    const p = testPlatform();
    const c = new Component(p, 'C', { name: 'c' });
    new k8s.KubeConfigMap(c, 'Cm', { metadata: { name: 'cm', namespace: 'apps' }, data: { on: 'yes' } });
    const out = synthPlatform(p);
    expect(out.files).toBeInstanceOf(RenderedFiles);
    const text = out.files.get('c/manifests.yaml')!;
    expect(out.files.get('c/manifests.yaml')).toBe(text);
    expect(text).toContain('"on": "yes"');
    expect(parseAllDocuments(text).map((d) => (d.toJS() as { kind: string }).kind)).toEqual(['ConfigMap']);
    expect([...out.files.keys()]).toEqual([...out.files.keys()].sort());
  });
});
