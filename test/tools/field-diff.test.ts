import { describe, expect, it } from 'vitest';
import { deepEqual, diffFields, valueAt } from '../../lib/tools/field-diff';

describe('diffFields', () => {
  it('reports leaf paths, and a field present on one side once', () => {
    expect(diffFields({ a: { b: 1, c: { d: 2 } } }, { a: { b: 2 }, e: 'x' })).toEqual([
      { path: 'a.b', before: 1, after: 2 },
      { path: 'a.c', before: { d: 2 }, after: undefined },
      { path: 'e', before: undefined, after: 'x' },
    ]);
  });

  it('quotes keys that are not plain words', () => {
    expect(diffFields({ metadata: { labels: { 'app.kubernetes.io/name': 'a' } } }, { metadata: { labels: { 'app.kubernetes.io/name': 'b' } } })).toEqual([
      { path: 'metadata.labels["app.kubernetes.io/name"]', before: 'a', after: 'b' },
    ]);
  });

  it('matches list items by name, then by other identifying keys, instead of by position', () => {
    const c = (name: string, image: string) => ({ name, image });
    expect(diffFields([c('a', '1'), c('b', '1')], [c('new', '1'), c('a', '1'), c('b', '2')])).toEqual([
      { path: '[name=b].image', before: '1', after: '2' },
      { path: '[name=new]', before: undefined, after: c('new', '1') },
    ]);
    const d = (namespace: string) => ({ namespace, server: 'https://kubernetes.default.svc' });
    expect(diffFields({ destinations: [d('b'), d('c')] }, { destinations: [d('a'), d('b'), d('c')] })).toEqual([{ path: 'destinations[namespace=a]', before: undefined, after: d('a') }]);
    expect(diffFields({ ports: [{ port: 80 }, { port: 443 }] }, { ports: [{ port: 443 }, { port: 80 }] })).toEqual([{ path: 'ports', before: [{ port: 80 }, { port: 443 }], after: [{ port: 443 }, { port: 80 }] }]);
  });

  it('compares lists of distinct scalars as sets, and others by position', () => {
    expect(diffFields({ repos: ['a', 'b'] }, { repos: ['x', 'a', 'b'] })).toEqual([{ path: 'repos[+]', after: 'x' }]);
    expect(diffFields({ repos: ['a', 'b'] }, { repos: ['b'] })).toEqual([{ path: 'repos[-]', before: 'a' }]);
    expect(diffFields({ args: ['-v', '-v'] }, { args: ['-v', '-x'] })).toEqual([{ path: 'args[1]', before: '-v', after: '-x' }]);
  });

  it('compares lists of flat objects without an identifying field as sets (AppProject whitelists)', () => {
    const gk = (group: string, kind: string) => ({ group, kind });
    const before = { whitelist: [gk('', 'Namespace'), gk('rbac.authorization.k8s.io', 'ClusterRole')] };
    const after = { whitelist: [gk('', 'Namespace'), gk('', 'PersistentVolume'), gk('rbac.authorization.k8s.io', 'ClusterRole')] };
    expect(diffFields(before, after)).toEqual([{ path: 'whitelist[+]', after: gk('', 'PersistentVolume') }]);
    expect(diffFields(after, before)).toEqual([{ path: 'whitelist[-]', before: gk('', 'PersistentVolume') }]);
    // Key order inside an item does not make it another item.
    expect(diffFields({ w: [{ kind: 'A', group: 'g' }] }, { w: [{ group: 'g', kind: 'A' }] })).toEqual([]);
  });

  it('deepEqual ignores key order and undefined fields; valueAt reads dotted paths', () => {
    expect(deepEqual({ a: 1, b: [1, { c: 2 }], u: undefined }, { b: [1, { c: 2 }], a: 1 })).toBe(true);
    expect(deepEqual([1, 2], [2, 1])).toBe(false);
    expect(valueAt({ spec: { selector: { a: 1 } } }, 'spec.selector')).toEqual({ a: 1 });
    expect(valueAt({ spec: 1 }, 'spec.selector.x')).toBeUndefined();
  });
});
