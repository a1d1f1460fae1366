/**
 * The Kubernetes versions each pinned component runs on: one row per component release line, each
 * fact cited from the project's own source at the pinned version or its published documentation.
 *
 * - `minimum` is a floor the component ENFORCES (its chart's `kubeVersion`, which helm refuses to
 *   install below; a start-up or install check that refuses the cluster): below it the install or the
 *   controller fails, so the synth and `kompile validate` report an error (rule 'kubernetes-version').
 * - `supported` is a PUBLISHED support window (a support matrix, a release page): outside it the
 *   component may run but is untested and unsupported upstream, so it is a warning.
 *
 * Rows are matched against what the environment installs (lib/checks/kubernetes-versions.ts): the
 * Applications' Helm charts by chart name and version, and the Knative Serving version of every
 * `KnativeServing`. A component without a row (because its project enforces and publishes nothing
 * for its pinned version, or because it could not be verified) is not judged; see
 * docs/kubernetes-versions.md for those.
 *
 * When a version in charts.lock.json (or a construct's default version) moves to another release
 * line, add the row for that line from its sources: a version no row covers is not judged.
 */

/** What a row applies to. */
export type SupportSubject =
  /** An Application installing this Helm chart (by chart name, from any repository or mirror). */
  | { readonly chart: string }
  /** `KnativeServing` resources: the Knative Serving version (`spec.version`) the operator installs. */
  | { readonly knativeServing: true };

/** One bound and where it comes from. */
export interface SupportBound {
  /** Kubernetes minor version, `1.28`. */
  readonly kubernetes: string;
  /** Where the fact comes from: repository, file and tag, or a documentation URL. */
  readonly source: string;
}

export interface KubernetesSupportRow {
  /** How people name the component in messages: `cert-manager 1.18`. */
  readonly component: string;
  readonly subjects: readonly SupportSubject[];
  /** The release line the row covers: versions equal to it or starting with it and a dot (`1.24` covers `1.24.6`, `v1.24.0`). */
  readonly versions: string;
  /** Enforced minimum: a cluster below it is an error. */
  readonly minimum?: SupportBound;
  /** Published support window, inclusive: a cluster outside it is a warning. `to` absent: no published upper bound. */
  readonly supported?: { readonly from: string; readonly to?: string; readonly source: string };
}

const ISTIO_CHARTS = ['base', 'istiod', 'gateway', 'cni'].map((chart) => ({ chart }));

export const KUBERNETES_SUPPORT: readonly KubernetesSupportRow[] = [
  {
    component: 'cert-manager 1.18',
    subjects: [{ chart: 'cert-manager' }],
    versions: '1.18',
    minimum: { kubernetes: '1.22', source: 'cert-manager/cert-manager deploy/charts/cert-manager/Chart.template.yaml at v1.18.6: kubeVersion ">= 1.22.0-0"' },
    supported: { from: '1.29', to: '1.33', source: 'https://cert-manager.io/docs/releases/ (cert-manager/website content/docs/releases/README.md: 1.18 supports Kubernetes 1.29 → 1.33)' },
  },
  {
    component: 'Istio 1.24',
    subjects: ISTIO_CHARTS,
    versions: '1.24',
    // The charts declare no kubeVersion (manifests/charts/*/Chart.yaml at 1.24.6); istioctl's
    // install precheck refuses older clusters with IST0142, level Error
    // (pkg/config/analysis/msg/messages.yaml, UnsupportedKubernetesVersion).
    minimum: { kubernetes: '1.28', source: 'istio/istio istioctl/pkg/install/k8sversion/version.go at 1.24.6: MinK8SVersion = 28 (istioctl precheck, IST0142 UnsupportedKubernetesVersion, level Error)' },
    supported: { from: '1.28', to: '1.31', source: 'https://istio.io/latest/docs/releases/supported-releases/ (1.24: supported Kubernetes 1.28, 1.29, 1.30, 1.31)' },
  },
  {
    component: 'ingress-nginx chart 4.12 (controller 1.12)',
    subjects: [{ chart: 'ingress-nginx' }],
    versions: '4.12',
    minimum: { kubernetes: '1.21', source: 'kubernetes/ingress-nginx charts/ingress-nginx/Chart.yaml at helm-chart-4.12.8: kubeVersion ">=1.21.0-0"' },
    supported: { from: '1.28', to: '1.32', source: 'kubernetes/ingress-nginx README.md at helm-chart-4.12.8, "Supported Versions table": v1.12.8 (chart 4.12.8) supports Kubernetes 1.32, 1.31, 1.30, 1.29, 1.28' },
  },
  {
    component: 'Knative Operator 1.16',
    subjects: [{ chart: 'knative-operator' }],
    versions: '1.16',
    // The operator and its webhook start through knative.dev/pkg injection/sharedmain, which calls
    // version.CheckMinimumVersion and exits on an older cluster (unless KUBERNETES_MIN_VERSION is set).
    minimum: { kubernetes: '1.28', source: 'knative/operator go.mod at knative-v1.16.6 pins knative.dev/pkg fff4f701c7af (release-1.16), whose version/version.go has defaultMinimumVersion = "v1.28.0"' },
    supported: { from: '1.28', source: 'https://knative.dev/v1.16-docs/install/operator/knative-with-operators/ ("a cluster that uses Kubernetes v1.28 or newer")' },
  },
  {
    component: 'Knative Serving 1.16',
    subjects: [{ knativeServing: true }],
    versions: '1.16',
    minimum: { kubernetes: '1.28', source: 'knative/serving go.mod at knative-v1.16.0 … knative-v1.16.3 pins knative.dev/pkg 9b9d535af5ad, whose version/version.go has defaultMinimumVersion = "v1.28.0" (checked at start by injection/sharedmain)' },
    supported: { from: '1.28', source: 'https://knative.dev/v1.16-docs/install/operator/knative-with-operators/ ("a cluster that uses Kubernetes v1.28 or newer")' },
  },
];

/** Minor number of `1.28` (or `v1.28.3`); undefined when the text is no 1.x version. */
export function kubernetesMinor(version: string): number | undefined {
  const m = /^v?1\.(\d+)(\.|$)/.exec(version);
  return m ? Number(m[1]) : undefined;
}

/** Whether `version` (`v1.24.6`, `1.16`) is on the release line `line` (`1.24`). */
export function onReleaseLine(version: string, line: string): boolean {
  const v = version.replace(/^v/, '');
  return v === line || v.startsWith(`${line}.`);
}
