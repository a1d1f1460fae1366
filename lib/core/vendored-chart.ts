import { Construct } from 'constructs';
import { Component } from './component';
import { addRenderedObjects } from './rendered-objects';

/** A rendered Kubernetes object, as `helm template` prints it. */
export type RenderedObject = Record<string, unknown> & { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } };

/** Vendored chart name → its rendered objects; produced before construction by `renderVendoredCharts`. */
export type RenderedCharts = ReadonlyMap<string, readonly RenderedObject[]>;

export interface VendoredChartProps {
  /** Component name (folder under `dist/<env>/`), normally the Helm release name. */
  readonly name: string;
  /** Namespace of the release; the Application's destination. */
  readonly namespace: string;
  /**
   * The chart's objects, rendered beforehand (rendering runs helm, which a construct must never do).
   * Namespaced objects carry their namespace already.
   */
  readonly objects: readonly RenderedObject[];
}

/**
 * A Helm chart kept in the repository and rendered at synth time: its objects become plain YAML in the
 * component's folder, like any other component's, so they are labelled, ordered into sync waves,
 * relocated to the environment's registry and audited. Unlike {@link UpstreamChart}, Argo CD never
 * runs Helm for it, and reviewers see every object in the pull request.
 */
export class VendoredChart extends Component {
  constructor(scope: Construct, id: string, props: VendoredChartProps) {
    super(scope, id, { name: props.name, namespace: props.namespace });
    if (props.objects.length === 0) throw new Error(`[${this.node.path}] vendored chart '${props.name}' rendered no objects`);
    addRenderedObjects(this, props.objects, props.namespace, false);
  }
}
