import { describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { isYaml11Ambiguous } from '../../lib/checks/yaml';
import { toSortedYaml, toYaml, YAML_OPTIONS } from '../../lib/core/yaml-emit';
import { canonicalize, toYamlDocuments } from '../../lib/core/yaml-output';
import { unitObjects } from '../../bench/plain';
import { compiledEnvironments } from '../helpers';

/** Strings whose YAML spelling needs quoting, block style or escapes. */
const AWKWARD = [
  '', ' ', 'true', 'True', 'on', 'off', 'yes', 'y', 'NO', 'null', '~', '1', '1.0', '.5', '+1', '-1', '0x1F', '0o17', '1e3', '.inf', '.nan',
  '2024-01-01', '12:30', '0755', '1_000', '190:20:30', '190:20:30.15', '2001-12-14t21:59:43.10-05:00', '<<', '=', 'Y', 'OFF', '0X1F', '+0x1F', '0b101', '685_230.15', '- a', '-', '#x', 'a #b', 'a: b', 'a:b', '---', '...', '@x', '`x', '{a}', '[a]', '*a', '&a', '!a', '|', '>', '%x', "'", '"', "it's",
  'a\nb', 'a\n', '\na', 'a\n\nb', '  lead\nx', 'x\n  indented', 'trail ', ' lead', 'tab\tx', 'é unicode', '😀', 'back\\slash', 'ctrl\u0001', 'a\r\nb',
  'x'.repeat(200), `${'word '.repeat(40)}end`, 'key: value\nother: [1, 2]\n', '#!/bin/sh\nset -e\necho "hi"\n',
];

function same(value: unknown): void {
  expect(toYaml(value)).toBe(stringify(value, YAML_OPTIONS));
}

describe('toYaml', () => {
  it('writes exactly what the yaml library writes, for awkward scalars as values, keys and list items at any depth', () => {
    for (const s of AWKWARD) {
      same({ v: s });
      same({ [s]: 1 });
      same({ a: { b: [s, { c: s }, [s]] } });
      same([s]);
    }
  });

  it("differs from the library's plain YAML 1.2 only by double-quoting YAML-1.1-ambiguous strings", () => {
    const plain12 = { lineWidth: 0, aliasDuplicateObjects: false };
    let quoted = 0;
    for (const s of AWKWARD) {
      for (const value of [{ v: s }, { [s]: 1 }, [s]]) {
        const ours = toYaml(value);
        const theirs = stringify(value, plain12);
        if (ours === theirs) continue;
        // Only a plain spelling of an ambiguous string may change, and only into its double-quoted form.
        expect(isYaml11Ambiguous(s)).toBe(true);
        expect(ours).toBe(theirs.replace(s, JSON.stringify(s)));
        quoted++;
      }
    }
    expect(quoted).toBeGreaterThan(20);
    expect(toYaml({ on: 'yes', l: ['no', '~', '0755'] })).toBe('"on": "yes"\nl:\n  - "no"\n  - "~"\n  - "0755"\n');
  });

  it('quotes YAML-1.1-ambiguous strings on the fallback path too', () => {
    const out = toYaml({ when: new Date(0), v: 'yes', y: ['off'] });
    expect(out).toContain('v: "yes"\n');
    expect(out).toContain('- "off"\n');
    expect(out).toContain('"y":');
  });

  it('handles numbers, booleans, null, empty and nested collections', () => {
    same({ a: 1, b: -0, c: 1.5, d: 1e21, e: 1e-7, f: true, g: false, h: null, i: [], j: {}, k: [[], {}, [[1]], [{ x: [] }]], l: { m: { n: {} } } });
    same([[['deep']], { a: [{ b: [{ c: 'x\ny' }] }] }]);
    same({});
    same([]);
    same('top-level string');
    same({ u: undefined, v: 1 });
  });

  it('falls back to the library for values that are not plain JSON', () => {
    same({ when: new Date(0), inf: Infinity });
  });

  it('writes every object of every environment byte for byte as the library would', () => {
    for (const out of compiledEnvironments()) {
      for (const [file, content] of out.files) {
        if (!file.endsWith('.yaml')) continue;
        for (const doc of parseAllDocuments(content)) same(doc.toJS());
      }
    }
  });

  it('writes sorted keys (apiVersion, kind, metadata first) exactly as canonicalize + the library would, whatever the input key order', () => {
    const reversed = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(reversed) : typeof v === 'object' && v !== null ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reversed(x)])) : v;
    for (const out of compiledEnvironments()) {
      for (const [file, content] of out.files) {
        if (!file.endsWith('.yaml')) continue;
        for (const doc of parseAllDocuments(content)) {
          const obj = reversed(doc.toJS());
          expect(toYamlDocuments([obj])).toBe(stringify(canonicalize(obj), YAML_OPTIONS));
        }
      }
    }
    expect(toSortedYaml({ z: 1, kind: 'K', a: { y: 1, b: [{ d: 1, c: 2 }] }, apiVersion: 'v1', u: undefined }, ['apiVersion', 'kind', 'metadata'], () => 'fallback')).toBe(
      'apiVersion: v1\nkind: K\na:\n  b:\n    - c: 2\n      d: 1\n  "y": 1\nz: 1\n',
    );
    expect(toSortedYaml({ when: new Date(0) }, [], () => 'fallback')).toBe('fallback');
  });

  it('matches on the benchmark workload', () => {
    for (let u = 0; u < 20; u++) for (const o of unitObjects(u, 'c0')) same(o);
  });
});
