import { Construct } from 'constructs';
import { PowerPolicy as PowerPolicyResource } from '../../../imports/kcloud.io';
import { KCloudSelector, kcloudSelector } from './cost-policy';
import { policyError, PowerPolicySpecInput, validatePowerPolicy } from './kcloud-validation';

export interface PowerPolicyProps extends PowerPolicySpecInput {
  readonly name: string;
  readonly namespace: string;
  /** Namespaces the policy applies to. @default - the policy's own namespace */
  readonly namespaceSelector?: KCloudSelector;
  /** Workloads the policy applies to. @default - every workload */
  readonly workloadSelector?: KCloudSelector;
}

/**
 * A KCloud `PowerPolicy` (kcloud.io/v1alpha1): power cap, efficiency target, green energy and
 * power-aware scheduling. The CRD's field names are used (`efficiencyTarget`,
 * `powerAwareScheduling`, `alertThresholds`; the Go type's names differ and the API server would
 * prune them); checked at synth time, every broken rule reported by field.
 */
export class PowerPolicy extends Construct {
  readonly resource: PowerPolicyResource;
  readonly props: PowerPolicyProps;

  constructor(scope: Construct, id: string, props: PowerPolicyProps) {
    super(scope, id);
    const issues = validatePowerPolicy(props);
    if (issues.length > 0) throw policyError(this.node.path, 'PowerPolicy', props.name, issues);
    this.props = props;
    this.resource = new PowerPolicyResource(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace },
      spec: {
        maxPowerUsage: props.maxPowerUsage,
        efficiencyTarget: props.efficiencyTarget,
        greenEnergyPolicy: props.greenEnergyPolicy ? { ...props.greenEnergyPolicy } : undefined,
        powerAwareScheduling: props.powerAwareScheduling ? { ...props.powerAwareScheduling } : undefined,
        alertThresholds: props.alertThresholds ? { ...props.alertThresholds } : undefined,
        namespaceSelector: kcloudSelector(props.namespaceSelector),
        workloadSelector: kcloudSelector(props.workloadSelector),
      },
    });
  }
}
