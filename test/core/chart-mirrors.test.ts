import { describe, expect, it } from 'vitest';
import { chartMirrorURL, GitOpsSchema, parseEnvironment } from '../../lib/core/config';
import { buildEnvironment } from '../../stacks/build';
import { airgap } from '../../stacks/airgap';
import { allObjects, compiledEnvironment, findObject } from '../helpers';

const GIT = 'https://git.internal/mirrors';
const BASES = { helm: `${GIT}/helm/`, oci: 'registry.internal:5000', git: GIT };

describe('chart mirrors derived from one base per source kind', () => {
  it.each([
    ['helm', 'https://charts.jetstack.io', `${GIT}/helm/charts.jetstack.io`],
    ['helm', 'https://istio-release.storage.googleapis.com/charts/', `${GIT}/helm/istio-release.storage.googleapis.com/charts`],
    ['oci', 'ghcr.io/kserve/charts', 'registry.internal:5000/kserve/charts'],
    ['oci', 'oci://ghcr.io/stacklok/toolhive', 'registry.internal:5000/stacklok/toolhive'],
    ['git', 'https://github.com/stacklok/toolhive.git', `${GIT}/stacklok/toolhive.git`],
  ] as const)('derives the %s source %s', (kind, url, mirror) => {
    expect(chartMirrorURL({ sourceMirrors: {}, chartMirrors: BASES }, kind, url)).toBe(mirror);
  });

  it('lets an explicit sourceMirrors entry override the base, and leaves a kind without base alone', () => {
    const gitops = { sourceMirrors: { 'https://charts.jetstack.io': `${GIT}/helm/jetstack` }, chartMirrors: { git: GIT } };
    expect(chartMirrorURL(gitops, 'helm', 'https://charts.jetstack.io')).toBe(`${GIT}/helm/jetstack`);
    expect(chartMirrorURL(gitops, 'helm', 'https://charts.jenkins.io')).toBeUndefined();
    expect(chartMirrorURL(gitops, 'oci', 'ghcr.io/kserve/charts')).toBeUndefined();
  });

  it('rejects a base of the wrong form or an unknown kind, naming the field', () => {
    const parse = (chartMirrors: unknown) => GitOpsSchema.safeParse({ repoURL: 'https://git.internal/g.git', chartMirrors });
    expect(parse({ oci: 'oci://registry.internal/charts' }).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'chartMirrors.oci: must be a registry and path without a scheme, such as registry.local:5000/charts',
    ]);
    expect(parse({ helm: 'git.internal/helm' }).error?.issues[0].path).toEqual(['chartMirrors', 'helm']);
    expect(parse({ s3: 'https://x' }).error?.issues[0].message).toMatch(/Unrecognized key.*s3/);
    expect(parse(BASES).success).toBe(true);
  });

  it("rejects a base whose host the environment may not reach", () => {
    expect(() => parseEnvironment({ ...airgap, gitops: { ...airgap.gitops, chartMirrors: { ...airgap.gitops.chartMirrors, helm: 'https://charts.elsewhere.example/helm' } } })).toThrow(
      /gitops\.chartMirrors\.helm: mirror host 'charts\.elsewhere\.example' is not in registry\.allowedHosts/,
    );
  });

  it("points airgap's Git and OCI charts at mirrors derived from the bases (no entry of their own)", () => {
    const apps = allObjects(compiledEnvironment(airgap)).filter((o) => o.kind === 'Application');
    const repo = (name: string) => (findObject(apps, 'Application', name) as unknown as { spec: { source: { repoURL: string } } }).spec.source.repoURL;
    expect(airgap.gitops.sourceMirrors).not.toHaveProperty(['https://github.com/stacklok/toolhive.git']);
    expect(repo('toolhive-operator')).toBe('https://git.airgap.internal/mirrors/stacklok/toolhive.git');
    expect(repo('kserve')).toBe('registry.airgap.internal:35000/kserve/charts');
    // An explicit entry wins over the Helm base.
    expect(repo('cert-manager')).toBe('https://git.airgap.internal/mirrors/helm/jetstack');
  });

  it('derives a new Helm repository from the base without an entry', () => {
    const { 'https://charts.jenkins.io': _jenkins, ...rest } = airgap.gitops.sourceMirrors!;
    const { platform } = buildEnvironment(parseEnvironment({ ...airgap, gitops: { ...airgap.gitops, sourceMirrors: rest } }));
    const jenkins = platform.node.findAll().find((c) => c.node.path === 'Delivery/Jenkins/Chart/Application');
    expect(JSON.stringify((jenkins as unknown as { toJson(): unknown }).toJson())).toContain('"repoURL":"https://git.airgap.internal/mirrors/helm/charts.jenkins.io"');
  });

  it('refuses an unmirrored source outside the allowed hosts, naming the stack file and both fields', () => {
    const { 'https://charts.jenkins.io': _jenkins, ...rest } = airgap.gitops.sourceMirrors!;
    const { helm: _helm, ...bases } = airgap.gitops.chartMirrors!;
    expect(() => buildEnvironment(parseEnvironment({ ...airgap, gitops: { ...airgap.gitops, sourceMirrors: rest, chartMirrors: bases } }))).toThrow(
      "chart source 'https://charts.jenkins.io' (Helm repository) has no mirror and its host is not in registry.allowedHosts: in environment 'airgap' (stacks/airgap.ts) set gitops.chartMirrors.helm, the mirror base every Helm repository is derived from, or gitops.sourceMirrors['https://charts.jenkins.io'] for this source alone",
    );
  });
});
