/**
 * `kompile validate` on upstream charts: every Application of a rendered tree whose source is a
 * locked chart is rendered the way Argo CD will render it (from its vendored copy, with the
 * Application's own values) and its objects join the tree, to be held to the same rules as
 * Kompile's own; a chart that is not vendored is reported as not checked.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { undeclaredValueFindings } from '../checks/chart-values';
import { crdApiVersions, rec, Rec } from '../checks/objects';
import type { ChartLock, LockedChart } from '../core/chart-lock';
import type { ChartRenderRequest } from '../core/chart-render';
import { renderCharts, RenderChartsOptions } from './chart-render';
import { displayName, RenderedTree, TreeObject } from './tree';
import type { ValidationFinding } from './validate';


/** An Application of the tree that installs a locked chart, and what it is rendered from. */
export interface TreeChart {
  readonly application: TreeObject;
  readonly request: ChartRenderRequest;
}

/** The lock entry an Application's source names: the chart (or Git folder) and version, whatever mirror serves it. */
function lockedFor(lock: ChartLock, source: Rec): LockedChart | undefined {
  const name = typeof source.chart === 'string' ? source.chart : undefined;
  const folder = typeof source.path === 'string' ? source.path : undefined;
  return lock.charts.find((c) => c.version === source.targetRevision && (name !== undefined ? c.chart === name : c.source === 'git' && c.path === folder));
}

/**
 * The locked charts the tree's Applications install, each as Argo CD renders it: release name,
 * destination namespace, the Application's values, the Kubernetes version, and the group/versions of
 * the CRDs the environment installs.
 */
export function treeCharts(tree: RenderedTree, lock: ChartLock, kubeVersion = '1.28.0'): TreeChart[] {
  const out: TreeChart[] = [];
  const envs = new Set(tree.objects.map((o) => o.environment));
  for (const env of [...envs].sort()) {
    const objects = tree.objects.filter((o) => o.environment === env);
    const apiVersions = crdApiVersions(objects.map((o) => o.object));
    for (const o of objects) {
      if (o.object.kind !== 'Application' || !o.object.apiVersion.startsWith('argoproj.io/')) continue;
      const spec = rec(o.object.spec);
      const source = rec(spec.source);
      const chart = lockedFor(lock, source);
      if (!chart) continue;
      const helm = rec(source.helm);
      out.push({
        application: o,
        request: {
          component: o.object.metadata.name,
          hydrate: false,
          chart,
          releaseName: typeof helm.releaseName === 'string' ? helm.releaseName : o.object.metadata.name,
          namespace: typeof rec(spec.destination).namespace === 'string' ? (rec(spec.destination).namespace as string) : 'default',
          values: rec(helm.valuesObject),
          kubeVersion,
          apiVersions,
          include: typeof rec(source.directory).include === 'string' ? (rec(source.directory).include as string) : undefined,
          images: [],
        },
      });
    }
  }
  return out;
}

/** What rendering a tree's charts adds: their objects, and findings about charts as a whole. */
export interface TreeChartsResult {
  /** The tree with every rendered object added (each with `chart` set). */
  readonly tree: RenderedTree;
  /** Value keys the charts do not declare, and charts that could not be checked. */
  readonly findings: ValidationFinding[];
}

/** Renders every vendored chart of the tree and adds its objects; charts not vendored are findings. */
export async function withRenderedCharts(tree: RenderedTree, lock: ChartLock, options: RenderChartsOptions): Promise<TreeChartsResult> {
  const findings: ValidationFinding[] = [];
  const charts = treeCharts(tree, lock);
  const vendored = charts.filter((c) => fs.existsSync(path.join(options.chartsDir, c.request.chart.name)));
  for (const c of charts) {
    if (vendored.includes(c)) continue;
    findings.push({
      severity: 'warning',
      rule: 'chart-unchecked',
      environment: c.application.environment,
      file: c.application.file,
      object: displayName(c.application.object),
      path: '/spec/source',
      message: `chart '${c.request.chart.name}' is not vendored (no ${path.basename(options.chartsDir)}/${c.request.chart.name}/): what it renders was not checked (kompile charts pull)`,
    });
  }
  const rendered = await renderCharts(
    vendored.map((c) => c.request),
    options,
  );
  const added: TreeObject[] = [];
  rendered.forEach((r, i) => {
    const app = vendored[i].application;
    for (const object of r.objects) added.push({ environment: app.environment, component: app.component, file: app.file, object: object as TreeObject['object'], chart: r.request.chart.name });
    if (!r.facts) return;
    for (const f of undeclaredValueFindings(r.request.values, r.facts, r.request.chart.undeclaredValues)) {
      findings.push({ severity: 'error', rule: 'chart-values', environment: app.environment, file: app.file, object: displayName(app.object), path: '/spec/source/helm/valuesObject', message: `chart '${r.request.chart.name}': ${f.message}` });
    }
  });
  return { tree: { objects: [...tree.objects, ...added], images: tree.images }, findings };
}
