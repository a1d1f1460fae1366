import * as fs from 'node:fs';
import * as path from 'node:path';
import { ChartLock } from '../../lib/core/chart-lock';
import { EnvironmentInput } from '../../lib/core/config';
import { merge } from '../../stacks/base';
import { CHARTS } from '../../stacks/charts';

/** Test helpers for charts in the synth: fixture charts, a lock naming them, environments holding only them. */
export const FIXTURE_CHARTS = path.join(__dirname, '../fixtures/charts');

/** The repository's lock plus two fixture charts from a (never contacted) Helm repository. */
export const FIXTURE_LOCK = ChartLock.parse({
  charts: [
    ...CHARTS.charts,
    { name: 'demo', source: 'helm', repoURL: 'https://charts.example.com', chart: 'demo', version: '0.1.0' },
    { name: 'legacy', source: 'helm', repoURL: 'https://charts.example.com', chart: 'legacy', version: '1.0.0' },
    { name: 'leader', source: 'helm', repoURL: 'https://charts.example.com', chart: 'leader', version: '0.1.0' },
  ],
});

/** A new `charts/` folder under `parent` with the given fixture charts vendored under their lock names. */
export function vendoredCharts(parent: string, ...charts: string[]): string {
  const dir = fs.mkdtempSync(path.join(parent, 'charts-'));
  for (const c of charts) fs.cpSync(path.join(FIXTURE_CHARTS, c), path.join(dir, c), { recursive: true });
  return dir;
}

/** `base` with every component off but the config-declared `charts`, and no ingress controller installed (so nothing else needs vendoring). */
export function onlyCharts(base: EnvironmentInput, charts: Record<string, unknown>[]): EnvironmentInput {
  const off = { enabled: false };
  return merge(base, { cluster: { ingress: { install: false } }, components: { toolhive: off, serving: off, mlops: off, chatbot: off, ci: off, kcloud: off, charts } });
}
