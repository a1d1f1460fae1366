import { describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { isYaml11Ambiguous, parseKubernetesYaml, resolveGoYamlV2 } from '../../lib/checks/yaml';
import { plainScalar, toSortedYaml, toYaml, YAML_OPTIONS } from '../../lib/core/yaml-emit';
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

  it('writes keys that start a line with a document marker as the library does at every depth (quoted at some, plain at others)', () => {
    for (const key of ['...-', '---x', '%x', 'a\n---']) {
      same({ [key]: 1 });
      same({ a: { [key]: 1 } });
      same({ a: { b: { [key]: 1 } } });
      same([{ [key]: 1 }]);
    }
    expect(toYaml({ a: { '...-': 1 } })).toBe(stringify({ a: { '...-': 1 } }, YAML_OPTIONS));
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

/** Every spelling of `word` in upper, lower and title case, and each letter's case flipped alone. */
function cases(word: string): string[] {
  const out = new Set([word, word.toUpperCase(), word.toLowerCase(), word[0].toUpperCase() + word.slice(1).toLowerCase()]);
  for (let i = 0; i < word.length; i++) out.add(word.slice(0, i) + (word[i] === word[i].toUpperCase() ? word[i].toLowerCase() : word[i].toUpperCase()) + word.slice(i + 1));
  return [...out];
}

/**
 * A deterministic corpus of scalars near every YAML 1.1 and 1.2 type boundary: bools in all cases,
 * null spellings, octal/hex/binary/sexagesimal ints with signs and underscores, floats with
 * exponents and .inf/.nan, timestamps, `<<`, `=`, indicators, `:` and `#` in every position,
 * leading and trailing spaces, unicode and line breaks — and each of them combined with prefixes
 * and suffixes that make it a string again or not.
 */
function trickyCorpus(): string[] {
  const atoms = [
    ...['y', 'n', 'yes', 'no', 'on', 'off', 'true', 'false', 'null', 'nan', 'inf'].flatMap(cases),
    '~', '', '<<', '=', '<', '==', '0', '00', '07', '08', '0755', '0o17', '0O17', '0x1F', '0X1f', '0xG', '0b101', '0B11', '0b2', '1_000', '_1', '1__0', '1:20', '190:20:30', '1:60', '-1:20', '1:20.5',
    '1.0', '1.', '.5', '.', '..', '1e3', '1E3', '1e+3', '1.5e-3', '1e', 'e3', '.inf', '-.inf', '+.Inf', '.NaN', '.nan.', '1.2.3', '+1', '-1', '+', '-', '--', '---', '...', '-0', '+0', '0.0',
    '2001-12-14', '2001-12-14t21:59:43.10-05:00', '2001-12-14 21:59:43.10 -5', '2001-1-1', '20011214', '12:30', '12:30:45',
    'a', 'x y', 'a:b', 'a: b', 'a :b', 'a:', ':a', '::', 'a#b', 'a #b', '#a', '# a', '%a', '@a', '`a', '!a', '&a', '*a', '|', '>', '?', '? a', '-a', '- a', '--flag', '-c', "'a'", '"a"', '[a]', '{a}', 'a,b',
    'http://x.example.com:8080/p?q=1#f', 'ghcr.io/acme/unit-1:1.0.3', 'sha256:abc', 'a=b', '$(VAR)', '${VAR}', '(x)', 'a/b', '/etc/x', 'é', '😀', 'ß=1', 'tab\tx', 'ctrl\u0001', 'a\nb', 'a\n', '\n', 'a\r\nb',
  ];
  const affixes = ['', ' ', '  ', 'x', '0', '1', '.', ':', ': ', '#', ' #', '-', '_', '+', 'é', '\n'];
  const out = new Set<string>();
  for (const a of atoms) {
    out.add(a);
    for (const p of affixes) for (const q of affixes) out.add(p + a + q);
  }
  // Pairs of atoms joined, for sequences such as `1:20:30`, `yes no`, `a: #b`.
  let seed = 17;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  for (let i = 0; i < 5000; i++) out.add(atoms[next() % atoms.length] + ['', ' ', ':', '_', '-', '.'][next() % 6] + atoms[next() % atoms.length]);
  return [...out];
}

describe('plainScalar (the fast path of scalar emission)', () => {
  const corpus = trickyCorpus();

  it('covers a large corpus of tricky scalars, and writes plain only what the library writes plain, as keys and values', () => {
    expect(corpus.length).toBeGreaterThan(40000);
    let fast = 0;
    for (const s of corpus) {
      const plain = plainScalar(s);
      if (plain === undefined) continue;
      fast++;
      expect(stringify({ k: s }, YAML_OPTIONS)).toBe(`k: ${plain}\n`);
      expect(stringify({ [s]: 0 }, YAML_OPTIONS)).toBe(`${plain}: 0\n`);
      expect(stringify([s], YAML_OPTIONS)).toBe(`- ${plain}\n`);
    }
    // It must take the common case, or it would be no faster.
    expect(fast).toBeGreaterThan(corpus.length / 10);
  });

  it('writes plain nothing that a YAML 1.1 reader (go-yaml v2) or YAML 1.2 reads as anything but the same string', () => {
    for (const s of corpus) {
      if (plainScalar(s) === undefined) continue;
      expect(isYaml11Ambiguous(s), s).toBe(false);
      expect(resolveGoYamlV2(s), s).toEqual({ kind: 'str', value: s });
      const [doc] = parseKubernetesYaml(`${s}: ${s}\n`);
      expect(doc.value, s).toEqual({ [s]: s });
      expect(parseAllDocuments(`- ${s}\n`)[0].toJS(), s).toEqual([s]);
    }
  });

  it('leaves every ambiguous or indicator-led spelling to the library', () => {
    for (const s of ['yes', 'No', 'On', 'Y', 'n', '~', 'null', '', '<<', '=', '0755', '0x1F', '0b101', '1_000', '190:20:30', '1e3', '.inf', '.NaN', '2001-12-14', '- a', '-', '---x', '...x', 'a: b', 'a:', ' a', 'a ', '#a', 'a #b', 'é', 'a\nb', '12', '1.5']) {
      expect(plainScalar(s), s).toBeUndefined();
    }
    for (const s of ['oN', 'yes-please', 'node', 'offset', 'a:b', '--flag', '-c', 'x y', 'ghcr.io/acme/unit-1:1.0.3', 'http://x.example.com:8080/p', '$(VAR)', 'a=b', '1.2.3', '1-2']) expect(plainScalar(s), s).toBe(s);
  });

  it('gives the emitter the same bytes as the library over the whole corpus, as values, keys and items', () => {
    for (let i = 0; i < corpus.length; i += 1000) {
      const chunk = corpus.slice(i, i + 1000);
      same({ values: Object.fromEntries(chunk.map((s, j) => [`k${j}`, s])), keys: Object.fromEntries(chunk.map((s) => [s, 1])), items: chunk, nested: [{ a: chunk.slice(0, 50) }] });
    }
    for (const n of [0, 1, -1, 42, 2 ** 53 - 1, -(2 ** 53) + 1, 2 ** 53, 1e21, 0.1, -0, 1e-7, 123.456]) same({ n, l: [n] });
  });
});
