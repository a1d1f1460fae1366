import { Construct } from 'constructs';
import { Certificate, CertificateSpecPrivateKeyAlgorithm, Issuer } from '../../imports/cert-manager.io';

export interface GatewayTlsProps {
  /** Prefix of the issuers' and CA's names. @default 'kompile-serving' */
  readonly prefix?: string;
  /**
   * Namespace of the ingress gateway: its TLS secret must be there, and so the issuers, the CA and
   * the certificate are too.
   */
  readonly gatewayNamespace: string;
  /** Hosts the gateway certificate covers, e.g. `['*.models.example.com']`. */
  readonly dnsNames: readonly string[];
  /** Name of the Secret cert-manager writes the gateway certificate to (the Gateway's `credentialName`). */
  readonly secretName: string;
  /** Lifetime of the gateway certificate. @default '2160h' (90 days) */
  readonly duration?: string;
}

/**
 * TLS for the serving gateway from cert-manager, with no Secret in the output: a self-signed Issuer
 * makes a CA certificate, a CA Issuer signs with it, and a Certificate for the model hosts lands under
 * `secretName`; all four in the gateway's namespace.
 *
 * The issuers are namespaced (`Issuer`, not `ClusterIssuer`): "If the issuer is namespace-scoped, it
 * must be in the same namespace as the Certificate" (`spec.issuerRef` of the Certificate CRD,
 * cert-manager v1.18.6, ../shared/crds/cert-manager), so minting a certificate the model clients
 * trust takes the right to create Certificates in the gateway's namespace, not in any namespace as
 * with a ClusterIssuer. A CA Issuer reads its CA Secret from its own namespace (cert-manager v1.18.6
 * pkg/controller/helper.go `ResourceNamespace`, used by pkg/controller/certificaterequests/ca/ca.go),
 * and the certificate's Secret is in the Certificate's namespace (`spec.secretName`, same CRD), where
 * the gateway reads it.
 *
 * The CA's private key stays in Secret `<prefix>-ca`. What clients trust is its certificate, which
 * cert-manager's CA issuer also writes as `ca.crt` of every certificate it signs (`CA: bundle.CAPEM`,
 * certificaterequests/ca/ca.go at v1.18.6); docs/security.md, "Trust material".
 */
export class GatewayTls extends Construct {
  readonly caIssuer: Issuer;
  readonly certificate: Certificate;
  readonly secretName: string;
  /** Name of the Secret holding the CA (certificate and key). */
  readonly caSecretName: string;

  constructor(scope: Construct, id: string, props: GatewayTlsProps) {
    super(scope, id);
    if (props.dnsNames.length === 0) throw new Error(`[${this.node.path}] prop 'dnsNames' must name at least one host`);
    const prefix = props.prefix ?? 'kompile-serving';
    const ns = props.gatewayNamespace;
    this.secretName = props.secretName;
    this.caSecretName = `${prefix}-ca`;

    const selfSigned = new Issuer(this, 'SelfSigned', { metadata: { name: `${prefix}-selfsigned`, namespace: ns }, spec: { selfSigned: {} } });
    const ca = new Certificate(this, 'Ca', {
      metadata: { name: `${prefix}-ca`, namespace: ns },
      spec: {
        isCa: true,
        commonName: `${prefix} CA`,
        secretName: this.caSecretName,
        duration: '87600h',
        privateKey: { algorithm: CertificateSpecPrivateKeyAlgorithm.ECDSA, size: 256 },
        issuerRef: { group: 'cert-manager.io', kind: 'Issuer', name: selfSigned.name },
      },
    });
    ca.addDependency(selfSigned);
    this.caIssuer = new Issuer(this, 'CaIssuer', { metadata: { name: `${prefix}-ca`, namespace: ns }, spec: { ca: { secretName: this.caSecretName } } });
    this.caIssuer.addDependency(ca);

    this.certificate = new Certificate(this, 'Resource', {
      metadata: { name: props.secretName, namespace: ns },
      spec: {
        secretName: props.secretName,
        dnsNames: [...props.dnsNames],
        duration: props.duration ?? '2160h',
        privateKey: { algorithm: CertificateSpecPrivateKeyAlgorithm.ECDSA, size: 256 },
        issuerRef: { group: 'cert-manager.io', kind: 'Issuer', name: this.caIssuer.name },
      },
    });
    this.certificate.addDependency(this.caIssuer);
  }
}
