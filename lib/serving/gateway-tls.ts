import { Construct } from 'constructs';
import { Certificate, CertificateSpecPrivateKeyAlgorithm, ClusterIssuer } from '../../imports/cert-manager.io';

export interface GatewayTlsProps {
  /** Prefix of the issuers' and CA's names. @default 'kompile-serving' */
  readonly prefix?: string;
  /** cert-manager's namespace: where a ClusterIssuer's CA secret must live. */
  readonly certManagerNamespace: string;
  /** Namespace of the ingress gateway: its TLS secret must be there. */
  readonly gatewayNamespace: string;
  /** Hosts the gateway certificate covers, e.g. `['*.models.example.com']`. */
  readonly dnsNames: readonly string[];
  /** Name of the Secret cert-manager writes the gateway certificate to (the Gateway's `credentialName`). */
  readonly secretName: string;
  /** Lifetime of the gateway certificate. @default '2160h' (90 days) */
  readonly duration?: string;
}

/**
 * TLS for the serving gateway from cert-manager, with no Secret in the output: a self-signed
 * ClusterIssuer makes a CA certificate (in cert-manager's namespace), a CA ClusterIssuer signs with
 * it, and a Certificate for the model hosts lands in the gateway's namespace under `secretName`.
 * Clients trust the CA in `<prefix>-ca` (secret in cert-manager's namespace).
 */
export class GatewayTls extends Construct {
  readonly caIssuer: ClusterIssuer;
  readonly certificate: Certificate;
  readonly secretName: string;

  constructor(scope: Construct, id: string, props: GatewayTlsProps) {
    super(scope, id);
    if (props.dnsNames.length === 0) throw new Error(`[${this.node.path}] prop 'dnsNames' must name at least one host`);
    const prefix = props.prefix ?? 'kompile-serving';
    this.secretName = props.secretName;

    const selfSigned = new ClusterIssuer(this, 'SelfSigned', { metadata: { name: `${prefix}-selfsigned` }, spec: { selfSigned: {} } });
    const ca = new Certificate(this, 'Ca', {
      metadata: { name: `${prefix}-ca`, namespace: props.certManagerNamespace },
      spec: {
        isCa: true,
        commonName: `${prefix} CA`,
        secretName: `${prefix}-ca`,
        duration: '87600h',
        privateKey: { algorithm: CertificateSpecPrivateKeyAlgorithm.ECDSA, size: 256 },
        issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: selfSigned.name },
      },
    });
    ca.addDependency(selfSigned);
    this.caIssuer = new ClusterIssuer(this, 'CaIssuer', { metadata: { name: `${prefix}-ca` }, spec: { ca: { secretName: `${prefix}-ca` } } });
    this.caIssuer.addDependency(ca);

    this.certificate = new Certificate(this, 'Resource', {
      metadata: { name: props.secretName, namespace: props.gatewayNamespace },
      spec: {
        secretName: props.secretName,
        dnsNames: [...props.dnsNames],
        duration: props.duration ?? '2160h',
        privateKey: { algorithm: CertificateSpecPrivateKeyAlgorithm.ECDSA, size: 256 },
        issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: this.caIssuer.name },
      },
    });
    this.certificate.addDependency(this.caIssuer);
  }
}
