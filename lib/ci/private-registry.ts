import { createHash } from 'node:crypto';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Certificate, CertificateSpecPrivateKeyAlgorithm, CertificateSpecPrivateKeyRotationPolicy, Issuer } from '../../imports/cert-manager.io';
import { Component } from '../core/component';
import { orderClaimForConsumer } from '../core/first-consumer';
import { REPOSITORY_PATTERN, RegistryIdentity, zotRepositories } from '../core/registry-access';

/**
 * Port the registry listens on (`http.port` of its configuration; 5000 is also the port of the
 * configuration Zot's images carry, project-zot/zot tag v2.1.20 build/stacker-minimal.yaml).
 */
export const REGISTRY_PORT = 5000;

/** Where the image's command reads its configuration: `serve /etc/zot/config.json` (build/stacker-minimal.yaml `cmd`). */
const CONFIG_DIR = '/etc/zot';
/** The volume's mount point; Zot's own images keep their storage at `/var/lib/registry` too. */
const DATA_DIR = '/var/lib/registry';
/**
 * Zot's root directory, a folder of the volume: Zot keeps one OCI image layout per repository
 * there, a layout Docker Distribution (which ran here before) does not share. Its `docker/` tree
 * stays beside it, untouched, until removed by hand.
 */
const ROOT_DIR = `${DATA_DIR}/zot`;
/**
 * The UID the registry runs as. The image sets no user of its own (build/stacker-minimal.yaml has
 * no `user`; its base, gcr.io/distroless/base-nossl-debian13:latest, runs as root), so the pod
 * names one: distroless' `nonroot` UID 65532 (GoogleContainerTools/distroless common/variables.bzl).
 */
const REGISTRY_UID = 65532;

export interface IssuerRef {
  readonly kind: 'Issuer' | 'ClusterIssuer';
  readonly name: string;
}

export interface PrivateRegistryProps {
  /** `host[:port]` clients use; its host name goes into the certificate (and the Ingress). */
  readonly host: string;
  readonly namespace: string;
  /** Zot image (its `serve <config>` command is kept; the configuration is mounted at /etc/zot). */
  readonly image: string;
  /**
   * The htpasswd users and what each may do, per repository (lib/core/registry-access.ts). Only
   * these rights exist: no identity may delete, anonymous and merely authenticated users get none.
   */
  readonly identities: readonly RegistryIdentity[];
  /** Storage class of the layer volume. */
  readonly storageClass: string;
  /**
   * The storage class binds a claim only when its first pod is scheduled (`volumeBindingMode:
   * WaitForFirstConsumer`, e.g. k3s' local-path): the volume then shares the Deployment's sync wave
   * instead of preceding it (lib/core/first-consumer.ts). @default false
   */
  readonly storageWaitsForFirstConsumer?: boolean;
  /** Size of the layer volume. @default '50Gi' */
  readonly storage?: string;
  /** Secret with the `htpasswd` key. @default 'registry-htpasswd' */
  readonly htpasswdSecret?: string;
  /** Issuer of the serving certificate. @default - a namespace-local self-signed CA */
  readonly issuer?: IssuerRef;
  /** NodePort of the Service. @default - a ClusterIP Service */
  readonly nodePort?: number;
  /** Ingress class; an Ingress for the host is created when set. @default - no Ingress */
  readonly ingressClassName?: string;
  /** @default 100m/256Mi requested, 1/1Gi limit */
  readonly resources?: { readonly requests: { cpu: string; memory: string }; readonly limits: { cpu: string; memory: string } };
}

/** Name of the Secret cert-manager writes the serving certificate to. */
export const REGISTRY_TLS_SECRET = 'registry-tls';
/** Name of the Secret holding the namespace-local CA (its `ca.crt` is what clients must trust). */
export const REGISTRY_CA_SECRET = 'registry-ca';

/** Name of the ConfigMap holding Zot's configuration (no secrets: passwords stay in the htpasswd Secret). */
export const REGISTRY_CONFIG_MAP = 'registry-config';

/**
 * Zot's configuration (project-zot/zot tag v2.1.20; every key is a field of pkg/api/config/config.go,
 * which the server loads with `UnmarshalExact` and refuses unknown keys, pkg/cli/server/root.go
 * `LoadConfiguration`).
 */
export function zotConfig(identities: readonly RegistryIdentity[]): Record<string, unknown> {
  if (identities.length === 0) throw new Error('the registry needs at least one identity: nobody could push or pull otherwise');
  const users = new Set<string>();
  for (const i of identities) {
    if (users.has(i.user)) throw new Error(`registry user '${i.user}' is given twice: each identity needs a user of its own`);
    users.add(i.user);
    if (i.repositories.length === 0) throw new Error(`registry user '${i.user}' has no repository`);
    const bad = i.repositories.find((r) => !REPOSITORY_PATTERN.test(r));
    if (bad !== undefined) throw new Error(`registry user '${i.user}': '${bad}' is not a repository name, ** or <repository>/**`);
  }
  const { repositories, conflicts } = zotRepositories(identities);
  if (conflicts.length > 0) throw new Error(`registry access: ${conflicts.join('; ')}`);
  return {
    storage: {
      rootDirectory: ROOT_DIR,
      // Identical layers stored once (hard links); garbage collection removes abandoned uploads and
      // blobs no manifest references, after the default delay (pkg/storage/gc/gc.go). Neither touches
      // a tag: untagged manifests go only under a retention policy's `deleteUntagged`, and there is
      // no retention policy (pkg/cli/server/root.go `applyDefaultValues`). Zot's defaults, written
      // out (config.go `New`: Dedupe true, GC true).
      dedupe: true,
      gc: true,
    },
    http: {
      // Zot's default address is 127.0.0.1 (config.go `New`), unreachable from the Service.
      address: '0.0.0.0',
      port: String(REGISTRY_PORT),
      realm: 'Kompile platform registry',
      tls: { cert: '/certs/tls.crt', key: '/certs/tls.key' },
      // Kaniko pushes Docker schema 2 manifests for Docker Hub bases; Zot accepts only OCI media
      // types unless this is set (pkg/compat/compat.go `docker2s2`; the images' own configuration
      // sets it too, build/stacker.yaml).
      compat: ['docker2s2'],
      auth: {
        htpasswd: { path: '/auth/htpasswd' },
        // Seconds a failed login waits (config.go AuthConfig.FailDelay; examples/config-example.json).
        failDelay: 5,
      },
      // Without an anonymous policy anywhere every request needs credentials (pkg/api/authn.go
      // `allowAnonymous`); no adminPolicy, so nobody holds rights beyond these groups.
      accessControl: { repositories },
    },
    log: { level: 'info' },
  };
}

/**
 * The platform's own image registry (seed 002's `registry.local`): Zot, with its layers on a
 * PersistentVolumeClaim, htpasswd authentication from a Secret created out of band, per-repository
 * rights from its configuration (a ConfigMap), and TLS from a cert-manager Certificate, exposed on a
 * NodePort (nodes pull from there) and optionally through the ingress controller.
 *
 * Why Zot: Docker Distribution (registry v2), which ran here before, authenticates but does not
 * authorize: its htpasswd access controller checks the password and ignores the requested access
 * (distribution/distribution registry/auth/htpasswd/access.go, `Authorized`), so every user may
 * push, overwrite and delete in every repository; finer rights there need an external token
 * server. Zot's `http.accessControl` gives each
 * repository pattern its own policies with the actions read, create, update and delete
 * (pkg/api/authz.go at v2.1.20), so the build credential pushes only what the jobs build, pull
 * credentials only pull, and nobody deletes.
 *
 * The registry's certificate must be trusted by every client: Kaniko (the CA is mounted from a
 * ConfigMap), Image Updater (likewise) and each node's containerd (node configuration, outside
 * Kubernetes).
 */
export class PrivateRegistry extends Component {
  readonly host: string;
  /** In-cluster address, `registry.<ns>.svc:5000`. */
  readonly serviceHost: string;

  constructor(scope: Construct, id: string, props: PrivateRegistryProps) {
    super(scope, id, { name: 'registry', namespace: props.namespace });
    const ns = props.namespace;
    const hostname = props.host.replace(/:\d+$/, '');
    this.host = props.host;
    this.serviceHost = `registry.${ns}.svc:${REGISTRY_PORT}`;
    const labels = { 'app.kubernetes.io/name': 'registry' };

    let issuerRef: IssuerRef = props.issuer ?? { kind: 'Issuer', name: 'registry-ca' };
    const certDeps: Construct[] = [];
    if (!props.issuer) {
      // A root that signs itself, a CA certificate from it, and an Issuer that signs with that CA:
      // the CA stays stable across renewals of the serving certificate.
      const selfSigned = new Issuer(this, 'SelfSigned', { metadata: { name: 'registry-selfsigned', namespace: ns }, spec: { selfSigned: {} } });
      const ca = new Certificate(this, 'CaCertificate', {
        metadata: { name: 'registry-ca', namespace: ns },
        spec: {
          isCa: true,
          commonName: 'kompile-registry-ca',
          secretName: REGISTRY_CA_SECRET,
          duration: '87600h',
          privateKey: { algorithm: CertificateSpecPrivateKeyAlgorithm.ECDSA, size: 256 },
          issuerRef: { kind: 'Issuer', name: 'registry-selfsigned', group: 'cert-manager.io' },
        },
      });
      ca.addDependency(selfSigned);
      const caIssuer = new Issuer(this, 'CaIssuer', { metadata: { name: 'registry-ca', namespace: ns }, spec: { ca: { secretName: REGISTRY_CA_SECRET } } });
      caIssuer.addDependency(ca);
      certDeps.push(caIssuer);
      issuerRef = { kind: 'Issuer', name: 'registry-ca' };
    }

    const cert = new Certificate(this, 'Certificate', {
      metadata: { name: 'registry-tls', namespace: ns },
      spec: {
        secretName: REGISTRY_TLS_SECRET,
        dnsNames: [...new Set([hostname, `registry.${ns}.svc`, `registry.${ns}.svc.cluster.local`])],
        duration: '2160h',
        renewBefore: '360h',
        privateKey: { algorithm: CertificateSpecPrivateKeyAlgorithm.ECDSA, size: 256, rotationPolicy: CertificateSpecPrivateKeyRotationPolicy.ALWAYS },
        issuerRef: { kind: issuerRef.kind, name: issuerRef.name, group: 'cert-manager.io' },
      },
    });
    for (const d of certDeps) cert.addDependency(d);

    const pvc = new k8s.KubePersistentVolumeClaim(this, 'Data', {
      metadata: { name: 'registry-data', namespace: ns },
      spec: {
        accessModes: ['ReadWriteOnce'],
        storageClassName: props.storageClass,
        resources: { requests: { storage: k8s.Quantity.fromString(props.storage ?? '50Gi') } },
      },
    });

    const configJson = `${JSON.stringify(zotConfig(props.identities), null, 2)}\n`;
    const configMap = new k8s.KubeConfigMap(this, 'Config', {
      metadata: { name: REGISTRY_CONFIG_MAP, namespace: ns, labels },
      data: { 'config.json': configJson },
    });

    const resources = props.resources ?? { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } };
    const deployment = new k8s.KubeDeployment(this, 'Resource', {
      metadata: { name: 'registry', namespace: ns, labels },
      spec: {
        replicas: 1,
        // One ReadWriteOnce volume: the old pod must let go of it before the new one starts.
        strategy: { type: 'Recreate' },
        selector: { matchLabels: labels },
        template: {
          // A changed configuration restarts the pod: Zot reloads its file only on a write event
          // (pkg/cli/server/config_reloader.go), and a ConfigMap update swaps a symlink instead.
          metadata: { labels, annotations: { 'kompile.dev/config-sha256': createHash('sha256').update(configJson).digest('hex') } },
          spec: {
            automountServiceAccountToken: false,
            securityContext: { runAsNonRoot: true, runAsUser: REGISTRY_UID, runAsGroup: REGISTRY_UID, fsGroup: REGISTRY_UID, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [
              {
                name: 'registry',
                image: props.image,
                // The image's own command (build/stacker-minimal.yaml `cmd`), written out.
                args: ['serve', `${CONFIG_DIR}/config.json`],
                ports: [{ name: 'https', containerPort: REGISTRY_PORT }],
                volumeMounts: [
                  { name: 'data', mountPath: DATA_DIR },
                  { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
                  { name: 'auth', mountPath: '/auth', readOnly: true },
                  { name: 'certs', mountPath: '/certs', readOnly: true },
                  { name: 'tmp', mountPath: '/tmp' },
                ],
                // /readyz answers once storage is loaded, /livez always; both are routed before
                // authentication (pkg/api/routes.go `SetupRoutes`, pkg/common/healthz.go).
                readinessProbe: { httpGet: { path: '/readyz', port: k8s.IntOrString.fromString('https'), scheme: 'HTTPS' }, periodSeconds: 10 },
                livenessProbe: { httpGet: { path: '/livez', port: k8s.IntOrString.fromString('https'), scheme: 'HTTPS' }, periodSeconds: 20, failureThreshold: 6 },
                resources: {
                  requests: { cpu: k8s.Quantity.fromString(resources.requests.cpu), memory: k8s.Quantity.fromString(resources.requests.memory) },
                  limits: { cpu: k8s.Quantity.fromString(resources.limits.cpu), memory: k8s.Quantity.fromString(resources.limits.memory) },
                },
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } },
              },
            ],
            volumes: [
              { name: 'data', persistentVolumeClaim: { claimName: 'registry-data' } },
              { name: 'config', configMap: { name: REGISTRY_CONFIG_MAP, items: [{ key: 'config.json', path: 'config.json' }] } },
              { name: 'auth', secret: { secretName: props.htpasswdSecret ?? 'registry-htpasswd', items: [{ key: 'htpasswd', path: 'htpasswd' }] } },
              { name: 'certs', secret: { secretName: REGISTRY_TLS_SECRET } },
              { name: 'tmp', emptyDir: {} },
            ],
          },
        },
      },
    });
    deployment.addDependency(cert);
    deployment.addDependency(configMap);
    orderClaimForConsumer(pvc, deployment, props.storageWaitsForFirstConsumer ?? false);

    const service = new k8s.KubeService(this, 'Service', {
      // Every /v2/ request needs an htpasswd user (REGISTRY_AUTH htpasswd above): the rule
      // 'edge-authentication' (lib/checks/security-exposure.ts) reads this for the NodePort.
      metadata: { name: 'registry', namespace: ns, labels, annotations: { 'kompile.dev/authentication': 'http-basic' } },
      spec: {
        type: props.nodePort !== undefined ? 'NodePort' : 'ClusterIP',
        selector: labels,
        ports: [{ name: 'https', port: REGISTRY_PORT, targetPort: k8s.IntOrString.fromString('https'), nodePort: props.nodePort }],
      },
    });

    if (props.ingressClassName) {
      const ingress = new k8s.KubeIngress(this, 'Ingress', {
        metadata: {
          name: 'registry',
          namespace: ns,
          annotations: {
            // ingress-nginx: the registry speaks TLS itself, and image layers have no size limit.
            'nginx.ingress.kubernetes.io/backend-protocol': 'HTTPS',
            'nginx.ingress.kubernetes.io/proxy-body-size': '0',
          },
        },
        spec: {
          ingressClassName: props.ingressClassName,
          tls: [{ hosts: [hostname], secretName: REGISTRY_TLS_SECRET }],
          rules: [
            {
              host: hostname,
              http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'registry', port: { number: REGISTRY_PORT } } } }] },
            },
          ],
        },
      });
      ingress.addDependency(service);
    }
  }
}
