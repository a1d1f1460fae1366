import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { containerResources, ContainerResourceSpec, GpuRequest, restrictedContainerSecurityContext, restrictedPodSecurityContext, TMP_MOUNT, TMP_VOLUME } from '../core/pod-security';

/** A PersistentVolumeClaim mounted into the app's container. */
export interface ClaimMount {
  /** Volume name inside the pod. */
  readonly name: string;
  readonly claimName: string;
  readonly mountPath: string;
  /** Mount (and claim) read-only. @default false */
  readonly readOnly?: boolean;
}

/** How the app's Service is exposed. */
export interface AppServiceOptions {
  /** Service name. @default - the app's name */
  readonly name?: string;
  /** @default 'ClusterIP' */
  readonly type?: 'ClusterIP' | 'NodePort' | 'LoadBalancer';
  /** Service port. @default - the container port */
  readonly port?: number;
  /** Fixed node port (NodePort and LoadBalancer). @default - one the API server picks */
  readonly nodePort?: number;
}

export interface AppDeploymentProps {
  /** Deployment and Service name; also `app.kubernetes.io/name`, the pod selector. */
  readonly name: string;
  readonly namespace: string;
  readonly image: string;
  /** Port the container listens on (named `http`). */
  readonly port: number;
  /** `app.kubernetes.io/component` of the pods, which NetworkPolicies select on. */
  readonly component: string;
  /** `app.kubernetes.io/part-of`. */
  readonly partOf: string;
  readonly resources: ContainerResourceSpec;
  /**
   * Pod replicas. `'autoscaled'` leaves `spec.replicas` out so that Argo CD does not fight the
   * HorizontalPodAutoscaler that owns it.
   * @default 1
   */
  readonly replicas?: number | 'autoscaled';
  /** User (and group, and fsGroup) the pod runs as. @default 1000 */
  readonly uid?: number;
  /** GPUs of the container. @default - none */
  readonly gpu?: GpuRequest;
  /** @default - the image's entrypoint */
  readonly command?: readonly string[];
  /** @default - the image's arguments */
  readonly args?: readonly string[];
  /** @default - none */
  readonly env?: readonly k8s.EnvVar[];
  /** @default - none */
  readonly claims?: readonly ClaimMount[];
  /** HTTP path of readiness and liveness probes. @default - TCP probes on the port */
  readonly healthPath?: string;
  /** Seconds before the first liveness probe (model loading can be slow). @default 10 */
  readonly livenessDelaySeconds?: number;
  /**
   * `Recreate` for a single writer of a ReadWriteOnce volume (two pods would corrupt sqlite).
   * @default 'RollingUpdate' with maxSurge 1 and maxUnavailable 0: a bad image never takes the last ready pod down, and `kubectl rollout undo` restores the previous ReplicaSet
   */
  readonly strategy?: 'RollingUpdate' | 'Recreate';
  /** @default - a ClusterIP Service on the container port */
  readonly service?: AppServiceOptions;
  /** Labels of the pods only, beyond the selector's (e.g. `sidecar.istio.io/inject`). @default - none */
  readonly podLabels?: Readonly<Record<string, string>>;
}

/**
 * A stateless HTTP workload the way the platform runs them: a Deployment whose pod passes Pod
 * Security "restricted" (non-root, read-only root with an emptyDir on /tmp, no capabilities,
 * RuntimeDefault seccomp), with requests and limits, probes, and a Service in front of it.
 */
export class AppDeployment extends Construct {
  readonly deployment: k8s.KubeDeployment;
  readonly service: k8s.KubeService;
  /** Labels selecting this app's pods. */
  readonly selector: Readonly<Record<string, string>>;
  readonly name: string;
  readonly servicePort: number;

  constructor(scope: Construct, id: string, props: AppDeploymentProps) {
    super(scope, id);
    const replicas = props.replicas ?? 1;
    const uid = props.uid ?? 1000;
    const strategy = props.strategy ?? 'RollingUpdate';
    const serviceType = props.service?.type ?? 'ClusterIP';
    this.servicePort = props.service?.port ?? props.port;
    this.name = props.name;
    if (props.service?.nodePort !== undefined && serviceType === 'ClusterIP') {
      throw new Error(`[${this.node.path}] prop 'service.nodePort' needs service.type NodePort or LoadBalancer`);
    }
    this.selector = { 'app.kubernetes.io/name': props.name };
    const labels = { ...this.selector, 'app.kubernetes.io/component': props.component, 'app.kubernetes.io/part-of': props.partOf };

    const probeAction = props.healthPath ? { httpGet: { path: props.healthPath, port: k8s.IntOrString.fromString('http') } } : { tcpSocket: { port: k8s.IntOrString.fromString('http') } };
    const claims = props.claims ?? [];

    this.deployment = new k8s.KubeDeployment(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, labels },
      spec: {
        replicas: replicas === 'autoscaled' ? undefined : replicas,
        revisionHistoryLimit: 10,
        selector: { matchLabels: { ...this.selector } },
        strategy:
          strategy === 'Recreate'
            ? { type: 'Recreate' }
            : { type: 'RollingUpdate', rollingUpdate: { maxSurge: k8s.IntOrString.fromNumber(1), maxUnavailable: k8s.IntOrString.fromNumber(0) } },
        template: {
          metadata: { labels: { ...labels, ...props.podLabels } },
          spec: {
            automountServiceAccountToken: false,
            runtimeClassName: props.gpu && props.gpu.count > 0 ? props.gpu.runtimeClassName : undefined,
            securityContext: restrictedPodSecurityContext(uid),
            containers: [
              {
                name: props.name,
                image: props.image,
                command: props.command ? [...props.command] : undefined,
                args: props.args ? [...props.args] : undefined,
                env: props.env?.length ? [...props.env] : undefined,
                ports: [{ name: 'http', containerPort: props.port, protocol: 'TCP' }],
                resources: containerResources(props.resources, props.gpu),
                securityContext: restrictedContainerSecurityContext(),
                readinessProbe: { ...probeAction, periodSeconds: 10, failureThreshold: 3 },
                livenessProbe: { ...probeAction, initialDelaySeconds: props.livenessDelaySeconds ?? 10, periodSeconds: 20, failureThreshold: 3 },
                volumeMounts: [TMP_MOUNT, ...claims.map((c) => ({ name: c.name, mountPath: c.mountPath, readOnly: c.readOnly ?? false }))],
              },
            ],
            volumes: [TMP_VOLUME, ...claims.map((c) => ({ name: c.name, persistentVolumeClaim: { claimName: c.claimName, readOnly: c.readOnly ?? false } }))],
          },
        },
      },
    });

    this.service = new k8s.KubeService(this, 'Service', {
      metadata: { name: props.service?.name ?? props.name, namespace: props.namespace, labels },
      spec: {
        type: serviceType,
        selector: { ...this.selector },
        ports: [{ name: 'http', port: this.servicePort, targetPort: k8s.IntOrString.fromString('http'), protocol: 'TCP', nodePort: props.service?.nodePort }],
      },
    });
  }
}
