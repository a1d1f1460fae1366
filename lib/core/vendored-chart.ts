import { ApiObject, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import { Component } from './component';
import { isClusterScoped } from './kinds';

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
    const ids = new Set<string>();
    for (const obj of props.objects) {
      const { apiVersion, kind, metadata, ...rest } = obj;
      const namespace = isClusterScoped(apiVersion, kind) ? undefined : (metadata.namespace ?? props.namespace);
      // Ids only need to be unique inside the chart; the identity check of the synth catches real duplicates.
      let objId = `${kind}-${namespace ?? ''}-${metadata.name}`;
      for (let n = 2; ids.has(objId); n++) objId = `${kind}-${namespace ?? ''}-${metadata.name}-${n}`;
      ids.add(objId);
      const api = new ApiObject(this, objId, { apiVersion, kind, metadata: { ...metadata, namespace }, ...rest });
      // cdk8s gives every object of a chart the chart's namespace; cluster-scoped kinds must have none.
      if (namespace === undefined) api.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
    }
  }
}
