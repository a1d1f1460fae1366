import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { orderClaimForConsumer, waitsForFirstConsumer } from '../core/first-consumer';
import { AppDeployment } from './app-deployment';
import { ContainerResourceSpec } from '../core/pod-security';

/** Port of the MLflow tracking server (MLflow's default, the seed's). */
export const MLFLOW_PORT = 5000;
/** Where the tracking server's own volume is mounted. */
const DATA_PATH = '/mlflow';

/** A key of a Secret in the tracking server's namespace. */
export interface SecretKeyReference {
  readonly name: string;
  readonly key: string;
}

/** An S3 or S3-compatible artifact store. */
export interface MlflowS3Store {
  /** Artifact root, e.g. `s3://mlflow-artifacts/`. */
  readonly destination: string;
  /** S3-compatible endpoint such as MinIO. @default - AWS S3 */
  readonly endpointUrl?: string;
  /** Secret with the keys `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`. */
  readonly credentialsSecret: string;
}

export interface MlflowServerProps {
  readonly namespace: string;
  readonly image: string;
  /** Storage class of the server's own volume (ReadWriteOnce is enough: one writer). */
  readonly storageClassName: string;
  /**
   * The cluster's WaitForFirstConsumer storage classes (`cluster.storageClasses.waitForFirstConsumer`):
   * a volume of such a class shares the server's sync wave instead of preceding it. @default []
   */
  readonly waitForFirstConsumer?: readonly string[];
  /** @default '10Gi' */
  readonly storageSize?: string;
  /**
   * Secret key holding the SQLAlchemy URI of an external backend store (PostgreSQL, MySQL).
   * @default - sqlite on the server's volume
   */
  readonly backendStoreUriSecret?: SecretKeyReference;
  /** @default - artifacts on the server's volume, proxied by the server (`--serve-artifacts`) */
  readonly s3?: MlflowS3Store;
  /** @default 250m/512Mi requested, 1 CPU/1Gi limit */
  readonly resources?: ContainerResourceSpec;
  /** Deployment and volume name prefix. @default 'mlflow' */
  readonly name?: string;
  /** Service name, the host of the tracking URI. @default 'mlflow-service' (the seed's) */
  readonly serviceName?: string;
}

const DEFAULT_RESOURCES: ContainerResourceSpec = { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } };

/**
 * The MLflow tracking server of the seed's training namespace: a Deployment and a Service on port
 * 5000, its backend store and artifacts on a volume of its own by default (sqlite needs one writer
 * on a local-semantics file system: it is not put on the shared NFS model volume), or in an external
 * database and object store whose credentials come from Secrets by reference.
 *
 * Artifacts are served through the server (`--serve-artifacts`), so training jobs need only the
 * tracking URI, never storage credentials. Runs as uid 1000 with a read-only root file system.
 */
export class MlflowServer extends Construct {
  readonly app: AppDeployment;
  /** The server's own volume; absent when both stores are external. */
  readonly volume?: k8s.KubePersistentVolumeClaim;
  /** In-cluster URL clients set as `MLFLOW_TRACKING_URI`. */
  readonly trackingUri: string;

  constructor(scope: Construct, id: string, props: MlflowServerProps) {
    super(scope, id);
    const name = props.name ?? 'mlflow';
    const needsVolume = !props.backendStoreUriSecret || !props.s3;
    const serviceName = props.serviceName ?? 'mlflow-service';
    this.trackingUri = `http://${serviceName}.${props.namespace}.svc.cluster.local:${MLFLOW_PORT}`;

    if (needsVolume) {
      this.volume = new k8s.KubePersistentVolumeClaim(this, 'Data', {
        metadata: { name: `${name}-data`, namespace: props.namespace },
        spec: {
          accessModes: ['ReadWriteOnce'],
          storageClassName: props.storageClassName,
          resources: { requests: { storage: k8s.Quantity.fromString(props.storageSize ?? '10Gi') } },
        },
      });
    }

    const args = ['server', '--host', '0.0.0.0', '--port', String(MLFLOW_PORT), '--workers', '2'];
    const env: k8s.EnvVar[] = [{ name: 'HOME', value: '/tmp' }];
    if (props.backendStoreUriSecret) {
      // The CLI reads --backend-store-uri from MLFLOW_BACKEND_STORE_URI (mlflow/cli.py), so the URI
      // and its password stay in the Secret.
      env.push({ name: 'MLFLOW_BACKEND_STORE_URI', valueFrom: { secretKeyRef: { name: props.backendStoreUriSecret.name, key: props.backendStoreUriSecret.key } } });
    } else {
      args.push('--backend-store-uri', `sqlite:///${DATA_PATH}/mlflow.db`);
    }
    args.push('--serve-artifacts', '--artifacts-destination', props.s3 ? props.s3.destination : `${DATA_PATH}/artifacts`);
    if (props.s3) {
      if (props.s3.endpointUrl) env.push({ name: 'MLFLOW_S3_ENDPOINT_URL', value: props.s3.endpointUrl });
      for (const key of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) {
        env.push({ name: key, valueFrom: { secretKeyRef: { name: props.s3.credentialsSecret, key } } });
      }
    }

    this.app = new AppDeployment(this, 'Server', {
      name,
      namespace: props.namespace,
      image: props.image,
      port: MLFLOW_PORT,
      component: 'tracking-server',
      partOf: 'mlops',
      resources: props.resources ?? DEFAULT_RESOURCES,
      command: ['mlflow'],
      args,
      env,
      healthPath: '/health',
      livenessDelaySeconds: 30,
      // sqlite on a ReadWriteOnce volume: one writer at a time, never two pods during a rollout.
      strategy: needsVolume ? 'Recreate' : 'RollingUpdate',
      claims: this.volume ? [{ name: 'data', claimName: this.volume.name, mountPath: DATA_PATH }] : [],
      service: { name: serviceName },
    });
    if (this.volume) orderClaimForConsumer(this.volume, this.app.deployment, waitsForFirstConsumer(props.storageClassName, props.waitForFirstConsumer));
  }
}
