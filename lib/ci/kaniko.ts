import { SECURITY_EXCEPTION_PREFIX } from '../checks/objects';
import { JcascPodTemplate, JcascResources } from './jcasc';

/** Controller environment variables holding the agent pods' images (see jcasc.ts). */
export const JNLP_IMAGE_VARIABLE = 'JNLP_IMAGE';
export const KANIKO_IMAGE_VARIABLE = 'KANIKO_IMAGE';
export const PUSH_IMAGE_VARIABLE = 'PUSH_IMAGE';
export const SIGN_IMAGE_VARIABLE = 'SIGN_IMAGE';

/** The Kaniko container of the build pod: pipelines run `/kaniko/executor` in `container('kaniko')`. */
export const KANIKO_CONTAINER = 'kaniko';
/** The container that pushes the built image (crane), the only one besides `sign` with push credentials. */
export const PUSH_CONTAINER = 'push';
/** The container that signs the pushed digest (cosign), the only one with the signing key. */
export const SIGN_CONTAINER = 'sign';

/** Kaniko sets SSL_CERT_DIR to this folder; every file in it is a trusted CA. */
export const KANIKO_CERT_DIR = '/kaniko/ssl/certs';
/** Where the push and sign containers find the push credentials (`config.json`), as DOCKER_CONFIG. */
export const PUSH_DOCKER_CONFIG_DIR = '/var/run/registry-push';
/** Where the sign container finds the encrypted private key `cosign.key`. */
export const SIGNING_KEY_DIR = '/var/run/image-signing';
/** The platform registry's CA in the push and sign containers (a folder of SSL_CERT_DIR). */
const PUBLISH_CA_DIR = '/var/run/platform-registry-ca';
/** The non-root user of the distroless images crane and cosign are built on (`nonroot`). */
const DISTROLESS_NONROOT = 65532;

export interface KanikoBuildProps {
  /** Registry host builds push to, `host:port`. */
  readonly registry: string;
  /** Secret (dockerconfigjson) with push credentials, in the agents' namespace: push and sign containers only. */
  readonly pushSecret: string;
  /** Secret with `cosign.key` and `cosign.password`, in the agents' namespace: sign container only. */
  readonly signingSecret: string;
  /** ConfigMap with the registry's CA under `ca.crt`, in the agents' namespace. */
  readonly caConfigMap: string;
  /** Service account of the build pods. */
  readonly serviceAccount: string;
  /** Kaniko container resources. */
  readonly resources: JcascResources;
  /** Resources of the push and of the sign container. */
  readonly publishResources: JcascResources;
  /** @default 'kaniko' */
  readonly label?: string;
}

const JNLP_RESOURCES: JcascResources = { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '500m', memory: '512Mi' } };

/** A container that runs as the distroless non-root user with nothing added: Pod Security `restricted`. */
const NON_ROOT = {
  runAsNonRoot: true,
  runAsUser: DISTROLESS_NONROOT,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

/**
 * The Jenkins agent pod template for image builds (seed 002): the inbound agent, a Kaniko executor
 * that builds, a `push` container (crane) that pushes what Kaniko built, and a `sign` container
 * (cosign) that signs the pushed digest, each kept alive with `/busybox/cat` for pipeline steps.
 *
 * Kaniko holds no credential: Dockerfile `RUN` steps execute inside its container, so anything
 * mounted there is readable by every build. It builds with `--no-push --tar-path` (Kaniko v1.23.2
 * cmd/executor/cmd/root.go: with `--no-push` and no `--cache-repo` it skips its push-permission
 * check; pkg/executor/push.go `DoPush` writes the tarball, tagged with `--destination`, and returns
 * before pushing) and without a remote layer cache (a cache repository needs push rights, and one
 * every build may write is a way to poison another build's layers). It pulls base images
 * anonymously. The push credentials (`pushSecret`, as `DOCKER_CONFIG`, which go-containerregistry's
 * default keychain reads: pkg/authn/keychain.go at v0.21.9) are mounted only in `push` and `sign`
 * (cosign writes the signature into the image's repository), the signing key only in `sign`. The
 * registry's CA is mounted into Kaniko's certificate folder and, for crane and cosign (Go), into a
 * folder of `SSL_CERT_DIR` beside the system's.
 *
 * Kaniko unpacks base images and runs `RUN` steps as root inside its container, so the container
 * runs as UID 0 with the file-ownership capabilities a build needs; it is never privileged, cannot
 * escalate privileges, keeps RuntimeDefault seccomp and drops every other capability. That is Pod
 * Security `baseline`, which is why the agents' namespace enforces baseline, not restricted. The
 * push and sign containers run as non-root with every capability dropped.
 */
export function kanikoPodTemplate(props: KanikoBuildProps): JcascPodTemplate {
  const publishEnv = [
    { name: 'PLATFORM_REGISTRY', value: props.registry },
    { name: 'DOCKER_CONFIG', value: PUSH_DOCKER_CONFIG_DIR },
    // Colon-separated folders, as the policy-controller chart sets it for the same Go TLS stack.
    { name: 'SSL_CERT_DIR', value: `${PUBLISH_CA_DIR}:/etc/ssl/certs` },
  ];
  const publishMounts = [
    { name: 'registry-push', mountPath: PUSH_DOCKER_CONFIG_DIR, readOnly: true },
    { name: 'registry-ca', mountPath: PUBLISH_CA_DIR, readOnly: true },
  ];
  return {
    name: 'kaniko',
    label: props.label ?? 'kaniko',
    serviceAccount: props.serviceAccount,
    podSecurityContext: { seccompProfile: { type: 'RuntimeDefault' } },
    // Rule 'build-credentials' (lib/checks/security-build.ts) holds every container of an agent pod
    // to "no registry credential", since a pipeline may run steps in any of them; this template's
    // pipelines are Kompile's own (lib/ci/build-jobs.ts, recreated from JCasC on every apply), and
    // the rule never excuses the Kaniko container itself.
    annotations: {
      [`${SECURITY_EXCEPTION_PREFIX}build-credentials`]: `containers '${PUSH_CONTAINER}' and '${SIGN_CONTAINER}' hold the push credentials ('${SIGN_CONTAINER}' also the signing key) and run only the push and sign steps of the pipelines Kompile writes; the project's Dockerfile RUN steps run in '${KANIKO_CONTAINER}', which holds no credential`,
    },
    containers: [
      {
        name: 'jnlp',
        imageVariable: JNLP_IMAGE_VARIABLE,
        resources: JNLP_RESOURCES,
        securityContext: {
          runAsNonRoot: true,
          runAsUser: 1000,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
          seccompProfile: { type: 'RuntimeDefault' },
        },
      },
      {
        name: KANIKO_CONTAINER,
        imageVariable: KANIKO_IMAGE_VARIABLE,
        command: ['/busybox/cat'],
        tty: true,
        env: [{ name: 'PLATFORM_REGISTRY', value: props.registry }],
        resources: props.resources,
        securityContext: {
          runAsUser: 0,
          privileged: false,
          allowPrivilegeEscalation: false,
          seccompProfile: { type: 'RuntimeDefault' },
          // What unpacking layers and RUN steps need: file ownership and user switching. All within
          // Pod Security baseline's default set.
          capabilities: { drop: ['ALL'], add: ['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'SETGID', 'SETUID'] },
        },
        volumeMounts: [
          // subPath: keep the CA bundle Kaniko ships (public registries) beside the platform's CA.
          { name: 'registry-ca', mountPath: `${KANIKO_CERT_DIR}/platform-registry-ca.crt`, subPath: 'ca.crt', readOnly: true },
        ],
      },
      {
        name: PUSH_CONTAINER,
        imageVariable: PUSH_IMAGE_VARIABLE,
        command: ['/busybox/cat'],
        tty: true,
        env: publishEnv,
        resources: props.publishResources,
        securityContext: NON_ROOT,
        volumeMounts: publishMounts,
      },
      {
        name: SIGN_CONTAINER,
        imageVariable: SIGN_IMAGE_VARIABLE,
        command: ['/busybox/cat'],
        tty: true,
        env: [
          ...publishEnv,
          { name: 'COSIGN_KEY', value: `${SIGNING_KEY_DIR}/cosign.key` },
          // cosign reads the key's password from COSIGN_PASSWORD (sigstore/cosign v2.6.1 pkg/cosign/env/env.go).
          { name: 'COSIGN_PASSWORD', valueFrom: { secretKeyRef: { name: props.signingSecret, key: 'cosign.password' } } },
        ],
        resources: props.publishResources,
        securityContext: NON_ROOT,
        volumeMounts: [...publishMounts, { name: 'signing-key', mountPath: SIGNING_KEY_DIR, readOnly: true }],
      },
    ],
    volumes: [
      { name: 'registry-push', secret: { secretName: props.pushSecret, items: [{ key: '.dockerconfigjson', path: 'config.json' }] } },
      // Only the private key: the public key is configuration (components.ci.signing.publicKey).
      { name: 'signing-key', secret: { secretName: props.signingSecret, items: [{ key: 'cosign.key', path: 'cosign.key' }] } },
      { name: 'registry-ca', configMap: { name: props.caConfigMap, items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
    ],
  };
}
