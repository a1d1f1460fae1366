import { describe, expect, it } from 'vitest';
import { computeWaves } from '../../lib/core/waves';

describe('computeWaves', () => {
  it('puts each node one wave after the latest of its dependencies', () => {
    const waves = computeWaves(
      ['crds', 'namespaces', 'operator', 'servers', 'app'],
      new Map([
        ['operator', ['crds', 'namespaces']],
        ['servers', ['operator']],
        ['app', ['namespaces']],
      ]),
    );
    expect(Object.fromEntries(waves)).toEqual({ crds: 0, namespaces: 0, operator: 1, servers: 2, app: 1 });
  });

  it('takes the longest path, not the first', () => {
    const waves = computeWaves(['a', 'b', 'c'], new Map([['c', ['a', 'b']], ['b', ['a']]]));
    expect(waves.get('c')).toBe(2);
  });

  it('names the cycle', () => {
    expect(() => computeWaves(['a', 'b', 'c'], new Map([['a', ['b']], ['b', ['c']], ['c', ['a']]]))).toThrow('dependency cycle: a → b → c → a');
  });

  it('rejects a dependency on an unknown node', () => {
    expect(() => computeWaves(['a'], new Map([['a', ['ghost']]]))).toThrow("'a' depends on unknown 'ghost'");
  });
});
