import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ChartLock, ChartLockError, contentDigest, pinnedCommit, stripV } from '../../lib/core/chart-lock';
import { Platform } from '../../lib/core/platform';
import { ChartSource, UpstreamChart } from '../../lib/core/upstream-chart';
import { GitOpsSchema } from '../../lib/core/config';
import { CHARTS } from '../../stacks/charts';
import { synthIssues, synthPlatform } from '../helpers';

const ISTIOD = { name: 'istiod', source: 'helm', repoURL: 'https://istio-release.storage.googleapis.com/charts', chart: 'istiod', version: '1.24.6' };

function errorsOf(data: unknown): string[] {
  try {
    ChartLock.parse(data);
  } catch (e) {
    expect(e).toBeInstanceOf(ChartLockError);
    return [...(e as ChartLockError).issues];
  }
  throw new Error('expected the lock to be refused');
}

function platformWith(lock: ChartLock): Platform {
  return new Platform({ environment: 'test', gitops: GitOpsSchema.parse({ repoURL: 'https://git.example.com/gitops.git' }), chartLock: lock });
}

describe('ChartLock', () => {
  it('reads the repository lock, one entry per chart, and its file form round-trips', () => {
    expect(CHARTS.version('istiod')).toBe('1.24.6');
    expect(CHARTS.get('kcloud-crds')).toMatchObject({ source: 'git', path: 'config/crd', version: 'v0.1.0' });
    const file = fs.readFileSync(path.join(__dirname, '../../charts.lock.json'), 'utf8');
    expect(ChartLock.parse(JSON.parse(ChartLock.parse(JSON.parse(file)).toJson())).charts).toEqual(CHARTS.charts);
  });

  it('finds the entry of a construct source by kind, repository, chart or folder, and version', () => {
    expect(CHARTS.find(ChartSource.helmRepo(ISTIOD.repoURL, 'istiod', '1.24.6'))?.name).toBe('istiod');
    expect(CHARTS.find(ChartSource.helmRepo(`${ISTIOD.repoURL}/`, 'istiod', '1.24.6'))?.name).toBe('istiod');
    expect(CHARTS.find(ChartSource.oci('oci://ghcr.io/kserve/charts', 'kserve', 'v0.15.2'))?.name).toBe('kserve');
    expect(CHARTS.find(ChartSource.gitDirectory('https://github.com/openkcloud/kcloud-cost-scheduler.git', 'config/crd', 'v0.1.0'))?.name).toBe('kcloud-crds');
    expect(CHARTS.find(ChartSource.helmRepo(ISTIOD.repoURL, 'istiod', '1.25.0'))).toBeUndefined();
    expect(CHARTS.explainMissing(ChartSource.helmRepo(ISTIOD.repoURL, 'istiod', '1.25.0'))).toBe(
      "istiod from https://istio-release.storage.googleapis.com/charts at 1.25.0 is not locked: charts.lock.json locks 'istiod' at 1.24.6; change the lock, not the code",
    );
    expect(CHARTS.explainMissing(ChartSource.helmRepo('https://charts.example.com', 'redis', '1.0.0'))).toMatch(/redis from https:\/\/charts.example.com is not in charts.lock.json/);
    expect(() => CHARTS.get('redis')).toThrow(/chart 'redis' is not in charts.lock.json \(locked: cert-manager, /);
  });

  it('refuses a malformed lock, naming every field', () => {
    expect(
      errorsOf({
        charts: [
          { ...ISTIOD, name: 'Istiod' },
          { ...ISTIOD, name: 'twice', version: '1.25.0' },
          { name: 'g', source: 'git', repoURL: 'https://git.example.com/x.git', chart: 'x', version: 'v1' },
          { name: 'o', source: 'oci', repoURL: 'oci://ghcr.io/x', version: '1', digest: 'md5:abc' },
        ],
      }),
    ).toEqual([
      'charts[0].name: must be a lowercase name such as istiod (it names the folder under charts/)',
      "charts[2].path: a 'git' source needs the folder inside the repository",
      "charts[2].chart: a 'git' source names a folder (path), not a chart",
      'charts[3].digest: must be sha256:<64 hex digits>',
      "charts[3].chart: source 'oci' needs the chart name",
      'charts[3].repoURL: write the OCI registry path without oci:// (as Argo CD expects it)',
      "charts[1]: the same source as 'Istiod': one chart, one version",
    ]);
    expect(errorsOf({ charts: [ISTIOD, { ...ISTIOD, version: '1.25.0' }] })).toEqual(["charts[1].name: 'istiod' is locked twice", 'charts[1]: the same source as \'istiod\': one chart, one version']);
    expect(errorsOf({ charts: [{ ...ISTIOD, extra: 1 }] })).toEqual([expect.stringMatching(/^charts\[0\]: Unrecognized key/)]);
  });

  it('sets a digest without touching the other entries', () => {
    const d = `sha256:${'a'.repeat(64)}`;
    const lock = ChartLock.parse({ charts: [ISTIOD, { ...ISTIOD, name: 'base', chart: 'base' }] }).withDigest('istiod', d);
    expect(lock.get('istiod').digest).toBe(d);
    expect(lock.get('base').digest).toBeUndefined();
    expect(() => lock.withDigest('nope', d)).toThrow(/chart 'nope' is not in charts.lock.json/);
  });
});

describe('Git sources pinned to commits', () => {
  const GIT = { name: 'ops', source: 'git', repoURL: 'https://git.example.com/ops.git', path: 'deploy', version: 'v1.0.0' };
  const C = 'b'.repeat(40);

  it('records the commit a tag resolved to, and reads a version that is a commit as its own pin', () => {
    const lock = ChartLock.parse({ charts: [GIT, ISTIOD] }).withCommit('ops', C);
    expect(lock.get('ops').commit).toBe(C);
    expect(pinnedCommit(lock.get('ops'))).toBe(C);
    expect(pinnedCommit(ChartLock.parse({ charts: [GIT] }).get('ops'))).toBeUndefined();
    expect(pinnedCommit(ChartLock.parse({ charts: [{ ...GIT, version: C }] }).get('ops'))).toBe(C);
    expect(pinnedCommit(lock.get('istiod'))).toBeUndefined();
    // The file form keeps the commit right after the version.
    expect(lock.toJson()).toContain(`"version": "v1.0.0",\n      "commit": "${C}"`);
  });

  it('refuses a malformed commit, one on a chart source, and one contradicting a commit version', () => {
    expect(errorsOf({ charts: [{ ...GIT, commit: 'v1.0.0' }] })).toEqual(['charts[0].commit: must be a full Git commit id (40 lowercase hex digits)']);
    expect(errorsOf({ charts: [{ ...ISTIOD, commit: C }] })).toEqual(["charts[0].commit: source 'helm' has no commit (only a 'git' source is pinned to one)"]);
    expect(errorsOf({ charts: [{ ...GIT, version: 'c'.repeat(40), commit: C }] })).toEqual([`charts[0].commit: the version is commit ${'c'.repeat(40)}; commit must be the same or left out`]);
  });

  it("the repository's Git sources carry the commits their tags point to in the upstream repositories", () => {
    // stacklok/toolhive tag v0.44.0 (annotated) → b3df968…; openkcloud/kcloud-cost-scheduler tag v0.1.0 → ff6a2c1….
    expect(CHARTS.charts.filter((c) => c.source === 'git').map((c) => [c.name, pinnedCommit(c)])).toEqual([
      ['toolhive-operator-crds', 'b3df9689bdb7d55d0765565890ba9dc0c076dec0'],
      ['toolhive-operator', 'b3df9689bdb7d55d0765565890ba9dc0c076dec0'],
      ['kcloud-crds', 'ff6a2c12e5e3ec1668bc5f424b6f156d671e1847'],
    ]);
  });

  it("an Application of a Git source syncs the locked commit, not the tag; without one, the tag", () => {
    const pinned = platformWith(ChartLock.parse({ charts: [{ ...GIT, commit: C }] }));
    const app = (p: Platform) => {
      new UpstreamChart(p, 'Ops', { name: 'ops', namespace: 'ops', source: ChartSource.gitDirectory(GIT.repoURL, GIT.path, GIT.version) });
      return (p.node.findAll().find((c) => c instanceof UpstreamChart) as UpstreamChart).application.toJson() as { spec: { source: { targetRevision: string } } };
    };
    expect(app(pinned).spec.source.targetRevision).toBe(C);
    expect(app(platformWith(ChartLock.parse({ charts: [GIT] }))).spec.source.targetRevision).toBe('v1.0.0');
  });
});

describe('contentDigest', () => {
  const enc = (s: string) => new TextEncoder().encode(s);

  it('depends on paths and contents, not on their order', () => {
    const a = contentDigest([['Chart.yaml', enc('name: x')], ['templates/a.yaml', enc('a')]]);
    expect(a).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(contentDigest([['templates/a.yaml', enc('a')], ['Chart.yaml', enc('name: x')]])).toBe(a);
    expect(contentDigest([['Chart.yaml', enc('name: x')], ['templates/b.yaml', enc('a')]])).not.toBe(a);
    expect(contentDigest([['Chart.yaml', enc('name: y')], ['templates/a.yaml', enc('a')]])).not.toBe(a);
  });
});

describe('upstream charts in an environment with a lock', () => {
  it('must be locked at the version the construct asks for', () => {
    const lock = ChartLock.parse({ charts: [ISTIOD] });
    const ok = platformWith(lock);
    new UpstreamChart(ok, 'Istiod', { name: 'istiod', namespace: 'istio-system', source: ChartSource.helmRepo(ISTIOD.repoURL, 'istiod', '1.24.6') });
    expect(() => synthPlatform(ok)).not.toThrow();
    const drifted = platformWith(lock);
    new UpstreamChart(drifted, 'Istiod', { name: 'istiod', namespace: 'istio-system', source: ChartSource.helmRepo(ISTIOD.repoURL, 'istiod', '1.25.0') });
    expect(synthIssues(() => synthPlatform(drifted))).toEqual([expect.stringMatching(/^\[Istiod\] istiod from .* at 1.25.0 is not locked: charts.lock.json locks 'istiod' at 1.24.6/)]);
  });

  it('reads versions without the v the constructs do not want', () => {
    expect(stripV('v1.18.6')).toBe('1.18.6');
    expect(stripV('1.24.6')).toBe('1.24.6');
    expect(stripV('vnext')).toBe('vnext');
  });
});
