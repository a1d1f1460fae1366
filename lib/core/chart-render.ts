/**
 * What rendering an upstream chart takes and gives, between the synth (pure: it says what to render,
 * and checks and places what was rendered) and the tools that run helm (I/O: lib/tools/chart-render.ts).
 */
import type { LockedChart } from './chart-lock';

/** A rendered Kubernetes object, as `helm template` prints it. */
export type RenderedObject = Record<string, unknown> & { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } };

/** One upstream component of one environment, to be rendered the way Argo CD will render it. */
export interface ChartRenderRequest {
  /** The component (Application) name. */
  readonly component: string;
  /** The rendering becomes the component's folder (hydrated), so the chart must be vendored. */
  readonly hydrate: boolean;
  /** The chart's lock entry: its vendored copy is `charts/<name>/`. */
  readonly chart: LockedChart;
  /** Helm release name (`.Release.Name`). */
  readonly releaseName: string;
  /** Release namespace; namespaced objects the chart leaves without one get it. */
  readonly namespace: string;
  /** The Application's Helm values, exactly as written (images already relocated). */
  readonly values: Readonly<Record<string, unknown>>;
  /** `--kube-version`, e.g. `1.28.0`. */
  readonly kubeVersion: string;
  /** `--api-versions`: every group/version the environment installs, sorted. */
  readonly apiVersions: readonly string[];
  /** For plain manifest folders: Argo CD's directory include glob. @default - every YAML file */
  readonly include?: string;
  /**
   * The images the values set, upstream source → the reference written (relocated): a hydrated
   * component lists them in the image lock although its Application no longer carries the values.
   */
  readonly images: readonly { readonly source: string; readonly target: string }[];
}

/** What a chart declares about its values, read from its vendored copy. */
export interface ChartFacts {
  /** `values.yaml`, parsed. */
  readonly defaults: unknown;
  /** `values.schema.json`, parsed, when the chart has one. */
  readonly schema?: unknown;
  /** Every template file (path relative to the chart, e.g. `templates/deployment.yaml`) → its text. */
  readonly templates: ReadonlyMap<string, string>;
}

/** A rendered request. */
export interface RenderedChart {
  readonly request: ChartRenderRequest;
  /** The objects, in helm's order, namespaced ones with their namespace. */
  readonly objects: readonly RenderedObject[];
  /** Absent for plain manifest folders (no values). */
  readonly facts?: ChartFacts;
}
