import { describe, expect, it } from 'vitest';
import { kubernetesVersionFindings } from '../../lib/checks/kubernetes-versions';
import { ManifestLike } from '../../lib/checks/objects';
import { KUBERNETES_SUPPORT, KubernetesSupportRow } from '../../lib/core/kubernetes-support';
import { treeFromFiles } from '../../lib/tools/tree';
import { validateTree } from '../../lib/tools/validate';
import { prod } from '../../stacks/prod';
import { files, yamlDocs } from '../tools/fixtures';
import { synthEnvironment, synthIssues } from '../helpers';

function app(chart: string, targetRevision: string): ManifestLike {
  return { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: chart, namespace: 'argocd' }, spec: { source: { repoURL: 'https://charts.example.com', chart, targetRevision } } };
}

function knativeServing(version: string): ManifestLike {
  return { apiVersion: 'operator.knative.dev/v1beta1', kind: 'KnativeServing', metadata: { name: 'knative-serving', namespace: 'knative-serving' }, spec: { version } };
}

/** A table of one made-up component, so the rule is tested apart from the real rows. */
const TABLE: KubernetesSupportRow[] = [{ component: 'Demo 2.3', subjects: [{ chart: 'demo' }], versions: '2.3', minimum: { kubernetes: '1.27', source: 'demo Chart.yaml' }, supported: { from: '1.29', to: '1.31', source: 'https://demo.example/support' } }];

describe('kubernetesVersionFindings', () => {
  it('is an error below the enforced minimum, naming the component, the versions and the source', () => {
    const findings = kubernetesVersionFindings([app('demo', 'v2.3.1')], '1.26', TABLE);
    expect(findings).toEqual([expect.objectContaining({ index: 0, pointer: '/spec/source/targetRevision', severity: 'error' })]);
    expect(findings[0].message).toBe('Demo 2.3 (v2.3.1) needs Kubernetes 1.27 or newer, but the cluster is 1.26 (cluster.kubernetesVersion); source: demo Chart.yaml');
  });

  it('is a warning outside the published window, on either side', () => {
    for (const cluster of ['1.28', '1.32']) {
      const findings = kubernetesVersionFindings([app('demo', '2.3.0')], cluster, TABLE);
      expect(findings.map((f) => f.severity)).toEqual(['warning']);
      expect(findings[0].message).toContain(`is supported on Kubernetes 1.29 to 1.31, not on the cluster's ${cluster}`);
    }
  });

  it('passes a cluster inside the window, another release line, another chart and an unparseable version', () => {
    expect(kubernetesVersionFindings([app('demo', '2.3.9')], '1.30', TABLE)).toEqual([]);
    expect(kubernetesVersionFindings([app('demo', '2.30.0'), app('demo', '2.4.0'), app('other', '2.3.0')], '1.20', TABLE)).toEqual([]);
    expect(kubernetesVersionFindings([app('demo', '2.3.0')], 'latest', TABLE)).toEqual([]);
  });

  it('judges the pinned Knative Serving version of a KnativeServing against the real table', () => {
    expect(kubernetesVersionFindings([knativeServing('1.16')], '1.27').map((f) => `${f.severity} ${f.pointer}`)).toEqual(['error /spec/version']);
    expect(kubernetesVersionFindings([knativeServing('1.16')], '1.28')).toEqual([]);
  });

  it('cites a source for every bound of every row', () => {
    for (const row of KUBERNETES_SUPPORT) {
      expect(row.minimum ?? row.supported, row.component).toBeDefined();
      if (row.minimum) expect(row.minimum.source, row.component).toMatch(/\S{8,}/);
      if (row.supported) expect(row.supported.source, row.component).toMatch(/\S{8,}/);
    }
  });
});

describe('versions against the cluster in the synth', () => {
  it('fails an environment whose cluster is older than a component enforces, naming the Application', () => {
    const issues = synthIssues(() => synthEnvironment({ cluster: { kubernetesVersion: '1.27' } }, prod));
    expect(issues).toContainEqual(expect.stringMatching(/^\[Serving\/KnativeOperator\/Application\] \/spec\/source\/targetRevision: Knative Operator 1\.16 \(1\.16\.\d+\) needs Kubernetes 1\.28 or newer, but the cluster is 1\.27/));
    expect(issues).toContainEqual(expect.stringContaining('Istio 1.24 (1.24.6) needs Kubernetes 1.28 or newer'));
    expect(issues).toContainEqual(expect.stringContaining('/spec/version: Knative Serving 1.16 (1.16) needs Kubernetes 1.28 or newer'));
  });

  it('passes a supported cluster and reports a published window as a warning without failing', () => {
    // prod's other warnings are its images without digest (security-supply-chain.test.ts).
    const versionWarnings = (o: ReturnType<typeof synthEnvironment>) => (o.warnings ?? []).filter((w) => !w.message.endsWith('[mutable-image]'));
    const inside = synthEnvironment({ cluster: { kubernetesVersion: '1.30' } }, prod);
    expect(versionWarnings(inside)).toEqual([]);
    const out = synthEnvironment({}, prod);
    expect(out.files.size).toBeGreaterThan(0);
    expect(versionWarnings(out).map((w) => w.message)).toEqual([expect.stringContaining("cert-manager 1.18 (v1.18.6) is supported on Kubernetes 1.29 to 1.33, not on the cluster's 1.28")]);
  });
});

describe("validate's 'kubernetes-version' rule", () => {
  const tree = treeFromFiles(files({ 'dev/apps/demo.yaml': yamlDocs(app('cert-manager', 'v1.18.6')) }));

  it('reports the same findings as the synth, with their severity, for the environment given a version', () => {
    const old = validateTree(tree, { kubernetesVersions: new Map([['dev', '1.21']]) }).filter((f) => f.rule === 'kubernetes-version');
    expect(old).toEqual([expect.objectContaining({ severity: 'error', file: 'dev/apps/demo.yaml', object: 'Application/argocd/cert-manager', path: '/spec/source/targetRevision' })]);
    const window = validateTree(tree, { kubernetesVersions: new Map([['dev', '1.28']]) }).filter((f) => f.rule === 'kubernetes-version');
    expect(window.map((f) => f.severity)).toEqual(['warning']);
  });

  it('finds nothing for a supported cluster or an environment without a version', () => {
    expect(validateTree(tree, { kubernetesVersions: new Map([['dev', '1.30']]) }).filter((f) => f.rule === 'kubernetes-version')).toEqual([]);
    expect(validateTree(tree, {}).filter((f) => f.rule === 'kubernetes-version')).toEqual([]);
  });
});
