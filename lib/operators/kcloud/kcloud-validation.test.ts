import { describe, expect, it } from 'vitest';
import {
  cpuCores,
  estimatedPower,
  memoryBytes,
  validateCostPolicy,
  validatePowerPolicy,
  validateWorkloadOptimizer,
  WorkloadOptimizerSpecInput,
} from './kcloud-validation';

const OK: WorkloadOptimizerSpecInput = {
  workloadType: 'training',
  priority: 80,
  resources: { cpu: '16', memory: '64Gi', gpu: 4 },
  costConstraints: { maxCostPerHour: 50, budgetLimit: 1200 },
  powerConstraints: { maxPowerUsage: 2000 },
  placementPolicy: { nodeSelector: { accelerator: 'nvidia-gpu' }, affinity: [{ type: 'gpu_workload', key: 'k', value: 'v', weight: 100 }] },
  autoScaling: { minReplicas: 1, maxReplicas: 10, metrics: [{ type: 'cost', threshold: 80 }] },
};

const fields = (spec: Partial<WorkloadOptimizerSpecInput>) => validateWorkloadOptimizer({ ...OK, ...spec }).map((i) => i.field);

describe('WorkloadOptimizer rules', () => {
  it('admits seed 001’s training example', () => {
    expect(validateWorkloadOptimizer(OK)).toEqual([]);
  });

  it.each([
    ['workloadType', { workloadType: 'streaming' as never }],
    ['priority', { priority: 101 }],
    ['priority', { priority: -1 }],
    ['priority', { priority: 50.5 }],
  ])('checks %s', (field, spec) => {
    expect(fields(spec)).toContain(field);
  });

  it.each([
    ['resources.cpu', { cpu: '0.5', memory: '1Gi', gpu: 1 }, /whole cores or millicores/],
    ['resources.cpu', { cpu: '0', memory: '1Gi', gpu: 1 }, /greater than 0/],
    ['resources.cpu', { cpu: '101', memory: '1Gi', gpu: 1 }, /exceeds 100 cores/],
    ['resources.memory', { cpu: '1', memory: '1.5Gi', gpu: 1 }, /whole quantity/],
    ['resources.memory', { cpu: '1', memory: '0', gpu: 1 }, /greater than 0/],
    ['resources.memory', { cpu: '1', memory: '2Ti', gpu: 1 }, /exceeds 1Ti/],
    ['resources.gpu', { cpu: '1', memory: '1Gi', gpu: 17 }, /at most 16/],
    ['resources.npu', { cpu: '1', memory: '1Gi', gpu: 1, npu: -1 }, /at least 0/],
    ['resources', { cpu: '1', memory: '1Gi' }, /need a GPU or NPU/],
  ])('checks %s (%#)', (field, resources, message) => {
    const issues = validateWorkloadOptimizer({ ...OK, powerConstraints: undefined, resources });
    expect(issues).toContainEqual({ field, message: expect.stringMatching(message) });
  });

  it('lets serving and batch workloads run without accelerators', () => {
    expect(validateWorkloadOptimizer({ ...OK, workloadType: 'serving', resources: { cpu: '2', memory: '4Gi' } })).toEqual([]);
    expect(fields({ workloadType: 'inference', resources: { cpu: '2', memory: '4Gi' }, powerConstraints: undefined })).toEqual(['resources']);
  });

  it('keeps cost constraints consistent: positive, bounded, and a budget for at least a day', () => {
    expect(fields({ costConstraints: { maxCostPerHour: 0 } })).toEqual(['costConstraints.maxCostPerHour']);
    expect(fields({ costConstraints: { maxCostPerHour: 10001 } })).toEqual(['costConstraints.maxCostPerHour']);
    expect(fields({ costConstraints: { maxCostPerHour: 1, budgetLimit: 2_000_000 } })).toEqual(['costConstraints.budgetLimit']);
    const short = validateWorkloadOptimizer({ ...OK, costConstraints: { maxCostPerHour: 50, budgetLimit: 1199 } });
    expect(short).toEqual([{ field: 'costConstraints.budgetLimit', message: expect.stringMatching(/less than 24 h at maxCostPerHour 50 \(1200\)/) }]);
  });

  it('keeps power constraints consistent with the resources asked for', () => {
    // 50 + 16×15 + 64×0.5 + 4×300 = 1522 W
    expect(estimatedPower(OK.resources)).toBe(1522);
    expect(validateWorkloadOptimizer({ ...OK, powerConstraints: { maxPowerUsage: 1500 } })).toEqual([
      { field: 'powerConstraints.maxPowerUsage', message: expect.stringMatching(/estimated 1522 W, above maxPowerUsage 1500 W/) },
    ]);
    expect(fields({ powerConstraints: { maxPowerUsage: 0 } })).toContain('powerConstraints.maxPowerUsage');
    expect(fields({ powerConstraints: { maxPowerUsage: 10001 } })).toContain('powerConstraints.maxPowerUsage');
  });

  it('checks placement', () => {
    expect(fields({ placementPolicy: { nodeSelector: { a: '' } } })).toEqual(['placementPolicy.nodeSelector.a']);
    expect(fields({ placementPolicy: { nodeSelector: { '': 'x' } } })).toEqual(['placementPolicy.nodeSelector']);
    expect(fields({ placementPolicy: { affinity: [{ type: 'fast', key: '', value: '', weight: 101 }] } })).toEqual([
      'placementPolicy.affinity[0].type',
      'placementPolicy.affinity[0].key',
      'placementPolicy.affinity[0].value',
      'placementPolicy.affinity[0].weight',
    ]);
  });

  it('checks auto-scaling: min ≤ max, bounds, metric types and thresholds', () => {
    expect(validateWorkloadOptimizer({ ...OK, autoScaling: { minReplicas: 5, maxReplicas: 2 } })).toEqual([
      { field: 'autoScaling.minReplicas', message: '5 is greater than maxReplicas 2' },
    ]);
    expect(fields({ autoScaling: { minReplicas: 0, maxReplicas: 2 } })).toEqual(['autoScaling.minReplicas']);
    expect(fields({ autoScaling: { minReplicas: 1, maxReplicas: 1001 } })).toEqual(['autoScaling.maxReplicas']);
    expect(fields({ autoScaling: { minReplicas: 1, maxReplicas: 2, metrics: [{ type: 'queue', threshold: 0 }] } })).toEqual([
      'autoScaling.metrics[0].type',
      'autoScaling.metrics[0].threshold',
    ]);
  });

  it('reads quantities the way the CRD spells them', () => {
    expect(cpuCores('500m')).toBe(0.5);
    expect(memoryBytes('1Gi')).toBe(2 ** 30);
    expect(memoryBytes('1G')).toBe(1e9);
  });
});

describe('CostPolicy rules', () => {
  it('admits a consistent policy', () => {
    expect(validateCostPolicy({ budgetLimit: 2400, costPerHourLimit: 100, spotInstancePolicy: { enabled: true, maxInterruptionRate: 0.2 }, alertThresholds: { budgetUtilization: 0.8, costSpike: 2 } })).toEqual([]);
  });

  it.each([
    ['budgetLimit', { budgetLimit: 0 }],
    ['costPerHourLimit', { costPerHourLimit: -1 }],
    ['budgetLimit', { budgetLimit: 100, costPerHourLimit: 10 }],
    ['spotInstancePolicy.maxInterruptionRate', { spotInstancePolicy: { enabled: true, maxInterruptionRate: 1.5 } }],
    ['spotInstancePolicy.maxInterruptionRate', { spotInstancePolicy: { maxInterruptionRate: 0.1 } }],
    ['resourceCostPolicy.cpuCostPerCore', { resourceCostPolicy: { cpuCostPerCore: -0.1 } }],
    ['resourceCostPolicy.memoryCostPerGB', { resourceCostPolicy: { memoryCostPerGb: -1 } }],
    ['resourceCostPolicy.gpuCostPerUnit', { resourceCostPolicy: { gpuCostPerUnit: -1 } }],
    ['resourceCostPolicy.npuCostPerUnit', { resourceCostPolicy: { npuCostPerUnit: -1 } }],
    ['alertThresholds.budgetUtilization', { budgetLimit: 10, alertThresholds: { budgetUtilization: 1.1 } }],
    ['alertThresholds.budgetUtilization', { alertThresholds: { budgetUtilization: 0.5 } }],
    ['alertThresholds.costSpike', { alertThresholds: { costSpike: -1 } }],
  ])('checks %s (%#)', (field, spec) => {
    expect(validateCostPolicy(spec).map((i) => i.field)).toContain(field);
  });
});

describe('PowerPolicy rules', () => {
  it('admits a consistent policy', () => {
    expect(validatePowerPolicy({ maxPowerUsage: 4000, efficiencyTarget: 0.8, powerAwareScheduling: { enabled: true, powerThreshold: 3500 }, greenEnergyPolicy: { enabled: true, renewablePercentage: 0.3 } })).toEqual([]);
  });

  it.each([
    ['maxPowerUsage', { maxPowerUsage: 0 }],
    ['maxPowerUsage', { maxPowerUsage: 20000 }],
    ['efficiencyTarget', { efficiencyTarget: 80 }],
    ['greenEnergyPolicy.renewablePercentage', { greenEnergyPolicy: { enabled: true, renewablePercentage: 2 } }],
    ['greenEnergyPolicy.renewablePercentage', { greenEnergyPolicy: { renewablePercentage: 0.5 } }],
    ['powerAwareScheduling.powerThreshold', { powerAwareScheduling: { powerThreshold: -5 } }],
    ['powerAwareScheduling.powerThreshold', { maxPowerUsage: 1000, powerAwareScheduling: { enabled: true, powerThreshold: 1200 } }],
    ['alertThresholds.powerUtilization', { alertThresholds: { powerUtilization: 1.2 } }],
    ['alertThresholds.efficiencyDrop', { alertThresholds: { efficiencyDrop: -0.1 } }],
  ])('checks %s (%#)', (field, spec) => {
    expect(validatePowerPolicy(spec).map((i) => i.field)).toContain(field);
  });
});
