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

/** Why the operator's namespace cannot enforce "restricted" (see {@link KnativeOperator}). */
export const KNATIVE_OPERATOR_POD_SECURITY_REASON =
  "chart knative-operator 1.16.x cannot give its pods a seccomp profile: the container security context is hard-coded without one, and a nested pod-level securityContext renders invalid YAML (fixed in 1.17.1)";

const DEFAULT_RESOURCES: ContainerResourceSpec = { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } };

/**
 * The Knative Operator (chart `knative-operator`), which installs Knative Serving from a
 * `KnativeServing` resource. Its images are set through the values (`image` + `tag`, from the
 * chart's values.yaml).
 *
 * Its pods cannot be made Pod Security "restricted" through chart 1.16.x (knative/operator tag
 * knative-v1.16.6, `config/charts/knative-operator/templates/operator.yaml`): the container security
 * context is hard-coded apart from three scalars (`allowPrivilegeEscalation`,
 * `readOnlyRootFilesystem`, `runAsNonRoot`, read from `containerSecurityContext`), so no container
 * seccomp profile can be set; and the pod-level `securityContext` is written without indentation, so
 * any value with a nested map (a seccomp profile) renders invalid YAML. Upstream fixed the latter in
 * commit a879c4d36, first released in 1.17.1. Its namespace therefore enforces "baseline"
 * ({@link KNATIVE_OPERATOR_POD_SECURITY_REASON}).
 */
export class KnativeOperator extends UpstreamChart {
  constructor(scope: Construct, id: string, props: KnativeOperatorProps) {
    const tag = `v${props.version}`;
    const resources = props.resources ?? DEFAULT_RESOURCES;
    // The only container keys the chart's templates read (its values.yaml defaults, stated here so a
    // chart update that changes them shows up in the diff).
    const containerSecurityContext = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true };
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
