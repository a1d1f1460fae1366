/**
 * The "chart renders" section of `npm run bench`: cold and warm renders (lib/tools/chart-render.ts)
 * of every chart vendored under `charts/` that the prod environment installs, with prod's values.
 * Without a `charts/` folder (CI cannot reach chart repositories, so this repository vendors none)
 * it renders the test fixture charts instead, and says so. Prints numbers; asserts nothing.
 *
 * Run alone with `tsx bench/charts.ts`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ChartLock, CHART_LOCK_FILE } from '../lib/core/chart-lock';
import type { ChartRenderRequest } from '../lib/core/chart-render';
import { renderCharts, RenderStats } from '../lib/tools/chart-render';
import { helmBinary } from '../lib/tools/helm';
import { compileAll } from '../stacks/compile';
import { environments } from '../stacks';

const KUBE_VERSION = '1.28.0';
const ROOT = path.join(__dirname, '..');

/** prod's upstream charts that are vendored under `chartsDir`, as render requests with prod's values. */
export function prodRequests(chartsDir: string): ChartRenderRequest[] {
  const input = environments.find((e) => e.name === 'prod');
  if (!input) throw new Error('no prod environment in stacks/');
  // What the synth renders: the plan's requests, exactly as it builds them.
  const [plan] = compileAll([input], { plan: true });
  return plan.charts.filter((r) => fs.existsSync(path.join(chartsDir, r.chart.name)));
}

/** The test fixture charts, a few releases of each. */
function fixtureRequests(): ChartRenderRequest[] {
  const lock = (name: string) => ChartLock.parse({ charts: [{ name, source: 'helm', repoURL: 'https://charts.example.com', chart: name, version: '0.1.0' }] }).get(name);
  const out: ChartRenderRequest[] = [];
  for (const chart of ['render-basic', 'render-schema', 'manifests-plain']) {
    for (let i = 0; i < 4; i++) {
      out.push({ component: `${chart}-${i}`, chart: lock(chart), releaseName: `r${i}`, namespace: `ns-${i}`, values: {}, kubeVersion: KUBE_VERSION, apiVersions: i % 2 ? ['monitoring.coreos.com/v1'] : [], images: [], hydrate: false });
    }
  }
  return out;
}

async function timed(requests: readonly ChartRenderRequest[], chartsDir: string, cacheDir: string) {
  const stats: RenderStats = { helmRuns: 0, cacheHits: 0 };
  const start = process.hrtime.bigint();
  const results = await renderCharts(requests, { helm: helmBinary(), chartsDir, cacheDir, stats });
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, stats, objects: results.reduce((n, r) => n + r.objects.length, 0) };
}

export async function benchChartRenders(): Promise<void> {
  const vendored = path.join(ROOT, 'charts');
  const useProd = fs.existsSync(vendored);
  const chartsDir = useProd ? vendored : path.join(ROOT, 'test/fixtures/charts');
  const requests = useProd ? prodRequests(vendored) : fixtureRequests();
  console.log(
    useProd
      ? `chart renders: ${requests.length} prod component(s) vendored under charts/ (${CHART_LOCK_FILE})`
      : `chart renders: no charts/ folder in this repository (CI cannot reach chart repositories), so the TEST FIXTURE charts are rendered instead: ${requests.length} requests over test/fixtures/charts/{render-basic,render-schema,manifests-plain}`,
  );
  if (requests.length === 0) return;
  helmBinary(); // extraction is not timed
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kompile-bench-render-'));
  try {
    const cold = await timed(requests, chartsDir, cacheDir);
    const warm = await timed(requests, chartsDir, cacheDir);
    const w = [6, 10, 11, 9, 8];
    const row = (c: string[]) => c.map((x, i) => x.padStart(w[i])).join('  ');
    console.log(row(['call', 'helm runs', 'cache hits', 'ms', 'objects']));
    console.log(row(['cold', String(cold.stats.helmRuns), String(cold.stats.cacheHits), cold.ms.toFixed(0), String(cold.objects)]));
    console.log(row(['warm', String(warm.stats.helmRuns), String(warm.stats.cacheHits), warm.ms.toFixed(0), String(warm.objects)]));
    console.log(`(${os.availableParallelism()} helm processes at a time; cold includes one \`helm version --short\`, remembered per binary in the cache)`);
  } finally {
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
}

if (require.main === module) void benchChartRenders();
