import { ChartLock } from '../core/chart-lock';
import { Construct } from 'constructs';
import { Component } from '../core/component';
import type { CiConfig, ClusterConfig, UpdatedImageConfig } from '../core/config';
import { Namespaces } from '../core/namespaces';
import { mirrorPort, outside } from '../core/platform-namespace';
import { registryIdentities } from '../core/registry-access';
import { ImageAutomation } from './image-automation';
import { ImageUpdater } from './image-updater';
import { AGENT_LISTENER_PORT, Jenkins, JENKINS_HTTP_PORT } from './jenkins';
import { PrivateRegistry, REGISTRY_PORT } from './private-registry';
import { ClusterImagePolicy } from './cluster-image-policy';
import { ImagePolicies, namespacesRunning, POLICY_INCLUDE_LABEL, PolicyController } from './policy-controller';
import { IMAGE_PINS } from '../core/image-pins';

export interface DeliveryProps {
  /** This component's slice of the environment configuration. */
  readonly config: CiConfig;
  /** The chart lock: Jenkins' and the Image Updater's chart versions. */
  readonly charts: ChartLock;
  readonly namespaces: Namespaces;
  /** Storage class of the registry's and Jenkins' volumes. */
  readonly storageClass: string;
  /** The cluster's WaitForFirstConsumer storage classes (`cluster.storageClasses.waitForFirstConsumer`). @default [] */
  readonly waitForFirstConsumer?: readonly string[];
  /** The cluster's ingress class, for the registry's Ingress. */
  readonly ingressClassName: string;
  /** The ingress controller's namespace: the only peer reaching Jenkins' UI from outside its namespaces. */
  readonly ingressNamespace: string;
  /** The API server's addresses, for the Jenkins controller's egress. */
  readonly apiServer: ClusterConfig['apiServer'];
  /** Argo CD's namespace: Image Updater and its ImageUpdater resources live there. */
  readonly argocdNamespace: string;
  /**
   * What outside the cluster Jenkins and its build pods reach (`cluster.network.egress`), the nodes'
   * addresses (`cluster.network.nodeCidrs`), from which kubelets pull through the registry's
   * NodePort, and the pod network (`podCidrs`, the cluster's). @default - anywhere outside the cluster
   */
  readonly network?: Pick<ClusterConfig['network'], 'nodeCidrs' | 'egress' | 'podCidrs'>;
  /** The environment's image mirror (`registry.mirror`), where build pods pull base images from. @default - none */
  readonly mirror?: string;
  /** The environment's name: Image Updater's write branch is `image-updates/<environment>` unless configured. */
  readonly environment: string;
  /**
   * Verify the platform registry's images at admission (`admissionEnabled` of the configuration),
   * with this many webhook replicas. @default - no admission control
   */
  readonly admission?: { readonly replicas: number };
}

/** The branch Image Updater writes to when `ci.imageUpdater.writeBranch` is not set. */
export function defaultWriteBranch(environment: string): string {
  return `image-updates/${environment}`;
}

/** The HTTPS clone URL of a GitLab project: `https://gitlab.example.com` + `chatbot/backend`. */
export function gitlabCloneUrl(gitlabUrl: string, project: string): string {
  return `${gitlabUrl.replace(/\/+$/, '')}/${project}.git`;
}

/** Addresses outside the cluster, where the environment states none narrower. */
const ANYWHERE = ['0.0.0.0/0'];

/**
 * Seed 002's delivery chain: GitLab push → Jenkins (JCasC, Kaniko agent pods) → the private registry →
 * Argo CD Image Updater → Argo CD rolls the Deployment. Its namespaces, with only the traffic the
 * chain needs, the registry, Jenkins and Image Updater; {@link automate} adds a component to the
 * roll-out.
 */
export class Delivery extends Construct {
  readonly registry: PrivateRegistry;
  readonly jenkins: Jenkins;
  readonly imageUpdater?: ImageUpdater;
  /** The ClusterImagePolicies, where admission is on: workloads of the registry's images come after it. */
  readonly imagePolicies?: ImagePolicies;
  /** Holds the ImageUpdater resources; created on the first {@link automate}. */
  private automation?: Component;
  private readonly props: DeliveryProps;

  constructor(scope: Construct, id: string, props: DeliveryProps) {
    super(scope, id);
    this.props = props;
    const { config: ci, namespaces } = props;
    const reg = ci.registry;
    const jen = ci.jenkins;

    const registryNs = namespaces.add({ name: reg.namespace });
    const jenkinsNs = namespaces.add({ name: jen.namespace });
    const agentsNs = namespaces.add({
      name: jen.agentsNamespace,
      podSecurity: 'baseline',
      podSecurityReason: 'Kaniko builds run as UID 0 inside their container (unpacking layers, RUN steps); never privileged, no privilege escalation, capabilities limited to file ownership and user switching',
    });

    const egress = props.network?.egress ?? {};
    // The nodes, where the environment states their addresses; else anywhere outside the cluster.
    const nodeCidrs = props.network?.nodeCidrs;
    const nodes = nodeCidrs ?? ANYWHERE;
    // Registry: pushes from build pods, tag listing from Image Updater, pulls by the nodes' container
    // runtimes through the NodePort. kube-proxy masquerades those (externalTrafficPolicy Cluster) to
    // the forwarding node's address toward the pod: its own address when the registry runs on it, on
    // overlay CNIs an address of the pod network when it runs elsewhere (NODE_SOURCED_REASON,
    // lib/core/platform-namespace.ts). So, with the nodes' addresses known, the block is the nodes'
    // and the pod network: every pod could already reach it by that block, but no host outside
    // the cluster can. Without them, anywhere (with the reasoned exception of `fromNodes`).
    registryNs.allowIngress({
      name: 'registry-clients',
      podSelector: { 'app.kubernetes.io/name': 'registry' },
      peers: [{ namespaces: [jen.agentsNamespace, props.argocdNamespace] }, { cidrs: nodeCidrs ? [...nodeCidrs, ...(props.network?.podCidrs ?? [])] : ANYWHERE }],
      ports: [{ port: REGISTRY_PORT }],
      fromNodes: true,
    });

    // Jenkins controller: its UI and GitLab's webhooks arrive through the ingress controller (TLS);
    // agents connect back.
    jenkinsNs.allowIngress({ name: 'jenkins-http', peers: [{ namespaces: [props.ingressNamespace, jen.agentsNamespace] }], ports: [{ port: JENKINS_HTTP_PORT }] });
    jenkinsNs.allowIngress({ name: 'jenkins-agents', peers: [{ namespaces: [jen.agentsNamespace] }], ports: [{ port: AGENT_LISTENER_PORT }] });
    jenkinsNs.allowEgress({ name: 'kube-apiserver', peers: [{ cidrs: props.apiServer.cidrs }], ports: props.apiServer.ports.map((port) => ({ port })) });
    // GitLab: build status, checkout of pipeline definitions (HTTPS, HTTP, SSH).
    jenkinsNs.allowEgress({ name: 'git', ...outside(egress.git, [443, 80, 22]) });
    // The update center, only where the controller downloads plugins (the chart installs
    // `controller.installPlugins` at start; an empty list installs none).
    if (jen.plugins.length > 0) jenkinsNs.allowEgress({ name: 'update-center', ...outside(egress.updateCenter, [443, 80]) });

    // Build pods: back to the controller, to the registry (its Service, or the NodePort on the
    // nodes' addresses the platform registry's host names), to Git, to base-image registries.
    agentsNs.allowEgress({ name: 'jenkins', peers: [{ namespaces: [jen.namespace] }], ports: [{ port: JENKINS_HTTP_PORT }, { port: AGENT_LISTENER_PORT }] });
    agentsNs.allowEgress({ name: 'registry', peers: [{ namespaces: [reg.namespace] }, { cidrs: nodes }], ports: [{ port: REGISTRY_PORT }, ...(reg.exposure.nodePort ? [{ port: reg.exposure.nodePort }] : [])] });
    agentsNs.allowEgress({ name: 'sources', ...outside(egress.git, [443, 80, 22]) });
    agentsNs.allowEgress({ name: 'base-images', ...outside(egress.registries, [443, ...mirrorPort(props.mirror)]) });

    this.registry = new PrivateRegistry(this, 'Registry', {
      host: reg.host,
      namespace: reg.namespace,
      image: reg.image,
      // CI pushes what the jobs build, the Image Updater and the nodes pull (lib/core/registry-access.ts).
      identities: registryIdentities(ci),
      storageClass: props.storageClass,
      storageWaitsForFirstConsumer: (props.waitForFirstConsumer ?? []).includes(props.storageClass),
      storage: reg.storage,
      htpasswdSecret: reg.htpasswdSecret,
      issuer: reg.issuer,
      nodePort: reg.exposure.nodePort,
      ingressClassName: reg.exposure.ingress ? props.ingressClassName : undefined,
      resources: reg.resources,
    });
    this.registry.dependsOn(namespaces);

    this.jenkins = new Jenkins(this, 'Jenkins', {
      namespace: jen.namespace,
      agentsNamespace: jen.agentsNamespace,
      chartVersion: props.charts.version('jenkins'),
      image: jen.image,
      sidecarImage: jen.sidecarImage,
      agentImage: jen.agentImage,
      kanikoImage: ci.kaniko.image,
      pushImage: ci.kaniko.pushImage,
      signImage: ci.kaniko.signImage,
      plugins: jen.plugins,
      adminSecret: jen.adminSecret,
      url: jen.url,
      ingress: { className: props.ingressClassName, tlsSecretName: jen.tls.secretName, issuer: jen.tls.issuer },
      gitlab: jen.gitlab,
      jobs: jen.jobs.map((job) => ({
        name: job.name,
        repositoryUrl: gitlabCloneUrl(jen.gitlab.url, job.project),
        image: job.image,
        dockerfile: job.dockerfile,
        context: job.context,
        releaseTags: job.releaseTags,
        channelTag: job.channelTag,
      })),
      storageClass: props.storageClass,
      storage: jen.storage,
      resources: jen.resources,
      kaniko: {
        registry: reg.host,
        pushSecret: ci.kaniko.pushSecret,
        signingSecret: ci.kaniko.signingSecret,
        caConfigMap: ci.kaniko.caConfigMap,
        resources: ci.kaniko.resources,
        publishResources: ci.kaniko.publishResources,
      },
    });
    this.jenkins.rbac.dependsOn(namespaces);
    // Builds push to the registry: it comes first.
    this.jenkins.chart.dependsOn(this.registry);

    if (props.admission) {
      const adm = ci.signing.admission;
      const publicKey = ci.signing.publicKey;
      if (publicKey === undefined) throw new Error(`[${this.node.path}] components.ci.signing.publicKey: admission needs the public key CI signs with`);
      const controller = new PolicyController(this, 'PolicyController', {
        chartVersion: props.charts.version('policy-controller'),
        namespace: adm.namespace,
        namespaces,
        image: IMAGE_PINS.reference('policy-controller'),
        cleanupImage: IMAGE_PINS.reference('policy-controller-leases-cleanup'),
        replicas: props.admission.replicas,
        apiServer: props.apiServer,
        registry: { namespace: reg.namespace, ports: [REGISTRY_PORT, ...(reg.exposure.nodePort ? [reg.exposure.nodePort] : [])], nodeCidrs: props.network?.nodeCidrs },
      });
      this.imagePolicies = new ImagePolicies(this, 'ImagePolicies', { namespace: adm.namespace, controller });
      new ClusterImagePolicy(this.imagePolicies, 'PlatformRegistry', {
        name: 'platform-registry-signed',
        images: [`${reg.host}/**`],
        authorities: [{ name: 'ci', key: { data: publicKey }, signaturePullSecrets: [adm.signaturePullSecret] }],
      });
    }

    if (ci.imageUpdater.enabled) {
      this.imageUpdater = new ImageUpdater(this, 'ImageUpdater', {
        namespace: props.argocdNamespace,
        chartVersion: props.charts.version('argocd-image-updater'),
        image: ci.imageUpdater.image,
        registryHost: reg.host,
        registryApi: this.registry.serviceHost,
        pullSecret: ci.imageUpdater.pullSecret,
        caConfigMap: ci.imageUpdater.caConfigMap,
      });
      this.imageUpdater.dependsOn(this.registry);
    }
  }

  /**
   * Where admission is on: every namespace in which `target` runs an image of the platform registry
   * opts in to the policy-controller ({@link POLICY_INCLUDE_LABEL}), and `target` syncs after the
   * ClusterImagePolicy, so no such pod starts unverified. Namespaces the platform does not create are
   * left alone (a cluster's own namespace is labelled by its owner). Returns the namespaces labelled.
   */
  requireSignatures(target: Component): string[] {
    if (!this.imagePolicies || target === this.imagePolicies) return [];
    const namespaces = namespacesRunning(target, this.props.config.registry.host).filter((ns) => this.props.namespaces.names.includes(ns));
    if (namespaces.length === 0) return [];
    for (const ns of namespaces) this.props.namespaces.get(ns).addLabel(POLICY_INCLUDE_LABEL, 'true');
    target.dependsOn(this.imagePolicies);
    return namespaces;
  }

  /**
   * Rolls out new tags of `images` to `target` automatically: an ImageUpdater resource for the
   * component's Application, and a kustomization in its folder (see {@link ImageAutomation}).
   */
  automate(target: Component, images: readonly UpdatedImageConfig[]): ImageAutomation {
    if (!this.imageUpdater) throw new Error(`[${this.node.path}] Image Updater is disabled; component '${target.name}' cannot be automated`);
    if (!this.automation) {
      this.automation = new Component(this, 'Automation', { name: 'image-automation', namespace: this.props.argocdNamespace });
      this.automation.dependsOn(this.imageUpdater);
    }
    const updater = this.props.config.imageUpdater;
    return new ImageAutomation(this.automation, target.name, {
      target,
      images,
      namespace: this.props.argocdNamespace,
      registry: this.props.config.registry.host,
      targetBranch: updater.targetBranch,
      writeBranch: updater.writeBranch ?? defaultWriteBranch(this.props.environment),
      gitCredentialsSecret: updater.gitCredentialsSecret,
      writeRepository: updater.writeRepository,
    });
  }
}
