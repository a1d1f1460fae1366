import { ChartLock } from '../core/chart-lock';
import { Construct } from 'constructs';
import { Component } from '../core/component';
import { CiConfig, ClusterConfig, UpdatedImageConfig } from '../core/config';
import { Namespaces } from '../core/namespaces';
import { ImageAutomation } from './image-automation';
import { ImageUpdater } from './image-updater';
import { AGENT_LISTENER_PORT, Jenkins, JENKINS_HTTP_PORT } from './jenkins';
import { PrivateRegistry, REGISTRY_PORT } from './private-registry';

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
}

/** The HTTPS clone URL of a GitLab project: `https://gitlab.example.com` + `chatbot/backend`. */
export function gitlabCloneUrl(gitlabUrl: string, project: string): string {
  return `${gitlabUrl.replace(/\/+$/, '')}/${project}.git`;
}

/** Addresses outside the cluster: Git servers, base-image registries, the update center. */
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

    // Registry: pushes from build pods, tag listing from Image Updater, pulls by nodes through the
    // NodePort (kubelet traffic arrives from node addresses, hence the address block).
    registryNs.allowIngress({
      name: 'registry-clients',
      podSelector: { 'app.kubernetes.io/name': 'registry' },
      peers: [{ namespaces: [jen.agentsNamespace, props.argocdNamespace] }, { cidrs: ANYWHERE }],
      ports: [{ port: REGISTRY_PORT }],
      fromNodes: true,
    });

    // Jenkins controller: its UI and GitLab's webhooks arrive through the ingress controller (TLS);
    // agents connect back.
    jenkinsNs.allowIngress({ name: 'jenkins-http', peers: [{ namespaces: [props.ingressNamespace, jen.agentsNamespace] }], ports: [{ port: JENKINS_HTTP_PORT }] });
    jenkinsNs.allowIngress({ name: 'jenkins-agents', peers: [{ namespaces: [jen.agentsNamespace] }], ports: [{ port: AGENT_LISTENER_PORT }] });
    jenkinsNs.allowEgress({ name: 'kube-apiserver', peers: [{ cidrs: props.apiServer.cidrs }], ports: props.apiServer.ports.map((port) => ({ port })) });
    // GitLab (status, checkout for pipeline definitions) and the plugin update center.
    jenkinsNs.allowEgress({ name: 'https', peers: [{ cidrs: ANYWHERE }], ports: [{ port: 443 }, { port: 80 }, { port: 22 }] });

    // Build pods: back to the controller, to the registry, to Git and base-image registries.
    agentsNs.allowEgress({ name: 'jenkins', peers: [{ namespaces: [jen.namespace] }], ports: [{ port: JENKINS_HTTP_PORT }, { port: AGENT_LISTENER_PORT }] });
    agentsNs.allowEgress({ name: 'registry', peers: [{ namespaces: [reg.namespace] }, { cidrs: ANYWHERE }], ports: [{ port: REGISTRY_PORT }, ...(reg.exposure.nodePort ? [{ port: reg.exposure.nodePort }] : [])] });
    agentsNs.allowEgress({ name: 'sources', peers: [{ cidrs: ANYWHERE }], ports: [{ port: 443 }, { port: 80 }, { port: 22 }] });

    this.registry = new PrivateRegistry(this, 'Registry', {
      host: reg.host,
      namespace: reg.namespace,
      image: reg.image,
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
      })),
      storageClass: props.storageClass,
      storage: jen.storage,
      resources: jen.resources,
      kaniko: {
        registry: reg.host,
        pushSecret: ci.kaniko.pushSecret,
        caConfigMap: ci.kaniko.caConfigMap,
        cacheRepository: ci.kaniko.cacheRepository,
        resources: ci.kaniko.resources,
      },
    });
    this.jenkins.rbac.dependsOn(namespaces);
    // Builds push to the registry: it comes first.
    this.jenkins.chart.dependsOn(this.registry);

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
   * Rolls out new tags of `images` to `target` automatically: an ImageUpdater resource for the
   * component's Application, and a kustomization in its folder (see {@link ImageAutomation}).
   */
  automate(target: Component, images: readonly UpdatedImageConfig[]): ImageAutomation {
    if (!this.imageUpdater) throw new Error(`[${this.node.path}] Image Updater is disabled; component '${target.name}' cannot be automated`);
    if (!this.automation) {
      this.automation = new Component(this, 'Automation', { name: 'image-automation', namespace: this.props.argocdNamespace });
      this.automation.dependsOn(this.imageUpdater);
    }
    return new ImageAutomation(this.automation, target.name, {
      target,
      images,
      namespace: this.props.argocdNamespace,
      registry: this.props.config.registry.host,
      branch: this.props.config.imageUpdater.branch,
    });
  }
}
