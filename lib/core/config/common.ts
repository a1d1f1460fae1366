import { z } from 'zod';
import { parseQuantity } from '../quantity';

/** Node ports live in the API server's default `--service-node-port-range`, 30000-32767. */
export const nodePort = z.number().int().min(30000).max(32767);

/** A Kubernetes quantity as written in manifests, e.g. `500m`, `2`, `512Mi`, `20Gi`. */
export const quantity = z.string().refine((q) => parseQuantity(q) !== undefined && !/^[+-]/.test(q), {
  message: 'must be a Kubernetes quantity such as 500m, 2, 512Mi or 20Gi',
});

/** CPU and memory of one container. */
export const CpuMemorySchema = z.object({ cpu: quantity, memory: quantity }).strict();

/** Requests and limits of one container: both are always set. */
export const ContainerResourcesSchema = z.object({ requests: CpuMemorySchema, limits: CpuMemorySchema }).strict();

export type ContainerResources = z.infer<typeof ContainerResourcesSchema>;
