import { z } from 'zod';
import { parseQuantity } from '../quantity';
import { ClusterConfig, dnsLabel, gpuIssue, SliceIssue } from './cluster';
import { ContainerResourcesSchema, CpuMemorySchema, nodePort, quantity } from './common';
import { IMAGE_PINS } from '../image-pins';

/** A key of a Secret that exists in the workload's namespace; only the reference is written. */
export const SecretKeyRefSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, { message: 'must be a Secret name (DNS-1123 subdomain)' }),
    key: z.string().regex(/^[-._a-zA-Z0-9]+$/, { message: 'must be a Secret data key' }),
  })
  .strict();

const ipv4Cidr = z.string().regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, { message: 'must be an IPv4 CIDR such as 10.0.0.0/24' });
const port = z.number().int().min(1).max(65535);

/** Addresses and ports outside the cluster a workload must reach (its namespace denies egress otherwise). */
export const ExternalEgressSchema = z.object({ cidrs: z.array(ipv4Cidr).min(1), ports: z.array(port).min(1) }).strict();

/** Where the MLflow tracking server keeps runs and artifacts. */
export const MlflowSchema = z
  .object({
    /** Upstream MLflow image (ghcr.io/mlflow/mlflow, last 2.x release line). A PostgreSQL/MySQL store or S3 needs an image with the driver (psycopg2, boto3). */
    image: z.string().min(1).default(IMAGE_PINS.reference('mlflow')),
    /** Service name: the host of the tracking URI, and what the seed's `kubectl port-forward svc/mlflow-service 5000:5000` names. */
    serviceName: dnsLabel.default('mlflow-service'),
    /** Size of the tracking server's own volume (sqlite database and local artifacts). */
    storageSize: quantity.default('10Gi'),
    /**
     * External backend store: a Secret key holding the whole SQLAlchemy URI (it carries the database
     * password). Absent: sqlite on the tracking server's volume.
     */
    backendStoreUriSecret: SecretKeyRefSchema.optional(),
    /** External artifact store (S3 or S3-compatible). Absent: artifacts on the tracking server's volume, served through it. */
    s3: z
      .object({
        /** Artifact root, e.g. `s3://mlflow-artifacts/`. */
        destination: z.string().regex(/^s3:\/\/[a-z0-9][a-z0-9.-]*[a-z0-9](\/.*)?$/, { message: 'must be an s3://bucket[/prefix] URI' }),
        /** S3-compatible endpoint (MinIO …). @default - AWS S3 */
        endpointUrl: z.string().url().optional(),
        /** Secret with the keys `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`. */
        credentialsSecret: dnsLabel,
      })
      .strict()
      .optional(),
    /** Where the external stores are, for the tracking server's egress policy. Required with an external store. */
    egress: ExternalEgressSchema.optional(),
    resources: ContainerResourcesSchema.default({ requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } }),
  })
  .strict()
  .superRefine((m, ctx) => {
    if ((m.backendStoreUriSecret || m.s3) && !m.egress) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['egress'], message: 'an external backend or artifact store needs egress (cidrs and ports) to reach it; the namespace denies egress by default' });
    }
    if (!m.backendStoreUriSecret && !m.s3 && m.egress) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['egress'], message: 'egress is only used with an external store (backendStoreUriSecret or s3)' });
    }
  });

/** Hyper-parameter names become `--<name>=<value>` arguments. */
const hyperParameterName = z.string().regex(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, { message: 'must be kebab-case, e.g. n-estimators (it becomes --n-estimators=…)' });

/** One training run of the seed's `train.sh`, as data. */
export const ExperimentSchema = z
  .object({
    /** Prefix of the Job name; 52 characters at most so `<name>-<10 hex>` stays a 63-character label. */
    name: dnsLabel.refine((n) => n.length <= 52, { message: 'at most 52 characters (the Job name appends -<10 hex digits>)' }),
    image: z.string().min(1),
    /** Entrypoint of the training container, e.g. `['python', 'train.py']`. */
    command: z.array(z.string().min(1)).min(1),
    /** `{ 'n-estimators': 100 }` → `--n-estimators=100`, in key order. */
    hyperParameters: z.record(hyperParameterName, z.union([z.string(), z.number(), z.boolean()])).default({}),
    /** MLflow run name (`--run-name=…`). @default - the experiment's name */
    runName: z.string().min(1).max(250).optional(),
    /** MLflow experiment the run is logged under (`MLFLOW_EXPERIMENT_NAME`). @default - the one the training code picks */
    mlflowExperiment: z.string().min(1).optional(),
    cpu: quantity.default('1'),
    memory: quantity.default('2Gi'),
    /** GPUs of the cluster's GPU resource. */
    gpu: z.number().int().min(0).default(0),
  })
  .strict();

export const ModelServingSchema = z
  .object({
    /** Deployment, PDB and HPA name. */
    name: dnsLabel.default('model-api'),
    /** Service name. @default `<name>-service` (the seed's `iris-serving-service` for `iris-serving`) */
    serviceName: dnsLabel.optional(),
    image: z.string().min(1),
    /** Port the API listens on in the container. */
    containerPort: port.default(8000),
    /** Port of the Service (the seed's load balancer answers on 80). */
    servicePort: port.default(80),
    /** HTTP path answering 200 when the API is up and its model loaded. */
    healthPath: z.string().startsWith('/').default('/health'),
    /** HPA bounds (seed: min 2, max 10); two at least so a rollout or a node drain keeps the API up. */
    minReplicas: z.number().int().min(2).default(2),
    maxReplicas: z.number().int().min(2).default(10),
    /** HPA target: average CPU utilization, percent of requests. */
    targetCpuUtilization: z.number().int().min(1).max(100).default(70),
    resources: ContainerResourcesSchema.default({ requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } }),
    /**
     * How the Service is exposed besides the gateway route. `ClusterIP` by default: the API is reached
     * through the gateway (`route`). `LoadBalancer` as in the seed (k3s has ServiceLB, which binds the port on
     * the nodes, never Traefik's 80/443: lib/checks/ports.ts; kubeadm needs a
     * load-balancer implementation such as MetalLB, or the Service stays Pending).
     */
    serviceType: z.enum(['LoadBalancer', 'NodePort', 'ClusterIP']).default('ClusterIP'),
    /**
     * Serve the API through the serving gateway at `<name>.<serving domain>`: TLS, and only requests
     * with a JWT of the site's OIDC issuer (`auth.oidc`). Without it, a NodePort or LoadBalancer
     * Service is open to its clients (so is it without components.serving, where there is no gateway
     * to route through): the rule 'edge-authentication' (lib/checks/security-exposure.ts)
     * then wants an authentication story of its own.
     */
    route: z.boolean().default(true),
    /** Fixed node port with `serviceType: NodePort`. @default - one the API server picks */
    nodePort: nodePort.optional(),
    /** Client addresses allowed to call the API. */
    clientCidrs: z.array(ipv4Cidr).min(1).default(['0.0.0.0/0']),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.maxReplicas < s.minReplicas) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['maxReplicas'], message: `maxReplicas (${s.maxReplicas}) is below minReplicas (${s.minReplicas})` });
    if (!s.serviceName && s.name.length > 55) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['serviceName'], message: `'${s.name}-service' would exceed 63 characters; give serviceName or a shorter name` });
    if (s.nodePort !== undefined && s.serviceType !== 'NodePort') ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['nodePort'], message: `nodePort needs serviceType 'NodePort' (it is '${s.serviceType}')` });
  });

/**
 * The model volume shared by training (read-write) and serving (read-only). A PVC belongs to one
 * namespace, so each namespace gets its own claim bound (by `volumeName`) to its own static
 * PersistentVolume, and both volumes point at the same storage:
 * - `nfs`: one NFS export through the NFS CSI driver (kubeadm; needs `cluster.storageClasses.shared`).
 * - `hostPath`: one directory on the node (single-node k3s, where local-path is ReadWriteOnce and
 *   every pod runs on the one node anyway); refused on clusters of more than one node.
 */
export const ModelStorageSchema = z
  .object({
    backend: z.enum(['hostPath', 'nfs']).default('hostPath'),
    /** Capacity written on the volumes and claims. */
    size: quantity.default('20Gi'),
    /** Where pods see the models. */
    mountPath: z.string().startsWith('/').default('/models'),
    /**
     * Node directory of the `hostPath` backend. It must exist and be writable by the training
     * user (uid 1000) — the seed's `mkdir` and `chmod`; a missing directory fails the mount loudly.
     */
    hostPath: z.string().startsWith('/').default('/var/lib/kompile/mlops-models'),
    /** The export of the `nfs` backend. */
    nfs: z
      .object({
        server: z.string().min(1),
        share: z.string().startsWith('/'),
        /** Sub-directory of the share. @default - the share itself */
        subDir: z.string().regex(/^[^/].*$/, { message: 'must be relative to the share' }).optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.backend === 'nfs' && !s.nfs) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['nfs'], message: "backend 'nfs' needs nfs.server and nfs.share" });
  });

/** ResourceQuota of a namespace; `gpu` becomes `requests.<cluster GPU resource>`. */
export const QuotaSchema = z
  .object({ requests: CpuMemorySchema, limits: CpuMemorySchema, gpu: z.number().int().min(0).default(0), pods: z.number().int().min(1).optional() })
  .strict();

export const MlopsSchema = z
  .object({
    enabled: z.boolean().default(false),
    trainingNamespace: dnsLabel.default('mlops-training'),
    servingNamespace: dnsLabel.default('mlops-serving'),
    storage: ModelStorageSchema.default({}),
    mlflow: MlflowSchema.default({}),
    /** One Job each, run when the experiment list changes. */
    experiments: z.array(ExperimentSchema).default([]),
    jobs: z
      .object({
        /** Finished Jobs (and their pods' logs) are deleted after this long; runs stay in MLflow. */
        ttlSecondsAfterFinished: z.number().int().min(0).default(86400),
        /** Pod retries before a Job fails. */
        backoffLimit: z.number().int().min(0).default(2),
      })
      .strict()
      .default({}),
    /** The model API; absent: no serving workloads. */
    serving: ModelServingSchema.optional(),
    quotas: z
      .object({
        training: QuotaSchema.default({ requests: { cpu: '8', memory: '32Gi' }, limits: { cpu: '16', memory: '64Gi' } }),
        serving: QuotaSchema.default({ requests: { cpu: '4', memory: '4Gi' }, limits: { cpu: '12', memory: '8Gi' } }),
      })
      .strict()
      .default({}),
  })
  .strict()
  .superRefine((m, ctx) => {
    if (m.serving) {
      // The HPA's maximum, plus the one pod a rolling update surges, must fit the serving quota;
      // otherwise scale-ups and rollouts stall on "exceeded quota" exactly under load.
      const pods = m.serving.maxReplicas + 1;
      const quota = m.quotas.serving;
      for (const [kind, key] of [
        ['requests', 'cpu'],
        ['requests', 'memory'],
        ['limits', 'cpu'],
        ['limits', 'memory'],
      ] as const) {
        const need = pods * parseQuantity(m.serving.resources[kind][key])!;
        if (need > parseQuantity(quota[kind][key])!) {
          ctx.addIssue({
            code: z.ZodIssueCode.custom,
            path: ['quotas', 'serving', kind, key],
            message: `${quota[kind][key]} is less than ${pods} pods (maxReplicas ${m.serving.maxReplicas} + 1 rollout surge) × ${m.serving.resources[kind][key]} ${kind}.${key}`,
          });
        }
      }
    }
    if (m.trainingNamespace === m.servingNamespace) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['servingNamespace'], message: 'training and serving must be separate namespaces' });
    }
    const seen = new Set<string>();
    m.experiments.forEach((e, i) => {
      if (seen.has(e.name)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['experiments', i, 'name'], message: `duplicate experiment name '${e.name}'` });
      seen.add(e.name);
    });
  });

export type MlopsConfig = z.infer<typeof MlopsSchema>;
export type ExperimentConfig = z.infer<typeof ExperimentSchema>;
export type ModelServingConfig = z.infer<typeof ModelServingSchema>;
export type ModelStorageConfig = z.infer<typeof ModelStorageSchema>;
export type MlflowConfig = z.infer<typeof MlflowSchema>;
export type SecretKeyRef = z.infer<typeof SecretKeyRefSchema>;
export type QuotaConfig = z.infer<typeof QuotaSchema>;

/** Rules of the MLOps slice that depend on the cluster: GPUs, how the model volume can be shared (node ports: lib/checks/ports.ts). */
export function mlopsClusterIssues(m: MlopsConfig, cluster: ClusterConfig): SliceIssue[] {
  if (!m.enabled) return [];
  const issues: SliceIssue[] = [];
  m.experiments.forEach((e, i) => {
    const gpu = gpuIssue(e.gpu, cluster);
    if (gpu) issues.push({ path: ['experiments', i, 'gpu'], message: gpu });
  });
  if (m.quotas.training.gpu > 0 && !cluster.gpu) issues.push({ path: ['quotas', 'training', 'gpu'], message: 'a GPU quota on a cluster without GPUs (cluster.gpu is not set)' });
  if (m.storage.backend === 'nfs' && !cluster.storageClasses.shared) {
    issues.push({ path: ['storage', 'backend'], message: "backend 'nfs' shares the model volume ReadWriteMany, but the cluster has no shared storage class (cluster.storageClasses.shared)" });
  }
  if (m.storage.backend === 'hostPath' && cluster.nodes > 1) {
    issues.push({
      path: ['storage', 'backend'],
      message: `backend 'hostPath' is one node's directory; on ${cluster.nodes} nodes training and serving pods would see different data. Use backend 'nfs' with a shared storage class`,
    });
  }
  return issues;
}
