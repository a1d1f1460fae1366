import { z } from 'zod';
import { ContainerResourcesSchema, nodePort, quantity } from './common';
import { dnsLabel } from './cluster';
import { registryHost } from './registry';

/** A fully qualified image reference, `registry/repository[:tag][@digest]`. */
const imageRef = z
  .string()
  .regex(/^[a-zA-Z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)+(:[\w][\w.-]{0,127})?(@sha256:[a-f0-9]{64})?$/, { message: 'must be a fully qualified image reference such as docker.io/library/registry:2.8.3' });
const secretName = dnsLabel;


/** Who signs the registry's serving certificate. */
const IssuerRefSchema = z.object({ kind: z.enum(['Issuer', 'ClusterIssuer']), name: dnsLabel }).strict();

export const PrivateRegistrySchema = z
  .object({
    /**
     * The registry's address, `host:port`, as every client uses it: Kaniko pushes there, nodes pull
     * from there, Image Updater lists tags there. The single source of the platform registry in the
     * environment's registry policy (images there are never relocated).
     */
    host: registryHost.default('registry.local:30500'),
    namespace: dnsLabel.default('registry'),
    /** registry v2 (Docker Distribution). */
    image: imageRef.default('docker.io/library/registry:2.8.3'),
    /** Size of the PersistentVolumeClaim holding the layers. */
    storage: quantity.default('50Gi'),
    /** Secret with an `htpasswd` key (bcrypt entries, `htpasswd -Bbn user pass`), created out of band. */
    htpasswdSecret: secretName.default('registry-htpasswd'),
    /**
     * Issuer of the serving certificate.
     * @default - a namespace-local CA: a self-signed root certificate and a CA Issuer from it
     */
    issuer: IssuerRefSchema.optional(),
    exposure: z
      .object({
        /** NodePort of the registry Service; nodes (containerd) and GitLab runners reach it there. */
        nodePort: nodePort.optional(),
        /** An Ingress for the registry's host name through the cluster's ingress controller. */
        ingress: z.boolean().default(false),
      })
      .strict()
      .default({ nodePort: 30500 }),
    resources: ContainerResourcesSchema.default({ requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } }),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.exposure.nodePort === undefined && !r.exposure.ingress) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['exposure'], message: 'the registry needs a NodePort or an Ingress: nodes could not pull from it otherwise' });
    }
    const port = /:(\d+)$/.exec(r.host)?.[1];
    if (!r.exposure.ingress && r.exposure.nodePort !== undefined && port !== undefined && Number(port) !== r.exposure.nodePort) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['host'],
        message: `port ${port} of the registry host is not its NodePort ${r.exposure.nodePort}; nothing would answer there`,
      });
    }
    if (r.exposure.ingress && /^\d{1,3}(\.\d{1,3}){3}(:\d+)?$/.test(r.host)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['host'], message: 'an Ingress needs a host name, not an IP address' });
    }
  });

export const JenkinsSchema = z
  .object({
    namespace: dnsLabel.default('jenkins'),
    /** Namespace of the build agent pods; the controller may manage pods only there. */
    agentsNamespace: dnsLabel.default('jenkins-agents'),
    /** Chart `jenkins` of https://charts.jenkins.io. */
    chartVersion: z.string().default('5.8.104'),
    image: imageRef.default('docker.io/jenkins/jenkins:2.516.3-jdk21'),
    /** JCasC auto-reload sidecar. */
    sidecarImage: imageRef.default('docker.io/kiwigrid/k8s-sidecar:1.30.7'),
    /** The inbound agent (`jnlp` container) of every build pod. */
    agentImage: imageRef.default('docker.io/jenkins/inbound-agent:3355.v388858a_47b_33-17'),
    /**
     * Plugins installed at start, `name:version`. Empty installs none: the controller image must
     * then carry them (airgapped sites, which cannot reach the update center).
     */
    plugins: z
      .array(z.string().regex(/^[a-z0-9-]+:[\w.-]+$/, { message: 'must be name:version' }))
      .default(['kubernetes:4423.vb_59f230b_ce53', 'workflow-aggregator:608.v67378e9d3db_1', 'git:5.10.1', 'configuration-as-code:2065.v7a_20a_b_d84088', 'gitlab-plugin:1.9.9']),
    /** Secret with `jenkins-admin-user` and `jenkins-admin-password`, created out of band. */
    adminSecret: secretName.default('jenkins-admin'),
    /**
     * The URL GitLab and people reach Jenkins at, WITH its port: a webhook to the bare host answers
     * 200 from the wrong listener and triggers nothing (seed 002).
     */
    url: z.string().url().default('http://jenkins.local:32080/'),
    /** NodePort of the controller's HTTP Service, the port in `url`. */
    nodePort: nodePort.default(32080),
    gitlab: z
      .object({
        url: z.string().url().default('https://gitlab.example.com'),
        /** Secret with a `token` key: a GitLab API token Jenkins reports build status with. */
        tokenSecret: secretName.default('gitlab-token'),
        /** Secret with a `token` key: the secret GitLab sends with each webhook. */
        webhookSecret: secretName.default('gitlab-webhook'),
      })
      .strict()
      .default({}),
    storage: quantity.default('20Gi'),
    resources: ContainerResourcesSchema.default({ requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '4Gi' } }),
  })
  .strict()
  .superRefine((j, ctx) => {
    let url: URL;
    try {
      url = new URL(j.url);
    } catch {
      return;
    }
    if (url.port === '') {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['url'], message: "must name Jenkins' port explicitly (e.g. :32080): a GitLab webhook without it reaches nothing that builds" });
    } else if (Number(url.port) !== j.nodePort) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['url'], message: `port ${url.port} is not Jenkins' NodePort ${j.nodePort}` });
    }
    if (j.namespace === j.agentsNamespace) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['agentsNamespace'], message: 'agents need a namespace of their own, apart from the controller' });
    }
  });

export const KanikoSchema = z
  .object({
    /** The `-debug` variant: it has the busybox shell the Kubernetes plugin keeps the container alive with. */
    image: imageRef.default('gcr.io/kaniko-project/executor:v1.23.2-debug'),
    /** Secret of type `kubernetes.io/dockerconfigjson` in the agents' namespace with push credentials. */
    pushSecret: secretName.default('registry-push'),
    /** ConfigMap with a `ca.crt` key in the agents' namespace: the CA that signed the registry's certificate. */
    caConfigMap: dnsLabel.default('registry-ca'),
    /** Repository (under the registry) for Kaniko's layer cache. */
    cacheRepository: z.string().regex(/^[a-z0-9]+([._/-][a-z0-9]+)*$/).default('cache'),
    /**
     * Building and snapshotting large images (PyTorch, CUDA bases) in memory killed Kaniko at the
     * seed's default limits (seed 002: "Kaniko OOM").
     */
    resources: ContainerResourcesSchema.default({ requests: { cpu: '1', memory: '2Gi' }, limits: { cpu: '2', memory: '6Gi' } }),
  })
  .strict();

export const UpdatedImageSchema = z
  .object({
    /** Alias of the image in the ImageUpdater resource. */
    alias: dnsLabel,
    /** Image name without tag, as the component's manifests spell it, e.g. `registry.local:30500/kcloud/kcloud-operator`. */
    image: z.string().regex(/^[^\s:@]+(:\d+)?(\/[^\s:@]+)+$/, { message: 'must be an image name without tag' }),
    /** Tags that may be rolled out, e.g. `regexp:^v\d+\.\d+\.\d+$`. */
    allowTags: z.string().min(1).default('regexp:^v?\\d+\\.\\d+\\.\\d+$'),
    updateStrategy: z.enum(['semver', 'newest-build', 'alphabetical', 'digest']).default('semver'),
  })
  .strict();

export const ImageUpdaterSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** Chart `argocd-image-updater` of https://argoproj.github.io/argo-helm (CRD-based 1.x line). */
    chartVersion: z.string().default('1.3.0'),
    image: imageRef.default('quay.io/argoprojlabs/argocd-image-updater:v1.3.0'),
    /** Branch Image Updater commits its write-back to; Argo CD follows it. */
    branch: z.string().min(1).default('main'),
    /** Secret (in Argo CD's namespace) of type dockerconfigjson with pull credentials for the platform registry. */
    pullSecret: secretName.default('registry-pull'),
    /** ConfigMap (in Argo CD's namespace) with the registry CA under `ca.crt`. */
    caConfigMap: dnsLabel.default('registry-ca'),
    /** Components whose images are rolled out automatically, with the images to watch. */
    applications: z
      .array(z.object({ component: dnsLabel, images: z.array(UpdatedImageSchema).min(1) }).strict())
      .default([]),
  })
  .strict()
  .superRefine((u, ctx) => {
    const seen = new Set<string>();
    u.applications.forEach((a, i) => {
      if (seen.has(a.component)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['applications', i, 'component'], message: `component '${a.component}' is listed twice` });
      seen.add(a.component);
    });
  });

/** Seed 002's delivery chain: Jenkins with Kaniko agents, the private registry, Argo CD Image Updater. */
export const CiSchema = z
  .object({
    enabled: z.boolean().default(true),
    registry: PrivateRegistrySchema.default({}),
    jenkins: JenkinsSchema.default({}),
    kaniko: KanikoSchema.default({}),
    imageUpdater: ImageUpdaterSchema.default({}),
  })
  .strict()
  .superRefine((ci, ctx) => {
    ci.imageUpdater.applications.forEach((a, i) =>
      a.images.forEach((img, j) => {
        if (!img.image.startsWith(`${ci.registry.host}/`)) {
          ctx.addIssue({
            code: z.ZodIssueCode.custom,
            path: ['imageUpdater', 'applications', i, 'images', j, 'image'],
            message: `'${img.image}' is not in the platform registry '${ci.registry.host}' that CI pushes to`,
          });
        }
      }),
    );
  });

export type CiConfig = z.infer<typeof CiSchema>;
export type PrivateRegistryConfig = z.infer<typeof PrivateRegistrySchema>;
export type JenkinsConfig = z.infer<typeof JenkinsSchema>;
export type KanikoConfig = z.infer<typeof KanikoSchema>;
export type ImageUpdaterConfig = z.infer<typeof ImageUpdaterSchema>;
export type UpdatedImageConfig = z.infer<typeof UpdatedImageSchema>;
