import { describe, expect, it } from 'vitest';
import { Component } from '../../core/component';
import { CostPolicy } from './cost-policy';
import { PowerPolicy } from './power-policy';
import { WorkloadOptimizer } from './workload-optimizer';
import { findObject, objectsIn, synthPlatform, testPlatform } from '../../../test/helpers';
import { dig } from '../../../test/ci/dig';

function holder() {
  const platform = testPlatform();
  return { platform, c: new Component(platform, 'Policies', { name: 'policies' }) };
}

describe('WorkloadOptimizer', () => {
  it('renders every field the CRD knows', () => {
    const { platform, c } = holder();
    new WorkloadOptimizer(c, 'Wo', {
      name: 'bert',
      namespace: 'mlops-training',
      workloadType: 'training',
      priority: 70,
      resources: { cpu: '32', memory: '128Gi', gpu: 8, npu: 0 },
      costConstraints: { maxCostPerHour: 100, preferSpot: true, budgetLimit: 5000 },
      powerConstraints: { maxPowerUsage: 4000, preferGreen: true },
      placementPolicy: { nodeSelector: { accelerator: 'nvidia-gpu' }, affinity: [{ type: 'gpu_workload', key: 'gpu.nvidia.com/class', value: 'compute', weight: 100 }] },
      autoScaling: { minReplicas: 1, maxReplicas: 3, metrics: [{ type: 'power', threshold: 3000 }] },
    });
    const wo = findObject(objectsIn(synthPlatform(platform), 'policies/manifests.yaml'), 'WorkloadOptimizer', 'bert', 'mlops-training');
    expect(wo.apiVersion).toBe('kcloud.io/v1alpha1');
    expect(wo.spec).toEqual({
      workloadType: 'training',
      priority: 70,
      resources: { cpu: '32', memory: '128Gi', gpu: 8, npu: 0 },
      costConstraints: { maxCostPerHour: 100, preferSpot: true, budgetLimit: 5000 },
      powerConstraints: { maxPowerUsage: 4000, preferGreen: true },
      placementPolicy: { nodeSelector: { accelerator: 'nvidia-gpu' }, affinity: [{ type: 'gpu_workload', key: 'gpu.nvidia.com/class', value: 'compute', weight: 100 }] },
      autoScaling: { minReplicas: 1, maxReplicas: 3, metrics: [{ type: 'power', threshold: 3000 }] },
    });
  });

  it('names the construct and every broken field in one error', () => {
    const { c } = holder();
    expect(
      () =>
        new WorkloadOptimizer(c, 'Bad', {
          name: 'bad',
          namespace: 'x',
          workloadType: 'serving',
          priority: 120,
          resources: { cpu: '2', memory: '4Gi' },
          autoScaling: { minReplicas: 3, maxReplicas: 1 },
        }),
    ).toThrow(/\[.*Policies\/Bad\] WorkloadOptimizer 'bad'[\s\S]*prop 'spec\.priority': must be at most 100[\s\S]*prop 'spec\.autoScaling\.minReplicas': 3 is greater than maxReplicas 1/);
  });
});

describe('CostPolicy', () => {
  it('renders the CRD fields, selectors included', () => {
    const { platform, c } = holder();
    new CostPolicy(c, 'Cp', {
      name: 'budget',
      namespace: 'mlops-serving',
      budgetLimit: 1000,
      costPerHourLimit: 10,
      spotInstancePolicy: { enabled: true, maxInterruptionRate: 0.1 },
      resourceCostPolicy: { cpuCostPerCore: 0.05, memoryCostPerGb: 0.01, gpuCostPerUnit: 2.5, npuCostPerUnit: 1.5 },
      alertThresholds: { budgetUtilization: 0.9, costSpike: 2 },
      namespaceSelector: { matchLabels: { team: 'ml' } },
      workloadSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['api'] }] },
    });
    const cp = findObject(objectsIn(synthPlatform(platform), 'policies/manifests.yaml'), 'CostPolicy', 'budget', 'mlops-serving');
    expect(dig(cp, 'spec.resourceCostPolicy')).toEqual({ cpuCostPerCore: 0.05, memoryCostPerGB: 0.01, gpuCostPerUnit: 2.5, npuCostPerUnit: 1.5 });
    expect(dig(cp, 'spec.spotInstancePolicy')).toEqual({ enabled: true, maxInterruptionRate: 0.1 });
    expect(dig(cp, 'spec.namespaceSelector')).toEqual({ matchLabels: { team: 'ml' } });
    expect(dig(cp, 'spec.workloadSelector')).toEqual({ matchExpressions: [{ key: 'app', operator: 'In', values: ['api'] }] });
    expect(dig(cp, 'spec.monthlyBudget')).toBeUndefined();
  });

  it('names the broken field', () => {
    const { c } = holder();
    expect(() => new CostPolicy(c, 'Bad', { name: 'b', namespace: 'x', budgetLimit: 10, costPerHourLimit: 1 })).toThrow(/CostPolicy 'b'[\s\S]*prop 'spec\.budgetLimit': 10 is less than 24 h/);
  });
});

describe('PowerPolicy', () => {
  it('renders the CRD field names (not the Go type’s)', () => {
    const { platform, c } = holder();
    new PowerPolicy(c, 'Pp', {
      name: 'power',
      namespace: 'mlops-training',
      maxPowerUsage: 3000,
      efficiencyTarget: 0.75,
      greenEnergyPolicy: { enabled: true, renewablePercentage: 0.4 },
      powerAwareScheduling: { enabled: true, powerThreshold: 2500 },
      alertThresholds: { powerUtilization: 0.9, efficiencyDrop: 0.1 },
      workloadSelector: { matchLabels: { app: 'train' } },
    });
    const pp = findObject(objectsIn(synthPlatform(platform), 'policies/manifests.yaml'), 'PowerPolicy', 'power', 'mlops-training');
    expect(pp.spec).toEqual({
      maxPowerUsage: 3000,
      efficiencyTarget: 0.75,
      greenEnergyPolicy: { enabled: true, renewablePercentage: 0.4 },
      powerAwareScheduling: { enabled: true, powerThreshold: 2500 },
      alertThresholds: { powerUtilization: 0.9, efficiencyDrop: 0.1 },
      workloadSelector: { matchLabels: { app: 'train' } },
    });
  });

  it('names the broken field', () => {
    const { c } = holder();
    expect(() => new PowerPolicy(c, 'Bad', { name: 'b', namespace: 'x', efficiencyTarget: 80 })).toThrow(/PowerPolicy 'b'[\s\S]*prop 'spec\.efficiencyTarget': must be at most 1, got 80/);
  });
});
