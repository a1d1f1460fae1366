import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { describeDifference, firstDifference, isYaml11Ambiguous, parseKubernetesYaml, parseWithJsYaml, readBackDifferences, resolveGoYamlV2 } from '../../lib/checks/yaml';
import { toYamlDocuments } from '../../lib/core/yaml-output';
import { environments } from '../../stacks';
import { compileAll } from '../../stacks/compile';

/** Strings a YAML 1.1 reader does not read as themselves when written plain, by class (examples from yaml.org/type). */
const AMBIGUOUS: Record<string, readonly string[]> = {
  bool: ['y', 'Y', 'yes', 'Yes', 'YES', 'n', 'N', 'no', 'No', 'NO', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE', 'on', 'On', 'ON', 'off', 'Off', 'OFF'],
  null: ['~', 'null', 'Null', 'NULL', ''],
  int: ['685230', '+685_230', '02472256', '0755', '0x_0A_74_AE', '0x1F', '0b1010_0111_0100_1010_1110', '190:20:30', '1_000', '-1'],
  float: ['6.8523015e+5', '685.230_15e+03', '685_230.15', '190:20:30.15', '-.inf', '.NaN', '.5', '1.28', '1.'],
  'go-yaml v2 only': ['1e3', '1E-3', '0X1F', '0o17', '0B101', '08'],
  timestamp: ['2001-12-15T02:59:43.1Z', '2001-12-14t21:59:43.10-05:00', '2001-12-14 21:59:43.10 -5', '2001-12-15 2:59:43.10', '2002-12-14'],
  merge: ['<<'],
  value: ['='],
};
const ORDINARY = ['yes-please', 'v1.2.3', '1.2.3', '10Gi', '100m', 'abc', 'nil', 'None', 'TrUe', 'onion', 'no-op', '_1', 'n/a', 'http://x:80', '1:2:3:a', '2001-12', 'x=1', '<<a', '0x', '1e', '.inf.', '--appendonly'];

describe('isYaml11Ambiguous', () => {
  for (const [kind, examples] of Object.entries(AMBIGUOUS)) {
    it(`flags YAML 1.1 ${kind} spellings`, () => {
      for (const s of examples) expect(isYaml11Ambiguous(s), s).toBe(true);
    });
  }

  it('leaves ordinary strings alone', () => {
    for (const s of ORDINARY) expect(isYaml11Ambiguous(s), s).toBe(false);
  });
});

describe('resolveGoYamlV2', () => {
  it('resolves plain scalars as goyaml.v2/resolve.go does', () => {
    const cases: Array<[string, string, unknown]> = [
      ['yes', 'bool', true],
      ['OFF', 'bool', false],
      ['~', 'null', null],
      ['', 'null', null],
      ['0755', 'int', 493],
      ['0x1F', 'int', 31],
      ['0X1F', 'int', 31],
      ['-0b101', 'int', -5],
      ['0o17', 'int', 15],
      ['1_000', 'int', 1000],
      ['+685_230', 'int', 685230],
      ['1e3', 'float', 1000],
      ['.5', 'float', 0.5],
      ['08', 'float', 8],
      ['-.INF', 'float', -Infinity],
      // No base 60 in go-yaml; timestamps decode into interface{} as their text; `<<` only merges as a key.
      ['190:20:30', 'str', '190:20:30'],
      ['2001-12-14', 'str', '2001-12-14'],
      ['<<', 'str', '<<'],
      ['1e400', 'str', '1e400'],
      ['.5_0', 'str', '.5_0'],
      ['_1', 'str', '_1'],
    ];
    for (const [s, kind, value] of cases) expect(resolveGoYamlV2(s), s).toEqual({ kind, value });
  });
});

describe('parseKubernetesYaml', () => {
  const doc = `a: yes
b: [--appendonly, yes, "yes", 'no', 0755, 1e3, 190:20:30, 2001-12-14, v1.2.3]
on: 1
base: &b {x: 1}
m:
  <<: *b
  y: 2
t: !!timestamp 2001-12-14
bin: !!binary aGVsbG8=
s: !!set {a, b}
`;

  it('reads values the way kubectl does (go-yaml v2 → JSON), keys as strings', () => {
    const [d] = parseKubernetesYaml(doc);
    expect(d.value).toEqual({
      a: true,
      b: ['--appendonly', true, 'yes', 'no', 493, 1000, '190:20:30', '2001-12-14', 'v1.2.3'],
      true: 1,
      base: { x: 1 },
      m: { x: 1, true: 2 },
      t: '2001-12-14',
      bin: 'hello',
      s: { a: null, b: null },
    });
  });

  it('lists every plain scalar that YAML 1.2 reads differently, with pointer and both values', () => {
    const [d] = parseKubernetesYaml(doc);
    expect(d.differences.map((x) => [x.pointer, x.isKey, x.source, x.kubernetes, x.yaml12])).toEqual([
      ['/a', false, 'yes', true, 'yes'],
      ['/b/1', false, 'yes', true, 'yes'],
      ['/b/4', false, '0755', 493, 755],
      ['/on', true, 'on', true, 'on'],
      ['/m/<<', true, '<<', expect.anything(), '<<'],
      ['/m/y', true, 'y', true, 'y'],
    ]);
    expect(describeDifference(d.differences[1])).toBe(
      "plain 'yes' reads as the boolean true in YAML 1.1 (kubectl, Argo CD, the API server) but as the string \"yes\" in YAML 1.2; quote it",
    );
    expect(describeDifference(d.differences[4])).toContain('a merge key (<<)');
  });

  it('names the document of a syntax error', () => {
    expect(() => parseKubernetesYaml('a: 1\n---\nb: [1\n')).toThrow(/^document 2: /);
  });

  // The shape knative-operator 1.16.6 renders (CRD descriptions as single-quoted scalars continued at
  // their key's indentation): go-yaml, and so helm, kubectl and Argo CD, read it; the `yaml` package does not.
  const crd = fs.readFileSync(path.join(__dirname, '../fixtures/charts/render-basic/crds/widgets.yaml'), 'utf8');
  const description = 'Number of seconds after the container has started before liveness probes are initiated. More info: https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle#container-probes';

  it('reads quoted scalars continued at their key\'s indentation, which the yaml package refuses', () => {
    expect(parseAllDocuments(crd)[0].errors.map((e) => e.code)).toContain('MISSING_CHAR');
    const [d] = parseKubernetesYaml(crd);
    const props = (d.value as { spec: { versions: Array<{ schema: { openAPIV3Schema: { properties: { spec: { properties: Record<string, Record<string, unknown>> } } } } }> } }).spec.versions[0].schema.openAPIV3Schema.properties.spec.properties;
    expect(props.initialDelaySeconds).toEqual({ description, format: 'int32', type: 'integer' });
    // YAML 1.1 resolution is kept, and the difference from YAML 1.2 is still reported.
    expect(props.mode.default).toBe(true);
    expect(d.differences.map((x) => [x.pointer, x.source, x.kubernetes, x.yaml12])).toEqual([['/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties/mode/default', 'on', true, 'on']]);
  });

  it('keeps the yaml package\'s reading of the documents it accepts in a stream where another is refused', () => {
    const docs = parseKubernetesYaml(`on: 1\n---\n${crd}`);
    expect(docs).toHaveLength(2);
    expect(docs[0].value).toEqual({ true: 1 });
    expect(docs[0].differences.map((x) => [x.pointer, x.isKey])).toEqual([['/on', true]]);
  });

  it('the fallback reader resolves scalars as the main reader does (go-yaml v2), keys included', () => {
    const [fallback] = parseWithJsYaml(doc);
    const [main] = parseKubernetesYaml(doc);
    expect(fallback.value).toEqual(main.value);
    // Values only: a plain key is already go-yaml's key when js-yaml builds the map.
    expect(fallback.differences.map((x) => x.pointer)).toEqual(['/a', '/b/1', '/b/4']);
  });

  it('still refuses what go-yaml refuses, with the yaml package\'s message naming the document', () => {
    expect(() => parseKubernetesYaml("a: 1\n---\nb: 'never closed\n")).toThrow(/^document 2: Missing closing 'quote/);
    expect(() => parseKubernetesYaml('a: 1\na: 2\nb: [1\n')).toThrow(/^document 1: /);
  });
});

describe('the writer and the Kubernetes reader', () => {
  const written = ['yes', 'no', 'on', 'off', 'y', 'n', '~', '0755', '0x1F', '1_000', '190:20:30', '1e3', '2001-12-14', '<<'];

  it('quotes YAML-1.1-ambiguous strings as values, sequence items and keys, so they read back as strings', () => {
    for (const s of written) {
      const obj = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { v: s, [s]: 'k' }, list: [s] };
      const out = toYamlDocuments([obj]);
      expect(out).toContain(`  v: ${JSON.stringify(s)}\n`);
      expect(out).toContain(`  ${JSON.stringify(s)}: k\n`);
      expect(out).toContain(`  - ${JSON.stringify(s)}\n`);
      expect(parseKubernetesYaml(out)[0].value).toEqual(obj);
      expect(readBackDifferences(out, [obj])).toEqual([]);
    }
  });

  it('leaves ordinary strings plain', () => {
    const out = toYamlDocuments([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: Object.fromEntries(ORDINARY.filter((s) => s !== '').map((s, i) => [`k${i}`, s])) }]);
    for (const s of ['yes-please', 'v1.2.3', '1.2.3', '10Gi', 'onion', '--appendonly']) expect(out).toMatch(new RegExp(`: ${s.replace(/[.]/g, '\\.')}\n`));
    // 1.28 is a float in YAML 1.2 too: already quoted before this change.
    expect(toYamlDocuments([{ v: '1.28' }])).toBe('v: "1.28"\n');
  });

  it('reports where a hand-written file reads back differently, naming the pointer', () => {
    const obj = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'redis', args: ['--appendonly', 'yes'] }] } };
    const text = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: redis\n      args: [--appendonly, yes]\n';
    expect(readBackDifferences(text, [obj])).toEqual([{ document: 0, pointer: '/spec/containers/0/args/1', message: expect.stringContaining('the boolean true in YAML 1.1') }]);
    expect(readBackDifferences(text, [obj, obj])[0].message).toBe('1 document(s) read back, 2 written');
  });

  it('finds the first differing pointer of two JSON values', () => {
    expect(firstDifference({ a: [1, { b: 'x' }] }, { a: [1, { b: 'x' }] })).toBeUndefined();
    expect(firstDifference({ a: [1, { b: 'x' }] }, { a: [1, { b: true }] })).toBe('/a/1/b');
    expect(firstDifference({ a: [1] }, { a: [1, 2] })).toBe('/a');
    expect(firstDifference({ 'a/b': 1 }, {})).toBe('/a~1b');
    expect(firstDifference({}, { extra: 1 })).toBe('/extra');
    expect(firstDifference({ u: undefined }, {})).toBeUndefined();
    expect(firstDifference({ n: NaN }, { n: NaN })).toBeUndefined();
  });

  it('every file of every environment reads the same under YAML 1.2 and YAML 1.1 (Kubernetes)', () => {
    let files = 0;
    for (const out of compileAll(environments)) {
      for (const [file, content] of out.files) {
        if (!/\.ya?ml$/.test(file)) continue;
        files++;
        const yaml12 = parseAllDocuments(content).map((d) => d.toJS({ maxAliasCount: -1 }) as unknown);
        const kubernetes = parseKubernetesYaml(content);
        expect(kubernetes.flatMap((d) => d.differences.map((x) => `${out.environment}/${file} ${describeDifference(x)} at ${x.pointer}`))).toEqual([]);
        expect(kubernetes.map((d) => d.value), `${out.environment}/${file}`).toEqual(yaml12);
      }
    }
    expect(files).toBeGreaterThan(100);
  });
});
