import { Construct } from 'constructs';
import {
  InferenceService as InferenceServiceResource,
  InferenceServiceSpecPredictor,
  InferenceServiceSpecPredictorContainersResourcesLimits as ContainerQuantity,
  InferenceServiceSpecPredictorModelResourcesLimits as ModelQuantity,
} from '../../imports/serving.kserve.io';
import { ContainerResourceSpec } from '../core/pod-security';

/** How a model is served: KServe's runtime for the format, or a custom model-server image. */
export type ModelFormat = 'sklearn' | 'pytorch' | 'huggingface' | 'custom';

/** The GPUs a model asks for and how the cluster names them. */
export interface GpuRequest {
  /** GPUs per replica. */
  readonly count: number;
  /** Extended resource of the device plugin, e.g. `nvidia.com/gpu`. */
  readonly resourceName: string;
  /** RuntimeClass GPU pods need. @default - the node's default runtime */
  readonly runtimeClassName?: string;
}

/** A canary rollout: the new `storageUri` gets `trafficPercent`, the previous revision the rest. */
export interface CanaryRollout {
  /** Share of requests the new revision gets, 1-99. */
  readonly trafficPercent: number;
  /** Storage URI of the revision now serving; recorded on the object for reviewers and rollbacks. */
  readonly previousStorageUri: string;
}

export interface InferenceServiceProps {
  /** Object name; KServe derives hosts and Services (`<name>-predictor`) from it. */
  readonly name: string;
  readonly namespace: string;
  readonly format: ModelFormat;
  /** Where the model is stored. */
  readonly storageUri: string;
  /** Model-server image; required for, and only for, `custom`. @default - KServe's runtime for the format */
  readonly image?: string;
  /**
   * A ServingRuntime or ClusterServingRuntime to use instead of the one KServe selects for the format.
   * @default - KServe's automatic selection
   */
  readonly runtime?: string;
  /** Arguments of the model server. @default - none */
  readonly args?: readonly string[];
  /** GPUs per replica. @default - none */
  readonly gpu?: GpuRequest;
  /** @default 1 */
  readonly minReplicas?: number;
  /** @default - minReplicas */
  readonly maxReplicas?: number;
  /** Canary rollout. @default - all traffic to the latest revision */
  readonly canary?: CanaryRollout;
  /** Requests and limits of the model server. @default 500m/1Gi requested, 1/2Gi limit */
  readonly resources?: ContainerResourceSpec;
  /** Inject the Istio sidecar into the model's pods. @default false */
  readonly sidecar?: boolean;
  /**
   * Give the predictor pod a pod-level security context (non-root, RuntimeDefault seccomp) that also
   * covers the containers KServe and the mesh add, which set no seccomp profile of their own. Only in
   * RawDeployment mode: Knative refuses a pod-level security context on revisions unless its
   * `kubernetes.podspec-securitycontext` feature is on. @default false
   */
  readonly podSecurityContext?: boolean;
}

const DEFAULT_RESOURCES: ContainerResourceSpec = { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '1', memory: '2Gi' } };
/** The name KServe gives the model-server container. */
const MODEL_CONTAINER = 'kserve-container';
/** Annotation recording the revision a canary splits traffic with. */
export const PREVIOUS_STORAGE_URI = 'kompile.dev/previous-storage-uri';

/**
 * A KServe `InferenceService` (serving.kserve.io/v1beta1) with one predictor: by model format
 * (KServe's runtime for sklearn, pytorch, huggingface) or a custom model-server container, the
 * storage URI its storage initializer downloads, requests and limits (GPUs included), replica
 * bounds and an optional canary split. The model container runs without privileges (no escalation,
 * no capabilities, non-root, RuntimeDefault seccomp).
 */
export class InferenceService extends Construct {
  readonly resource: InferenceServiceResource;

  constructor(scope: Construct, id: string, props: InferenceServiceProps) {
    super(scope, id);
    if (props.format === 'custom' && !props.image) throw new Error(`[${this.node.path}] prop 'image' is required for format 'custom'`);
    if (props.format !== 'custom' && props.image) throw new Error(`[${this.node.path}] prop 'image' is only for format 'custom'; '${props.format}' uses KServe's runtime`);
    if (props.gpu && (!Number.isInteger(props.gpu.count) || props.gpu.count < 1)) throw new Error(`[${this.node.path}] prop 'gpu.count' must be a whole number ≥ 1`);
    if (props.canary) {
      const { trafficPercent, previousStorageUri } = props.canary;
      if (!Number.isInteger(trafficPercent) || trafficPercent < 1 || trafficPercent > 99) throw new Error(`[${this.node.path}] prop 'canary.trafficPercent' must be 1-99`);
      if (!previousStorageUri) throw new Error(`[${this.node.path}] prop 'canary.previousStorageUri' is required: a canary needs a previous revision`);
      if (previousStorageUri === props.storageUri) throw new Error(`[${this.node.path}] prop 'canary.previousStorageUri' equals 'storageUri'; there is no previous revision to split with`);
    }
    const minReplicas = props.minReplicas ?? 1;
    const maxReplicas = props.maxReplicas ?? Math.max(minReplicas, 1);
    if (maxReplicas < minReplicas) throw new Error(`[${this.node.path}] prop 'maxReplicas' (${maxReplicas}) is below 'minReplicas' (${minReplicas})`);

    const res = props.resources ?? DEFAULT_RESOURCES;
    const gpu = props.gpu ? { [props.gpu.resourceName]: String(props.gpu.count) } : {};
    const requests = { cpu: res.requests.cpu, memory: res.requests.memory, ...gpu };
    const limits = { cpu: res.limits.cpu, memory: res.limits.memory, ...gpu };
    const securityContext = {
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    };
    const args = props.args?.length ? [...props.args] : undefined;

    const predictor: InferenceServiceSpecPredictor = {
      minReplicas,
      maxReplicas,
      canaryTrafficPercent: props.canary?.trafficPercent,
      runtimeClassName: props.gpu?.runtimeClassName,
      labels: props.sidecar ? { 'sidecar.istio.io/inject': 'true' } : undefined,
      securityContext: props.podSecurityContext ? { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } } : undefined,
      ...(props.format === 'custom'
        ? {
            containers: [
              {
                name: MODEL_CONTAINER,
                image: props.image,
                args,
                // KServe's storage initializer downloads STORAGE_URI into /mnt/models for custom containers.
                env: [{ name: 'STORAGE_URI', value: props.storageUri }],
                resources: { requests: quantities(requests, ContainerQuantity.fromString), limits: quantities(limits, ContainerQuantity.fromString) },
                securityContext,
              },
            ],
          }
        : {
            model: {
              modelFormat: { name: props.format },
              runtime: props.runtime,
              storageUri: props.storageUri,
              args,
              resources: { requests: quantities(requests, ModelQuantity.fromString), limits: quantities(limits, ModelQuantity.fromString) },
              securityContext,
            },
          }),
    };

    this.resource = new InferenceServiceResource(this, 'Resource', {
      metadata: {
        name: props.name,
        namespace: props.namespace,
        annotations: props.canary ? { [PREVIOUS_STORAGE_URI]: props.canary.previousStorageUri } : undefined,
      },
      spec: { predictor },
    });
  }
}

function quantities<T>(values: Record<string, string>, make: (v: string) => T): Record<string, T> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, make(v)]));
}
