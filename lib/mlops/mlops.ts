import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Component } from '../core/component';
import type { ClusterConfig, MlopsConfig, QuotaConfig } from '../core/config';
import type { StorageClasses } from '../core/config/cluster';
import { Namespaces } from '../core/namespaces';
import { NamespaceQuota, PlatformNamespace } from '../core/platform-namespace';
import { MLFLOW_PORT, MlflowServer } from './mlflow-server';
import { ModelServing } from './model-serving';
import { ModelRoute } from '../serving/model-route';
import { ModelStorage } from './model-storage';
import { TRAINING_POD_LABELS, TrainingJob } from './training-job';

export interface MlopsProps {
  /** This component's slice of the environment configuration. */
  readonly config: MlopsConfig;
  /** Where the training and serving namespaces are declared. */
  readonly namespaces: Namespaces;
  /** Storage classes of the cluster: `shared` for the NFS model volume, `default` otherwise. */
  readonly storageClasses: StorageClasses;
  /** The cluster's GPUs, for training jobs that ask for them. @default - none */
  readonly gpu?: ClusterConfig['gpu'];
  /**
   * The serving gateway the model API is routed through (`serving.route`): its `<namespace>/<name>`,
   * the namespace of its pods, and the API's host there. Its policies require a JWT for the host.
   * @default - none: the API is not routed (an environment without the serving stack)
   */
  readonly gateway?: { readonly ref: string; readonly namespace: string; readonly host: string };
}

/** Container defaults of the training namespace (LimitRange): for containers that set nothing. */
const TRAINING_DEFAULTS = { request: { cpu: '500m', memory: '1Gi' }, limit: { cpu: '2', memory: '4Gi' } };
const SERVING_DEFAULTS = { request: { cpu: '100m', memory: '128Mi' }, limit: { cpu: '500m', memory: '512Mi' } };

/**
 * The MLOps training/serving split of seed 004, as four components:
 * - `mlops-storage`: the model volume, one static PersistentVolume and claim per namespace;
 * - `mlops-training`: the MLflow tracking server (namespace `mlops-training`);
 * - `mlops-experiments`: one training Job per listed experiment, after MLflow is up;
 * - `mlops-serving`: the model API with its PDB and HPA (namespace `mlops-serving`), after training.
 *
 * Namespaces carry quotas, container defaults and Pod Security "restricted". Traffic allowed beyond
 * default-deny: training pods → MLflow (5000), MLflow → its external stores when configured,
 * clients → the model API, and serving → the external object store when artifacts live there.
 * Serving reads models from the volume, which the kubelet mounts: no pod traffic, nothing to allow.
 */
export class Mlops extends Construct {
  readonly storage: Component;
  readonly training: Component;
  readonly experiments?: Component;
  readonly serving?: Component;
  readonly mlflow: MlflowServer;
  readonly trainingNamespace: PlatformNamespace;
  /** Absent without `serving`. */
  readonly servingNamespace?: PlatformNamespace;

  constructor(scope: Construct, id: string, props: MlopsProps) {
    super(scope, id);
    const { config } = props;
    const gpuResource = props.gpu;

    // Namespaces: separate quotas and defaults for bursty training and steady serving.
    this.trainingNamespace = props.namespaces.add({
      name: config.trainingNamespace,
      quota: toQuota(config.quotas.training, gpuResource?.resourceName),
      containerDefaults: TRAINING_DEFAULTS,
    });
    const servingNamespace = config.serving
      ? props.namespaces.add({
          name: config.servingNamespace,
          quota: toQuota(config.quotas.serving, gpuResource?.resourceName),
          containerDefaults: SERVING_DEFAULTS,
        })
      : undefined;
    this.servingNamespace = servingNamespace;

    // Shared model volume.
    const storageClassName = config.storage.backend === 'nfs' ? props.storageClasses.shared : props.storageClasses.default;
    if (!storageClassName) {
      throw new Error(`[${this.node.path}] storage backend 'nfs' needs the cluster's shared storage class (cluster.storageClasses.shared)`);
    }
    if (config.storage.backend === 'nfs' && !config.storage.nfs) throw new Error(`[${this.node.path}] storage backend 'nfs' needs storage.nfs`);
    this.storage = new Component(this, 'Storage', { name: 'mlops-storage' }).dependsOn(props.namespaces);
    const models = new ModelStorage(this.storage, 'Models', {
      backend:
        config.storage.backend === 'nfs' && config.storage.nfs
          ? { kind: 'nfs', server: config.storage.nfs.server, share: config.storage.nfs.share, subDir: config.storage.nfs.subDir }
          : { kind: 'hostPath', path: config.storage.hostPath },
      size: config.storage.size,
      storageClassName,
      claims: [
        { namespace: config.trainingNamespace, readOnly: false },
        ...(config.serving ? [{ namespace: config.servingNamespace, readOnly: true }] : []),
      ],
    });

    // Tracking server.
    this.training = new Component(this, 'Training', { name: 'mlops-training', namespace: config.trainingNamespace }).dependsOn(props.namespaces);
    this.mlflow = new MlflowServer(this.training, 'Mlflow', {
      namespace: config.trainingNamespace,
      image: config.mlflow.image,
      storageClassName: props.storageClasses.default,
      waitForFirstConsumer: props.storageClasses.waitForFirstConsumer,
      storageSize: config.mlflow.storageSize,
      backendStoreUriSecret: config.mlflow.backendStoreUriSecret,
      s3: config.mlflow.s3,
      resources: config.mlflow.resources,
      serviceName: config.mlflow.serviceName,
    });
    const mlflowPods = this.mlflow.app.selector;
    this.trainingNamespace.allowIngress({ name: 'training-to-mlflow', podSelector: mlflowPods, peers: [{ pods: TRAINING_POD_LABELS }], ports: [{ port: MLFLOW_PORT }] });
    this.trainingNamespace.allowEgress({ name: 'mlflow-from-training', podSelector: TRAINING_POD_LABELS, peers: [{ pods: mlflowPods }], ports: [{ port: MLFLOW_PORT }] });
    if (config.mlflow.egress) {
      this.trainingNamespace.allowEgress({
        name: 'mlflow-stores',
        podSelector: mlflowPods,
        peers: [{ cidrs: config.mlflow.egress.cidrs }],
        ports: config.mlflow.egress.ports.map((port) => ({ port })),
      });
    }

    // Experiments: Argo CD Sync hooks (see TrainingJob), plus a tracked list of their names whose
    // change is what makes the component OutOfSync and so runs the hooks.
    if (config.experiments.length > 0) {
      this.experiments = new Component(this, 'Experiments', { name: 'mlops-experiments', namespace: config.trainingNamespace }).dependsOn(this.training, this.storage);
      const names: string[] = [];
      for (const e of config.experiments) {
        const job = new TrainingJob(this.experiments, e.name, {
          ...e,
          namespace: config.trainingNamespace,
          trackingUri: this.mlflow.trackingUri,
          modelClaim: models.claimName,
          modelMountPath: config.storage.mountPath,
          gpuResource,
          ttlSecondsAfterFinished: config.jobs.ttlSecondsAfterFinished,
          backoffLimit: config.jobs.backoffLimit,
        });
        names.push(job.jobName);
      }
      new k8s.KubeConfigMap(this.experiments, 'List', {
        metadata: { name: 'experiments', namespace: config.trainingNamespace, labels: { 'app.kubernetes.io/part-of': 'mlops' } },
        data: { 'jobs.txt': `${[...names].sort().join('\n')}\n` },
      });
    }

    // Model API.
    if (config.serving && servingNamespace) {
      const s = config.serving;
      this.serving = new Component(this, 'Serving', { name: 'mlops-serving', namespace: config.servingNamespace }).dependsOn(props.namespaces, this.storage, this.training);
      const api = new ModelServing(this.serving, 'Api', {
        namespace: config.servingNamespace,
        image: s.image,
        modelClaim: models.claimName,
        name: s.name,
        serviceName: s.serviceName,
        modelMountPath: config.storage.mountPath,
        containerPort: s.containerPort,
        servicePort: s.servicePort,
        healthPath: s.healthPath,
        minReplicas: s.minReplicas,
        maxReplicas: s.maxReplicas,
        targetCpuUtilization: s.targetCpuUtilization,
        resources: s.resources,
        serviceType: s.serviceType,
        nodePort: s.nodePort,
      });
      servingNamespace.allowIngress({ name: 'clients', podSelector: api.app.selector, peers: [{ cidrs: s.clientCidrs }], ports: [{ port: s.containerPort }], fromNodes: true });
      if (s.route && props.gateway) {
        // The API through the serving gateway: TLS there, and a JWT of the site's issuer (EdgeAuthentication).
        new ModelRoute(this.serving, 'Route', {
          name: s.name,
          namespace: config.servingNamespace,
          host: props.gateway.host,
          gateways: [props.gateway.ref],
          destinationHost: `${api.app.service.name}.${config.servingNamespace}.svc.cluster.local`,
          destinationPort: api.app.servicePort,
        });
        servingNamespace.allowIngress({ name: 'gateway', podSelector: api.app.selector, peers: [{ namespaces: [props.gateway.namespace] }], ports: [{ port: s.containerPort }] });
      }
      if (config.mlflow.s3 && config.mlflow.egress) {
        // serving → storage: where models are artifacts in the object store, the API may fetch them there.
        servingNamespace.allowEgress({
          name: 'model-store',
          podSelector: api.app.selector,
          peers: [{ cidrs: config.mlflow.egress.cidrs }],
          ports: config.mlflow.egress.ports.map((port) => ({ port })),
        });
      }
    }
  }
}

function toQuota(q: QuotaConfig, gpuResource: string | undefined): NamespaceQuota {
  return {
    requestsCpu: q.requests.cpu,
    requestsMemory: q.requests.memory,
    limitsCpu: q.limits.cpu,
    limitsMemory: q.limits.memory,
    extended: gpuResource && q.gpu > 0 ? { [gpuResource]: String(q.gpu) } : undefined,
    pods: q.pods,
  };
}
