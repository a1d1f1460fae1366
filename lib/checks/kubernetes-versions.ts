/**
 * Component versions against the cluster's Kubernetes version (`cluster.kubernetesVersion`), from the
 * table of lib/core/kubernetes-support.ts: a cluster below a minimum the component enforces is an
 * error (the install or the controller refuses it); a cluster outside the published support window is
 * a warning. The synth (errors fail it, warnings are printed) and `kompile validate` (rule
 * 'kubernetes-version') both run this.
 *
 * What an environment installs is read from its objects: Argo CD Applications with a Helm chart
 * source (`spec.source.chart` at `spec.source.targetRevision`, whatever repository or mirror serves
 * it), and `KnativeServing` resources (`spec.version`). A hydrated chart's Application points at
 * its folder instead, so its version is not seen here.
 */
import { KUBERNETES_SUPPORT, kubernetesMinor, KubernetesSupportRow, onReleaseLine, SupportSubject } from '../core/kubernetes-support';
import { ManifestLike, rec } from './objects';

export interface KubernetesVersionFinding {
  /** Index of the object (Application, KnativeServing) in the list given. */
  readonly index: number;
  readonly pointer: string;
  readonly severity: 'error' | 'warning';
  readonly message: string;
}

interface Installed {
  readonly index: number;
  readonly pointer: string;
  readonly subject: SupportSubject;
  readonly version: string;
}

function installedBy(objects: readonly ManifestLike[]): Installed[] {
  const out: Installed[] = [];
  objects.forEach((o, index) => {
    if (o.kind === 'Application' && o.apiVersion.startsWith('argoproj.io/')) {
      const source = rec(rec(o.spec).source);
      if (typeof source.chart === 'string' && typeof source.targetRevision === 'string') {
        out.push({ index, pointer: '/spec/source/targetRevision', subject: { chart: source.chart }, version: source.targetRevision });
      }
    } else if (o.kind === 'KnativeServing' && o.apiVersion.startsWith('operator.knative.dev/')) {
      const version = rec(o.spec).version;
      if (typeof version === 'string') out.push({ index, pointer: '/spec/version', subject: { knativeServing: true }, version });
    }
  });
  return out;
}

function sameSubject(a: SupportSubject, b: SupportSubject): boolean {
  return 'chart' in a ? 'chart' in b && a.chart === b.chart : 'knativeServing' in b;
}

/**
 * Findings for every installed component a row covers, on a cluster of Kubernetes `kubernetesVersion`
 * (`1.28`). An unparseable cluster version finds nothing (the config schema rejects it first).
 */
export function kubernetesVersionFindings(objects: readonly ManifestLike[], kubernetesVersion: string, table: readonly KubernetesSupportRow[] = KUBERNETES_SUPPORT): KubernetesVersionFinding[] {
  const cluster = kubernetesMinor(kubernetesVersion);
  if (cluster === undefined) return [];
  const findings: KubernetesVersionFinding[] = [];
  for (const item of installedBy(objects)) {
    for (const row of table) {
      if (!row.subjects.some((s) => sameSubject(s, item.subject)) || !onReleaseLine(item.version, row.versions)) continue;
      const what = `${row.component} (${item.version})`;
      const min = row.minimum ? kubernetesMinor(row.minimum.kubernetes) : undefined;
      if (row.minimum && min !== undefined && cluster < min) {
        findings.push({ index: item.index, pointer: item.pointer, severity: 'error', message: `${what} needs Kubernetes ${row.minimum.kubernetes} or newer, but the cluster is ${kubernetesVersion} (cluster.kubernetesVersion); source: ${row.minimum.source}` });
        continue;
      }
      if (!row.supported) continue;
      const from = kubernetesMinor(row.supported.from);
      const to = row.supported.to === undefined ? undefined : kubernetesMinor(row.supported.to);
      if ((from !== undefined && cluster < from) || (to !== undefined && cluster > to)) {
        const window = row.supported.to ? `${row.supported.from} to ${row.supported.to}` : `${row.supported.from} and newer`;
        findings.push({ index: item.index, pointer: item.pointer, severity: 'warning', message: `${what} is supported on Kubernetes ${window}, not on the cluster's ${kubernetesVersion} (cluster.kubernetesVersion); source: ${row.supported.source}` });
      }
    }
  }
  return findings;
}
