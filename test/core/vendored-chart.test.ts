import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEnvironment } from '../../lib/core/config';
import { synthesize } from '../../lib/core/synthesize';
import { VendoredChart } from '../../lib/core/vendored-chart';
import { helmBinary } from '../../lib/tools/helm';
import { SchemaValidator } from '../../lib/tools/schema-validator';
import { treeFromFiles } from '../../lib/tools/tree';
import { validateTree } from '../../lib/tools/validate';
import { renderVendoredCharts } from '../../lib/tools/vendor';
import { airgap } from '../../stacks/airgap';
import { merge } from '../../stacks/base';
import { buildEnvironment } from '../../stacks/build';
import { compileAll } from '../../stacks/compile';
import { dev } from '../../stacks/dev';
import { findObject, objectsIn, synthPlatform, testPlatform } from '../helpers';

const REPO = path.join(__dirname, '../..');
const chart = { name: 'web', chart: 'test/fixtures/charts/demo', namespace: 'web', values: { greeting: 'hi' } };
const withChart = (base: typeof dev) => merge(base, { components: { vendored: { charts: [chart] } } });

function synthWithChart(base: typeof dev) {
  const config = parseEnvironment(withChart(base));
  const { platform, policy } = buildEnvironment(config, renderVendoredCharts(config, helmBinary(), REPO));
  return synthesize(platform, policy);
}

describe('vendored charts', () => {
  it('renders the chart with real helm at synth time into plain YAML in its own component, after the namespaces', () => {
    const out = synthWithChart(dev);
    const objects = objectsIn(out, 'web/manifests.yaml');
    expect(objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`).sort()).toEqual([
      'ClusterRole//web-demo-reader',
      'CustomResourceDefinition//gadgets.demo.example.com',
      'Deployment/web/web-demo',
      'Service/web/web-demo',
      'ServiceAccount/web/web-demo',
    ]);
    const deployment = findObject(objects, 'Deployment', 'web-demo', 'web');
    expect(deployment.metadata.labels).toMatchObject({ 'kompile.dev/component': 'web', 'app.kubernetes.io/name': 'demo' });
    const app = findObject(objectsIn(out, 'apps/web.yaml'), 'Application', 'web');
    expect(app.spec).toMatchObject({ source: { path: 'dist/dev/web' }, destination: { namespace: 'web' } });
    expect(Number(app.metadata.annotations!['argocd.argoproj.io/sync-wave'])).toBeGreaterThan(Number(findObject(objectsIn(out, 'apps/namespaces.yaml'), 'Application', 'namespaces').metadata.annotations!['argocd.argoproj.io/sync-wave']));
    const ns = findObject(objectsIn(out, 'namespaces/manifests.yaml'), 'Namespace', 'web');
    expect(ns.metadata.labels!['pod-security.kubernetes.io/enforce']).toBe('restricted');
    // The CRD is created before anything else of the chart; its deletion is never pruned.
    const crd = findObject(objects, 'CustomResourceDefinition', 'gadgets.demo.example.com');
    expect(crd.metadata.annotations!['argocd.argoproj.io/sync-options']).toBe('Prune=false,Delete=false');
    expect(out.images.get('ghcr.io/acme/demo:1.2.3')).toBe('ghcr.io/acme/demo:1.2.3');
  });

  it('relocates the chart\'s images in an airgapped environment, and lists them', () => {
    const out = synthWithChart(airgap as typeof dev);
    const deployment = findObject(objectsIn(out, 'web/manifests.yaml'), 'Deployment', 'web-demo', 'web');
    const image = (deployment.spec as { template: { spec: { containers: Array<{ image: string }> } } }).template.spec.containers[0].image;
    expect(image).toBe('registry.airgap.internal:35000/acme/demo:1.2.3');
    expect(out.files.get('images.txt')).toContain('ghcr.io/acme/demo:1.2.3\n');
    expect(out.images.get('ghcr.io/acme/demo:1.2.3')).toBe('registry.airgap.internal:35000/acme/demo:1.2.3');
  });

  it('produces output that passes kompile validate', () => {
    const out = synthWithChart(dev);
    const shared = path.join(REPO, '../shared/crds');
    const schema = SchemaValidator.load({ kubernetesDefinitions: path.join(shared, 'kubernetes/v1.28.0/_definitions.json'), crdPaths: [shared] });
    const tree = treeFromFiles(new Map([...out.files].map(([f, c]) => [`dev/${f}`, c])));
    expect(validateTree(tree, { schema }).filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('is rendered by compileAll through its renderCharts step, and fails to build without it', () => {
    const [out] = compileAll([withChart(dev)], { renderCharts: (config) => renderVendoredCharts(config, helmBinary(), REPO) });
    expect(out.files.has('web/manifests.yaml')).toBe(true);
    expect(() => compileAll([withChart(dev)])).toThrow(/components\.vendored\.charts\[0\] \('web'\): chart test\/fixtures\/charts\/demo was not rendered/);
  });

  it('rejects bad configuration with paths', () => {
    const bad = merge(dev, {
      components: { vendored: { charts: [{ ...chart, podSecurity: 'baseline' }, { ...chart, chart: '../outside' }] } },
    });
    expect(() => parseEnvironment(bad)).toThrow(/components\.vendored\.charts\[0\]\.podSecurityReason: podSecurity 'baseline' needs a reason[\s\S]*components\.vendored\.charts\[1\]\.chart: must be a path inside the repository[\s\S]*charts\[1\]\.name: duplicate vendored chart name 'web'/);
  });

  it('keeps cluster-scoped objects without a namespace and refuses a chart that rendered nothing', () => {
    const platform = testPlatform();
    new VendoredChart(platform, 'Chart', {
      name: 'c',
      namespace: 'apps',
      objects: [
        { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'r' }, rules: [] },
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { a: 'b' } },
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'other', namespace: 'elsewhere' }, data: {} },
      ],
    });
    const objects = objectsIn(synthPlatform(platform), 'c/manifests.yaml');
    expect(findObject(objects, 'ClusterRole', 'r').metadata.namespace).toBeUndefined();
    expect(findObject(objects, 'ConfigMap', 'cm').metadata.namespace).toBe('apps');
    expect(findObject(objects, 'ConfigMap', 'other').metadata.namespace).toBe('elsewhere');
    expect(() => new VendoredChart(testPlatform(), 'Empty', { name: 'e', namespace: 'apps', objects: [] })).toThrow("[Empty] vendored chart 'e' rendered no objects");
  });
});
