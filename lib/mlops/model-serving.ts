import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { AppDeployment } from './app-deployment';
import { ContainerResourceSpec } from '../core/pod-security';

export interface ModelServingProps {
  readonly namespace: string;
  readonly image: string;
  /** Claim of the shared model volume; mounted read-only. */
  readonly modelClaim: string;
  /** Deployment, PDB and HPA name. @default 'model-api' */
  readonly name?: string;
  /** Service name. @default '<name>-service' (the seed's `iris-serving-service` for `iris-serving`) */
  readonly serviceName?: string;
  /** @default '/models' */
  readonly modelMountPath?: string;
  /** @default 8000 */
  readonly containerPort?: number;
  /** @default 80 */
  readonly servicePort?: number;
  /** @default '/health' */
  readonly healthPath?: string;
  /** HPA lower bound; two at least, so that one pod can always be replaced. @default 2 */
  readonly minReplicas?: number;
  /** @default 10 */
  readonly maxReplicas?: number;
  /** Average CPU utilization (percent of requests) the HPA keeps. @default 70 */
  readonly targetCpuUtilization?: number;
  /** @default 250m/256Mi requested, 1 CPU/512Mi limit */
  readonly resources?: ContainerResourceSpec;
  /** @default 'ClusterIP': reached through the serving gateway (the seed's was 'LoadBalancer', open to anyone) */
  readonly serviceType?: 'LoadBalancer' | 'NodePort' | 'ClusterIP';
  /** @default - the API server picks one (NodePort and LoadBalancer only) */
  readonly nodePort?: number;
}

const DEFAULT_RESOURCES: ContainerResourceSpec = { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } };

/**
 * The model API of the seed's serving namespace: a Deployment reading the model from the shared
 * volume, read-only; a Service (a load balancer, as in the seed); a PodDisruptionBudget keeping all
 * but one pod through drains; and an autoscaling/v2 HorizontalPodAutoscaler on CPU.
 *
 * The HPA owns the replica count, so the Deployment leaves `spec.replicas` out (Argo CD would
 * otherwise reset every scale-up); the HPA raises a new Deployment to `minReplicas` at once.
 * Rolling updates surge one pod and never take a ready pod away first; ten old ReplicaSets are kept
 * for `kubectl rollout undo` (or a revert in Git, which Argo CD rolls out the same way).
 */
export class ModelServing extends Construct {
  readonly app: AppDeployment;
  readonly pdb: k8s.KubePodDisruptionBudget;
  readonly hpa: k8s.KubeHorizontalPodAutoscalerV2;

  constructor(scope: Construct, id: string, props: ModelServingProps) {
    super(scope, id);
    const name = props.name ?? 'model-api';
    const minReplicas = props.minReplicas ?? 2;
    const maxReplicas = props.maxReplicas ?? 10;
    const target = props.targetCpuUtilization ?? 70;
    const mountPath = props.modelMountPath ?? '/models';
    if (minReplicas < 2) throw new Error(`[${this.node.path}] prop 'minReplicas' is ${minReplicas}; the API needs two replicas at least to survive a rollout or a node drain`);
    if (maxReplicas < minReplicas) throw new Error(`[${this.node.path}] prop 'maxReplicas' (${maxReplicas}) is below minReplicas (${minReplicas})`);
    if (target < 1 || target > 100) throw new Error(`[${this.node.path}] prop 'targetCpuUtilization' must be 1-100, got ${target}`);

    this.app = new AppDeployment(this, 'Api', {
      name,
      namespace: props.namespace,
      image: props.image,
      port: props.containerPort ?? 8000,
      component: 'model-api',
      partOf: 'mlops',
      resources: props.resources ?? DEFAULT_RESOURCES,
      replicas: 'autoscaled',
      env: [
        { name: 'MODEL_DIR', value: mountPath },
        { name: 'HOME', value: '/tmp' },
      ],
      claims: [{ name: 'models', claimName: props.modelClaim, mountPath, readOnly: true }],
      healthPath: props.healthPath ?? '/health',
      livenessDelaySeconds: 20,
      service: { name: props.serviceName ?? `${name}-service`, type: props.serviceType ?? 'ClusterIP', port: props.servicePort ?? 80, nodePort: props.nodePort },
    });

    this.pdb = new k8s.KubePodDisruptionBudget(this, 'Budget', {
      metadata: { name, namespace: props.namespace },
      spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: { ...this.app.selector } } },
    });

    this.hpa = new k8s.KubeHorizontalPodAutoscalerV2(this, 'Autoscaler', {
      metadata: { name, namespace: props.namespace },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
        minReplicas,
        maxReplicas,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: target } } }],
      },
    });
    this.hpa.addDependency(this.app.deployment);
  }
}
