import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { IMAGE_PINS } from '../../lib/core/image-pins';
import { PrivateRegistrySchema } from '../../lib/core/config/ci';
import { CHARTS } from '../../stacks/charts';

/**
 * renovate.json's custom managers, applied the way Renovate's regex manager applies them: each
 * managerFilePatterns regex (`/…/`) selects repository files, each matchString runs over the whole
 * file with the `g` flag, named groups give depName/currentValue/registryUrl, templates fill the rest.
 * (Renovate runs them with RE2; these patterns use nothing RE2 and JavaScript read differently.)
 */
const REPO = path.join(__dirname, '../..');
type Manager = {
  customType: string;
  managerFilePatterns: string[];
  matchStrings: string[];
  depNameTemplate?: string;
  datasourceTemplate: string;
};
const config = JSON.parse(fs.readFileSync(path.join(REPO, 'renovate.json'), 'utf8')) as { customManagers: Manager[] };
const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: REPO, encoding: 'utf8' }).split('\n').filter(Boolean);

type Dep = { file: string; depName: string; currentValue: string; datasource: string; registryUrl?: string };

function template(t: string, groups: Record<string, string | undefined>): string {
  return t.replace(/\{\{\{(\w+)\}\}\}/g, (_, g: string) => groups[g] ?? '');
}

function extract(manager: Manager): Dep[] {
  const patterns = manager.managerFilePatterns.map((p) => {
    expect(p).toMatch(/^\/.*\/$/);
    return new RegExp(p.slice(1, -1));
  });
  const matched = files.filter((f) => patterns.some((p) => p.test(f)));
  expect(matched.length, `${manager.managerFilePatterns.join(', ')} selects no file`).toBeGreaterThan(0);
  return matched.flatMap((file) => {
    const text = fs.readFileSync(path.join(REPO, file), 'utf8');
    return manager.matchStrings.flatMap((s) =>
      [...text.matchAll(new RegExp(s, 'g'))].map((m) => {
        const g = m.groups ?? {};
        return { file, depName: g.depName ?? template(manager.depNameTemplate ?? '', g), currentValue: g.currentValue!, datasource: manager.datasourceTemplate, ...(g.registryUrl ? { registryUrl: g.registryUrl } : {}) };
      }),
    );
  });
}

const deps = config.customManagers.flatMap((m) => {
  expect(m.customType).toBe('regex');
  return extract(m);
});

describe('renovate.json custom managers find every version Kompile pins', () => {
  it('every chart of charts.lock.json, once, with its datasource, name and registry', () => {
    const found = deps.filter((d) => d.file === 'charts.lock.json');
    const expected = CHARTS.charts.map((c) =>
      c.source === 'helm'
        ? { file: 'charts.lock.json', depName: c.chart!, currentValue: c.version, datasource: 'helm', registryUrl: c.repoURL }
        : c.source === 'oci'
          ? { file: 'charts.lock.json', depName: `${c.repoURL}/${c.chart!}`, currentValue: c.version, datasource: 'docker' }
          : { file: 'charts.lock.json', depName: c.repoURL, currentValue: c.version, datasource: 'git-tags' },
    );
    expect(expected.length).toBeGreaterThan(10);
    expect(found).toEqual(expect.arrayContaining(expected));
    expect(found).toHaveLength(expected.length);
    // All three kinds of source are exercised.
    expect(new Set(found.map((d) => d.datasource))).toEqual(new Set(['helm', 'docker', 'git-tags']));
  });

  it('every image of images.pins.json, once, and no version anywhere else', () => {
    const found = deps.filter((d) => d.file === 'images.pins.json');
    const expected = IMAGE_PINS.images.map((p) => ({ file: 'images.pins.json', depName: p.repository, currentValue: p.tag, datasource: 'docker' }));
    expect(expected.length).toBeGreaterThan(15);
    expect(found).toEqual(expected);
    // The managers read the two version files and nothing else: no version is left in code for them to find.
    expect(new Set(deps.map((d) => d.file))).toEqual(new Set(['charts.lock.json', 'images.pins.json']));
  });

  it('every pinned tag is one its versioning can order, so a newer one is proposed', () => {
    // Renovate's docker versioning reads `<numbers>[-<compatibility suffix>]` (docs.renovatebot.com/docker);
    // a tag it cannot read needs a packageRule with a versioning that does.
    const rules = (config as unknown as { packageRules: { matchPackageNames?: string[]; versioning?: string }[] }).packageRules;
    const unordered = IMAGE_PINS.images.flatMap((p) => {
      const rule = rules.find((r) => r.versioning && r.matchPackageNames?.includes(p.repository));
      const ok = rule ? new RegExp(rule.versioning!.replace(/^regex:/, '')).test(p.tag) : /^v?\d+(\.\d+)*(-[\w.-]+)?$/.test(p.tag);
      return ok ? [] : [`${p.name}: ${p.tag}`];
    });
    expect(unordered).toEqual([]);
    const agent = rules.find((r) => r.matchPackageNames?.includes('docker.io/jenkins/inbound-agent'))!;
    const agentTag = new RegExp(agent.versioning!.replace(/^regex:/, ''));
    expect(['3345.v03dee9b_f88fc-2', '3309.v27b_9314fd1a_4-1'].every((t) => agentTag.test(t))).toBe(true);
    // A variant with another suffix is a different image line, not an update.
    expect(agentTag.test('3345.v03dee9b_f88fc-2-alpine-jdk21')).toBe(false);
  });

  it('a version written in a way the managers do not read is not silently skipped', () => {
    // The lock managers need the key order ChartLock.toJson writes; a reordered entry is not found.
    const pinsManager = config.customManagers.find((m) => m.managerFilePatterns.some((p) => p.includes('images')))!;
    const reordered = '{ "images": [ { "tag": "1.0.0", "repository": "docker.io/x/y", "name": "y", "note": "n" } ] }';
    expect([...reordered.matchAll(new RegExp(pinsManager.matchStrings[0], 'g'))]).toHaveLength(0);
  });
});

/**
 * An image tag written in lib/ or stacks/ is a version no manager reads: it must live in
 * images.pins.json (or derive from charts.lock.json). Every string and template literal of every
 * source file is split into words; a word shaped `[registry/]repository:tag` with a digit in the
 * tag is a hard-coded image tag. Not pins, by rule:
 * - module specifiers (`node:fs`) and `host:port` words (a name with a dot and no slash);
 * - images of the environment's own registries: the platform registry (the default of
 *   `components.ci.registry.host`) or a registry spelled by a variable (`${PLATFORM_REGISTRY}/…`,
 *   `${MIRROR}/…`, `${KCLOUD_OPERATOR}:…`). The platform's CI or the site builds and versions them;
 *   there is no upstream release for a bot to look up, and the Image Updater rolls them out;
 * - a tag spelled by a variable (`:v${props.version}`): it comes from wherever that value does.
 * Not pins, by name (ALLOWED): examples in error messages.
 */
const PLATFORM_REGISTRY_DEFAULT = PrivateRegistrySchema.parse({}).host;
const IMAGE_WORD = /^(?<registry>[\w.${}-]+(?::\d+)?\/)?(?:[\w.${}-]+\/)*[\w.${}-]+:(?<tag>[A-Za-z0-9_][\w.-]{0,127})$/;
const ALLOWED: readonly { file: string; word: string; why: string }[] = [
  { file: 'lib/core/config/charts.ts', word: 'ghcr.io/acme/app:1.2.3', why: 'an example in the error message of chart image references' },
  { file: 'lib/core/config/ci.ts', word: 'docker.io/library/registry:2.8.3', why: 'an example in the error message of image references' },
];

type Finding = { file: string; line: number; word: string };

function hardCodedTags(file: string, text: string): Finding[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out: Finding[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) return;
    let literal: string | undefined;
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) literal = node.text;
    else if (ts.isTemplateExpression(node)) literal = node.head.text + node.templateSpans.map((s) => `\${${s.expression.getText(source)}}${s.literal.text}`).join('');
    if (literal !== undefined) {
      for (const raw of literal.split(/\s+/)) {
        const word = raw.replace(/^[('"`]+|[)'"`.,;]+$/g, '');
        const m = IMAGE_WORD.exec(word);
        if (!m || !/\d/.test(m.groups!.tag)) continue;
        if (!word.includes('/') && word.split(':')[0].includes('.')) continue; // host:port
        const registry = m.groups!.registry?.slice(0, -1);
        if (word.startsWith('${') || registry === PLATFORM_REGISTRY_DEFAULT) continue; // the environment's own images
        out.push({ file, line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1, word });
      }
    }
    if (!ts.isTemplateExpression(node)) ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

describe('no image tag is hard-coded in lib/ or stacks/', () => {
  // A component's tests live in its folder under lib/ (README, "Adding a component"); like the tests
  // under test/, they may spell the tags they expect.
  const sources = files.filter((f) => /^(lib|stacks)\//.test(f) && !f.endsWith('.test.ts'));

  it('finds a hard-coded tag, naming the file and line, and leaves what is not a pin', () => {
    const fixture = [
      "import * as fs from 'node:fs';",
      "const a = { image: 'ghcr.io/mlflow/mlflow:v2.22.0' };",
      'const b = `docker.io/library/redis:7.4.2`;',
      "const c = 'redis:7.4.2';",
      "const d = `run --image quay.io/acme/tool:1.0 now`;",
      "const e = 'registry.local:5000';",
      'const f = `${MIRROR}/platform/jenkins:2.528.1-jdk21`;',
      `const g = '${PLATFORM_REGISTRY_DEFAULT}/team/app:1.0.0';`,
      'const h = `${RELEASES}/serving/cmd/activator:v${version}`;',
      "const i = IMAGE_PINS.reference('mlflow'); // docker.io/x/y:1.0 in a comment",
      "const j = 'system:auth-delegator';",
      "const k = 'registry.airgap.internal:35000/team/app:1.0.0';",
    ].join('\n');
    expect(hardCodedTags('lib/x.ts', fixture)).toEqual([
      { file: 'lib/x.ts', line: 2, word: 'ghcr.io/mlflow/mlflow:v2.22.0' },
      { file: 'lib/x.ts', line: 3, word: 'docker.io/library/redis:7.4.2' },
      { file: 'lib/x.ts', line: 4, word: 'redis:7.4.2' },
      { file: 'lib/x.ts', line: 5, word: 'quay.io/acme/tool:1.0' },
      // A literal registry other than the platform's is a registry someone else releases into.
      { file: 'lib/x.ts', line: 12, word: 'registry.airgap.internal:35000/team/app:1.0.0' },
    ]);
  });

  it('lib/ and stacks/ hold TypeScript and prose only, so the scan below sees every value', () => {
    expect(sources.filter((f) => !/\.(ts|md)$/.test(f))).toEqual([]);
  });

  it('none in lib/ or stacks/: each image tag is in images.pins.json', () => {
    const found = sources.filter((f) => f.endsWith('.ts')).flatMap((f) => hardCodedTags(f, fs.readFileSync(path.join(REPO, f), 'utf8')));
    const notAllowed = found.filter((h) => !ALLOWED.some((a) => a.file === h.file && a.word === h.word));
    expect(notAllowed.map((h) => `${h.file}:${h.line}: ${h.word} is hard-coded: pin it in images.pins.json and read IMAGE_PINS.reference(name)`)).toEqual([]);
    // Every exception still names something (none left over after its literal is gone).
    expect(ALLOWED.filter((a) => !found.some((h) => h.file === a.file && h.word === a.word))).toEqual([]);
  });
});
