import { Construct } from 'constructs';
import { ContainerResourceSpec } from '../core/pod-security';
import { ChartSource, UpstreamChart } from '../core/upstream-chart';

/** The Knative Operator's Helm repository. */
export const KNATIVE_OPERATOR_CHARTS = 'https://knative.github.io/operator';

export interface KnativeOperatorProps {
  /** Operator release, e.g. `1.16.6`: the chart version (no `v`, as its Chart.yaml spells it) and image tag `v<version>`. */
  readonly version: string;
  /** Namespace of the operator and its webhook. */
  readonly namespace: string;
  /** Resources of the operator and its webhook. @default 100m/128Mi requested, 500m/512Mi limit */
  readonly resources?: ContainerResourceSpec;
}

const DEFAULT_RESOURCES: ContainerResourceSpec = { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } };

/**
 * The Knative Operator (chart `knative-operator`), which installs Knative Serving from a
 * `KnativeServing` resource. Its images are set through the values (`image` + `tag`, from the
 * chart's values.yaml), and its containers are made Pod Security "restricted" compatible: the chart's
 * default security context lacks the dropped capabilities and the seccomp profile.
 */
export class KnativeOperator extends UpstreamChart {
  constructor(scope: Construct, id: string, props: KnativeOperatorProps) {
    const tag = `v${props.version}`;
    const resources = props.resources ?? DEFAULT_RESOURCES;
    const containerSecurityContext = {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    };
    const split = { kind: 'split', repositoryKey: 'image', tagKey: 'tag' } as const;
    super(scope, id, {
      name: 'knative-operator',
      namespace: props.namespace,
      source: ChartSource.helmRepo(KNATIVE_OPERATOR_CHARTS, 'knative-operator', props.version),
      values: {
        knative_operator: {
          knative_operator: { containerSecurityContext, resources },
          operator_webhook: { containerSecurityContext, resources },
        },
      },
      images: [
        { image: `gcr.io/knative-releases/knative.dev/operator/cmd/operator:${tag}`, valuePath: 'knative_operator.knative_operator', format: split },
        { image: `gcr.io/knative-releases/knative.dev/operator/cmd/webhook:${tag}`, valuePath: 'knative_operator.operator_webhook', format: split },
      ],
      includesCrds: true,
    });
  }
}
