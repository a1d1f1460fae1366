import { JcascPodTemplate, JcascResources } from './jcasc';

/** Controller environment variables holding the agent pods' images (see jcasc.ts). */
export const JNLP_IMAGE_VARIABLE = 'JNLP_IMAGE';
export const KANIKO_IMAGE_VARIABLE = 'KANIKO_IMAGE';

/** The Kaniko container of the build pod: pipelines run `/kaniko/executor` in `container('kaniko')`. */
export const KANIKO_CONTAINER = 'kaniko';

/** Where Kaniko reads its Docker config (push credentials) from. */
export const KANIKO_DOCKER_CONFIG_DIR = '/kaniko/.docker';
/** Kaniko sets SSL_CERT_DIR to this folder; every file in it is a trusted CA. */
export const KANIKO_CERT_DIR = '/kaniko/ssl/certs';

export interface KanikoBuildProps {
  /** Registry host builds push to, `host:port`. */
  readonly registry: string;
  /** Secret (dockerconfigjson) with push credentials, in the agents' namespace. */
  readonly pushSecret: string;
  /** ConfigMap with the registry's CA under `ca.crt`, in the agents' namespace. */
  readonly caConfigMap: string;
  /** Repository of the layer cache under the registry. @default 'cache' */
  readonly cacheRepository?: string;
  /** Service account of the build pods. */
  readonly serviceAccount: string;
  /** Kaniko container resources. */
  readonly resources: JcascResources;
  /** @default 'kaniko' */
  readonly label?: string;
}

const JNLP_RESOURCES: JcascResources = { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '500m', memory: '512Mi' } };

/**
 * The Jenkins agent pod template for image builds with Kaniko (seed 002): the inbound agent plus a
 * Kaniko executor kept alive with `/busybox/cat`, which pipelines run `/kaniko/executor` in.
 *
 * Everything a build needs to push is wired in here, from one place: the registry host, its CA
 * (mounted into Kaniko's certificate folder), the push credentials (mounted as Kaniko's Docker
 * config) and the cache repository, exposed to pipelines as `PLATFORM_REGISTRY` and
 * `KANIKO_CACHE_REPO`:
 *
 *     /kaniko/executor --context=dir://$WORKSPACE --destination=$PLATFORM_REGISTRY/app:$TAG \
 *       --cache=true --cache-repo=$KANIKO_CACHE_REPO
 *
 * Kaniko unpacks base images and runs `RUN` steps as root inside its container, so the container
 * runs as UID 0 with the file-ownership capabilities a build needs; it is never privileged, cannot
 * escalate privileges, keeps RuntimeDefault seccomp and drops every other capability. That is Pod
 * Security `baseline`, which is why the agents' namespace enforces baseline, not restricted.
 */
export function kanikoPodTemplate(props: KanikoBuildProps): JcascPodTemplate {
  const cacheRepo = `${props.registry}/${props.cacheRepository ?? 'cache'}`;
  return {
    name: 'kaniko',
    label: props.label ?? 'kaniko',
    serviceAccount: props.serviceAccount,
    podSecurityContext: { seccompProfile: { type: 'RuntimeDefault' } },
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
        env: [
          { name: 'PLATFORM_REGISTRY', value: props.registry },
          { name: 'KANIKO_CACHE_REPO', value: cacheRepo },
        ],
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
          { name: 'docker-config', mountPath: KANIKO_DOCKER_CONFIG_DIR, readOnly: true },
          // subPath: keep the CA bundle Kaniko ships (public registries) beside the platform's CA.
          { name: 'registry-ca', mountPath: `${KANIKO_CERT_DIR}/platform-registry-ca.crt`, subPath: 'ca.crt', readOnly: true },
        ],
      },
    ],
    volumes: [
      { name: 'docker-config', secret: { secretName: props.pushSecret, items: [{ key: '.dockerconfigjson', path: 'config.json' }] } },
      { name: 'registry-ca', configMap: { name: props.caConfigMap, items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
    ],
  };
}
