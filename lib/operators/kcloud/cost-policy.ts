import { Construct } from 'constructs';
import { CostPolicy as CostPolicyResource } from '../../../imports/kcloud.io';
import { CostPolicySpecInput, policyError, validateCostPolicy } from './kcloud-validation';

/** A label selector as the KCloud CRDs spell it. */
export interface KCloudSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly { readonly key: string; readonly operator: string; readonly values?: readonly string[] }[];
}

export interface CostPolicyProps extends CostPolicySpecInput {
  readonly name: string;
  readonly namespace: string;
  /** Namespaces the policy applies to. @default - the policy's own namespace */
  readonly namespaceSelector?: KCloudSelector;
  /** Workloads the policy applies to. @default - every workload */
  readonly workloadSelector?: KCloudSelector;
}

function selector(s: KCloudSelector | undefined) {
  return s ? { matchLabels: s.matchLabels ? { ...s.matchLabels } : undefined, matchExpressions: s.matchExpressions?.map((e) => ({ ...e, values: e.values ? [...e.values] : undefined })) } : undefined;
}

/**
 * A KCloud `CostPolicy` (kcloud.io/v1alpha1): budget, hourly cost limit, spot use and per-resource
 * prices. The CRD's fields are used (the Go type's `monthlyBudget` does not exist in the CRD); checked
 * at synth time, every broken rule reported by field.
 */
export class CostPolicy extends Construct {
  readonly resource: CostPolicyResource;
  readonly props: CostPolicyProps;

  constructor(scope: Construct, id: string, props: CostPolicyProps) {
    super(scope, id);
    const issues = validateCostPolicy(props);
    if (issues.length > 0) throw policyError(this.node.path, 'CostPolicy', props.name, issues);
    this.props = props;
    this.resource = new CostPolicyResource(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace },
      spec: {
        budgetLimit: props.budgetLimit,
        costPerHourLimit: props.costPerHourLimit,
        spotInstancePolicy: props.spotInstancePolicy ? { ...props.spotInstancePolicy } : undefined,
        resourceCostPolicy: props.resourceCostPolicy ? { ...props.resourceCostPolicy } : undefined,
        alertThresholds: props.alertThresholds ? { ...props.alertThresholds } : undefined,
        namespaceSelector: selector(props.namespaceSelector),
        workloadSelector: selector(props.workloadSelector),
      },
    });
  }
}

export { selector as kcloudSelector };
