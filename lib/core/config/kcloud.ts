import { z } from 'zod';
import { dnsLabel } from './cluster';

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

export const WorkloadOptimizerSchema = z
  .object({
    name: dnsLabel,
    namespace: dnsLabel,
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
    namespace: dnsLabel,
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
    namespace: dnsLabel,
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
    /** Namespace of the Prometheus that scrapes the operator's metrics. */
    monitoringNamespace: dnsLabel.default('monitoring'),
    /** Namespaces whose pods the mutating webhook may change; pods elsewhere are never sent to it. */
    optimizedNamespaces: z.array(dnsLabel).default([]),
    optimizers: z.array(WorkloadOptimizerSchema).default([]),
    costPolicies: z.array(CostPolicySchema).default([]),
    powerPolicies: z.array(PowerPolicySchema).default([]),
  })
  .strict();

export type KCloudConfig = z.infer<typeof KCloudSchema>;
export type WorkloadOptimizerConfig = z.infer<typeof WorkloadOptimizerSchema>;
export type CostPolicyConfig = z.infer<typeof CostPolicySchema>;
export type PowerPolicyConfig = z.infer<typeof PowerPolicySchema>;
