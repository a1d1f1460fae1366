import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../lib/tools/cli';
import { readSchemaSources, validateSchemaSources } from '../../lib/tools/schema-sources';
import { importCrds } from '../../scripts/import-crds';
import { SCHEMAS } from '../schemas';

const REPO = path.join(__dirname, '../..');
const FIXTURES = path.join(__dirname, '../fixtures/schemas');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kompile-schemas-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A project folder with the given cdk8s.yaml and a dist/ holding one Widget whose size is a string. */
function project(name: string, cdk8sYaml: string): string {
  const dir = path.join(tmp, name);
  fs.mkdirSync(path.join(dir, 'dist', 'dev'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'cdk8s.yaml'), cdk8sYaml);
  fs.writeFileSync(
    path.join(dir, 'dist', 'dev', 'widgets.yaml'),
    'apiVersion: fixtures.kompile.dev/v1\nkind: Widget\nmetadata:\n  name: w\n  namespace: default\nspec:\n  size: big\n',
  );
  return dir;
}

function declaration(crds: string[], kubernetes = SCHEMAS.kubernetes): string {
  return `app: npx tsx main.ts\nkompile:\n  schemas:\n    crds:\n${crds.map((c) => `      - ${c}\n`).join('')}    kubernetes: ${kubernetes}\n`;
}

async function validate(cwd: string, ...extra: string[]): Promise<{ code: number; out: string; err: string; widget: string[] }> {
  let out = '';
  let err = '';
  const code = await run(['validate', '--dist', 'dist', '--format', 'json', ...extra], { cwd, out: (t) => (out += t), err: (t) => (err += t) });
  const findings = code === 2 ? [] : (JSON.parse(out) as Array<{ rule: string; object: string; message: string }>);
  return { code, out, err, widget: findings.filter((f) => f.object.includes('Widget')).map((f) => `${f.rule}: ${f.message}`) };
}

describe('cdk8s.yaml kompile.schemas: the one declaration of where CRD schemas come from', () => {
  it("this repository declares ../shared/crds, its own schemas/crds and the Kubernetes 1.28 definitions", () => {
    expect(readSchemaSources(REPO)).toEqual({
      crds: [path.resolve(REPO, '../shared/crds'), path.resolve(REPO, 'schemas/crds')],
      kubernetes: path.resolve(REPO, '../shared/crds/kubernetes/v1.28.0/_definitions.json'),
    });
  });

  it('resolves paths relative to cdk8s.yaml, files and folders alike', () => {
    const dir = project('relative', declaration(['schemas/a', 'one.yaml'], 'k8s/defs.json'));
    expect(readSchemaSources(dir)).toEqual({ crds: [path.join(dir, 'schemas/a'), path.join(dir, 'one.yaml')], kubernetes: path.join(dir, 'k8s/defs.json') });
  });

  it('names the field that is missing or wrong', () => {
    expect(() => readSchemaSources(project('no-entry', 'app: npx tsx main.ts\n'))).toThrow(/cdk8s\.yaml: kompile: Required/);
    expect(() => readSchemaSources(project('no-kubernetes', 'kompile:\n  schemas:\n    crds: [x]\n'))).toThrow(/kompile\.schemas\.kubernetes: Required/);
    expect(() => readSchemaSources(project('empty-crds', 'kompile:\n  schemas:\n    crds: []\n    kubernetes: k.json\n'))).toThrow(/kompile\.schemas\.crds: Array must contain at least 1/);
    expect(() => readSchemaSources(project('url', declaration(['https://example.com/crd.yaml'])))).toThrow(/kompile\.schemas\.crds\.0: must be a path .* not a URL/);
    expect(() => readSchemaSources(project('typo', 'kompile:\n  schemas:\n    crd: [x]\n    kubernetes: k.json\n'))).toThrow(/Unrecognized key\(s\) in object: 'crd'/);
    expect(() => readSchemaSources(path.join(tmp, 'nowhere'))).toThrow(/nowhere\/cdk8s\.yaml does not exist/);
  });

  it('--crds alone keeps its meaning (definitions inside that folder); --kubernetes-schema overrides the declared one', () => {
    const dir = project('flags', declaration([path.join(FIXTURES, 'strict')]));
    expect(validateSchemaSources(dir, { crds: 'c' })).toEqual({ crds: [path.join(dir, 'c')], kubernetes: path.join(dir, 'c/kubernetes/v1.28.0/_definitions.json') });
    expect(validateSchemaSources(dir, { kubernetesSchema: 'k.json' })).toEqual({ crds: [path.join(FIXTURES, 'strict')], kubernetes: path.join(dir, 'k.json') });
  });

  it('kompile validate follows the declaration: change it and the findings change', async () => {
    const dir = project('follows', declaration([path.join(FIXTURES, 'strict')]));
    const strict = await validate(dir);
    expect(strict.widget).toEqual(['schema: must be integer (got "big")']);

    fs.writeFileSync(path.join(dir, 'cdk8s.yaml'), declaration([path.join(FIXTURES, 'loose')]));
    expect((await validate(dir)).widget).toEqual([]);
  });

  it('kompile validate fails with exit 2 naming a declared path that does not exist, or a missing declaration', async () => {
    const missing = await validate(project('missing', declaration(['crds'])));
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/no schemas at .*missing\/crds \(declared in cdk8s\.yaml kompile\.schemas, or set --crds/);

    const undeclared = await validate(project('undeclared', 'app: npx tsx main.ts\n'));
    expect(undeclared.code).toBe(2);
    expect(undeclared.err).toMatch(/cdk8s\.yaml: kompile: Required .*or pass --crds <dir>/);
  });

  it('npm run import (scripts/import-crds.ts) follows the declaration too', () => {
    const dir = project('import', declaration([path.join(FIXTURES, 'strict')]));
    const generated = path.join(dir, 'imports', 'fixtures.kompile.dev.ts');
    expect(importCrds(dir)).toEqual(new Map([['fixtures.kompile.dev', 1]]));
    expect(fs.readFileSync(generated, 'utf8')).toMatch(/readonly size\?: number;/);

    fs.writeFileSync(path.join(dir, 'cdk8s.yaml'), declaration([path.join(FIXTURES, 'loose', 'widgets.yaml')]));
    importCrds(dir);
    expect(fs.readFileSync(generated, 'utf8')).toMatch(/readonly size\?: string;/);
  }, 60_000);
});
