import { z } from 'zod';
import { dnsLabel } from '../../core/config/cluster';
import { ExternalEgressSchema } from '../../core/config/mlops';

/*
 * Shapes only: the KCloud constructs (lib/operators/) check the rules of the operator's validating
 * webhook at synth time, with the construct path and the field in every message.
 */

const Selector = z
  .object({
    matchLabels: z.record(z.string(), z.string()).optional(),
    matchExpressions: z.array(z.object({ key: z.string(), operator: z.string(), values: z.array(z.string()).optional() }).strict()).optional(),
  })
  .strict();

/**
 * Where a KCloud resource lives, or which pods the mutating webhook sees: a namespace by name, or
 * one of the MLOps component's namespaces (`{ mlops: 'training' }`), which follows whatever name the
 * environment gives it. A resource in an MLOps namespace the environment does not create (MLOps off,
 * or no model API for `serving`) is left out; a namespace by name must be created by the environment.
 */
export const KCloudNamespaceSchema = z.union([dnsLabel, z.object({ mlops: z.enum(['training', 'serving']) }).strict()], {
  errorMap: (issue, ctx) => (issue.code === z.ZodIssueCode.invalid_union ? { message: "must be a namespace name (DNS-1123 label) or { mlops: 'training' | 'serving' }" } : { message: ctx.defaultError }),
});
export type KCloudNamespace = z.infer<typeof KCloudNamespaceSchema>;

/** In-cluster Service URLs (`http://<service>.<namespace>.svc[.cluster.local][:port]`): the namespace and port egress goes to. */
export function inClusterService(url: string): { namespace: string; port: number } | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  const m = /^[a-z0-9-]+\.([a-z0-9-]+)\.svc(\.cluster\.local)?$/.exec(u.hostname);
  if (!m) return undefined;
  return { namespace: m[1], port: u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80 };
}

/**
 * The operator's environment variables (seed 001's "환경변수"; defaults from the upstream
 * docs/DEPLOYMENT_GUIDE.md at v0.1.0). `POD_NAME` is not configurable: it is the pod's own name,
 * from the downward API.
 */
export const KCloudOperatorEnvSchema = z
  .object({
    /**
     * `WATCH_NAMESPACE`: the namespace the operator watches; '' watches every namespace (the seed's and
     * upstream's default). Upstream documents it, but the manager at v0.1.0 reads it nowhere (no
     * `os.Getenv` in openkcloud/kcloud-cost-scheduler v0.1.0; `cmd/main.go` gives the cache no
     * namespaces): it watches every namespace whatever this says, so its reads stay cluster-wide.
     */
    watchNamespace: z.union([z.literal(''), dnsLabel]).default(''),
    /** `OPERATOR_NAME`: the operator's identifier. */
    operatorName: z.string().min(1).default('kcloud-operator'),
    /** `CORE_SCHEDULER_URL`: the Core Scheduler service. Absent: the variable is not set. */
    coreSchedulerUrl: z.string().url().regex(/^https?:\/\//, { message: 'must be an http:// or https:// URL' }).optional(),
    /**
     * Where the Core Scheduler is, when it is outside the cluster (the operator's namespace denies
     * egress by default). An in-cluster URL (`<service>.<namespace>.svc…`) needs none: egress to that
     * namespace on the URL's port is allowed.
     */
    coreSchedulerEgress: ExternalEgressSchema.optional(),
  })
  .strict()
  .superRefine((e, ctx) => {
    if (e.coreSchedulerUrl && !inClusterService(e.coreSchedulerUrl) && !e.coreSchedulerEgress) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['coreSchedulerEgress'],
        message: `'${e.coreSchedulerUrl}' is not an in-cluster Service URL (<service>.<namespace>.svc); give coreSchedulerEgress (cidrs and ports) so the operator may reach it`,
      });
    }
    if (e.coreSchedulerEgress && !e.coreSchedulerUrl) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['coreSchedulerEgress'], message: 'coreSchedulerEgress is only used with coreSchedulerUrl' });
    }
  });

export const WorkloadOptimizerSchema = z
  .object({
    name: dnsLabel,
    namespace: KCloudNamespaceSchema,
    workloadType: z.enum(['training', 'serving', 'inference', 'batch']),
    priority: z.number().int().optional(),
    resources: z.object({ cpu: z.string(), memory: z.string(), gpu: z.number().int().optional(), npu: z.number().int().optional() }).strict(),
    costConstraints: z.object({ maxCostPerHour: z.number(), preferSpot: z.boolean().optional(), budgetLimit: z.number().optional() }).strict().optional(),
    powerConstraints: z.object({ maxPowerUsage: z.number(), preferGreen: z.boolean().optional() }).strict().optional(),
    placementPolicy: z
      .object({
        nodeSelector: z.record(z.string(), z.string()).optional(),
        affinity: z.array(z.object({ type: z.string(), key: z.string(), value: z.string(), weight: z.number().int().optional() }).strict()).optional(),
      })
      .strict()
      .optional(),
    autoScaling: z
      .object({ minReplicas: z.number().int(), maxReplicas: z.number().int(), metrics: z.array(z.object({ type: z.string(), threshold: z.number() }).strict()).optional() })
      .strict()
      .optional(),
  })
  .strict();

export const CostPolicySchema = z
  .object({
    name: dnsLabel,
    namespace: KCloudNamespaceSchema,
    budgetLimit: z.number().optional(),
    costPerHourLimit: z.number().optional(),
    spotInstancePolicy: z.object({ enabled: z.boolean().optional(), maxInterruptionRate: z.number().optional() }).strict().optional(),
    resourceCostPolicy: z
      .object({ cpuCostPerCore: z.number().optional(), memoryCostPerGb: z.number().optional(), gpuCostPerUnit: z.number().optional(), npuCostPerUnit: z.number().optional() })
      .strict()
      .optional(),
    alertThresholds: z.object({ budgetUtilization: z.number().optional(), costSpike: z.number().optional() }).strict().optional(),
    namespaceSelector: Selector.optional(),
    workloadSelector: Selector.optional(),
  })
  .strict();

export const PowerPolicySchema = z
  .object({
    name: dnsLabel,
    namespace: KCloudNamespaceSchema,
    maxPowerUsage: z.number().optional(),
    efficiencyTarget: z.number().optional(),
    greenEnergyPolicy: z.object({ enabled: z.boolean().optional(), renewablePercentage: z.number().optional() }).strict().optional(),
    powerAwareScheduling: z.object({ enabled: z.boolean().optional(), powerThreshold: z.number().optional() }).strict().optional(),
    alertThresholds: z.object({ powerUtilization: z.number().optional(), efficiencyDrop: z.number().optional() }).strict().optional(),
    namespaceSelector: Selector.optional(),
    workloadSelector: Selector.optional(),
  })
  .strict();

/** Seed 001: the KCloud Workload Optimizer operator and its policies. */
export const KCloudSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** Namespace of the operator. */
    namespace: dnsLabel.default('kcloud-optimizer'),
    /**
     * The operator image. Upstream publishes none (`IMG ?= controller:latest`): the platform's CI
     * builds it from the upstream repository and pushes it to the platform registry (the default
     * matches `ci.registry.host`'s default; stacks derive it from the registry host).
     */
    image: z.string().min(1).default('registry.local:30500/kcloud/kcloud-operator:v0.1.0'),
    /** The operator's environment variables. */
    env: KCloudOperatorEnvSchema.default({}),
    /** Namespaces whose pods the mutating webhook may change; pods elsewhere are never sent to it. */
    optimizedNamespaces: z.array(KCloudNamespaceSchema).default([]),
    optimizers: z.array(WorkloadOptimizerSchema).default([]),
    costPolicies: z.array(CostPolicySchema).default([]),
    powerPolicies: z.array(PowerPolicySchema).default([]),
  })
  .strict();

export type KCloudConfig = z.infer<typeof KCloudSchema>;
export type WorkloadOptimizerConfig = z.infer<typeof WorkloadOptimizerSchema>;
export type CostPolicyConfig = z.infer<typeof CostPolicySchema>;
export type PowerPolicyConfig = z.infer<typeof PowerPolicySchema>;
export type KCloudOperatorEnv = z.infer<typeof KCloudOperatorEnvSchema>;
