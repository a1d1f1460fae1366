import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Certificate, CertificateSpecPrivateKeyAlgorithm, CertificateSpecPrivateKeyRotationPolicy, Issuer } from '../../imports/cert-manager.io';
import { Component } from '../core/component';
import { orderClaimForConsumer } from '../core/first-consumer';

/** Port registry v2 listens on (its `REGISTRY_HTTP_ADDR` default). */
export const REGISTRY_PORT = 5000;

export interface IssuerRef {
  readonly kind: 'Issuer' | 'ClusterIssuer';
  readonly name: string;
}

export interface PrivateRegistryProps {
  /** `host[:port]` clients use; its host name goes into the certificate (and the Ingress). */
  readonly host: string;
  readonly namespace: string;
  /** registry v2 image. */
  readonly image: string;
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

/**
 * The platform's own image registry (seed 002's `registry.local`): Docker Distribution v2 with its
 * layers on a PersistentVolumeClaim, htpasswd authentication from a Secret created out of band, and
 * TLS from a cert-manager Certificate, exposed on a NodePort (nodes pull from there) and optionally
 * through the ingress controller.
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

    const resources = props.resources ?? { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } };
    const deployment = new k8s.KubeDeployment(this, 'Resource', {
      metadata: { name: 'registry', namespace: ns, labels },
      spec: {
        replicas: 1,
        // One ReadWriteOnce volume: the old pod must let go of it before the new one starts.
        strategy: { type: 'Recreate' },
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            automountServiceAccountToken: false,
            securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [
              {
                name: 'registry',
                image: props.image,
                ports: [{ name: 'https', containerPort: REGISTRY_PORT }],
                env: [
                  { name: 'REGISTRY_HTTP_ADDR', value: `:${REGISTRY_PORT}` },
                  { name: 'REGISTRY_HTTP_TLS_CERTIFICATE', value: '/certs/tls.crt' },
                  { name: 'REGISTRY_HTTP_TLS_KEY', value: '/certs/tls.key' },
                  { name: 'REGISTRY_AUTH', value: 'htpasswd' },
                  { name: 'REGISTRY_AUTH_HTPASSWD_REALM', value: 'Kompile platform registry' },
                  { name: 'REGISTRY_AUTH_HTPASSWD_PATH', value: '/auth/htpasswd' },
                  { name: 'REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY', value: '/var/lib/registry' },
                  // Lets old tags be deleted and garbage-collected; the cache repository grows otherwise.
                  { name: 'REGISTRY_STORAGE_DELETE_ENABLED', value: 'true' },
                ],
                volumeMounts: [
                  { name: 'data', mountPath: '/var/lib/registry' },
                  { name: 'auth', mountPath: '/auth', readOnly: true },
                  { name: 'certs', mountPath: '/certs', readOnly: true },
                  { name: 'tmp', mountPath: '/tmp' },
                ],
                readinessProbe: { tcpSocket: { port: k8s.IntOrString.fromNumber(REGISTRY_PORT) }, periodSeconds: 10 },
                livenessProbe: { tcpSocket: { port: k8s.IntOrString.fromNumber(REGISTRY_PORT) }, periodSeconds: 20, failureThreshold: 6 },
                resources: {
                  requests: { cpu: k8s.Quantity.fromString(resources.requests.cpu), memory: k8s.Quantity.fromString(resources.requests.memory) },
                  limits: { cpu: k8s.Quantity.fromString(resources.limits.cpu), memory: k8s.Quantity.fromString(resources.limits.memory) },
                },
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } },
              },
            ],
            volumes: [
              { name: 'data', persistentVolumeClaim: { claimName: 'registry-data' } },
              { name: 'auth', secret: { secretName: props.htpasswdSecret ?? 'registry-htpasswd', items: [{ key: 'htpasswd', path: 'htpasswd' }] } },
              { name: 'certs', secret: { secretName: REGISTRY_TLS_SECRET } },
              { name: 'tmp', emptyDir: {} },
            ],
          },
        },
      },
    });
    deployment.addDependency(cert);
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
