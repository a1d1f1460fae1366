import { k8s } from 'cdk8s-plus-28';

/** CPU and memory requests and limits of one container. */
export interface ContainerResourceSpec {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly cpu: string; readonly memory: string };
}

/** GPUs of one container, in the cluster's own resource name. */
export interface GpuRequest {
  /** GPUs per container; 0 requests none. */
  readonly count: number;
  /** Extended resource of the device plugin, e.g. `nvidia.com/gpu`. */
  readonly resourceName: string;
  /** RuntimeClass the pod needs for the GPU (k3s/containerd without the NVIDIA runtime as default). @default - none */
  readonly runtimeClassName?: string;
}

/**
 * Pod-level security context admissible under Pod Security "restricted": a fixed non-root user, its
 * group owning mounted volumes (fsGroup), and the runtime's default seccomp profile.
 */
export function restrictedPodSecurityContext(uid: number): k8s.PodSecurityContext {
  return { runAsNonRoot: true, runAsUser: uid, runAsGroup: uid, fsGroup: uid, seccompProfile: { type: 'RuntimeDefault' } };
}

/**
 * Container-level security context admissible under "restricted": no privilege escalation, every
 * capability dropped, and a read-only root file system (writable paths are volumes).
 */
export function restrictedContainerSecurityContext(): k8s.SecurityContext {
  return { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true, runAsNonRoot: true };
}

/**
 * Requests and limits, with GPUs as a limit (Kubernetes sets the request of an extended resource
 * equal to its limit; the device plugin does the privileged part, so GPU pods stay "restricted").
 */
export function containerResources(resources: ContainerResourceSpec, gpu?: GpuRequest): k8s.ResourceRequirements {
  const limits: Record<string, k8s.Quantity> = {
    cpu: k8s.Quantity.fromString(resources.limits.cpu),
    memory: k8s.Quantity.fromString(resources.limits.memory),
  };
  if (gpu && gpu.count > 0) limits[gpu.resourceName] = k8s.Quantity.fromNumber(gpu.count);
  return {
    requests: { cpu: k8s.Quantity.fromString(resources.requests.cpu), memory: k8s.Quantity.fromString(resources.requests.memory) },
    limits,
  };
}

/** An emptyDir for `/tmp`, which most runtimes need once the root file system is read-only. */
export const TMP_VOLUME: k8s.Volume = { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('256Mi') } };
export const TMP_MOUNT: k8s.VolumeMount = { name: 'tmp', mountPath: '/tmp' };

/** Error text for a GPU request the cluster cannot meet, or undefined when it can. */
export function gpuRequestProblem(count: number, available: { readonly perNode: number } | undefined): string | undefined {
  if (count === 0) return undefined;
  if (!available) return `requests ${count} GPU(s) but the cluster has no GPUs`;
  if (count > available.perNode) return `requests ${count} GPUs but a node has ${available.perNode}`;
  return undefined;
}
