import { z } from 'zod';
import { ClusterConfig, dnsLabel, gpuIssue, SliceIssue } from './cluster';
import { ContainerResourcesSchema, quantity } from './common';

/** Semantic version without a leading `v`, e.g. `1.18.6`. */
const version = z.string().regex(/^\d+\.\d+\.\d+$/, { message: 'must be a version such as 1.16.3' });
/** A DNS name such as `models.example.com`. */
const dnsName = z
  .string()
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/, { message: 'must be a DNS name such as models.example.com' });

/** Storage URI schemes the KServe storage initializer understands. */
export const STORAGE_SCHEMES = ['gs', 's3', 'pvc', 'https', 'http', 'hf', 'oci'] as const;
export type StorageScheme = (typeof STORAGE_SCHEMES)[number];
/** `scheme://rest`, with a scheme KServe knows. */
const storageUri = z.string().regex(new RegExp(`^(${STORAGE_SCHEMES.join('|')})://[^\\s/]+(/[^\\s]*)?$`), {
  message: `must be a storage URI such as gs://bucket/path or pvc://claim/path (schemes: ${STORAGE_SCHEMES.join(', ')})`,
});

/** Scheme of a storage URI that passed {@link storageUri}. */
export function storageSchemeOf(uri: string): StorageScheme {
  return uri.slice(0, uri.indexOf('://')) as StorageScheme;
}


export const ModelSchema = z
  .object({
    /** InferenceService name; also the host `<name>.<domain>` it is exposed at. */
    name: dnsLabel.refine((n) => n.length <= 40, { message: 'at most 40 characters: KServe appends -predictor-<revision> to it' }),
    /** Model format; `custom` runs `image` as the model server. */
    format: z.enum(['sklearn', 'pytorch', 'huggingface', 'custom']),
    /** Where the model is stored, e.g. `gs://bucket/path` or `pvc://claim/path`. */
    storageUri,
    /** Model-server image; only, and required, for `custom`. */
    image: z.string().min(1).optional(),
    /** Arguments for the model server. */
    args: z.array(z.string()).default([]),
    /** GPUs per replica (the cluster's `gpu.resourceName`). */
    gpu: z.number().int().min(0).default(0),
    /** Least replicas; 0 (scale to zero) needs Serverless mode. */
    minReplicas: z.number().int().min(0).default(1),
    maxReplicas: z.number().int().min(1).default(1),
    /**
     * Canary rollout: `storageUri` is the new model revision and gets `trafficPercent` of the
     * requests; `previousStorageUri` is the revision being replaced, which keeps the rest until the
     * canary is promoted (remove `canary`) or rolled back (put the previous URI back).
     */
    canary: z
      .object({
        trafficPercent: z.number().int().min(1).max(99),
        previousStorageUri: storageUri.optional(),
      })
      .strict()
      .optional(),
    resources: ContainerResourcesSchema.default({ requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '1', memory: '2Gi' } }),
    /** Expose the model through the serving gateway at `<name>.<domain>`. */
    expose: z.boolean().default(true),
  })
  .strict()
  .superRefine((m, ctx) => {
    if (m.format === 'custom' && !m.image) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['image'], message: "a 'custom' model needs the image of its model server" });
    if (m.format !== 'custom' && m.image) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['image'], message: `a '${m.format}' model runs KServe's own runtime; image is only for format 'custom'` });
    if (m.maxReplicas < m.minReplicas) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['maxReplicas'], message: `maxReplicas (${m.maxReplicas}) is below minReplicas (${m.minReplicas})` });
    if (m.canary) {
      if (!m.canary.previousStorageUri) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['canary', 'previousStorageUri'], message: 'a canary needs the previous revision it splits traffic with; set previousStorageUri to the model now serving' });
      } else if (m.canary.previousStorageUri === m.storageUri) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['canary', 'previousStorageUri'], message: 'the previous revision is the same as storageUri; there is nothing to split traffic with' });
      }
    }
  });

/** A PersistentVolumeClaim models are read from with `pvc://<name>/<path>`. */
export const ModelVolumeSchema = z
  .object({
    name: dnsLabel,
    size: quantity,
  })
  .strict();

export const ServingSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** `Serverless`: KServe on Knative (scale to zero, canaries). `RawDeployment`: plain Deployments, no Knative. */
    deploymentMode: z.enum(['Serverless', 'RawDeployment']).default('Serverless'),
    /** Models are served at `<model>.<domain>`; Knative's and KServe's ingress domain. */
    domain: dnsName.default('models.example.com'),
    /** Namespace of the InferenceServices. */
    namespace: dnsLabel.default('kserve-models'),
    gateway: z
      .object({
        /** Service type of the Istio ingress gateway; `NodePort` where no load balancer exists. */
        serviceType: z.enum(['LoadBalancer', 'NodePort', 'ClusterIP']).default('LoadBalancer'),
      })
      .strict()
      .default({}),
    /**
     * Install the Istio CNI node agent, so that injecting a sidecar needs no privileged init
     * container and meshed namespaces can enforce Pod Security "baseline" (or "restricted" where
     * every container allows it). Without it, meshed namespaces must be "privileged".
     */
    istioCni: z.boolean().default(true),
    /** Mutual TLS between the model pods' sidecars; STRICT refuses plaintext callers. */
    mtls: z.enum(['STRICT', 'PERMISSIVE']).default('STRICT'),
    /**
     * Versions of what the Knative Operator installs (its images are pinned, not charts). The charts'
     * versions (cert-manager, Istio, the Knative Operator, KServe) are in charts.lock.json. These are
     * the releases the locked operator bundles (knative-operator 1.16.6: Serving 1.16.3, net-istio
     * 1.16.0), so no bot bumps them on its own: it would propose each one's newest release, which the
     * operator need not bundle. Move them with the operator chart.
     */
    versions: z
      .object({
        /** Knative Serving release whose images are pinned (the operator installs the matching minor). */
        knativeServing: version.default('1.16.3'),
        /** net-istio release the operator bundles with Knative Serving 1.16. */
        netIstio: version.default('1.16.0'),
      })
      .strict()
      .default({}),
    knative: z
      .object({
        /** Install the Knative Operator and Knative Serving; Serverless mode needs it. */
        enabled: z.boolean().default(true),
        autoscaler: z
          .object({
            /** Let revisions without traffic scale to zero replicas. */
            scaleToZero: z.boolean().default(true),
            /** Concurrent requests per replica the autoscaler aims at. */
            targetConcurrency: z.number().int().min(1).default(100),
            /** How long an idle revision keeps its last replica. */
            scaleToZeroGracePeriod: z.string().regex(/^\d+[smh]$/, { message: 'must be a duration such as 30s' }).default('30s'),
          })
          .strict()
          .default({}),
      })
      .strict()
      .default({}),
    storage: z
      .object({
        /** Storage URI schemes models may use. An airgapped site allows only in-cluster storage. */
        allowedSchemes: z.array(z.enum(STORAGE_SCHEMES)).min(1).default([...STORAGE_SCHEMES]),
        /** PVCs created in the model namespace for `pvc://` models. */
        volumes: z.array(ModelVolumeSchema).default([]),
      })
      .strict()
      .default({}),
    models: z.array(ModelSchema).default([]),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (!s.enabled) return;
    if (s.deploymentMode === 'Serverless' && !s.knative.enabled) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['knative', 'enabled'], message: "deploymentMode 'Serverless' runs on Knative; enable knative or choose 'RawDeployment'" });
    }
    const seen = new Set<string>();
    const volumes = new Set(s.storage.volumes.map((v) => v.name));
    s.models.forEach((m, i) => {
      if (seen.has(m.name)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['models', i, 'name'], message: `duplicate model name '${m.name}'` });
      seen.add(m.name);
      const uris: [string, (string | number)[]][] = [[m.storageUri, ['models', i, 'storageUri']]];
      if (m.canary?.previousStorageUri) uris.push([m.canary.previousStorageUri, ['models', i, 'canary', 'previousStorageUri']]);
      for (const [uri, path] of uris) {
        const scheme = storageSchemeOf(uri);
        if (!s.storage.allowedSchemes.includes(scheme)) {
          ctx.addIssue({ code: z.ZodIssueCode.custom, path, message: `storage scheme '${scheme}://' is not allowed here (storage.allowedSchemes: ${s.storage.allowedSchemes.join(', ')})` });
        } else if (scheme === 'pvc') {
          const claim = uri.slice('pvc://'.length).split('/')[0];
          if (!volumes.has(claim)) ctx.addIssue({ code: z.ZodIssueCode.custom, path, message: `PVC '${claim}' is not one of storage.volumes` });
        }
      }
      if (m.minReplicas === 0 && s.deploymentMode === 'RawDeployment') {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['models', i, 'minReplicas'], message: "scale to zero (minReplicas 0) needs deploymentMode 'Serverless'" });
      }
      if (m.canary && s.deploymentMode === 'RawDeployment') {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['models', i, 'canary'], message: "canary traffic splitting needs deploymentMode 'Serverless' (Knative revisions)" });
      }
    });
  });

/** Rules of the serving slice that depend on the cluster: each model's GPUs. */
export function servingClusterIssues(serving: ServingConfig, cluster: ClusterConfig): SliceIssue[] {
  if (!serving.enabled) return [];
  return serving.models.flatMap((m, i) => {
    const problem = gpuIssue(m.gpu, cluster);
    return problem ? [{ path: ['models', i, 'gpu'], message: `model '${m.name}' ${problem}` }] : [];
  });
}

export type ServingConfig = z.infer<typeof ServingSchema>;
export type ModelConfig = z.infer<typeof ModelSchema>;
export type ModelVolumeConfig = z.infer<typeof ModelVolumeSchema>;
