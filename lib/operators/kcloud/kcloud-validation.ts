/**
 * The KCloud operator's admission rules, checked at synth time so a bad policy fails the build instead
 * of the sync. They mirror the operator's validating webhook (`pkg/webhook/workloadoptimizer_validator.go`
 * of openkcloud/kcloud-cost-scheduler v0.1.0) and the CRD schemas in shared/crds/kcloud; where the two
 * disagree, the CRD (what the API server enforces) wins. Pure functions: field path → message.
 */

/** One broken rule: the field (dotted path from `spec`) and what is wrong. */
export interface PolicyIssue {
  readonly field: string;
  readonly message: string;
}

/** Workload types the CRD's enum and the webhook accept. */
export const WORKLOAD_TYPES = ['training', 'serving', 'inference', 'batch'] as const;
export type WorkloadType = (typeof WORKLOAD_TYPES)[number];
/** Affinity types the webhook accepts. */
export const AFFINITY_TYPES = ['gpu_workload', 'cpu_intensive', 'memory_intensive', 'storage_intensive'] as const;
/** Auto-scaling metric types the webhook accepts. */
export const METRIC_TYPES = ['cost', 'power', 'latency', 'cpu', 'memory', 'gpu'] as const;

// The webhook's power model (Watts): a base system plus per-resource draw.
const BASE_POWER = 50;
const POWER_PER_CORE = 15;
const POWER_PER_GIB = 0.5;
const POWER_PER_GPU = 300;
const POWER_PER_NPU = 250;
/** The webhook wants a budget of at least one day at the maximum hourly cost. */
const BUDGET_HOURS = 24;

const CPU_PATTERN = /^[0-9]+m?$/; // CRD spec.resources.cpu
const MEMORY_PATTERN = /^([0-9]+)(E|P|T|G|M|K|Ei|Pi|Ti|Gi|Mi|Ki)?$/; // CRD spec.resources.memory
const MEMORY_FACTORS: Record<string, number> = { '': 1, K: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };

export interface WorkloadOptimizerSpecInput {
  readonly workloadType: WorkloadType;
  /** 0-100, higher first. @default - unset (the operator's default) */
  readonly priority?: number;
  /** CPU as whole cores or millicores, memory as a whole quantity; GPUs and NPUs 0-16 (default 0). */
  readonly resources: { readonly cpu: string; readonly memory: string; readonly gpu?: number; readonly npu?: number };
  /** USD per hour and in total. @default - no cost constraint */
  readonly costConstraints?: { readonly maxCostPerHour: number; readonly preferSpot?: boolean; readonly budgetLimit?: number };
  /** Watts. @default - no power constraint */
  readonly powerConstraints?: { readonly maxPowerUsage: number; readonly preferGreen?: boolean };
  /** @default - no placement preference */
  readonly placementPolicy?: {
    readonly nodeSelector?: Readonly<Record<string, string>>;
    readonly affinity?: readonly { readonly type: string; readonly key: string; readonly value: string; readonly weight?: number }[];
  };
  /** @default - no auto-scaling */
  readonly autoScaling?: { readonly minReplicas: number; readonly maxReplicas: number; readonly metrics?: readonly { readonly type: string; readonly threshold: number }[] };
}

/** CPU cores of a CRD-valid CPU quantity (`16`, `500m`). */
export function cpuCores(cpu: string): number {
  return cpu.endsWith('m') ? Number(cpu.slice(0, -1)) / 1000 : Number(cpu);
}

/** Bytes of a CRD-valid memory quantity (`64Gi`, `512M`). */
export function memoryBytes(memory: string): number {
  const m = MEMORY_PATTERN.exec(memory);
  if (!m) return NaN;
  return Number(m[1]) * MEMORY_FACTORS[m[2] ?? ''];
}

/** The webhook's estimate of a workload's power draw, in Watts. */
export function estimatedPower(r: WorkloadOptimizerSpecInput['resources']): number {
  return BASE_POWER + cpuCores(r.cpu) * POWER_PER_CORE + (memoryBytes(r.memory) / 2 ** 30) * POWER_PER_GIB + (r.gpu ?? 0) * POWER_PER_GPU + (r.npu ?? 0) * POWER_PER_NPU;
}

function range(issues: PolicyIssue[], field: string, v: number | undefined, min: number, max: number, opts: { integer?: boolean; exclusiveMin?: boolean } = {}): void {
  if (v === undefined) return;
  if (!Number.isFinite(v)) issues.push({ field, message: 'must be a finite number' });
  else if (opts.integer && !Number.isInteger(v)) issues.push({ field, message: `must be a whole number, got ${v}` });
  else if (opts.exclusiveMin ? v <= min : v < min) issues.push({ field, message: `must be ${opts.exclusiveMin ? 'greater than' : 'at least'} ${min}, got ${v}` });
  else if (v > max) issues.push({ field, message: `must be at most ${max}, got ${v}` });
}

/** Every rule a WorkloadOptimizer spec breaks; empty when it is admissible. */
export function validateWorkloadOptimizer(spec: WorkloadOptimizerSpecInput): PolicyIssue[] {
  const issues: PolicyIssue[] = [];
  if (!(WORKLOAD_TYPES as readonly string[]).includes(spec.workloadType)) {
    issues.push({ field: 'workloadType', message: `'${spec.workloadType}' is not one of ${WORKLOAD_TYPES.join(', ')}` });
  }
  range(issues, 'priority', spec.priority, 0, 100, { integer: true });

  const r = spec.resources;
  let resourcesValid = true;
  if (!CPU_PATTERN.test(r.cpu)) {
    issues.push({ field: 'resources.cpu', message: `'${r.cpu}' must be whole cores or millicores (e.g. 16, 500m)` });
    resourcesValid = false;
  } else if (cpuCores(r.cpu) <= 0) issues.push({ field: 'resources.cpu', message: 'must be greater than 0' });
  else if (cpuCores(r.cpu) > 100) issues.push({ field: 'resources.cpu', message: `${r.cpu} exceeds 100 cores` });
  if (!MEMORY_PATTERN.test(r.memory)) {
    issues.push({ field: 'resources.memory', message: `'${r.memory}' must be a whole quantity (e.g. 64Gi)` });
    resourcesValid = false;
  } else if (memoryBytes(r.memory) <= 0) issues.push({ field: 'resources.memory', message: 'must be greater than 0' });
  else if (memoryBytes(r.memory) > 2 ** 40) issues.push({ field: 'resources.memory', message: `${r.memory} exceeds 1Ti` });
  range(issues, 'resources.gpu', r.gpu, 0, 16, { integer: true });
  range(issues, 'resources.npu', r.npu, 0, 16, { integer: true });
  if ((spec.workloadType === 'training' || spec.workloadType === 'inference') && !(r.gpu ?? 0) && !(r.npu ?? 0)) {
    issues.push({ field: 'resources', message: `${spec.workloadType} workloads need a GPU or NPU (resources.gpu or resources.npu > 0)` });
  }

  const cost = spec.costConstraints;
  if (cost) {
    range(issues, 'costConstraints.maxCostPerHour', cost.maxCostPerHour, 0, 10000, { exclusiveMin: true });
    range(issues, 'costConstraints.budgetLimit', cost.budgetLimit, 0, 1_000_000, { exclusiveMin: true });
    if (cost.budgetLimit !== undefined && cost.budgetLimit < cost.maxCostPerHour * BUDGET_HOURS) {
      issues.push({
        field: 'costConstraints.budgetLimit',
        message: `${cost.budgetLimit} is less than ${BUDGET_HOURS} h at maxCostPerHour ${cost.maxCostPerHour} (${cost.maxCostPerHour * BUDGET_HOURS}); the budget would run out within a day`,
      });
    }
  }

  const power = spec.powerConstraints;
  if (power) {
    range(issues, 'powerConstraints.maxPowerUsage', power.maxPowerUsage, 0, 10000, { exclusiveMin: true });
    if (resourcesValid) {
      const estimate = estimatedPower(r);
      if (estimate > power.maxPowerUsage) {
        issues.push({ field: 'powerConstraints.maxPowerUsage', message: `the requested resources draw an estimated ${Math.round(estimate)} W, above maxPowerUsage ${power.maxPowerUsage} W` });
      }
    }
  }

  const placement = spec.placementPolicy;
  for (const [k, v] of Object.entries(placement?.nodeSelector ?? {})) {
    if (k === '') issues.push({ field: 'placementPolicy.nodeSelector', message: 'keys must not be empty' });
    if (v === '') issues.push({ field: `placementPolicy.nodeSelector.${k}`, message: 'must not be empty' });
  }
  (placement?.affinity ?? []).forEach((a, i) => {
    const f = `placementPolicy.affinity[${i}]`;
    if (!(AFFINITY_TYPES as readonly string[]).includes(a.type)) issues.push({ field: `${f}.type`, message: `'${a.type}' is not one of ${AFFINITY_TYPES.join(', ')}` });
    if (a.key === '') issues.push({ field: `${f}.key`, message: 'must not be empty' });
    if (a.value === '') issues.push({ field: `${f}.value`, message: 'must not be empty' });
    range(issues, `${f}.weight`, a.weight, 0, 100, { integer: true });
  });

  const scaling = spec.autoScaling;
  if (scaling) {
    range(issues, 'autoScaling.minReplicas', scaling.minReplicas, 1, 1000, { integer: true });
    range(issues, 'autoScaling.maxReplicas', scaling.maxReplicas, 1, 1000, { integer: true });
    if (scaling.minReplicas > scaling.maxReplicas) {
      issues.push({ field: 'autoScaling.minReplicas', message: `${scaling.minReplicas} is greater than maxReplicas ${scaling.maxReplicas}` });
    }
    (scaling.metrics ?? []).forEach((m, i) => {
      if (!(METRIC_TYPES as readonly string[]).includes(m.type)) issues.push({ field: `autoScaling.metrics[${i}].type`, message: `'${m.type}' is not one of ${METRIC_TYPES.join(', ')}` });
      if (!(m.threshold > 0)) issues.push({ field: `autoScaling.metrics[${i}].threshold`, message: `must be greater than 0, got ${m.threshold}` });
    });
  }
  return issues;
}

/** Every field is optional in the CRD; unset means no limit of that kind. */
export interface CostPolicySpecInput {
  readonly budgetLimit?: number;
  readonly costPerHourLimit?: number;
  readonly spotInstancePolicy?: { readonly enabled?: boolean; readonly maxInterruptionRate?: number };
  readonly resourceCostPolicy?: { readonly cpuCostPerCore?: number; readonly memoryCostPerGb?: number; readonly gpuCostPerUnit?: number; readonly npuCostPerUnit?: number };
  readonly alertThresholds?: { readonly budgetUtilization?: number; readonly costSpike?: number };
}

/** Every rule a CostPolicy spec breaks (CRD bounds plus the webhook's budget rule). */
export function validateCostPolicy(spec: CostPolicySpecInput): PolicyIssue[] {
  const issues: PolicyIssue[] = [];
  range(issues, 'budgetLimit', spec.budgetLimit, 0, Infinity, { exclusiveMin: true });
  range(issues, 'costPerHourLimit', spec.costPerHourLimit, 0, Infinity, { exclusiveMin: true });
  if (spec.budgetLimit !== undefined && spec.costPerHourLimit !== undefined && spec.budgetLimit < spec.costPerHourLimit * BUDGET_HOURS) {
    issues.push({ field: 'budgetLimit', message: `${spec.budgetLimit} is less than ${BUDGET_HOURS} h at costPerHourLimit ${spec.costPerHourLimit} (${spec.costPerHourLimit * BUDGET_HOURS})` });
  }
  const spot = spec.spotInstancePolicy;
  range(issues, 'spotInstancePolicy.maxInterruptionRate', spot?.maxInterruptionRate, 0, 1);
  if (spot?.maxInterruptionRate !== undefined && !spot.enabled) {
    issues.push({ field: 'spotInstancePolicy.maxInterruptionRate', message: 'is set but spot instances are not enabled (spotInstancePolicy.enabled)' });
  }
  const rc = spec.resourceCostPolicy ?? {};
  range(issues, 'resourceCostPolicy.cpuCostPerCore', rc.cpuCostPerCore, 0, Infinity);
  range(issues, 'resourceCostPolicy.memoryCostPerGB', rc.memoryCostPerGb, 0, Infinity);
  range(issues, 'resourceCostPolicy.gpuCostPerUnit', rc.gpuCostPerUnit, 0, Infinity);
  range(issues, 'resourceCostPolicy.npuCostPerUnit', rc.npuCostPerUnit, 0, Infinity);
  range(issues, 'alertThresholds.budgetUtilization', spec.alertThresholds?.budgetUtilization, 0, 1);
  range(issues, 'alertThresholds.costSpike', spec.alertThresholds?.costSpike, 0, Infinity);
  if (spec.alertThresholds?.budgetUtilization !== undefined && spec.budgetLimit === undefined) {
    issues.push({ field: 'alertThresholds.budgetUtilization', message: 'needs a budgetLimit to measure utilization against' });
  }
  return issues;
}

/** Every field is optional in the CRD; unset means no limit of that kind. */
export interface PowerPolicySpecInput {
  readonly maxPowerUsage?: number;
  readonly efficiencyTarget?: number;
  readonly greenEnergyPolicy?: { readonly enabled?: boolean; readonly renewablePercentage?: number };
  readonly powerAwareScheduling?: { readonly enabled?: boolean; readonly powerThreshold?: number };
  readonly alertThresholds?: { readonly powerUtilization?: number; readonly efficiencyDrop?: number };
}

/** Every rule a PowerPolicy spec breaks (CRD bounds plus consistency of the thresholds). */
export function validatePowerPolicy(spec: PowerPolicySpecInput): PolicyIssue[] {
  const issues: PolicyIssue[] = [];
  range(issues, 'maxPowerUsage', spec.maxPowerUsage, 0, 10000, { exclusiveMin: true });
  range(issues, 'efficiencyTarget', spec.efficiencyTarget, 0, 1);
  range(issues, 'greenEnergyPolicy.renewablePercentage', spec.greenEnergyPolicy?.renewablePercentage, 0, 1);
  if (spec.greenEnergyPolicy?.renewablePercentage !== undefined && !spec.greenEnergyPolicy.enabled) {
    issues.push({ field: 'greenEnergyPolicy.renewablePercentage', message: 'is set but green energy is not enabled (greenEnergyPolicy.enabled)' });
  }
  const threshold = spec.powerAwareScheduling?.powerThreshold;
  range(issues, 'powerAwareScheduling.powerThreshold', threshold, 0, Infinity);
  if (threshold !== undefined && spec.maxPowerUsage !== undefined && threshold > spec.maxPowerUsage) {
    issues.push({ field: 'powerAwareScheduling.powerThreshold', message: `${threshold} W is above maxPowerUsage ${spec.maxPowerUsage} W; scheduling would never react before the limit` });
  }
  range(issues, 'alertThresholds.powerUtilization', spec.alertThresholds?.powerUtilization, 0, 1);
  range(issues, 'alertThresholds.efficiencyDrop', spec.alertThresholds?.efficiencyDrop, 0, Infinity);
  return issues;
}

/** Formats issues as one error naming the construct and each field. */
export function policyError(path: string, kind: string, name: string, issues: readonly PolicyIssue[]): Error {
  return new Error(`[${path}] ${kind} '${name}' would be refused by the KCloud webhook or CRD:\n${issues.map((i) => `  - prop 'spec.${i.field}': ${i.message}`).join('\n')}`);
}
