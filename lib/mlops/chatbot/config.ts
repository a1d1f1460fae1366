import { z } from 'zod';
import { ClusterConfig, dnsLabel, gpuIssue, SliceIssue } from '../../core/config/cluster';
import { ContainerResourcesSchema, nodePort, quantity } from '../../core/config/common';
import { SecretKeyRefSchema } from '../../core/config/mlops';
import { IMAGE_PINS } from '../../core/image-pins';

const port = z.number().int().min(1).max(65535);
const hostname = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/, { message: 'must be a DNS host name such as chatbot.example.com' });

/**
 * The chatbot application of seed 002: FastAPI back end (GPU, models on a volume), Redis for chat
 * history, Chroma as vector store, the Vue front end, behind ingress-nginx.
 *
 * Images default to the platform registry (`registry.local:30500`, seed 002's `registry.local` on a NodePort, where the Jenkins/Kaniko
 * pipeline pushes them); airgapped environments relocate them to their mirror like every image.
 */
export const ChatbotSchema = z
  .object({
    enabled: z.boolean().default(false),
    namespace: dnsLabel.default('chatbot'),
    /** Host the Ingress answers for. */
    host: hostname.default('chatbot.local'),
    /** TLS Secret (`kubernetes.io/tls`) for the host, made by cert-manager or the administrator; referenced only. */
    tlsSecretName: dnsLabel.default('chatbot-tls'),
    backend: z
      .object({
        image: z.string().min(1).default('registry.local:30500/chatbot/backend:1.0.0'),
        port: port.default(8000),
        healthPath: z.string().startsWith('/').default('/health'),
        replicas: z.number().int().min(1).default(1),
        /** GPUs per pod; 0 runs the model on CPU (clusters without GPUs). */
        gpu: z.number().int().min(0).default(1),
        resources: ContainerResourcesSchema.default({ requests: { cpu: '1', memory: '8Gi' }, limits: { cpu: '4', memory: '16Gi' } }),
        /** Size of the model volume (models are downloaded onto it beforehand, as in the seed). */
        modelStorageSize: quantity.default('50Gi'),
        modelMountPath: z.string().startsWith('/').default('/models'),
      })
      .strict()
      .default({}),
    frontend: z
      .object({
        /** The Vue build served by nginx-unprivileged (listens on 8080, runs as uid 101). */
        image: z.string().min(1).default('registry.local:30500/chatbot/frontend:1.0.0'),
        port: port.default(8080),
        replicas: z.number().int().min(1).default(1),
        resources: ContainerResourcesSchema.default({ requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '250m', memory: '128Mi' } }),
        /** Also expose the front end on this node port, beside the Ingress. @default - Ingress only */
        nodePort: nodePort.optional(),
      })
      .strict()
      .default({}),
    redis: z
      .object({
        image: z.string().min(1).default(IMAGE_PINS.reference('redis')),
        storageSize: quantity.default('2Gi'),
        /** The Redis password, by reference; the back end reads the same key. */
        passwordSecret: SecretKeyRefSchema.default({ name: 'chatbot-redis', key: 'password' }),
        resources: ContainerResourcesSchema.default({ requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '500m', memory: '512Mi' } }),
      })
      .strict()
      .default({}),
    chroma: z
      .object({
        /** Chroma 1.x: HTTP on 8000, data under /data, heartbeat at /api/v2/heartbeat. */
        image: z.string().min(1).default(IMAGE_PINS.reference('chroma')),
        storageSize: quantity.default('10Gi'),
        resources: ContainerResourcesSchema.default({ requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1', memory: '2Gi' } }),
      })
      .strict()
      .default({}),
  })
  .strict();

export type ChatbotConfig = z.infer<typeof ChatbotSchema>;

/** Rules of the chatbot slice that depend on the cluster. */
export function chatbotClusterIssues(c: ChatbotConfig, cluster: ClusterConfig): SliceIssue[] {
  if (!c.enabled) return [];
  const issues: SliceIssue[] = [];
  const gpu = gpuIssue(c.backend.gpu, cluster);
  if (gpu) issues.push({ path: ['backend', 'gpu'], message: gpu });
  if (c.backend.replicas > 1 && !cluster.storageClasses.shared) {
    issues.push({
      path: ['backend', 'replicas'],
      message: `${c.backend.replicas} back-end replicas share the model volume, which needs ReadWriteMany storage; the cluster has no shared storage class (cluster.storageClasses.shared)`,
    });
  }
  return issues;
}
