import { Construct } from 'constructs';
import {
  InferenceGraph as InferenceGraphResource,
  InferenceGraphSpecNodesRouterType,
  InferenceGraphSpecResourcesLimits as InferenceGraphQuantity,
} from '../../imports/serving.kserve.io';

/** How a graph node routes a request among its steps (KServe's router types). */
export type RouterType = `${InferenceGraphSpecNodesRouterType}`;

/** One step of a node: an InferenceService of the namespace, or another node of the graph. */
export interface GraphStep {
  /** Step name, used by Switch conditions and in responses. */
  readonly name: string;
  /** The InferenceService called. Exactly one of `serviceName` and `nodeName`. */
  readonly serviceName?: string;
  /** Another node of the graph. */
  readonly nodeName?: string;
  /** Share of requests for a Splitter node (all weights of the node add up to 100). @default - none */
  readonly weight?: number;
  /** GJSON condition of a Switch node. @default - none */
  readonly condition?: string;
  /** Send the step `$request` (the original request) or `$response` (previous step's). @default - KServe's default */
  readonly data?: '$request' | '$response';
}

export interface GraphNode {
  readonly routerType: RouterType;
  readonly steps: readonly GraphStep[];
}

export interface InferenceGraphProps {
  readonly name: string;
  readonly namespace: string;
  /** Nodes by name; the entry node is `root`. */
  readonly nodes: Readonly<Record<string, GraphNode>>;
  /** @default 1 */
  readonly minReplicas?: number;
  /** @default - minReplicas */
  readonly maxReplicas?: number;
  /** Router resources. @default 100m/128Mi requested, 500m/256Mi limit */
  readonly resources?: { readonly requests: { cpu: string; memory: string }; readonly limits: { cpu: string; memory: string } };
}

/**
 * A KServe `InferenceGraph` (serving.kserve.io/v1alpha1): a router chaining, splitting, ensembling or
 * switching between InferenceServices. The graph is checked here: a `root` node, each step naming
 * exactly one target that exists in the graph, Splitter weights adding up to 100.
 */
export class InferenceGraph extends Construct {
  readonly resource: InferenceGraphResource;

  constructor(scope: Construct, id: string, props: InferenceGraphProps) {
    super(scope, id);
    const path = this.node.path;
    if (!props.nodes.root) throw new Error(`[${path}] prop 'nodes' needs a 'root' node, the graph's entry`);
    for (const [nodeName, node] of Object.entries(props.nodes)) {
      if (node.steps.length === 0) throw new Error(`[${path}] node '${nodeName}' has no steps`);
      for (const step of node.steps) {
        if ((step.serviceName === undefined) === (step.nodeName === undefined)) {
          throw new Error(`[${path}] step '${step.name}' of node '${nodeName}' must name exactly one of serviceName and nodeName`);
        }
        if (step.nodeName !== undefined && !props.nodes[step.nodeName]) throw new Error(`[${path}] step '${step.name}' of node '${nodeName}' names unknown node '${step.nodeName}'`);
      }
      if (node.routerType === 'Splitter') {
        const total = node.steps.reduce((n, s) => n + (s.weight ?? 0), 0);
        if (total !== 100) throw new Error(`[${path}] Splitter node '${nodeName}' has weights adding up to ${total}, not 100`);
      }
    }
    const minReplicas = props.minReplicas ?? 1;
    const res = props.resources ?? { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } };
    this.resource = new InferenceGraphResource(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace },
      spec: {
        minReplicas,
        maxReplicas: props.maxReplicas ?? Math.max(minReplicas, 1),
        nodes: Object.fromEntries(
          Object.entries(props.nodes).map(([name, node]) => [
            name,
            { routerType: node.routerType as InferenceGraphSpecNodesRouterType, steps: node.steps.map((s) => ({ ...s })) },
          ]),
        ),
        resources: {
          requests: Object.fromEntries(Object.entries(res.requests).map(([k, v]) => [k, InferenceGraphQuantity.fromString(v)])),
          limits: Object.fromEntries(Object.entries(res.limits).map(([k, v]) => [k, InferenceGraphQuantity.fromString(v)])),
        },
      },
    });
  }
}
