import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { containerResources, ContainerResourceSpec, restrictedContainerSecurityContext, restrictedPodSecurityContext, TMP_MOUNT, TMP_VOLUME } from '../core/pod-security';

export interface StatefulStoreProps {
  /** StatefulSet and Service name; also `app.kubernetes.io/name`. */
  readonly name: string;
  readonly namespace: string;
  readonly image: string;
  readonly port: number;
  /** `app.kubernetes.io/component`, e.g. `chat-history`. */
  readonly component: string;
  readonly partOf: string;
  /** Where the data volume is mounted. */
  readonly dataPath: string;
  /** Storage class of the data volume (ReadWriteOnce). */
  readonly storageClassName: string;
  readonly storageSize: string;
  readonly resources: ContainerResourceSpec;
  /** User the store runs as (the image's own non-root user). */
  readonly uid: number;
  /** @default - the image's entrypoint */
  readonly command?: readonly string[];
  /** @default - the image's arguments */
  readonly args?: readonly string[];
  /** @default - none */
  readonly env?: readonly k8s.EnvVar[];
  /** Readiness check; `{ httpPath }` or `{ exec }`. @default - TCP connect on the port */
  readonly readiness?: { readonly httpPath: string } | { readonly exec: readonly string[] };
}

/**
 * A single-replica data store (Redis, Chroma) as a StatefulSet with its own volume from a
 * volumeClaimTemplate on the default storage class, and a Service in front. The pod passes Pod
 * Security "restricted" under the image's own non-root user; the claim outlives the StatefulSet and
 * is never pruned (core rule for PersistentVolumeClaims).
 */
export class StatefulStore extends Construct {
  readonly statefulSet: k8s.KubeStatefulSet;
  readonly service: k8s.KubeService;
  readonly selector: Readonly<Record<string, string>>;
  readonly name: string;
  readonly port: number;

  constructor(scope: Construct, id: string, props: StatefulStoreProps) {
    super(scope, id);
    this.name = props.name;
    this.port = props.port;
    this.selector = { 'app.kubernetes.io/name': props.name };
    const labels = { ...this.selector, 'app.kubernetes.io/component': props.component, 'app.kubernetes.io/part-of': props.partOf };
    const httpPort = k8s.IntOrString.fromString('data');
    const liveness = { tcpSocket: { port: httpPort } };
    const readiness = !props.readiness
      ? liveness
      : 'httpPath' in props.readiness
        ? { httpGet: { path: props.readiness.httpPath, port: httpPort } }
        : { exec: { command: [...props.readiness.exec] } };

    this.service = new k8s.KubeService(this, 'Service', {
      metadata: { name: props.name, namespace: props.namespace, labels },
      spec: { type: 'ClusterIP', selector: { ...this.selector }, ports: [{ name: 'data', port: props.port, targetPort: httpPort, protocol: 'TCP' }] },
    });

    this.statefulSet = new k8s.KubeStatefulSet(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, labels },
      spec: {
        serviceName: props.name,
        replicas: 1,
        selector: { matchLabels: { ...this.selector } },
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
        template: {
          metadata: { labels },
          spec: {
            automountServiceAccountToken: false,
            securityContext: restrictedPodSecurityContext(props.uid),
            containers: [
              {
                name: props.name,
                image: props.image,
                command: props.command ? [...props.command] : undefined,
                args: props.args ? [...props.args] : undefined,
                env: props.env?.length ? [...props.env] : undefined,
                ports: [{ name: 'data', containerPort: props.port, protocol: 'TCP' }],
                resources: containerResources(props.resources),
                securityContext: restrictedContainerSecurityContext(),
                readinessProbe: { ...readiness, periodSeconds: 10, failureThreshold: 3 },
                livenessProbe: { ...liveness, initialDelaySeconds: 15, periodSeconds: 20, failureThreshold: 3 },
                volumeMounts: [TMP_MOUNT, { name: 'data', mountPath: props.dataPath }],
              },
            ],
            volumes: [TMP_VOLUME],
          },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: 'data' },
            spec: {
              accessModes: ['ReadWriteOnce'],
              storageClassName: props.storageClassName,
              resources: { requests: { storage: k8s.Quantity.fromString(props.storageSize) } },
            },
          },
        ],
      },
    });
    this.statefulSet.addDependency(this.service);
  }
}
