import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { ChartPortValues } from '../checks/ports';
import { Component } from '../core/component';
import { declareImageField, pointerOf } from '../core/image-field';
import { ChartSource, ChartImage, UpstreamChart } from '../core/upstream-chart';
import { BuildJob, jobDsl } from './build-jobs';
import { JenkinsIngress, JenkinsIngressProps } from './jenkins-ingress';
import { JcascResources, literalImagesIn, renderJcasc } from './jcasc';
import { JNLP_IMAGE_VARIABLE, KANIKO_CONTAINER, KANIKO_IMAGE_VARIABLE, KanikoBuildProps, kanikoPodTemplate, PUSH_CONTAINER, PUSH_IMAGE_VARIABLE, SIGN_CONTAINER, SIGN_IMAGE_VARIABLE } from './kaniko';

/** The Jenkins project's Helm repository. */
export const JENKINS_CHART_REPO = 'https://charts.jenkins.io';
/** Release name, and with `fullnameOverride` the name of the controller's Services and ServiceAccount. */
const RELEASE = 'jenkins';
/** Port of the inbound-agent listener Service `jenkins-agent` (chart default). */
export const AGENT_LISTENER_PORT = 50000;

/**
 * How the chart's values set its Services' node ports, for the port rule where the chart is not
 * rendered (lib/checks/ports.ts): jenkinsci/helm-charts jenkins-5.8.104 charts/jenkins/values.yaml
 * (controller.serviceEnabled true, serviceType ClusterIP, servicePort 8080, nodePort;
 * agentListenerEnabled true, agentListenerServiceType ClusterIP, agentListenerPort 50000,
 * agentListenerNodePort) and templates/jenkins-controller-svc.yaml / jenkins-agent-svc.yaml, rendered
 * only when enabled, with nodePort only with type NodePort.
 */
export const JENKINS_NODE_PORT_VALUES: ChartPortValues = {
  chart: 'jenkins',
  services: [
    { enabled: { path: 'controller.serviceEnabled', default: true }, type: 'controller.serviceType', typeDefault: 'ClusterIP', port: 'controller.servicePort', portDefaults: [8080], nodePort: 'controller.nodePort', nodePortTypes: ['NodePort'] },
    { enabled: { path: 'controller.agentListenerEnabled', default: true }, type: 'controller.agentListenerServiceType', typeDefault: 'ClusterIP', port: 'controller.agentListenerPort', portDefaults: [50000], nodePort: 'controller.agentListenerNodePort', nodePortTypes: ['NodePort'] },
  ],
};
/** Port of the controller's HTTP Service (chart default). */
export const JENKINS_HTTP_PORT = 8080;
/** Service account of the build pods in the agents' namespace. */
export const AGENT_SERVICE_ACCOUNT = 'jenkins-agent';

/** A plugin release for the chart's `controller.installPlugins`. */
export interface JenkinsPlugin {
  readonly name: string;
  readonly version: string;
}

export interface JenkinsProps {
  readonly namespace: string;
  /** Namespace of the build pods; the controller's RBAC reaches only there. */
  readonly agentsNamespace: string;
  /** Version of the `jenkins` chart. */
  readonly chartVersion: string;
  readonly image: string;
  readonly sidecarImage: string;
  readonly agentImage: string;
  readonly kanikoImage: string;
  /** The build pod's push container (crane). */
  readonly pushImage: string;
  /** The build pod's sign container (cosign). */
  readonly signImage: string;
  /**
   * Plugins to install, each given to the chart as `name:version`; empty installs none (the image
   * must carry them). Their cores are checked against the controller's by the configuration
   * (`JenkinsSchema`), not here.
   */
  readonly plugins: readonly JenkinsPlugin[];
  /** Secret with `jenkins-admin-user` / `jenkins-admin-password`. */
  readonly adminSecret: string;
  /** Jenkins' URL with its port. */
  readonly url: string;
  /**
   * The UI through the ingress controller with TLS, at the host of `url` (the controller's Service
   * stays ClusterIP, the chart's default `controller.serviceType` in chart 5.8.104 values.yaml).
   */
  readonly ingress: Omit<JenkinsIngressProps, 'namespace' | 'host' | 'service'>;
  /**
   * GitLab: its URL, and Secrets (each in Jenkins' namespace) with the API token (`token`), the
   * webhook secret (`token`) and the credentials build jobs clone with (`username`, `password`,
   * e.g. a deploy token with read_repository).
   */
  readonly gitlab: { readonly url: string; readonly tokenSecret: string; readonly webhookSecret: string; readonly checkoutSecret: string };
  /** Image build jobs, triggered by GitLab's webhook (needs the job-dsl plugin). @default - none */
  readonly jobs?: readonly BuildJob[];
  readonly storageClass: string;
  /** @default '20Gi' */
  readonly storage?: string;
  readonly resources: JcascResources;
  /** Kaniko builds: registry, push and signing credentials, CA and resources. */
  readonly kaniko: Omit<KanikoBuildProps, 'serviceAccount'>;
  /** Most agent pods running at once. @default 10 */
  readonly containerCap?: number;
}

/** The chart's `{registry, repository, tag}` image spelling. */
const SPLIT = { kind: 'split', registryKey: 'registry', repositoryKey: 'repository', tagKey: 'tag' } as const;

/**
 * Jenkins from its Helm chart (a StatefulSet with its home on a PersistentVolumeClaim), configured
 * entirely as code: the Kubernetes cloud that starts agent pods in their own namespace, the Kaniko
 * pod template, GitLab connection and credentials. Credentials are references only: the chart mounts
 * the named Secrets and JCasC reads `${secret-key}` values at run time.
 *
 * A second component, `jenkins-rbac`, gives the controller's ServiceAccount the pod rights the
 * Kubernetes plugin needs in the agents' namespace and nowhere else (the chart's own RBAC is off).
 */
export class Jenkins extends Construct {
  readonly chart: UpstreamChart;
  readonly rbac: Component;
  /** The `jenkins-ingress` component: TLS Ingress and its certificate. */
  readonly ingress: JenkinsIngress;
  /** In-cluster URL agents use. */
  readonly internalUrl: string;
  private readonly url: string;

  constructor(scope: Construct, id: string, props: JenkinsProps) {
    super(scope, id);
    const ns = props.namespace;
    this.url = props.url.endsWith('/') ? props.url : `${props.url}/`;
    this.internalUrl = `http://${RELEASE}.${ns}.svc.cluster.local:${JENKINS_HTTP_PORT}/`;
    const gitlabTokenVar = `${props.gitlab.tokenSecret}-token`;
    const webhookVar = `${props.gitlab.webhookSecret}-token`;
    const checkout = props.gitlab.checkoutSecret;

    const kaniko = kanikoPodTemplate({ ...props.kaniko, serviceAccount: AGENT_SERVICE_ACCOUNT });
    const jobs = (props.jobs ?? []).map((job) =>
      jobDsl(job, { gitlabConnection: 'gitlab', checkoutCredentialsId: 'gitlab-checkout', webhookTokenVariable: webhookVar, agentLabel: kaniko.label, kanikoContainer: KANIKO_CONTAINER, pushContainer: PUSH_CONTAINER, signContainer: SIGN_CONTAINER }),
    );
    const scripts = renderJcasc({
      systemMessage: 'Managed by Kompile: change the platform code, not this page.',
      url: this.url,
      adminUserVariable: 'chart-admin-username',
      adminPasswordVariable: 'chart-admin-password',
      cloud: {
        name: 'kubernetes',
        namespace: props.agentsNamespace,
        jenkinsUrl: this.internalUrl,
        jenkinsTunnel: `${RELEASE}-agent.${ns}.svc.cluster.local:${AGENT_LISTENER_PORT}`,
        containerCap: props.containerCap ?? 10,
        templates: [kaniko],
      },
      credentials: [
        { kind: 'gitLabApiTokenImpl', id: 'gitlab-token', description: 'GitLab API token (build status)', tokenVariable: gitlabTokenVar },
        { kind: 'secretText', id: 'gitlab-webhook-secret', description: 'Secret token GitLab sends with webhooks', secretVariable: webhookVar },
        { kind: 'usernamePassword', id: 'gitlab-checkout', description: 'GitLab credentials build jobs clone with', usernameVariable: `${checkout}-username`, passwordVariable: `${checkout}-password` },
      ],
      gitlab: { name: 'gitlab', url: props.gitlab.url, apiTokenId: 'gitlab-token' },
      jobs,
    });

    const values: Record<string, unknown> = {
      fullnameOverride: RELEASE,
      controller: {
        // `createSecret: true` is what mounts the admin Secret: the chart projects its keys as
        // `chart-admin-username` / `chart-admin-password` (the JCasC variables below) only inside
        // `if .Values.controller.admin.createSecret`, from `existingSecret` when that is set
        // (jenkinsci/helm-charts tag jenkins-5.8.104,
        // charts/jenkins/templates/jenkins-controller-statefulset.yaml L364-394, the projected
        // `jenkins-secrets` volume); with `createSecret: false` nothing is mounted and both resolve
        // to empty strings. With `existingSecret` set the chart creates no Secret of its own
        // (templates/secret.yaml L1: `if and (not .Values.controller.admin.existingSecret)
        // (.Values.controller.admin.createSecret)`), so no credential is rendered. The keys are the
        // chart's defaults, `jenkins-admin-user` / `jenkins-admin-password` (values.yaml
        // `admin.userKey` / `admin.passwordKey`).
        admin: { createSecret: true, existingSecret: props.adminSecret },
        jenkinsUrl: this.url,
        numExecutors: 0,
        installPlugins: props.plugins.length > 0 ? props.plugins.map((p) => `${p.name}:${p.version}`) : false,
        // The images of the agent pods, for JCasC's `${JNLP_IMAGE}` / `${KANIKO_IMAGE}` / …; the
        // values are declared image fields, relocated and listed with every other image.
        containerEnv: [
          { name: JNLP_IMAGE_VARIABLE, value: props.agentImage },
          { name: KANIKO_IMAGE_VARIABLE, value: props.kanikoImage },
          { name: PUSH_IMAGE_VARIABLE, value: props.pushImage },
          { name: SIGN_IMAGE_VARIABLE, value: props.signImage },
        ],
        // Mounted under /run/secrets/additional/<name>-<key>; JCasC reads them as ${<name>-<key>}.
        additionalExistingSecrets: [
          { name: props.gitlab.tokenSecret, keyName: 'token' },
          { name: props.gitlab.webhookSecret, keyName: 'token' },
          { name: checkout, keyName: 'username' },
          { name: checkout, keyName: 'password' },
        ],
        JCasC: { defaultConfig: false, overwriteConfiguration: true, configScripts: scripts },
        resources: props.resources,
        initContainerResources: props.resources,
        podSecurityContextOverride: { runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
        containerSecurityContext: { runAsUser: 1000, runAsGroup: 1000, runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
        sidecars: {
          configAutoReload: {
            resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '200m', memory: '256Mi' } },
            containerSecurityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] } },
          },
        },
        // The chart's test pod pulls a bats image from Docker Hub; Kompile does not run Helm tests.
        testEnabled: false,
      },
      agent: { enabled: false },
      persistence: { enabled: true, storageClass: props.storageClass, size: props.storage ?? '20Gi' },
      serviceAccount: { create: true, name: RELEASE },
      serviceAccountAgent: { create: false },
      // RBAC comes from the `jenkins-rbac` component: pods in the agents' namespace only.
      rbac: { create: false },
    };
    const images: ChartImage[] = [
      { image: props.image, valuePath: 'controller.image', format: SPLIT },
      { image: props.sidecarImage, valuePath: 'controller.sidecars.configAutoReload.image', format: SPLIT },
    ];
    this.chart = new UpstreamChart(this, 'Chart', {
      name: 'jenkins',
      namespace: ns,
      source: ChartSource.helmRepo(JENKINS_CHART_REPO, 'jenkins', props.chartVersion),
      values,
      images,
      clusterResources: [],
    });
    // JCasC is text the image walk cannot see into: refuse any image named there literally, whatever
    // put it there (this construct, a later JSON patch), so that nothing escapes relocation and the
    // airgap audit.
    const application = this.chart.application;
    application.node.addValidation({
      validate: () => {
        const rendered = application.toJson() as { spec?: { source?: { helm?: { valuesObject?: { controller?: { JCasC?: { configScripts?: Record<string, string> } } } } } } };
        const files = rendered.spec?.source?.helm?.valuesObject?.controller?.JCasC?.configScripts ?? {};
        return Object.entries(files).flatMap(([file, script]) => {
          const literals = literalImagesIn(script);
          return literals.length > 0 ? [`JCasC '${file}' names image(s) ${literals.join(', ')} literally; set them through a declared controller variable so relocation and the audit see them`] : [];
        });
      },
    });
    // The agent images sit in a list (containerEnv), which `images` value paths cannot address.
    for (const index of [0, 1, 2, 3]) {
      declareImageField(this.chart.application, pointerOf('spec', 'source', 'helm', 'valuesObject', 'controller', 'containerEnv', index, 'value'));
    }

    this.rbac = new Component(this, 'Rbac', { name: 'jenkins-rbac', namespace: props.agentsNamespace });
    new k8s.KubeServiceAccount(this.rbac, 'AgentServiceAccount', {
      metadata: { name: AGENT_SERVICE_ACCOUNT, namespace: props.agentsNamespace },
      // Build pods never call the Kubernetes API.
      automountServiceAccountToken: false,
    });
    const controller = { kind: 'ServiceAccount', name: RELEASE, namespace: ns };
    const agentsRole = new k8s.KubeRole(this.rbac, 'AgentsRole', {
      metadata: { name: 'jenkins-schedule-agents', namespace: props.agentsNamespace },
      rules: [
        { apiGroups: [''], resources: ['pods'], verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] },
        { apiGroups: [''], resources: ['pods/exec'], verbs: ['create', 'get'] },
        { apiGroups: [''], resources: ['pods/log'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: [''], resources: ['events'], verbs: ['get', 'list', 'watch'] },
      ],
    });
    new k8s.KubeRoleBinding(this.rbac, 'AgentsRoleBinding', {
      metadata: { name: 'jenkins-schedule-agents', namespace: props.agentsNamespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'jenkins-schedule-agents' },
      subjects: [controller],
    }).addDependency(agentsRole);
    const reloadRole = new k8s.KubeRole(this.rbac, 'CascReloadRole', {
      metadata: { name: 'jenkins-casc-reload', namespace: ns },
      // The JCasC auto-reload sidecar watches the chart's JCasC ConfigMaps.
      rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] }],
    });
    new k8s.KubeRoleBinding(this.rbac, 'CascReloadRoleBinding', {
      metadata: { name: 'jenkins-casc-reload', namespace: ns },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'jenkins-casc-reload' },
      subjects: [controller],
    }).addDependency(reloadRole);
    // The controller starts only once it may start agents.
    this.chart.dependsOn(this.rbac);

    // The controller's Service is `jenkins.fullname` (= fullnameOverride) on `controller.servicePort`
    // (chart 5.8.104 templates/jenkins-controller-svc.yaml, values.yaml default 8080).
    this.ingress = new JenkinsIngress(this, 'Ingress', { ...props.ingress, namespace: ns, host: new URL(this.url).hostname, service: { name: RELEASE, port: JENKINS_HTTP_PORT } });
  }

  /**
   * The URL a GitLab project's webhook must call for a Jenkins job (GitLab plugin endpoint), with
   * Jenkins' port: seed 002's webhook answered 200 without it and built nothing.
   */
  webhookUrl(job: string): string {
    return `${this.url}project/${job.split('/').map(encodeURIComponent).join('/')}`;
  }
}
