import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { orderClaimForConsumer, waitsForFirstConsumer } from '../../core/first-consumer';
import { Component } from '../../core/component';
import type { OidcConfig } from '../../core/config/auth';
import type { ClusterConfig } from '../../core/config/cluster';
import type { ChatbotConfig } from './config';
import { EdgeAuthentication } from '../../serving/edge-authentication';
import type { StorageClasses } from '../../core/config/cluster';
import { Namespaces } from '../../core/namespaces';
import { PlatformNamespace } from '../../core/platform-namespace';
import { AppDeployment } from '../app-deployment';
import { gpuRequestProblem } from '../../core/pod-security';
import { StatefulStore } from '../stateful-store';

export interface ChatbotProps {
  /** This component's slice of the environment configuration. */
  readonly config: ChatbotConfig;
  /** Where the chatbot's namespace is declared. */
  readonly namespaces: Namespaces;
  /** `default` for Redis, Chroma and (with one back-end replica) the model volume; `shared` for the model volume of several replicas. */
  readonly storageClasses: StorageClasses;
  /** The ingress controller's class. */
  readonly ingressClassName: string;
  /** The ingress controller's namespace (`cluster.ingress.namespace`), the only peer allowed to reach the front and back end. */
  readonly ingressNamespace: string;
  /** The cluster's GPUs. @default - none: the back end must run on CPU (`backend.gpu` 0) */
  readonly gpu?: ClusterConfig['gpu'];
  /**
   * Authentication of `/api`: the back end joins the Istio mesh (its sidecar enforces the policies)
   * and accepts only requests with a JWT of the site's OIDC issuer. `istioNamespace` is istiod's,
   * which the sidecar fetches its configuration and certificate from.
   */
  readonly auth: { readonly oidc: OidcConfig; readonly istioNamespace: string };
}

/** istiod's xDS and CA port, which sidecars connect to (Istio 1.24 istiod Service `grpc-xds`). */
const ISTIOD_XDS_PORT = 15012;

/** Redis' port, and the uid/gid of the `redis` user of the official image. */
const REDIS_PORT = 6379;
const REDIS_UID = 999;
/**
 * Starts Redis with its password from REDIS_PASSWORD as configuration on stdin (`-` must be the first
 * or last argument), AOF on, data in /data; `exec` makes redis-server the pod's first process, so it
 * gets SIGTERM and shuts down cleanly. `$$` keeps the kubelet from reading `$(` as a reference.
 */
const REDIS_START = [
  'set -e',
  `pw=$$(printf '%s' "$REDIS_PASSWORD" | sed 's/[\\\\"]/\\\\&/g')`,
  'exec redis-server --appendonly yes --dir /data - <<EOF',
  'requirepass "$pw"',
  'EOF',
].join('\n');
/** Chroma's HTTP port. The image runs as root by default; any uid works with the data on its volume. */
const CHROMA_PORT = 8000;
/** The `nginx` user of nginxinc/nginx-unprivileged, which the Vue front-end image builds on. */
const NGINX_UID = 101;

/**
 * The chatbot of seed 002 as one component in its own namespace: the FastAPI back end (GPU, model
 * volume mounted read-only, runtime class where the cluster needs one), Redis (chat history, password
 * by Secret reference) and Chroma (vectors) as StatefulSets with volumes, the Vue front end, and an
 * Ingress for ingress-nginx with TLS routing `/api` to the back end and `/` to the front end.
 *
 * Traffic allowed beyond default-deny: ingress controller → front end and back end; back end →
 * Redis and Chroma; and, with `frontend.nodePort`, anyone → the front end's port.
 *
 * The model volume is filled beforehand (the seed pre-downloads models onto it): a claim of its own,
 * ReadWriteMany on the shared class when there is one, never pruned.
 */
export class Chatbot extends Construct {
  readonly component: Component;
  readonly namespace: PlatformNamespace;
  readonly backend: AppDeployment;
  readonly frontend: AppDeployment;
  readonly redis: StatefulStore;
  readonly chroma: StatefulStore;
  readonly ingress: k8s.KubeIngress;

  constructor(scope: Construct, id: string, props: ChatbotProps) {
    super(scope, id);
    const { config } = props;
    const ns = config.namespace;
    const gpuProblem = gpuRequestProblem(config.backend.gpu, props.gpu);
    if (gpuProblem) throw new Error(`[${this.node.path}] prop 'config.backend.gpu' ${gpuProblem}`);
    if (config.backend.replicas > 1 && !props.storageClasses.shared) {
      throw new Error(`[${this.node.path}] prop 'config.backend.replicas' is ${config.backend.replicas}, but the model volume can be shared only with a shared (ReadWriteMany) storage class`);
    }

    this.namespace = props.namespaces.add({ name: ns });
    this.component = new Component(this, 'Component', { name: 'chatbot', namespace: ns }).dependsOn(props.namespaces);
    const c = this.component;

    const modelsClass = props.storageClasses.shared ?? props.storageClasses.default;
    const models = new k8s.KubePersistentVolumeClaim(c, 'Models', {
      metadata: { name: 'chatbot-models', namespace: ns },
      spec: {
        accessModes: [props.storageClasses.shared ? 'ReadWriteMany' : 'ReadWriteOnce'],
        storageClassName: modelsClass,
        resources: { requests: { storage: k8s.Quantity.fromString(config.backend.modelStorageSize) } },
      },
    });

    const password = config.redis.passwordSecret;
    this.redis = new StatefulStore(c, 'Redis', {
      name: 'redis',
      namespace: ns,
      image: config.redis.image,
      port: REDIS_PORT,
      component: 'chat-history',
      partOf: 'chatbot',
      dataPath: '/data',
      storageClassName: props.storageClasses.default,
      storageSize: config.redis.storageSize,
      resources: config.redis.resources,
      uid: REDIS_UID,
      env: [
        { name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: password.name, key: password.key } } },
        // redis-cli reads its password from REDISCLI_AUTH (src/redis-cli.c), not only from `-a`.
        { name: 'REDISCLI_AUTH', valueFrom: { secretKeyRef: { name: password.name, key: password.key } } },
      ],
      // The password reaches redis-server as configuration on stdin (`redis-server -`, src/server.c),
      // never on a command line (where ps shows it; lib/checks/security-rbac.ts): the shell's printf
      // and here-document run no process with it in argv. In the config line it is a double-quoted
      // string, with `\` and `"` escaped (sdssplitargs).
      command: ['sh', '-c', REDIS_START],
      readiness: { exec: ['sh', '-c', 'redis-cli ping | grep -q PONG'] },
    });

    this.chroma = new StatefulStore(c, 'Chroma', {
      name: 'chroma',
      namespace: ns,
      image: config.chroma.image,
      port: CHROMA_PORT,
      component: 'vector-store',
      partOf: 'chatbot',
      dataPath: '/data',
      storageClassName: props.storageClasses.default,
      storageSize: config.chroma.storageSize,
      resources: config.chroma.resources,
      uid: 1000,
      env: [{ name: 'ANONYMIZED_TELEMETRY', value: 'FALSE' }],
      readiness: { httpPath: '/api/v2/heartbeat' },
    });

    const gpu = config.backend.gpu > 0 && props.gpu ? { count: config.backend.gpu, resourceName: props.gpu.resourceName, runtimeClassName: props.gpu.runtimeClassName } : undefined;
    this.backend = new AppDeployment(c, 'Backend', {
      name: 'backend',
      namespace: ns,
      image: config.backend.image,
      port: config.backend.port,
      component: 'api',
      partOf: 'chatbot',
      replicas: config.backend.replicas,
      resources: config.backend.resources,
      gpu,
      env: [
        { name: 'MODEL_DIR', value: config.backend.modelMountPath },
        { name: 'REDIS_HOST', value: this.redis.name },
        { name: 'REDIS_PORT', value: String(REDIS_PORT) },
        { name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: password.name, key: password.key } } },
        { name: 'CHROMA_HOST', value: this.chroma.name },
        { name: 'CHROMA_PORT', value: String(CHROMA_PORT) },
        { name: 'HOME', value: '/tmp' },
        // Models are on the volume: never reach for the Hugging Face Hub (airgapped sites cannot).
        { name: 'HF_HUB_OFFLINE', value: '1' },
        { name: 'HF_HOME', value: '/tmp/hf' },
      ],
      claims: [{ name: 'models', claimName: models.name, mountPath: config.backend.modelMountPath, readOnly: true }],
      // Istio's injector adds the proxy to pods with this label (istiod 1.24 webhook `objectSelector`).
      podLabels: { 'sidecar.istio.io/inject': 'true' },
      healthPath: config.backend.healthPath,
      // Loading a language model onto the GPU takes a while.
      livenessDelaySeconds: 120,
    });
    this.backend.deployment.addDependency(this.redis.statefulSet, this.chroma.statefulSet);
    // Same wave as the back end on a WaitForFirstConsumer class (k3s' local-path), else before it.
    orderClaimForConsumer(models, this.backend.deployment, waitsForFirstConsumer(modelsClass, props.storageClasses.waitForFirstConsumer));
    if (config.backend.replicas > 1) {
      // Several GPU back ends: a node drain takes at most one of them away at a time.
      new k8s.KubePodDisruptionBudget(c, 'BackendBudget', {
        metadata: { name: 'backend', namespace: ns },
        spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: { ...this.backend.selector } } },
      });
    }

    this.frontend = new AppDeployment(c, 'Frontend', {
      name: 'frontend',
      namespace: ns,
      image: config.frontend.image,
      port: config.frontend.port,
      component: 'web',
      partOf: 'chatbot',
      replicas: config.frontend.replicas,
      resources: config.frontend.resources,
      uid: NGINX_UID,
      healthPath: '/',
      service: config.frontend.nodePort !== undefined ? { type: 'NodePort', nodePort: config.frontend.nodePort } : undefined,
    });

    // The front end is static files (the Vue build behind nginx): nothing there to authenticate; the
    // API it calls is (above).
    this.frontend.service.metadata.addAnnotation('kompile.dev/security-exception.edge-authentication', "static files of the Vue front end, served to anyone who can reach the host; every /api request the page makes needs the user's JWT, enforced at the back end's sidecar");
    this.ingress = new k8s.KubeIngress(c, 'Ingress', {
      metadata: { name: 'chatbot', namespace: ns },
      spec: {
        ingressClassName: props.ingressClassName,
        tls: [{ hosts: [config.host], secretName: config.tlsSecretName }],
        rules: [
          {
            host: config.host,
            http: {
              paths: [
                { path: '/api', pathType: 'Prefix', backend: { service: { name: this.backend.name, port: { number: this.backend.servicePort } } } },
                { path: '/', pathType: 'Prefix', backend: { service: { name: this.frontend.name, port: { number: this.frontend.servicePort } } } },
              ],
            },
          },
        ],
      },
    });
    this.ingress.addDependency(this.backend.service, this.frontend.service);

    // /api: the GPU back end answers only requests with a JWT of the site's issuer, enforced by its
    // sidecar (the mesh), whichever way the request comes (the Ingress, or a pod of the cluster).
    // The front end serves static files, and the browser sends the user's token with each /api call.
    new EdgeAuthentication(c, 'ApiAuthentication', { name: 'backend', namespace: ns, selector: this.backend.selector, oidc: props.auth.oidc });
    this.namespace.allowEgress({ name: 'backend-to-istiod', podSelector: this.backend.selector, peers: [{ namespaces: [props.auth.istioNamespace] }], ports: [{ port: ISTIOD_XDS_PORT }] });

    // Network policies.
    const controller = [{ namespaces: [props.ingressNamespace] }];
    this.namespace.allowIngress({ name: 'ingress-to-frontend', podSelector: this.frontend.selector, peers: controller, ports: [{ port: config.frontend.port }] });
    this.namespace.allowIngress({ name: 'ingress-to-backend', podSelector: this.backend.selector, peers: controller, ports: [{ port: config.backend.port }] });
    if (config.frontend.nodePort !== undefined) {
      // NodePort traffic arrives from outside the cluster (source NATed to a node address).
      this.namespace.allowIngress({ name: 'nodeport-to-frontend', podSelector: this.frontend.selector, peers: [{ cidrs: ['0.0.0.0/0'] }], ports: [{ port: config.frontend.port }], fromNodes: true });
    }
    for (const store of [this.redis, this.chroma]) {
      this.namespace.allowIngress({ name: `backend-to-${store.name}`, podSelector: store.selector, peers: [{ pods: this.backend.selector }], ports: [{ port: store.port }] });
      this.namespace.allowEgress({ name: `${store.name}-from-backend`, podSelector: this.backend.selector, peers: [{ pods: store.selector }], ports: [{ port: store.port }] });
    }
  }
}
