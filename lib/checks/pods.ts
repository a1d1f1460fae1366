/**
 * The pods an environment will run, as the cluster will create them: the pod templates of built-in
 * workloads, and the pods that controllers make from custom resources (KServe's predictor pods,
 * the Knative Serving deployments the Knative Operator installs), each with the containers that
 * admission webhooks and controllers add (KServe's storage initializer, Knative's queue-proxy,
 * Istio's sidecar and init container). Pod Security is judged on these, not only on what Kompile
 * writes.
 *
 * What controllers add is modelled from their source at the versions Kompile pins; each constant
 * names where it was read. Pods inside upstream charts Kompile does not render are not seen here.
 */
import { injectedContainers, injectorName, isInjected, meshOf, MeshModel } from './mesh';
import { groupKind, list, ManifestLike, rec, Rec } from './objects';

/** One pod (or pod template) that will run. */
export interface RunningPod {
  /** Index of the object that makes it, in the list given to {@link runningPods}. */
  readonly index: number;
  /** JSON pointer of the pod (template) inside that object; findings about it point here. */
  readonly pointer: string;
  readonly namespace: string;
  /** What the pod is, for messages: `pod template`, `predictor pod (made by KServe)` … */
  readonly description: string;
  /** The pod spec as it will be admitted. */
  readonly spec: Rec;
  readonly labels: Rec;
  readonly annotations: Rec;
  /**
   * Containers that are not written in the object, by `list/index` (e.g. `initContainers/1`), with who
   * adds them. A pod made by a controller has every container here.
   */
  readonly added: ReadonlyMap<string, string>;
  /** True when the object spells no pod spec of its own (a controller builds it). */
  readonly derived: boolean;
}

/**
 * Where the pod template of each built-in workload kind lives, as property paths: the one table of
 * them (the schema validator adds PodTemplate, which runs nothing).
 */
export const WORKLOAD_TEMPLATE_PATHS: Readonly<Record<string, readonly string[]>> = {
  'apps/Deployment': ['spec', 'template'],
  'apps/StatefulSet': ['spec', 'template'],
  'apps/DaemonSet': ['spec', 'template'],
  'apps/ReplicaSet': ['spec', 'template'],
  'batch/Job': ['spec', 'template'],
  'batch/CronJob': ['spec', 'jobTemplate', 'spec', 'template'],
  '/ReplicationController': ['spec', 'template'],
};

/** Where the pod (template) of each kind that runs pods lives: a Pod is its own, at the object's root. */
export const POD_TEMPLATE_PATHS: Readonly<Record<string, readonly string[]>> = { '/Pod': [], ...WORKLOAD_TEMPLATE_PATHS };

const CONTAINER_LISTS = ['initContainers', 'containers'] as const;

/** Every pod the objects of one environment will run, injected containers included. */
export function runningPods(objects: readonly ManifestLike[]): RunningPod[] {
  const mesh = meshOf(objects);
  const pods: RunningPod[] = [];
  objects.forEach((o, index) => {
    const path = POD_TEMPLATE_PATHS[groupKind(o)];
    if (path) {
      let template: unknown = o;
      for (const key of path) template = rec(template)[key];
      const t = rec(template);
      const namespace = typeof o.metadata.namespace === 'string' ? o.metadata.namespace : '';
      pods.push(withMesh(mesh, { index, pointer: path.map((k) => `/${k}`).join(''), namespace, description: 'pod template', spec: rec(t.spec), labels: rec(rec(t.metadata).labels), annotations: rec(rec(t.metadata).annotations), added: new Map(), derived: false }));
      return;
    }
    if (groupKind(o) === 'serving.kserve.io/InferenceService') pods.push(withMesh(mesh, predictorPod(o, index, objects)));
    if (groupKind(o) === 'operator.knative.dev/KnativeServing') for (const p of knativeServingPods(o, index)) pods.push(withMesh(mesh, p));
  });
  return pods;
}

/** The pod with the mesh's containers, when the mesh injects it. */
function withMesh(mesh: MeshModel | undefined, pod: RunningPod): RunningPod {
  if (!mesh || !isInjected(mesh, pod.namespace, pod.labels, pod.spec.hostNetwork === true)) return pod;
  const injected = injectedContainers(mesh);
  const spec: Rec = { ...pod.spec };
  const added = new Map(pod.added);
  for (const listName of CONTAINER_LISTS) {
    const existing = list(spec[listName]);
    injected[listName].forEach((_, i) => added.set(`${listName}/${existing.length + i}`, injectorName(mesh)));
    spec[listName] = [...existing, ...injected[listName]];
  }
  return { ...pod, spec, added };
}

// --- KServe ---------------------------------------------------------------------------------------

/**
 * The storage initializer's security context: the `default` ClusterStorageContainer of chart
 * `kserve` v0.15.2 (`kserve.storage.containerSecurityContext`, values.yaml), which the pod webhook
 * merges into the init container (`pkg/webhook/admission/pod/storage_initializer_injector.go`).
 */
const STORAGE_INITIALIZER_SECURITY_CONTEXT = { allowPrivilegeEscalation: false, privileged: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] } };
/** URIs the `default` ClusterStorageContainer matches (chart kserve v0.15.2); others get no security context. */
const STORAGE_CONTAINER_URI = /^(gs|s3|hdfs|webhdfs|hf):\/\/|^https?:\/\//;
/**
 * Knative's queue-proxy security context (knative/serving knative-v1.16.3,
 * `pkg/reconciler/revision/resources/queue.go`, `queueSecurityContext`).
 */
const QUEUE_PROXY_SECURITY_CONTEXT = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } };
/** The annotation choosing an InferenceService's deployment mode. */
const DEPLOYMENT_MODE_ANNOTATION = 'serving.kserve.io/deploymentMode';
/** Pod spec fields of a predictor (KServe inlines a PodSpec there) that are not containers. */
const PREDICTOR_NON_POD_FIELDS = new Set(['model', 'containers', 'initContainers', 'minReplicas', 'maxReplicas', 'canaryTrafficPercent', 'labels', 'annotations', 'scaleMetric', 'scaleMetricType', 'scaleTarget', 'containerConcurrency', 'timeout', 'logger', 'batcher', 'deploymentStrategy', 'autoScaling', 'workerSpec', 'storageUris']);

/**
 * KServe's default deployment mode in the environment: from the chart's rendered
 * `inferenceservice-config` ConfigMap (`deploy` → `defaultDeploymentMode`, chart v0.15.2
 * templates/configmap.yaml) where the chart was rendered (hydrated), else from the kserve
 * Application's values, else KServe's default, Serverless.
 */
function kserveDeploymentMode(objects: readonly ManifestLike[]): string {
  const config = objects.find((o) => o.apiVersion === 'v1' && o.kind === 'ConfigMap' && o.metadata.name === 'inferenceservice-config');
  const deploy = rec(config?.data).deploy;
  if (typeof deploy === 'string') {
    try {
      const mode = rec(JSON.parse(deploy)).defaultDeploymentMode;
      if (typeof mode === 'string') return mode;
    } catch {
      // Not JSON: fall back to the Application.
    }
  }
  const app = objects.find((o) => o.kind === 'Application' && rec(rec(o.spec).source).chart === 'kserve');
  const mode = rec(rec(rec(rec(rec(rec(app?.spec).source).helm).valuesObject).kserve).controller).deploymentMode;
  return typeof mode === 'string' ? mode : 'Serverless';
}

/**
 * The predictor pod KServe makes from an InferenceService (v0.15.2,
 * `pkg/controller/v1beta1/inferenceservice/components/predictor.go`): the model container, the
 * storage initializer the pod webhook adds, Knative's queue-proxy in Serverless mode. Knative masks
 * a revision's pod-level security context unless `kubernetes.podspec-securitycontext` is enabled
 * (knative/serving `pkg/apis/serving/fieldmask.go`, disabled by default), so in Serverless mode the
 * pod has none.
 */
function predictorPod(o: ManifestLike, index: number, objects: readonly ManifestLike[]): RunningPod {
  const predictor = rec(rec(o.spec).predictor);
  const mode = rec(o.metadata.annotations)[DEPLOYMENT_MODE_ANNOTATION] ?? kserveDeploymentMode(objects);
  const serverless = mode === 'Serverless';
  const added = new Map<string, string>();
  const model = rec(predictor.model);
  const containers: Rec[] = [];
  if (predictor.model !== undefined) containers.push({ name: 'kserve-container', securityContext: model.securityContext });
  for (const c of list(predictor.containers)) containers.push(c);
  const storageUri = typeof model.storageUri === 'string' ? model.storageUri : list(predictor.containers).flatMap((c) => list(c.env)).find((e) => e.name === 'STORAGE_URI')?.value;
  containers.forEach((_, i) => added.set(`containers/${i}`, 'KServe (from the predictor)'));
  if (serverless) {
    added.set(`containers/${containers.length}`, "Knative Serving (the revision's queue-proxy)");
    containers.push({ name: 'queue-proxy', securityContext: QUEUE_PROXY_SECURITY_CONTEXT });
  }
  const initContainers = list(predictor.initContainers);
  initContainers.forEach((_, i) => added.set(`initContainers/${i}`, 'KServe (from the predictor)'));
  if (typeof storageUri === 'string') {
    added.set(`initContainers/${initContainers.length}`, "KServe's pod webhook (storage initializer)");
    initContainers.push({ name: 'storage-initializer', securityContext: STORAGE_CONTAINER_URI.test(storageUri) ? STORAGE_INITIALIZER_SECURITY_CONTEXT : undefined });
  }
  const spec: Rec = {};
  for (const [k, v] of Object.entries(predictor)) if (!PREDICTOR_NON_POD_FIELDS.has(k)) spec[k] = v;
  if (serverless) delete spec.securityContext;
  spec.containers = containers;
  if (initContainers.length > 0) spec.initContainers = initContainers;
  const labels = { ...rec(o.metadata.labels), ...rec(predictor.labels), 'serving.kserve.io/inferenceservice': o.metadata.name, component: 'predictor' };
  const annotations = { ...rec(o.metadata.annotations), ...rec(predictor.annotations) };
  return { index, pointer: '/spec/predictor', namespace: o.metadata.namespace ?? '', description: 'predictor pod (made by KServe)', spec, labels, annotations, added, derived: true };
}

// --- Knative Serving ------------------------------------------------------------------------------

/**
 * Knative Serving's own container security context: every deployment of Serving 1.16 and
 * net-istio as the Knative Operator 1.16.6 installs them (`cmd/operator/kodata/knative-serving/1.16.3`,
 * `kodata/ingress/1.16/istio`; knative/serving knative-v1.16.3 `config/core/deployments/*.yaml`).
 * net-istio's webhook omits `readOnlyRootFilesystem`, which Pod Security does not look at.
 */
const KNATIVE_SECURITY_CONTEXT = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } };
/** Knative Serving's deployments, with the pod labels their manifests hard-code. */
const KNATIVE_DEPLOYMENTS: readonly { readonly name: string; readonly labels: Rec }[] = [
  { name: 'activator', labels: {} },
  { name: 'autoscaler', labels: {} },
  { name: 'autoscaler-hpa', labels: {} },
  { name: 'controller', labels: {} },
  { name: 'webhook', labels: {} },
  // net-istio's controller probes the gateways from outside the mesh.
  { name: 'net-istio-controller', labels: { 'sidecar.istio.io/inject': 'false' } },
  { name: 'net-istio-webhook', labels: {} },
];

/**
 * The deployments the Knative Operator makes from a KnativeServing, with the labels of
 * `spec.workloads[]` overrides (the operator's `WorkloadOverride` labels reach the pod template).
 */
function knativeServingPods(o: ManifestLike, index: number): RunningPod[] {
  const overrides = list(rec(o.spec).workloads);
  const namespace = o.metadata.namespace ?? '';
  return KNATIVE_DEPLOYMENTS.map((d) => {
    const i = overrides.findIndex((w) => w.name === d.name);
    const override = i < 0 ? {} : overrides[i];
    return {
      index,
      pointer: i < 0 ? '/spec' : `/spec/workloads/${i}`,
      namespace,
      description: `${d.name} pod (made by the Knative Operator)`,
      spec: { containers: [{ name: d.name, securityContext: KNATIVE_SECURITY_CONTEXT }] },
      labels: { app: d.name, ...d.labels, ...rec(override.labels) },
      annotations: rec(override.annotations),
      added: new Map([['containers/0', 'the Knative Operator']]),
      derived: true,
    };
  });
}
