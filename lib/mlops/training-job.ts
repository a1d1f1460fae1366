import { createHash } from 'crypto';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { containerResources, GpuRequest, gpuRequestProblem, restrictedContainerSecurityContext, restrictedPodSecurityContext, TMP_MOUNT, TMP_VOLUME } from '../core/pod-security';

/** A hyper-parameter value; rendered with `String(value)`. */
export type HyperParameterValue = string | number | boolean;

/** What defines a training run: everything that goes into the Job's (immutable) pod template from the experiment. */
export interface ExperimentSpec {
  /** Job name prefix, a DNS label of at most {@link MAX_EXPERIMENT_NAME} characters. */
  readonly name: string;
  readonly image: string;
  readonly command: readonly string[];
  /** `{ 'n-estimators': 100 }` → `--n-estimators=100`. @default - none */
  readonly hyperParameters?: Readonly<Record<string, HyperParameterValue>>;
  /** MLflow run name. @default - the experiment's name */
  readonly runName?: string;
  /** MLflow experiment of the run, injected as `MLFLOW_EXPERIMENT_NAME`. @default - the one the training code picks */
  readonly mlflowExperiment?: string;
  /** @default '1' */
  readonly cpu?: string;
  /** @default '2Gi' */
  readonly memory?: string;
  /** @default 0 */
  readonly gpu?: number;
}

/** Hex digits of the parameter hash in a Job name: 40 bits, collisions negligible per experiment. */
export const JOB_HASH_LENGTH = 10;
/** Kubernetes Job names are used as a label value (`job-name`), so 63 characters at most. */
export const MAX_JOB_NAME = 63;
export const MAX_EXPERIMENT_NAME = MAX_JOB_NAME - JOB_HASH_LENGTH - 1;

/** JSON with object keys sorted at every level: the same value always gives the same bytes. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** `--<name>=<value>` for every hyper-parameter, by name, then `--run-name=<run name>`. */
export function trainingArgs(spec: ExperimentSpec): string[] {
  const params = Object.entries(spec.hyperParameters ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return [...params.map(([k, v]) => `--${k}=${String(v)}`), `--run-name=${spec.runName ?? spec.name}`];
}

/**
 * The Job name of an experiment: `<name>-<first 10 hex digits of sha256(canonical JSON)>` over the
 * image, command, hyper-parameters, run name, MLflow experiment, CPU, memory and GPUs (defaults
 * filled in first, so leaving out a default and writing it give the same name; keys sorted, so their
 * order in the configuration does not matter).
 *
 * A Job's pod template is immutable: a changed parameter set must be a new Job, and with this rule
 * it is one, while an unchanged experiment keeps its name in every synth. The name is at most 63
 * characters and a DNS-1123 label.
 */
export function trainingJobName(spec: ExperimentSpec): string {
  if (spec.name.length > MAX_EXPERIMENT_NAME || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(spec.name)) {
    throw new Error(`experiment name '${spec.name}' must be a DNS-1123 label of at most ${MAX_EXPERIMENT_NAME} characters`);
  }
  const identity = {
    image: spec.image,
    command: [...spec.command],
    hyperParameters: spec.hyperParameters ?? {},
    runName: spec.runName ?? spec.name,
    mlflowExperiment: spec.mlflowExperiment,
    cpu: spec.cpu ?? '1',
    memory: spec.memory ?? '2Gi',
    gpu: spec.gpu ?? 0,
  };
  const hash = createHash('sha256').update(canonicalJson(identity)).digest('hex').slice(0, JOB_HASH_LENGTH);
  return `${spec.name}-${hash}`;
}

export interface TrainingJobProps extends ExperimentSpec {
  readonly namespace: string;
  /** MLflow tracking server, injected as `MLFLOW_TRACKING_URI`. */
  readonly trackingUri: string;
  /** Claim of the shared model volume, mounted read-write. */
  readonly modelClaim: string;
  /** @default '/models' */
  readonly modelMountPath?: string;
  /** The cluster's GPU resource; required when `gpu` > 0. @default - no GPUs on the cluster */
  readonly gpuResource?: Omit<GpuRequest, 'count'> & { readonly perNode: number };
  /** @default 86400 */
  readonly ttlSecondsAfterFinished?: number;
  /** @default 2 */
  readonly backoffLimit?: number;
}

/** Label every training pod carries; the training namespace's policy to MLflow selects on it. */
export const TRAINING_POD_LABELS = { 'app.kubernetes.io/component': 'training-job', 'app.kubernetes.io/part-of': 'mlops' } as const;

/**
 * One training run as a Kubernetes Job (the seed's `train.sh`): hyper-parameters as arguments,
 * `MLFLOW_TRACKING_URI` injected, the shared model volume mounted read-write at `MODEL_DIR`.
 *
 * The Job is an Argo CD `Sync` hook. A plain Job with `ttlSecondsAfterFinished` would be deleted
 * after it finishes, leave its Application OutOfSync, and be re-created (re-running the training)
 * by self-heal, forever; hooks are not part of the sync status, so the TTL is safe. Each sync of the
 * experiments component — a change of the experiment list — runs the listed experiments; an earlier
 * run of the same name is replaced (`BeforeHookCreation`), and a changed parameter set gets a new
 * name ({@link trainingJobName}).
 */
export class TrainingJob extends Construct {
  readonly job: k8s.KubeJob;
  readonly jobName: string;

  constructor(scope: Construct, id: string, props: TrainingJobProps) {
    super(scope, id);
    const gpu = props.gpu ?? 0;
    const gpuProblem = gpuRequestProblem(gpu, props.gpuResource);
    if (gpuProblem) throw new Error(`[${this.node.path}] prop 'gpu' ${gpuProblem}`);
    if (props.command.length === 0) throw new Error(`[${this.node.path}] prop 'command' is empty`);
    this.jobName = trainingJobName(props);
    const mountPath = props.modelMountPath ?? '/models';
    const cpu = props.cpu ?? '1';
    const memory = props.memory ?? '2Gi';
    const labels = { ...TRAINING_POD_LABELS, 'kompile.dev/experiment': props.name };

    this.job = new k8s.KubeJob(this, 'Resource', {
      metadata: {
        name: this.jobName,
        namespace: props.namespace,
        labels,
        annotations: {
          'argocd.argoproj.io/hook': 'Sync',
          'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation',
          'kompile.dev/run-name': props.runName ?? props.name,
        },
      },
      spec: {
        ttlSecondsAfterFinished: props.ttlSecondsAfterFinished ?? 86400,
        backoffLimit: props.backoffLimit ?? 2,
        template: {
          metadata: { labels },
          spec: {
            restartPolicy: 'Never',
            automountServiceAccountToken: false,
            runtimeClassName: gpu > 0 ? props.gpuResource?.runtimeClassName : undefined,
            securityContext: restrictedPodSecurityContext(1000),
            containers: [
              {
                name: 'train',
                image: props.image,
                command: [...props.command],
                args: trainingArgs(props),
                env: [
                  { name: 'MLFLOW_TRACKING_URI', value: props.trackingUri },
                  ...(props.mlflowExperiment ? [{ name: 'MLFLOW_EXPERIMENT_NAME', value: props.mlflowExperiment }] : []),
                  { name: 'MODEL_DIR', value: mountPath },
                  { name: 'HOME', value: '/tmp' },
                ],
                // Training may use a lot of memory: the limit is the request (Guaranteed QoS for CPU/memory), never overcommitted.
                resources: containerResources(
                  { requests: { cpu, memory }, limits: { cpu, memory } },
                  gpu > 0 && props.gpuResource ? { count: gpu, resourceName: props.gpuResource.resourceName } : undefined,
                ),
                securityContext: restrictedContainerSecurityContext(),
                volumeMounts: [TMP_MOUNT, { name: 'models', mountPath }],
              },
            ],
            volumes: [TMP_VOLUME, { name: 'models', persistentVolumeClaim: { claimName: props.modelClaim } }],
          },
        },
      },
    });
  }
}
