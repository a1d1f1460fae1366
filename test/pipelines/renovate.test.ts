import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { IMAGE_PINS } from '../../lib/core/image-pins';
import { Image } from '../../lib/core/image';
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

  it('every image of images.pins.json, once', () => {
    const found = deps.filter((d) => d.file === 'images.pins.json');
    const expected = IMAGE_PINS.images.map((p) => ({ file: 'images.pins.json', depName: p.repository, currentValue: p.tag, datasource: 'docker' }));
    expect(found).toEqual(expected);
  });

  it('every default image reference of the configuration schema (lib/core/config/*.ts)', () => {
    const configFiles = files.filter((f) => /^lib\/core\/config\/[^/]+\.ts$/.test(f));
    // Found independently of the manager's regex: every string default of a field named *image/*Image.
    const expected = configFiles.flatMap((file) =>
      [...fs.readFileSync(path.join(REPO, file), 'utf8').matchAll(/\b\w*[iI]mage: [^\n]*\.default\('([^']*)'\)/g)].flatMap(([, literal]) => {
        let image: Image;
        try {
          image = Image.parse(literal);
        } catch {
          return [];
        }
        if (!image.tag) return [];
        const at = literal.lastIndexOf(':');
        return [{ file, depName: literal.slice(0, at), currentValue: literal.slice(at + 1), datasource: 'docker' }];
      }),
    );
    expect(expected.map((d) => d.depName)).toEqual(expect.arrayContaining(['ghcr.io/mlflow/mlflow', 'docker.io/jenkins/jenkins', 'gcr.io/kaniko-project/executor', 'redis', 'chromadb/chroma']));
    const found = deps.filter((d) => d.file.startsWith('lib/core/config/'));
    expect(found).toEqual(expect.arrayContaining(expected));
    expect(found).toHaveLength(expected.length);
  });

  it('a version written in a way the managers do not read is not silently skipped', () => {
    // The lock managers need the key order ChartLock.toJson writes; a reordered entry is not found.
    const pinsManager = config.customManagers.find((m) => m.managerFilePatterns.some((p) => p.includes('images')))!;
    const reordered = '{ "images": [ { "tag": "1.0.0", "repository": "docker.io/x/y", "name": "y", "note": "n" } ] }';
    expect([...reordered.matchAll(new RegExp(pinsManager.matchStrings[0], 'g'))]).toHaveLength(0);
  });
});
