import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import {
  ClusterServingRuntime,
  ClusterServingRuntimeSpecContainersResourcesLimits as ClusterQuantity,
  ServingRuntime as ServingRuntimeResource,
  ServingRuntimeSpecContainersResourcesLimits as NamespacedQuantity,
} from '../../imports/serving.kserve.io';
import { ContainerResourceSpec } from '../core/pod-security';

/** A model format a runtime serves. */
export interface SupportedModelFormat {
  readonly name: string;
  /** @default - any version */
  readonly version?: string;
  /** Let KServe pick this runtime for InferenceServices of the format that name none. @default false */
  readonly autoSelect?: boolean;
  /** Preference among runtimes that auto-select the same format (higher wins). @default - none */
  readonly priority?: number;
}

export interface ServingRuntimeProps {
  /** Object name; InferenceServices name it in `predictor.model.runtime`. */
  readonly name: string;
  /** Namespace of a namespaced runtime; omit for a ClusterServingRuntime. @default - cluster-scoped */
  readonly namespace?: string;
  /** Model-server image. */
  readonly image: string;
  readonly formats: readonly SupportedModelFormat[];
  /** Inference protocols spoken. @default ['v1'] */
  readonly protocolVersions?: readonly ('v1' | 'v2' | 'grpc-v1' | 'grpc-v2')[];
  /** Model-server arguments; KServe substitutes `{{.Name}}`. @default - none */
  readonly args?: readonly string[];
  /** @default 1/2Gi requested and limit */
  readonly resources?: ContainerResourceSpec;
  /**
   * User the server runs as, for images whose USER is a name (the kubelet can only check a numeric
   * user against runAsNonRoot). @default - the image's user
   */
  readonly runAsUser?: number;
  /** Extra limits such as GPUs, e.g. `{ 'nvidia.com/gpu': '1' }`. @default - none */
  readonly extendedLimits?: Readonly<Record<string, string>>;
}

const DEFAULT_RESOURCES: ContainerResourceSpec = { requests: { cpu: '1', memory: '2Gi' }, limits: { cpu: '1', memory: '2Gi' } };

/**
 * A KServe model-server runtime: a namespaced `ServingRuntime` when `namespace` is given, otherwise
 * a cluster-wide `ClusterServingRuntime` (serving.kserve.io/v1alpha1). Its container is a pod
 * container, so its image is relocated like any other; it runs without privileges.
 */
export class ServingRuntime extends Construct {
  readonly resource: ApiObject;
  readonly clusterScoped: boolean;

  constructor(scope: Construct, id: string, props: ServingRuntimeProps) {
    super(scope, id);
    if (props.formats.length === 0) throw new Error(`[${this.node.path}] prop 'formats' must name at least one model format`);
    this.clusterScoped = props.namespace === undefined;
    const res = props.resources ?? DEFAULT_RESOURCES;
    const extended = props.extendedLimits ?? {};
    const container = <Q>(make: (v: string) => Q) => ({
      name: 'kserve-container',
      image: props.image,
      args: props.args?.length ? [...props.args] : undefined,
      resources: {
        requests: toQuantities({ ...res.requests, ...extended }, make),
        limits: toQuantities({ ...res.limits, ...extended }, make),
      },
      securityContext: {
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
        runAsNonRoot: true,
        runAsUser: props.runAsUser,
        seccompProfile: { type: 'RuntimeDefault' },
      },
    });
    const common = {
      supportedModelFormats: props.formats.map((f) => ({ ...f })),
      protocolVersions: [...(props.protocolVersions ?? ['v1'])],
    };
    this.resource = this.clusterScoped
      ? new ClusterServingRuntime(this, 'Resource', { metadata: { name: props.name }, spec: { ...common, containers: [container(ClusterQuantity.fromString)] } })
      : new ServingRuntimeResource(this, 'Resource', { metadata: { name: props.name, namespace: props.namespace }, spec: { ...common, containers: [container(NamespacedQuantity.fromString)] } });
  }
}

function toQuantities<Q>(values: Record<string, string>, make: (v: string) => Q): Record<string, Q> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, make(v)]));
}
