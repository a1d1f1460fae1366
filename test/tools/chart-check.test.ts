import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { withRenderedCharts } from '../../lib/tools/chart-check';
import { helmBinary } from '../../lib/tools/helm';
import { treeFromFiles } from '../../lib/tools/tree';
import { validateTree } from '../../lib/tools/validate';
import { compileAll } from '../../stacks/compile';
import { dev } from '../../stacks/dev';
import { kubernetesSchema } from '../helpers';
import { FIXTURE_LOCK, onlyCharts, vendoredCharts } from './chart-fixtures';

const schema = kubernetesSchema();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kompile-chart-check-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const LOCK = FIXTURE_LOCK;

/** The tree a referenced synth writes (no chart vendored at synth time). */
function tree(charts: Record<string, unknown>[]) {
  const files = new Map<string, string>();
  for (const out of compileAll([onlyCharts(dev, charts)], { charts: LOCK })) for (const [f, c] of out.files) files.set(`${out.environment}/${f}`, c);
  return treeFromFiles(files);
}

const chartsDir = (...charts: string[]) => vendoredCharts(tmp, ...charts);

async function validate(charts: Record<string, unknown>[], vendored: string[]) {
  const { tree: full, findings } = await withRenderedCharts(tree(charts), LOCK, { chartsDir: chartsDir(...vendored), helm: helmBinary(), cacheDir: fs.mkdtempSync(path.join(tmp, 'cache-')) });
  return [...validateTree(full, { schema }), ...findings].map((f) => `${f.severity} ${f.rule} ${f.file} ${f.object} ${f.path}: ${f.message}`);
}

const DEMO_IMAGE = [{ image: 'ghcr.io/acme/demo:1.2.3', value: 'image', split: {} }];

describe('validate with upstream charts', () => {
  it('renders vendored charts with the values of their Application and finds nothing in a compliant one', async () => {
    expect(await validate([{ name: 'web', chart: 'demo', namespace: 'web', images: DEMO_IMAGE }], ['demo'])).toEqual([]);
  });

  it("holds what a chart renders to Pod Security, the image lock and the chart's declared values", async () => {
    const found = await validate([{ name: 'old', chart: 'legacy', namespace: 'old', values: { replicas: 2 }, images: [{ image: 'docker.io/acme/legacy:2.0.0', value: 'image' }] }], ['legacy']);
    expect(found).toEqual([
      expect.stringMatching(/^error pod-security dev\/apps\/old\.yaml Deployment\/old\/old-legacy \/spec\/template\/spec\/containers\/0\/securityContext\/seccompProfile: namespace 'old' enforces Pod Security 'restricted'/),
      expect.stringMatching(/^error chart-image dev\/apps\/old\.yaml Deployment\/old\/old-legacy \/spec\/template\/spec\/containers\/1\/image: chart 'legacy' runs image 'docker\.io\/acme\/helper:1\.0', which no value Kompile sets names/),
      expect.stringMatching(/^error chart-values dev\/apps\/old\.yaml Application\/argocd\/old \/spec\/source\/helm\/valuesObject: chart 'legacy': .*replicas/),
    ]);
  });

  it('warns about every chart it could not render because it is not vendored', async () => {
    expect(await validate([{ name: 'web', chart: 'demo', namespace: 'web', images: DEMO_IMAGE }], [])).toEqual([
      expect.stringMatching(/^warning chart-unchecked dev\/apps\/web\.yaml Application\/argocd\/web \/spec\/source: chart 'demo' is not vendored \(no charts-\w+\/demo\/\): what it renders was not checked/),
    ]);
  });
});
