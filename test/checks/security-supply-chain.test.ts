import { describe, expect, it } from 'vitest';
import { ManifestLike } from '../../lib/checks/objects';
import { supplyChainFindings } from '../../lib/checks/security-supply-chain';
import { SynthError } from '../../lib/core/errors';
import { parseEnvironment } from '../../lib/core/config';
import { synthesize } from '../../lib/core/synthesize';
import { environments } from '../../stacks';
import { buildEnvironment } from '../../stacks/build';
import { CHARTS } from '../../stacks/charts';
import { ChartLock } from '../../lib/core/chart-lock';
import { treeFromFiles } from '../../lib/tools/tree';
import { validateTree } from '../../lib/tools/validate';
import { stringify } from 'yaml';
import { allObjects, compiledEnvironments } from '../helpers';

const DIGEST = `sha256:${'d'.repeat(64)}`;

function deployment(image: string, annotations?: Record<string, string>): ManifestLike {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'api', namespace: 'team', ...(annotations ? { annotations } : {}) },
    spec: { template: { spec: { initContainers: [{ name: 'init', image: `busybox@${DIGEST}` }], containers: [{ name: 'api', image }] } } },
  };
}

function application(source: Record<string, unknown>, multi = false): ManifestLike {
  return { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'ops', namespace: 'argocd' }, spec: multi ? { sources: [source] } : { source } };
}

const PROD = { tier: 'production' as const };
const found = (objects: ManifestLike[], options: Parameters<typeof supplyChainFindings>[1] = PROD) => supplyChainFindings(objects, options).map((f) => `${f.rule} ${f.index} ${f.pointer}`);

describe('mutable-image', () => {
  it('finds an image without digest in a production tier, at its pointer; a digest passes', () => {
    expect(found([deployment('ghcr.io/acme/api:1.0')])).toEqual(['mutable-image 0 /spec/template/spec/containers/0/image']);
    expect(supplyChainFindings([deployment('ghcr.io/acme/api:1.0')], PROD)[0].message).toContain("image 'ghcr.io/acme/api:1.0' has no digest");
    expect(found([deployment(`ghcr.io/acme/api:1.0@${DIGEST}`)])).toEqual([]);
  });

  it('judges nothing in a development tier', () => {
    expect(found([deployment('ghcr.io/acme/api:1.0')], { tier: 'development' })).toEqual([]);
  });

  it('reads Helm values that split an image into repository and tag, and a digest given as the tag', () => {
    const values = (tag: string) => application({ repoURL: 'https://charts.example.com', chart: 'x', targetRevision: '1.0.0', helm: { valuesObject: { controller: { image: 'ghcr.io/acme/op', tag } } } });
    expect(found([values('v1')])).toEqual(['mutable-image 0 /spec/source/helm/valuesObject/controller/image']);
    expect(found([values(`sha256:${'d'.repeat(64)}`)])).toEqual([]);
  });

  it('takes a reasoned exception on the object; one without reason, or on a pinned object, is a finding', () => {
    const rule = 'kompile.dev/security-exception.mutable-image';
    expect(found([deployment('ghcr.io/acme/api:1.0', { [rule]: 'built and promoted by digest in the pipeline' })])).toEqual([]);
    expect(found([deployment('ghcr.io/acme/api:1.0', { [rule]: ' ' })])).toEqual(['mutable-image 0 /metadata/annotations/kompile.dev~1security-exception.mutable-image', 'mutable-image 0 /spec/template/spec/containers/0/image']);
    expect(supplyChainFindings([deployment(`ghcr.io/acme/api:1.0@${DIGEST}`, { [rule]: 'stale' })], PROD)[0].message).toContain('matches nothing');
  });
});

describe('unpinned-git-source', () => {
  const git = (targetRevision?: string) => ({ repoURL: 'https://github.com/acme/ops.git', path: 'config/crd', ...(targetRevision ? { targetRevision } : {}) });

  it('finds a Git folder synced at a tag, a branch or no revision (HEAD); a full commit passes', () => {
    expect(found([application(git('v1.0.0'))], { tier: 'development' })).toEqual(['unpinned-git-source 0 /spec/source/targetRevision']);
    expect(supplyChainFindings([application(git())], { tier: 'development' })[0].message).toContain("syncs config/crd of https://github.com/acme/ops.git at 'HEAD'");
    expect(found([application(git('v1.0.0'), true)], { tier: 'development' })).toEqual(['unpinned-git-source 0 /spec/sources/0/targetRevision']);
    expect(found([application(git('a'.repeat(40)))], { tier: 'development' })).toEqual([]);
  });

  it("judges neither Helm charts nor the environment's own GitOps repository", () => {
    expect(found([application({ repoURL: 'https://charts.example.com', chart: 'x', targetRevision: '1.0.0' })], { tier: 'development' })).toEqual([]);
    const own = application({ repoURL: 'https://git.example.com/platform/gitops.git', path: 'dist/prod/chatbot', targetRevision: 'main' });
    expect(found([own], { tier: 'development', ownRepos: ['https://git.example.com/platform/gitops'] })).toEqual([]);
    expect(found([own], { tier: 'development' })).toEqual(['unpinned-git-source 0 /spec/source/targetRevision']);
  });

  it('fails the synth of an environment whose Git source has no commit in the lock', () => {
    const unpinned = ChartLock.parse({ charts: CHARTS.charts.map((c) => (c.name === 'kcloud-crds' ? { ...c, commit: undefined } : c)) });
    const dev = environments.find((e) => e.name === 'dev')!;
    const { platform, policy } = buildEnvironment(parseEnvironment(dev), { charts: unpinned });
    let issues: string[] = [];
    try {
      synthesize(platform, policy);
    } catch (e) {
      expect(e).toBeInstanceOf(SynthError);
      issues = (e as SynthError).issues.map((i) => i.message);
    }
    expect(issues.filter((m) => m.includes('[unpinned-git-source]'))).toEqual([
      "/spec/source/targetRevision: syncs config/crd of https://github.com/openkcloud/kcloud-cost-scheduler.git at 'v0.1.0', a name the repository (or its mirror) can move to other content: pin the commit (kompile charts pull records the commit of a locked tag in charts.lock.json) [unpinned-git-source]",
    ]);
  });
});

describe('every environment', () => {
  it('pins every Git source to a commit; production tiers warn of each image without digest, development has none', () => {
    for (const out of compiledEnvironments()) {
      const config = parseEnvironment(environments.find((e) => e.name === out.environment)!);
      const findings = supplyChainFindings(allObjects(out), { tier: config.tier, ownRepos: [config.gitops.repoURL] });
      expect(findings.filter((f) => f.rule === 'unpinned-git-source'), out.environment).toEqual([]);
      const mutable = findings.filter((f) => f.rule === 'mutable-image');
      if (config.tier === 'production') expect(mutable.length, out.environment).toBeGreaterThan(0);
      else expect(mutable, out.environment).toEqual([]);
      // The synth reports them as warnings (images.digests.json holds no digest yet), not errors.
      expect((out.warnings ?? []).filter((w) => w.message.endsWith('[mutable-image]')).length, out.environment).toBe(config.tier === 'production' ? mutable.length : 0);
    }
  });
});

describe("kompile validate's supply-chain rules", () => {
  const files = (objects: ManifestLike[]) => new Map([['site/ops/manifests.yaml', objects.map((o) => stringify(o)).join('---\n')]]);
  const ops = application({ repoURL: 'https://github.com/acme/ops.git', path: 'config/crd', targetRevision: 'v1.0.0' });
  const root = { ...application({ repoURL: 'https://git.site/gitops.git', path: 'dist/site/apps', targetRevision: 'main' }), metadata: { name: 'site-root', namespace: 'argocd' } };
  const of = (rule: string, found: ReturnType<typeof validateTree>) => found.filter((f) => f.rule === rule).map((f) => `${f.severity} ${f.file} ${f.path}`);

  it('a movable Git revision is an error; an image without digest a warning in a production tier only', () => {
    const tree = treeFromFiles(new Map([...files([ops, deployment('ghcr.io/acme/api:1.0')]), ['site/bootstrap/bootstrap.yaml', stringify(root)]]));
    expect(of('unpinned-git-source', validateTree(tree))).toEqual(['error site/ops/manifests.yaml /spec/source/targetRevision']);
    expect(of('mutable-image', validateTree(tree, { tiers: new Map([['site', 'production']]) }))).toEqual(['warning site/ops/manifests.yaml /spec/template/spec/containers/0/image']);
    expect(of('mutable-image', validateTree(tree))).toEqual([]);
  });

  it("takes the environment's own repository from its configuration, else from its root Application", () => {
    const own = application({ repoURL: 'https://git.site/gitops.git', path: 'dist/site/chatbot', targetRevision: 'main' });
    const withRoot = treeFromFiles(new Map([...files([own]), ['site/bootstrap/bootstrap.yaml', stringify(root)]]));
    expect(of('unpinned-git-source', validateTree(withRoot))).toEqual([]);
    const noRoot = treeFromFiles(files([own]));
    expect(of('unpinned-git-source', validateTree(noRoot))).toEqual(['error site/ops/manifests.yaml /spec/source/targetRevision']);
    expect(of('unpinned-git-source', validateTree(noRoot, { gitopsRepos: new Map([['site', 'https://git.site/gitops.git']]) }))).toEqual([]);
  });
});
