import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { CertManager } from './cert-manager';
import { EdgeAuthentication } from './edge-authentication';
import { GatewayTls } from './gateway-tls';
import { InferenceService } from './inference-service';
import { INGRESS_GATEWAY_LABELS, INGRESS_GATEWAY_NAME, Istio, ISTIO_CNI_POD_SECURITY_REASON } from './istio';
import { KnativeOperator, KNATIVE_OPERATOR_POD_SECURITY_REASON } from './knative-operator';
import { KnativeServing } from './knative-serving';
import { KServe } from './kserve';
import { MeshPolicy } from './mesh-policy';
import { ModelGateway } from './model-gateway';
import { ModelRoute } from './model-route';
import { ServingRuntime } from './serving-runtime';
import { ChartLock, stripV } from '../core/chart-lock';
import { Component } from '../core/component';
import type { ClusterConfig, OidcConfig, ServingConfig } from '../core/config';
import { Namespaces } from '../core/namespaces';
import { mirrorPort, outside, PlatformNamespace } from '../core/platform-namespace';
import { UpstreamChart } from '../core/upstream-chart';
import { IMAGE_PINS } from '../core/image-pins';

/** Namespaces of the stack's controllers (each chart's documented default). */
export const SERVING_NAMESPACES = {
  certManager: 'cert-manager',
  istio: 'istio-system',
  knativeOperator: 'knative-operator',
  knativeServing: 'knative-serving',
  kserve: 'kserve',
} as const;

/** Name of the GPU TorchServe runtime created for PyTorch models that ask for GPUs. */
export const TORCHSERVE_GPU_RUNTIME = 'kserve-torchserve-gpu';
/** The GPU build of the TorchServe image chart v0.15.2 runs (images.pins.json). */
const TORCHSERVE_GPU_IMAGE = IMAGE_PINS.reference('torchserve-gpu');
/** Gateway and TLS secret names of the model gateway. */
const MODEL_GATEWAY = 'kserve-models-gateway';
const MODEL_TLS_SECRET = 'kserve-models-tls';

/** Reasons the stack's less-than-restricted namespaces give. */
const ISTIO_INIT_REASON =
  "Istio's sidecar injection adds the istio-init container, which needs NET_ADMIN and NET_RAW to redirect the pod's traffic through the proxy (the Istio CNI node agent is off: components.serving.istioCni)";
/**
 * With the CNI node agent, injected pods carry `istio-validation` and `istio-proxy`, which set no
 * seccomp profile (Istio 1.24.6 injection template); "restricted" then needs a pod-level profile,
 * which Knative refuses on revisions (`kubernetes.podspec-securitycontext` is off by default,
 * knative/serving `pkg/apis/serving/fieldmask.go`) and the Knative Operator cannot set on its
 * deployments (its `WorkloadOverride` has no security context).
 */
const MESH_SECCOMP_REASON =
  "its pods are meshed: Istio's injected istio-validation and istio-proxy containers set no seccomp profile, and Knative-managed pods cannot be given a pod-level one, so 'restricted' would refuse them";
/** Namespace of the Istio CNI node agent. */
const ISTIO_CNI_NAMESPACE = 'istio-cni';

export interface ServingStackProps {
  /** This component's slice of the environment configuration. */
  readonly config: ServingConfig;
  /** The chart lock: cert-manager's, Istio's, the Knative Operator's and KServe's versions. */
  readonly charts: ChartLock;
  readonly namespaces: Namespaces;
  /** The API server's addresses, for the controllers' egress and the webhooks' ingress. */
  readonly apiServer: ClusterConfig['apiServer'];
  /** Replicas of the controllers. */
  readonly replicas: number;
  /** The cluster's GPUs, if any. */
  readonly gpu?: ClusterConfig['gpu'];
  /** Storage class of model PVCs (`pvc://`); a ReadWriteMany class where one exists. */
  readonly storageClass: string;
  /** True when `storageClass` supports ReadWriteMany. */
  readonly storageShared: boolean;
  /** The environment's image mirror, whose tags Knative need not resolve. @default - none */
  readonly mirror?: string;
  /**
   * What outside the cluster the controllers and predictors reach (`cluster.network.egress`):
   * `registries` for Knative's tag resolution, `modelStorage` for storage initializers.
   * @default - anywhere outside the cluster
   */
  readonly egress?: Pick<ClusterConfig['network']['egress'], 'registries' | 'modelStorage'>;
  /** The cluster's distribution, for where the Istio CNI node agent finds the node's CNI directories. */
  readonly distribution: ClusterConfig['distribution'];
  /** The site's OIDC issuer: every host routed through the model gateway requires its JWT. @default - none (no host may be routed) */
  readonly oidc?: OidcConfig;
  /**
   * Other components' APIs routed through the model gateway (their VirtualServices are theirs): the
   * host (which must be under `domain`, the gateway's certificate), and the namespace and port the
   * gateway then reaches. @default []
   */
  readonly routes?: readonly { readonly host: string; readonly namespace: string; readonly port: number }[];
  /** Namespaces of other components with meshed pods, whose sidecars reach istiod. @default [] */
  readonly meshClients?: readonly string[];
}

/**
 * The model-serving stack (seed 003), in sync order: cert-manager and Istio's CRDs, then istiod and
 * the ingress gateway, then the Knative Operator and Knative Serving (Serverless mode only), then
 * KServe's CRDs and controller, then the environment's models. Beside them: the namespaces with
 * their traffic rules, the TLS certificate and Istio Gateway models are exposed through, mTLS and an
 * authorization policy in the model namespace, and one InferenceService (and route) per model.
 */
export class ServingStack extends Construct {
  readonly certManager: CertManager;
  readonly istio: Istio;
  readonly knativeOperator?: KnativeOperator;
  readonly knativeServing?: Component;
  readonly kserve: KServe;
  readonly security: Component;
  /** The models' component; absent when the environment lists no models and no model volumes. */
  readonly models?: Component;
  /** `<namespace>/<name>` of the model gateway, as VirtualServices name it. */
  readonly gatewayRef: string;
  /** Labels of the ingress gateway pods the model gateway and its policies select. */
  readonly gatewaySelector: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: ServingStackProps) {
    super(scope, id);
    const { config, apiServer } = props;
    const ns = SERVING_NAMESPACES;
    const serverless = config.deploymentMode === 'Serverless';
    const useKnative = config.knative.enabled;
    const dataPathInMesh = serverless && useKnative && config.mtls === 'STRICT';
    const modelNs = config.namespace;
    const gatewayPrincipal = `cluster.local/ns/${ns.istio}/sa/${INGRESS_GATEWAY_NAME}`;
    const apiPorts = apiServer.ports.map((port) => ({ port }));
    // Meshed namespaces: "baseline" with the CNI node agent, "privileged" for istio-init without it.
    const meshLevel = config.istioCni ? 'baseline' : 'privileged';

    // --- Namespaces and their traffic ---------------------------------------------------------
    const controllerNamespace = (name: string, webhookPorts: number[], podSecurity?: { level: 'baseline' | 'privileged'; reason: string }): PlatformNamespace => {
      const n = props.namespaces.add({ name, podSecurity: podSecurity?.level, podSecurityReason: podSecurity?.reason });
      n.allowEgress({ name: 'kube-apiserver', peers: [{ cidrs: apiServer.cidrs }], ports: apiPorts });
      // Admission webhooks are called by the API server.
      if (webhookPorts.length > 0) n.allowIngress({ name: 'kube-apiserver', peers: [{ cidrs: apiServer.cidrs }], ports: webhookPorts.map((port) => ({ port })), fromNodes: true });
      n.allowIngress({ name: 'same-namespace', peers: [{ namespaces: [name] }] });
      n.allowEgress({ name: 'same-namespace', peers: [{ namespaces: [name] }] });
      return n;
    };
    // cert-manager's webhook listens on 10250 (chart default `webhook.securePort`).
    controllerNamespace(ns.certManager, [10250]);
    // istiod: 15017 injection/validation webhook. Gateway pods: no seccomp profile settable through the chart values used here.
    const istioNs = controllerNamespace(ns.istio, [15017], {
      level: 'baseline',
      reason: "Istio 1.24's istiod and gateway charts do not give their pods a RuntimeDefault seccomp profile, which 'restricted' requires",
    });
    const meshNamespaces = [modelNs, ...(dataPathInMesh ? [ns.knativeServing] : []), ...(props.meshClients ?? [])];
    // Sidecars fetch config and certificates from istiod (15012 xDS/CA, 15010 plaintext xDS).
    istioNs.allowIngress({ name: 'mesh-to-istiod', podSelector: { app: 'istiod' }, peers: [{ namespaces: meshNamespaces }], ports: [{ port: 15012 }, { port: 15010 }] });
    // The ingress gateway: clients from anywhere on its container ports (the gateway chart maps 80→80
    // and 443→443; Knative's local gateway Service maps to 8081/8444), and 15021 for load-balancer health checks.
    istioNs.allowIngress({
      name: 'ingress-gateway',
      podSelector: { istio: 'ingressgateway' },
      peers: [{ cidrs: ['0.0.0.0/0'] }, { namespaces: [modelNs, ...(useKnative ? [ns.knativeServing] : []), ns.kserve] }],
      ports: [80, 443, 8081, 8444, 15021].map((port) => ({ port })),
      fromNodes: true,
    });
    istioNs.allowEgress({ name: 'models', peers: [{ namespaces: [modelNs, ...(useKnative ? [ns.knativeServing] : [])] }] });
    for (const r of props.routes ?? []) {
      if (!r.host.endsWith(`.${config.domain}`)) throw new Error(`[${this.node.path}] route host '${r.host}' is not under the serving domain '${config.domain}', which the gateway's certificate covers`);
      istioNs.allowEgress({ name: `routes-${r.namespace}`, podSelector: { istio: INGRESS_GATEWAY_LABELS.istio }, peers: [{ namespaces: [r.namespace] }], ports: [{ port: r.port }] });
    }
    if (useKnative) {
      controllerNamespace(ns.knativeOperator, [8443], { level: 'baseline', reason: KNATIVE_OPERATOR_POD_SECURITY_REASON });
      const ks = controllerNamespace(
        ns.knativeServing,
        [8443],
        dataPathInMesh ? { level: meshLevel, reason: `the activator and autoscaler join the mesh to reach models under STRICT mTLS; ${config.istioCni ? MESH_SECCOMP_REASON : ISTIO_INIT_REASON}` } : undefined,
      );
      // Activator → model pods, autoscaler → queue-proxy metrics; net-istio probes the gateway; sidecars → istiod.
      ks.allowEgress({ name: 'models-and-mesh', peers: [{ namespaces: [modelNs, ns.istio] }] });
      ks.allowIngress({ name: 'from-gateway-and-models', peers: [{ namespaces: [ns.istio, modelNs] }] });
      // The controller resolves image tags to digests in the registries that serve them.
      ks.allowEgress({ name: 'registries', podSelector: { app: 'controller' }, ...outside(props.egress?.registries, [443, ...mirrorPort(props.mirror)]) });
    }
    // KServe's webhook server listens on 9443.
    controllerNamespace(ns.kserve, [9443]);

    // Raw deployments carry the predictor's pod-level security context, which covers the containers
    // KServe and the mesh add; Knative revisions cannot (see MESH_SECCOMP_REASON).
    const models = serverless || !config.istioCni
      ? props.namespaces.add({ name: modelNs, podSecurity: meshLevel, podSecurityReason: config.istioCni ? MESH_SECCOMP_REASON : ISTIO_INIT_REASON })
      : props.namespaces.add({ name: modelNs });
    models.allowIngress({ name: 'same-namespace', peers: [{ namespaces: [modelNs] }] });
    models.allowEgress({ name: 'same-namespace', peers: [{ namespaces: [modelNs] }] });
    models.allowIngress({ name: 'gateway-and-knative', peers: [{ namespaces: [ns.istio, ...(useKnative ? [ns.knativeServing] : [])] }] });
    models.allowEgress({ name: 'mesh', peers: [{ namespaces: [ns.istio, ...(useKnative ? [ns.knativeServing] : [])] }] });
    if (config.storage.allowedSchemes.some((s) => s !== 'pvc')) {
      // The storage initializer downloads models from object stores and model hubs outside the cluster.
      models.allowEgress({ name: 'model-storage', ...outside(props.egress?.modelStorage, [443, 80]) });
    }

    // --- Upstream charts, in waves ----------------------------------------------------------
    this.certManager = new CertManager(this, 'CertManager', { version: stripV(props.charts.version('cert-manager')), namespace: ns.certManager, replicas: props.replicas });
    this.certManager.dependsOn(props.namespaces);

    if (config.istioCni) {
      const cniNs = props.namespaces.add({ name: ISTIO_CNI_NAMESPACE, podSecurity: 'privileged', podSecurityReason: ISTIO_CNI_POD_SECURITY_REASON });
      // The agent watches pods on its node (and repairs ones that started unredirected).
      cniNs.allowEgress({ name: 'kube-apiserver', peers: [{ cidrs: apiServer.cidrs }], ports: apiPorts });
    }
    this.istio = new Istio(this, 'Istio', {
      version: props.charts.version('istiod'),
      namespace: ns.istio,
      replicas: props.replicas,
      gatewayServiceType: config.gateway.serviceType,
      cni: config.istioCni ? { namespace: ISTIO_CNI_NAMESPACE, platform: props.distribution === 'k3s' ? 'k3s' : undefined } : undefined,
    });
    this.istio.base.dependsOn(props.namespaces);
    this.istio.cni?.dependsOn(props.namespaces);

    let kserveAfter: UpstreamChart | Component = this.istio.gateway;
    if (useKnative) {
      this.knativeOperator = new KnativeOperator(this, 'KnativeOperator', { version: props.charts.version('knative-operator'), namespace: ns.knativeOperator });
      this.knativeOperator.dependsOn(this.istio.istiod, this.istio.gateway, this.certManager);
      this.knativeServing = new Component(this, 'KnativeServing', { name: 'knative-serving', namespace: ns.knativeServing });
      new KnativeServing(this.knativeServing, 'Resource', {
        namespace: ns.knativeServing,
        version: config.versions.knativeServing,
        netIstioVersion: config.versions.netIstio,
        domain: config.domain,
        autoscaler: config.knative.autoscaler,
        replicas: props.replicas,
        skipTagResolution: props.mirror ? [props.mirror] : [],
        dataPathInMesh,
      });
      this.knativeServing.dependsOn(this.knativeOperator);
      kserveAfter = this.knativeServing;
    }

    this.kserve = new KServe(this, 'KServe', {
      version: stripV(props.charts.version('kserve')),
      namespace: ns.kserve,
      deploymentMode: config.deploymentMode,
      domain: config.domain,
      // Models are exposed by the VirtualServices below, through the TLS gateway.
      createIngress: false,
    });
    // KServe's webhook certificates come from cert-manager.
    this.kserve.crds.dependsOn(kserveAfter, this.certManager);

    // --- TLS, gateway and mesh policy -------------------------------------------------------
    this.security = new Component(this, 'Security', { name: 'serving-security' });
    this.security.dependsOn(this.certManager, this.istio.istiod, props.namespaces);
    const tls = new GatewayTls(this.security, 'Tls', {
      gatewayNamespace: ns.istio,
      dnsNames: [`*.${config.domain}`],
      secretName: MODEL_TLS_SECRET,
    });
    const gateway = new ModelGateway(this.security, 'Gateway', {
      name: MODEL_GATEWAY,
      namespace: ns.istio,
      selector: { istio: INGRESS_GATEWAY_LABELS.istio },
      hosts: [`*.${config.domain}`],
      credentialName: tls.secretName,
    });
    gateway.resource.addDependency(tls.certificate);
    this.gatewayRef = gateway.ref;
    this.gatewaySelector = { istio: INGRESS_GATEWAY_LABELS.istio };
    // Authentication at the edge: every host routed through the gateway requires a JWT of the site's issuer.
    const routedHosts = [...config.models.filter((m) => m.expose).map((m) => `${m.name}.${config.domain}`), ...(props.routes ?? []).map((r) => r.host)];
    if (routedHosts.length > 0) {
      if (!props.oidc) throw new Error(`[${this.node.path}] hosts ${routedHosts.join(', ')} are routed through the gateway, but no OIDC issuer is given (auth.oidc) to authenticate their clients`);
      new EdgeAuthentication(this.security, 'EdgeAuthentication', { name: 'model-gateway', namespace: ns.istio, selector: this.gatewaySelector, oidc: props.oidc, hosts: routedHosts });
    }
    new MeshPolicy(this.security, 'Mesh', {
      namespace: modelNs,
      mtls: config.mtls,
      allowPrincipals: [gatewayPrincipal],
      allowNamespaces: useKnative ? [ns.knativeServing] : [],
    });

    // --- Models -------------------------------------------------------------------------------
    if (config.models.length === 0 && config.storage.volumes.length === 0) return;
    const modelsComponent = new Component(this, 'Models', { name: 'models', namespace: modelNs });
    this.models = modelsComponent;
    modelsComponent.dependsOn(this.kserve.controller, this.security);
    for (const v of config.storage.volumes) {
      new k8s.KubePersistentVolumeClaim(modelsComponent, `Volume-${v.name}`, {
        metadata: { name: v.name, namespace: modelNs },
        spec: {
          accessModes: [props.storageShared ? 'ReadWriteMany' : 'ReadWriteOnce'],
          storageClassName: props.storageClass,
          resources: { requests: { storage: k8s.Quantity.fromString(v.size) } },
        },
      });
    }
    const gpuPytorch = config.models.filter((m) => m.format === 'pytorch' && m.gpu > 0);
    if (gpuPytorch.length > 0 && props.gpu) {
      new ServingRuntime(modelsComponent, 'TorchServeGpu', {
        name: TORCHSERVE_GPU_RUNTIME,
        namespace: modelNs,
        image: TORCHSERVE_GPU_IMAGE,
        formats: [{ name: 'pytorch', version: '1' }],
        protocolVersions: ['v1', 'v2', 'grpc-v2'],
        // The arguments of KServe's own TorchServe runtime.
        args: ['torchserve', '--start', '--model-store=/mnt/models/model-store', '--ts-config=/mnt/models/config/config.properties'],
        resources: { requests: { cpu: '1', memory: '2Gi' }, limits: { cpu: '1', memory: '2Gi' } },
        // The image's user is named; 1000 is its uid (and what KServe's chart sets for TorchServe).
        runAsUser: 1000,
      });
    }
    for (const m of config.models) {
      const isvc = new InferenceService(modelsComponent, m.name, {
        name: m.name,
        namespace: modelNs,
        format: m.format,
        storageUri: m.storageUri,
        image: m.image,
        args: m.args,
        runtime: m.format === 'pytorch' && m.gpu > 0 ? TORCHSERVE_GPU_RUNTIME : undefined,
        gpu: m.gpu > 0 && props.gpu ? { count: m.gpu, resourceName: props.gpu.resourceName, runtimeClassName: props.gpu.runtimeClassName } : undefined,
        minReplicas: m.minReplicas,
        maxReplicas: m.maxReplicas,
        canary: m.canary?.previousStorageUri ? { trafficPercent: m.canary.trafficPercent, previousStorageUri: m.canary.previousStorageUri } : undefined,
        resources: m.resources,
        sidecar: true,
        podSecurityContext: !serverless,
      });
      if (!m.expose) continue;
      const predictor = `${m.name}-predictor.${modelNs}.svc.cluster.local`;
      const route = new ModelRoute(modelsComponent, `${m.name}-route`, {
        name: m.name,
        namespace: modelNs,
        host: `${m.name}.${config.domain}`,
        gateways: [gateway.ref],
        // Serverless: the predictor is a Knative route behind Knative's local gateway, which routes by host.
        destinationHost: serverless ? `knative-local-gateway.${ns.istio}.svc.cluster.local` : predictor,
        rewriteAuthority: serverless ? predictor : undefined,
      });
      route.resource.addDependency(isvc.resource);
    }
  }
}

