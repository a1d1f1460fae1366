import { z } from 'zod';
import { ContainerResourcesSchema, nodePort, quantity } from './common';
import { ClusterConfig, dnsLabel, SliceIssue } from './cluster';
import { registryHost } from './registry';
import { compareJenkinsVersions, JENKINS_VERSION, jenkinsVersionOfImage } from '../jenkins-version';
import { IMAGE_PINS } from '../image-pins';
import { REPOSITORY_NAME, REPOSITORY_PATTERN, patternMatches, registryIdentities, repositoryIn, zotRepositories } from '../registry-access';

/** A fully qualified image reference, `registry/repository[:tag][@digest]`. */
const imageRef = z
  .string()
  .regex(/^[a-zA-Z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)+(:[\w][\w.-]{0,127})?(@sha256:[a-f0-9]{64})?$/, { message: 'must be a fully qualified image reference such as docker.io/library/registry:2.8.3' });
const secretName = dnsLabel;


/** An htpasswd user name (no `:`, which separates it from the hash). */
const htpasswdUser = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { message: 'must be a user name such as ci (letters, digits, . _ -)' });

/**
 * The registry's identities (lib/core/registry-access.ts). Each is a user of the htpasswd Secret;
 * the rights are derived from the delivery chain, never granted by hand, and none may delete.
 */
export const RegistryAccessSchema = z
  .object({
    /** The CI identity, the user of Kaniko's push credential (`kaniko.pushSecret`). */
    ci: z
      .object({
        user: htpasswdUser.default('ci'),
        /**
         * Repositories CI pushes besides the build jobs' and Kaniko's cache (images a pipeline
         * outside Kompile's jobs builds). Names only: CI never gets a pattern.
         */
        repositories: z.array(z.string().regex(REPOSITORY_NAME, { message: 'must be a repository name such as kcloud/kcloud-operator: CI may push named repositories only, never a pattern' })).default([]),
      })
      .strict()
      .default({}),
    /** The Image Updater's pull identity, the user of `imageUpdater.pullSecret`: reads the repositories it watches. */
    imageUpdater: z.object({ user: htpasswdUser.default('image-updater') }).strict().default({}),
    /** The nodes' pull identity (containerd's credential for the registry, configured on the nodes). */
    nodes: z
      .object({
        user: htpasswdUser.default('nodes'),
        /** What nodes may pull: repository names, `**` or `<repository>/**`. */
        repositories: z.array(z.string().regex(REPOSITORY_PATTERN, { message: 'must be a repository name, ** or <repository>/**' })).min(1).default(['**']),
      })
      .strict()
      .default({}),
  })
  .strict();

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
    /** Zot (images.pins.json `zot`, where its source is noted). */
    image: imageRef.default(IMAGE_PINS.reference('zot')),
    /** Size of the PersistentVolumeClaim holding the layers. */
    storage: quantity.default('50Gi'),
    /**
     * Secret with an `htpasswd` key (bcrypt entries, `htpasswd -Bbn user pass`), created out of band:
     * one entry for each user of `access`.
     */
    htpasswdSecret: secretName.default('registry-htpasswd'),
    /** The identities and what each may do, repository by repository. */
    access: RegistryAccessSchema.default({}),
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
    // One user, one identity: a pull identity sharing CI's user would get CI's push rights.
    const seen = new Map<string, string>();
    for (const id of ['ci', 'imageUpdater', 'nodes'] as const) {
      const user = r.access[id].user;
      const other = seen.get(user);
      if (other) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['access', id, 'user'], message: `'${user}' is already the user of access.${other}: each identity needs a user of its own` });
      seen.set(user, id);
    }
  });

/** `2.528.1` (LTS) or `2.541` (weekly). */
const jenkinsVersion = z.string().regex(JENKINS_VERSION, { message: 'must be a Jenkins core version such as 2.528.1' });

/** One plugin release to install. */
export const JenkinsPluginSchema = z
  .object({
    /** Plugin id in the update center, e.g. `configuration-as-code`. */
    name: z.string().regex(/^[a-z0-9-]+$/, { message: 'must be a plugin id such as configuration-as-code' }),
    /** The release, e.g. `2036.v0b_c2de701dcb_`. */
    version: z.string().regex(/^[\w.-]+$/, { message: 'must be a plugin version such as 5.10.1' }),
    /**
     * Oldest Jenkins core the release runs on: `jenkins.version` in the plugin's pom.xml at the
     * release tag.
     */
    requiresCore: jenkinsVersion,
  })
  .strict();

/**
 * The delivery chain's plugins, all running on the default controller (2.528.1). Minimum cores
 * from each plugin's pom.xml at its release tag (`jenkins.baseline` + `jenkins.version`):
 * - jenkinsci/kubernetes-plugin @ 4423.vb_59f230b_ce53, pom.xml L46-47: 2.504 + .3
 * - jenkinsci/workflow-aggregator-plugin @ 608.v67378e9d3db_1, pom.xml L66-67: 2.479 + .3
 * - jenkinsci/git-plugin @ git-5.10.1, pom.xml L40-41: 2.504 + .3
 * - jenkinsci/configuration-as-code-plugin @ 2036.v0b_c2de701dcb_, pom.xml L42-43: 2.504 + .3; the
 *   newest release not needing 2.541.1 (2037 and later, e.g. 2065.v7a_20a_b_d84088, need it)
 * - jenkinsci/gitlab-plugin @ gitlab-plugin-1.9.9, pom.xml L48-49: 2.492 + .3
 * - jenkinsci/job-dsl-plugin @ 3654.vdf58f53e2d15 (df58f53e), pom.xml L37-38: 2.479 + .3 (the
 *   update center says the same: "Minimum Jenkins required: 2.479.3"); runs the build jobs'
 *   definitions from JCasC's `jobs:` element (javaposse/jobdsl/plugin/casc/SeedJobConfigurator.java)
 */
export const DEFAULT_JENKINS_PLUGINS: readonly { readonly name: string; readonly version: string; readonly requiresCore: string }[] = [
  { name: 'kubernetes', version: '4423.vb_59f230b_ce53', requiresCore: '2.504.3' },
  { name: 'workflow-aggregator', version: '608.v67378e9d3db_1', requiresCore: '2.479.3' },
  { name: 'git', version: '5.10.1', requiresCore: '2.504.3' },
  { name: 'configuration-as-code', version: '2036.v0b_c2de701dcb_', requiresCore: '2.504.3' },
  { name: 'gitlab-plugin', version: '1.9.9', requiresCore: '2.492.3' },
  { name: 'job-dsl', version: '3654.vdf58f53e2d15', requiresCore: '2.479.3' },
];

/** The plugin that turns JCasC's `jobs:` element into jobs. */
export const JOB_DSL_PLUGIN = 'job-dsl';

/** Release tags of the build jobs by default: `1.2.0` or `v1.2.0`, which semver orders. */
export const RELEASE_TAGS = '^v?\\d+\\.\\d+\\.\\d+$';

/** The moving tag each release is pushed as too, and Image Updater follows by digest. */
export const CHANNEL_TAG = 'release';
/** An image tag (distribution/reference's tag grammar). */
const IMAGE_TAG = /^[\w][\w.-]{0,127}$/;
/** A Git branch name Image Updater can push (no `:`, which separates its base and write branch; no template). */
const gitBranch = z.string().regex(/^(?!\/)(?!.*(\.\.|\/\/|@\{|\.lock$|\/$))[A-Za-z0-9._/-]+$/, { message: 'must be a Git branch name (letters, digits, . _ - /)' });

/** A repository-relative path: no leading slash, no `..`. */
const repoPath = z.string().min(1).regex(/^(?!\/)(?!.*(^|\/)\.\.(\/|$))[\w./-]+$/, { message: 'must be a path inside the repository, such as docker/Dockerfile' });

/**
 * An image build job: pushes to a GitLab project trigger it through the project's webhook
 * (`<jenkins url>project/<name>`), Kaniko builds the project's Dockerfile, and a release tag is
 * pushed to the platform registry as `<image>:<tag>`.
 */
export const BuildJobSchema = z
  .object({
    /** Jenkins job name, the last part of the webhook URL. */
    name: dnsLabel,
    /** The GitLab project, `group/project` (its clone URL is `<gitlab.url>/<project>.git`). */
    project: z.string().regex(/^[\w.-]+(\/[\w.-]+)+$/, { message: 'must be a GitLab project path such as chatbot/backend' }),
    /** The image the job builds, without tag, in the platform registry. */
    image: z.string().regex(/^[^\s:@]+(:\d+)?(\/[^\s:@]+)+$/, { message: 'must be an image name without tag' }),
    dockerfile: repoPath.default('Dockerfile'),
    context: repoPath.default('.'),
    /**
     * Git tags that are releases, a regular expression over the tag name: such a tag is built and
     * pushed as `<image>:<tag>`, every other push only built.
     */
    releaseTags: z.string().min(1).default(RELEASE_TAGS),
    /**
     * The moving tag every release is pushed as too (`<image>:<channelTag>`, same digest as
     * `<image>:<tag>`): the tag Image Updater follows by digest (`ci.imageUpdater.applications[].images[].tag`).
     */
    channelTag: z.string().regex(IMAGE_TAG, { message: 'must be an image tag (letters, digits, _ . -; at most 128)' }).default(CHANNEL_TAG),
  })
  .strict()
  .superRefine((j, ctx) => {
    try {
      new RegExp(j.releaseTags);
    } catch (e) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['releaseTags'], message: `is not a regular expression: ${(e as Error).message}` });
    }
    if (j.releaseTags.includes('${')) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['releaseTags'], message: "must not contain '${': JCasC would resolve it as a variable" });
    // A channel tag that is also a release tag would be overwritten by the release of that name.
    try {
      if (new RegExp(j.releaseTags).test(j.channelTag)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['channelTag'], message: `'${j.channelTag}' matches releaseTags ${j.releaseTags}: the moving tag must not be a release tag` });
    } catch {
      // reported above
    }
  });

export const JenkinsSchema = z
  .object({
    namespace: dnsLabel.default('jenkins'),
    /** Namespace of the build agent pods; the controller may manage pods only there. */
    agentsNamespace: dnsLabel.default('jenkins-agents'),
    /** The controller (images.pins.json `jenkins`, where its source is noted). */
    image: imageRef.default(IMAGE_PINS.reference('jenkins')),
    /**
     * The Jenkins core version of `image`, against which every plugin's `requiresCore` is checked.
     * Needed only when plugins are installed and the image tag does not begin with the version
     * (`lts-jdk21`, a digest, a site build's own tag); when both say a version they must agree.
     * @default - read from the image tag: `2.528.1-jdk21` is 2.528.1
     */
    coreVersion: jenkinsVersion.optional(),
    /** JCasC auto-reload sidecar (images.pins.json `k8s-sidecar`). */
    sidecarImage: imageRef.default(IMAGE_PINS.reference('k8s-sidecar')),
    /** The inbound agent (`jnlp` container) of every build pod (images.pins.json `inbound-agent`). */
    agentImage: imageRef.default(IMAGE_PINS.reference('inbound-agent')),
    /**
     * Plugins installed at start, each with the oldest core its release runs on. Empty installs
     * none: the controller image must then carry them (airgapped sites, which cannot reach the
     * update center). A plugin needing a newer core than the controller's is refused: the chart's
     * installer would stop on it and the controller would never leave Init.
     */
    plugins: z.array(JenkinsPluginSchema).default(() => DEFAULT_JENKINS_PLUGINS.map((p) => ({ ...p }))),
    /** Secret with `jenkins-admin-user` and `jenkins-admin-password`, created out of band. */
    adminSecret: secretName.default('jenkins-admin'),
    /**
     * The URL GitLab and people reach Jenkins at, WITH its port: a webhook to the bare host answers
     * 200 from the wrong listener and triggers nothing (seed 002).
     */
    url: z.string().url().default('https://jenkins.local:31084/'),
    /**
     * TLS of the Jenkins UI, served through the ingress controller at the host of `url` (the
     * controller's own Service is ClusterIP: no plain-HTTP node port).
     */
    tls: z
      .object({
        /** Secret cert-manager writes the certificate to, in Jenkins' namespace. */
        secretName: secretName.default('jenkins-tls'),
        /** Issuer of the certificate. @default - a CA local to Jenkins' namespace */
        issuer: IssuerRefSchema.optional(),
      })
      .strict()
      .default({}),
    gitlab: z
      .object({
        url: z.string().url().default('https://gitlab.example.com'),
        /** Secret with a `token` key: a GitLab API token Jenkins reports build status with. */
        tokenSecret: secretName.default('gitlab-token'),
        /** Secret with a `token` key: the secret GitLab sends with each webhook. */
        webhookSecret: secretName.default('gitlab-webhook'),
        /**
         * Secret with `username` and `password` keys the build jobs clone with (a GitLab deploy
         * token with read_repository), created out of band.
         */
        checkoutSecret: secretName.default('gitlab-checkout'),
      })
      .strict()
      .default({}),
    /** Image build jobs, defined in JCasC (needs the job-dsl plugin). */
    jobs: z.array(BuildJobSchema).default([]),
    storage: quantity.default('20Gi'),
    resources: ContainerResourcesSchema.default({ requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '4Gi' } }),
  })
  .strict()
  .superRefine((j, ctx) => {
    const names = new Set<string>();
    j.jobs.forEach((job, i) => {
      if (names.has(job.name)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['jobs', i, 'name'], message: `job '${job.name}' is defined twice` });
      names.add(job.name);
    });
    // An empty list means the image carries the plugins.
    if (j.jobs.length > 0 && j.plugins.length > 0 && !j.plugins.some((p) => p.name === JOB_DSL_PLUGIN)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['plugins'], message: `the jobs need the '${JOB_DSL_PLUGIN}' plugin: without it JCasC refuses its 'jobs' element and the controller does not start` });
    }
    let url: URL;
    try {
      url = new URL(j.url);
    } catch {
      return;
    }
    if (url.protocol !== 'https:') {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['url'], message: 'must use https: Jenkins is served through the ingress controller with TLS (logins and webhook secrets would otherwise cross the network in clear)' });
    }
    if (j.namespace === j.agentsNamespace) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['agentsNamespace'], message: 'agents need a namespace of their own, apart from the controller' });
    }
    checkPluginCores(j, ctx);
  });

/**
 * Every plugin must run on the controller's core: `jenkins-plugin-cli`, which the chart runs in the
 * controller's `init` container, refuses a plugin that "requires a greater version of Jenkins"
 * (jenkinsci/plugin-installation-manager-tool tag 2.15.0, PluginManager.java L568-577,
 * `checkVersionCompatibility`), and the pod stays in Init.
 */
function checkPluginCores(j: { image: string; coreVersion?: string; plugins: readonly { name: string; version: string; requiresCore: string }[] }, ctx: z.RefinementCtx): void {
  // A malformed coreVersion is reported by its own schema.
  if (j.coreVersion !== undefined && !JENKINS_VERSION.test(j.coreVersion)) return;
  const fromTag = jenkinsVersionOfImage(j.image);
  if (j.coreVersion !== undefined && fromTag !== undefined && compareJenkinsVersions(j.coreVersion, fromTag) !== 0) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['coreVersion'], message: `${j.coreVersion} contradicts the image tag, which names Jenkins ${fromTag} (${j.image})` });
    return;
  }
  if (j.plugins.length === 0) return;
  const core = j.coreVersion ?? fromTag;
  if (core === undefined) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      path: ['image'],
      message: `the tag of ${j.image} names no Jenkins version (such as 2.528.1-jdk21), so the plugins cannot be checked against it; set coreVersion to the image's Jenkins version`,
    });
    return;
  }
  j.plugins.forEach((p, i) => {
    if (JENKINS_VERSION.test(p.requiresCore) && compareJenkinsVersions(p.requiresCore, core) > 0) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['plugins', i],
        message: `${p.name}:${p.version} requires Jenkins ${p.requiresCore} or newer, but the controller runs Jenkins ${core}: the plugin installer would fail and the controller stay in Init; pick an older plugin release or a newer controller image`,
      });
    }
  });
}

export const KanikoSchema = z
  .object({
    /** The `-debug` variant: it has the busybox shell the Kubernetes plugin keeps the container alive with. */
    image: imageRef.default(IMAGE_PINS.reference('kaniko')),
    /**
     * The push container (crane's debug image, images.pins.json `crane`): the only container of the
     * build pod besides the sign container that mounts `pushSecret`; Kaniko builds without it.
     */
    pushImage: imageRef.default(IMAGE_PINS.reference('crane')),
    /** The sign container (cosign's `-dev` image, images.pins.json `cosign`). */
    signImage: imageRef.default(IMAGE_PINS.reference('cosign')),
    /**
     * Secret of type `kubernetes.io/dockerconfigjson` in the agents' namespace with push credentials,
     * mounted only in the push and sign containers.
     */
    pushSecret: secretName.default('registry-push'),
    /**
     * Secret in the agents' namespace with the cosign key pair CI signs with: `cosign.key` (encrypted
     * private key) and `cosign.password`, as `cosign generate-key-pair k8s://<namespace>/<name>`
     * writes them; mounted only in the sign container.
     */
    signingSecret: secretName.default('image-signing-key'),
    /** ConfigMap with a `ca.crt` key in the agents' namespace: the CA that signed the registry's certificate, written by trust-manager (lib/ci/registry-trust.ts). */
    caConfigMap: dnsLabel.default('registry-ca'),
    /**
     * Building and snapshotting large images (PyTorch, CUDA bases) in memory killed Kaniko at the
     * seed's default limits (seed 002: "Kaniko OOM").
     */
    resources: ContainerResourcesSchema.default({ requests: { cpu: '1', memory: '2Gi' }, limits: { cpu: '2', memory: '6Gi' } }),
    /** The push and the sign container each (they stream a tarball and sign a digest). */
    publishResources: ContainerResourcesSchema.default({ requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '512Mi' } }),
  })
  .strict();

/** A PEM public key (`-----BEGIN PUBLIC KEY-----`), as `cosign.pub` holds it. */
const publicKeyPem = z
  .string()
  .regex(/^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+\n-----END PUBLIC KEY-----\n?$/, { message: 'must be a PEM public key (-----BEGIN PUBLIC KEY----- …), the cosign.pub of the signing key pair; never the private key' });

/**
 * Admission of the images CI signs: the Sigstore policy-controller and a ClusterImagePolicy that
 * requires, for every image of the platform registry, a signature by `publicKey`.
 */
export const SigningSchema = z
  .object({
    /** The public half of the signing key pair (`cosign.pub`); not a secret. */
    publicKey: publicKeyPem.optional(),
    admission: z
      .object({
        /** @default - on in a `production` tier, off in `development` */
        enabled: z.boolean().optional(),
        /** Namespace of the policy-controller. */
        namespace: dnsLabel.default('cosign-system'),
        /**
         * Secret (dockerconfigjson of a read-only registry user, such as `nodes`) the policy-controller
         * reads signatures with, in every namespace that opts in to verification: the registry grants
         * anonymous clients nothing, and the platform's pods pull with the nodes' containerd
         * credential, which the controller does not have (it reads with the workload's own service
         * account and imagePullSecrets, and these Secrets: policy-controller v0.13.1
         * pkg/webhook/validator.go). Created by the site in each such namespace, like every Secret.
         */
        signaturePullSecret: secretName.default('registry-signatures'),
      })
      .strict()
      .default({}),
  })
  .strict();

export const UpdatedImageSchema = z
  .object({
    /** Alias of the image in the ImageUpdater resource. */
    alias: dnsLabel,
    /** Image name without tag, as the component's manifests spell it, e.g. `registry.local:30500/kcloud/kcloud-operator`. */
    image: z.string().regex(/^[^\s:@]+(:\d+)?(\/[^\s:@]+)+$/, { message: 'must be an image name without tag' }),
    /**
     * The moving tag CI pushes every release as (a job's `channelTag`): Image Updater follows its
     * digest (the `digest` strategy) and writes `<image>:<tag>@sha256:…`, never a bare tag.
     */
    tag: z.string().regex(IMAGE_TAG, { message: 'must be an image tag (letters, digits, _ . -; at most 128)' }).default(CHANNEL_TAG),
  })
  .strict();

export const ImageUpdaterSchema = z
  .object({
    enabled: z.boolean().default(true),
    image: imageRef.default(IMAGE_PINS.reference('argocd-image-updater')),
    /** The branch Argo CD follows: CI merges the write branch into it after the checks; Image Updater never writes it. */
    targetBranch: gitBranch.default('main'),
    /**
     * The branch Image Updater commits its write-back to, created from `targetBranch`; only its own
     * Git credential may push it (docs/delivery.md, "Write back").
     * @default `image-updates/<environment>`
     */
    writeBranch: gitBranch.optional(),
    /**
     * Secret (in Argo CD's namespace) with Image Updater's own Git credential: `sshPrivateKey` (a
     * GitLab deploy key allowed to push only the write branch) for an SSH `writeRepository`, or
     * `username`/`password` for HTTPS. Not Argo CD's repository credentials, which stay read-only.
     */
    gitCredentialsSecret: secretName.default('image-updater-git'),
    /**
     * Clone URL Image Updater pushes to, e.g. `ssh://git@gitlab.example.com/platform/kompile-gitops.git`
     * for a deploy key. @default - the Application's `repoURL`
     */
    writeRepository: z.string().regex(/^(ssh|https):\/\/\S+$|^[\w.-]+@[\w.-]+:\S+$/, { message: 'must be an ssh://, https:// or scp-like (git@host:path) Git URL' }).optional(),
    /** Secret (in Argo CD's namespace) of type dockerconfigjson with pull credentials for the platform registry. */
    pullSecret: secretName.default('registry-pull'),
    /** ConfigMap (in Argo CD's namespace) with the registry CA under `ca.crt`, written by trust-manager (lib/ci/registry-trust.ts). */
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
    if (u.writeBranch !== undefined && u.writeBranch === u.targetBranch) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['writeBranch'], message: `is the target branch '${u.targetBranch}': Image Updater must write to a branch of its own, which CI merges after the checks` });
    }
  });

const CiSchemaObject = z
  .object({
    enabled: z.boolean().default(true),
    registry: PrivateRegistrySchema.default({}),
    jenkins: JenkinsSchema.default({}),
    kaniko: KanikoSchema.default({}),
    imageUpdater: ImageUpdaterSchema.default({}),
    signing: SigningSchema.default({}),
  })
  .strict();

/** Seed 002's delivery chain: Jenkins with Kaniko agents, the private registry, Argo CD Image Updater. */
export const CiSchema = CiSchemaObject.superRefine((ci, ctx) => {
    checkRegistryAccess(ci, ctx);
    const jobs = new Map(ci.jenkins.jobs.map((job) => [job.image, job]));
    ci.jenkins.jobs.forEach((job, i) => {
      if (!job.image.startsWith(`${ci.registry.host}/`)) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['jenkins', 'jobs', i, 'image'], message: `'${job.image}' is not in the platform registry '${ci.registry.host}' that Kaniko pushes to` });
      }
    });
    ci.imageUpdater.applications.forEach((a, i) =>
      a.images.forEach((img, j) => {
        if (!img.image.startsWith(`${ci.registry.host}/`)) {
          ctx.addIssue({
            code: z.ZodIssueCode.custom,
            path: ['imageUpdater', 'applications', i, 'images', j, 'image'],
            message: `'${img.image}' is not in the platform registry '${ci.registry.host}' that CI pushes to`,
          });
        }
        // The job must push the tag the rule follows, or releases are never rolled out.
        const job = jobs.get(img.image);
        if (job && img.tag !== job.channelTag) {
          ctx.addIssue({
            code: z.ZodIssueCode.custom,
            path: ['imageUpdater', 'applications', i, 'images', j, 'tag'],
            message: `job '${job.name}' pushes each release of ${img.image} as '${job.channelTag}'; follow that tag, not '${img.tag}'`,
          });
        }
      }),
    );
  });

/**
 * The registry's rights must serve the chain: every image the Image Updater watches must be pushable
 * by CI (or nothing would ever be rolled out), the images the jobs build and the Image Updater rolls
 * out must be pullable by the nodes, and no pattern may take a repository away from an identity.
 */
function checkRegistryAccess(ci: z.infer<typeof CiSchemaObject>, ctx: z.RefinementCtx): void {
  const { host, access } = ci.registry;
  const identities = registryIdentities(ci);
  const pushable = new Set(identities.filter((i) => i.user === access.ci.user).flatMap((i) => i.repositories));
  const pullable = (repository: string) => access.nodes.repositories.some((p) => patternMatches(p, repository));
  const nodesPath = ['registry', 'access', 'nodes', 'repositories'];
  ci.jenkins.jobs.forEach((job, i) => {
    const repository = repositoryIn(host, job.image);
    if (repository !== undefined && !pullable(repository)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: nodesPath, message: `nodes may not pull '${repository}', which job '${job.name}' (jenkins.jobs[${i}]) builds; add it (or a pattern over it)` });
    }
  });
  if (ci.imageUpdater.enabled) {
    ci.imageUpdater.applications.forEach((a, i) =>
      a.images.forEach((img, j) => {
        const repository = repositoryIn(host, img.image);
        if (repository === undefined) return; // reported below: not in the platform registry
        if (!pushable.has(repository)) {
          ctx.addIssue({
            code: z.ZodIssueCode.custom,
            path: ['imageUpdater', 'applications', i, 'images', j, 'image'],
            message: `no identity may push '${repository}', so nothing would ever be rolled out: build it with a job (jenkins.jobs) or add it to registry.access.ci.repositories`,
          });
        }
        if (!pullable(repository)) {
          ctx.addIssue({ code: z.ZodIssueCode.custom, path: nodesPath, message: `nodes may not pull '${repository}', which imageUpdater.applications[${i}] rolls out; add it (or a pattern over it)` });
        }
      }),
    );
  }
  for (const conflict of zotRepositories(identities).conflicts) ctx.addIssue({ code: z.ZodIssueCode.custom, path: nodesPath, message: conflict });
}

export type CiConfig = z.infer<typeof CiSchema>;

/** Whether images of the platform registry are verified at admission: as configured, else in a production tier. */
export function admissionEnabled(ci: CiConfig, tier: 'development' | 'production'): boolean {
  return ci.enabled && (ci.signing.admission.enabled ?? tier === 'production');
}
export type PrivateRegistryConfig = z.infer<typeof PrivateRegistrySchema>;
export type JenkinsConfig = z.infer<typeof JenkinsSchema>;
export type JenkinsPluginConfig = z.infer<typeof JenkinsPluginSchema>;
export type BuildJobConfig = z.infer<typeof BuildJobSchema>;
export type KanikoConfig = z.infer<typeof KanikoSchema>;
export type SigningConfig = z.infer<typeof SigningSchema>;
export type ImageUpdaterConfig = z.infer<typeof ImageUpdaterSchema>;
export type UpdatedImageConfig = z.infer<typeof UpdatedImageSchema>;

/**
 * Rules of the CI slice that depend on the cluster: Jenkins' URL names the ingress controller's HTTPS
 * port, where GitLab's webhooks and people arrive (a webhook to another port answers from the wrong
 * listener and triggers nothing, seed 002).
 */
export function ciClusterIssues(ci: CiConfig, cluster: ClusterConfig): SliceIssue[] {
  if (!ci.enabled) return [];
  let url: URL;
  try {
    url = new URL(ci.jenkins.url);
  } catch {
    return [];
  }
  const https = cluster.ingress.nodePorts?.https;
  const port = url.port === '' ? 443 : Number(url.port);
  // Without node ports the controller's address and port are the cluster's (a load balancer): not known here.
  if (https !== undefined && port !== https) return [{ path: ['jenkins', 'url'], message: `port ${port} is not the ingress controller's HTTPS node port ${https} (cluster.ingress.nodePorts.https), where Jenkins is served` }];
  return [];
}
