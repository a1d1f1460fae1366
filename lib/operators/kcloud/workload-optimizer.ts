import { Construct } from 'constructs';
import { WorkloadOptimizer as WorkloadOptimizerResource, WorkloadOptimizerSpecWorkloadType } from '../../../imports/kcloud.io';
import { policyError, validateWorkloadOptimizer, WorkloadOptimizerSpecInput } from './kcloud-validation';

export interface WorkloadOptimizerProps extends WorkloadOptimizerSpecInput {
  /** Object name. */
  readonly name: string;
  /**
   * Namespace of the workload it optimizes. Required: the operator's webhook refuses optimizers
   * without one (the seed's `llm-serving` example has none).
   */
  readonly namespace: string;
}

/**
 * A KCloud `WorkloadOptimizer` (kcloud.io/v1alpha1): cost and power constraints, placement and
 * auto-scaling for one workload. Checked at synth time against the operator's validating webhook and
 * the CRD (see kcloud-validation.ts); every broken rule is reported at once, by field.
 */
export class WorkloadOptimizer extends Construct {
  readonly resource: WorkloadOptimizerResource;
  readonly props: WorkloadOptimizerProps;

  constructor(scope: Construct, id: string, props: WorkloadOptimizerProps) {
    super(scope, id);
    this.props = props;
    const issues = validateWorkloadOptimizer(props);
    if (issues.length > 0) throw policyError(this.node.path, 'WorkloadOptimizer', props.name, issues);
    this.resource = new WorkloadOptimizerResource(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace },
      spec: {
        workloadType: props.workloadType as WorkloadOptimizerSpecWorkloadType,
        priority: props.priority,
        resources: { ...props.resources },
        costConstraints: props.costConstraints ? { ...props.costConstraints } : undefined,
        powerConstraints: props.powerConstraints ? { ...props.powerConstraints } : undefined,
        placementPolicy: props.placementPolicy
          ? { nodeSelector: props.placementPolicy.nodeSelector ? { ...props.placementPolicy.nodeSelector } : undefined, affinity: props.placementPolicy.affinity?.map((a) => ({ ...a })) }
          : undefined,
        autoScaling: props.autoScaling ? { ...props.autoScaling, metrics: props.autoScaling.metrics?.map((m) => ({ ...m })) } : undefined,
      },
    });
  }
}
