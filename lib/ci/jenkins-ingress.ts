import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Certificate, CertificateSpecPrivateKeyAlgorithm, CertificateSpecPrivateKeyRotationPolicy, Issuer } from '../../imports/cert-manager.io';
import { AUTHENTICATION_ANNOTATION } from '../checks/security-exposure';
import { Component } from '../core/component';
import type { IssuerRef } from './private-registry';

export interface JenkinsIngressProps {
  /** Jenkins' namespace: the controller's Service is there. */
  readonly namespace: string;
  /** Host name people and GitLab reach Jenkins at (the host of `ci.jenkins.url`). */
  readonly host: string;
  /** The ingress controller's class. */
  readonly className: string;
  /** The controller's Service and port (the chart's `jenkins.fullname` Service, `controller.servicePort`). */
  readonly service: { readonly name: string; readonly port: number };
  /** Secret cert-manager writes the certificate to. @default 'jenkins-tls' */
  readonly tlsSecretName?: string;
  /** Issuer of the certificate. @default - a namespace-local CA (a self-signed root and a CA Issuer) */
  readonly issuer?: IssuerRef;
}

/**
 * The `jenkins-ingress` component: the Jenkins UI (and GitLab's webhooks) through the ingress
 * controller with TLS, in place of the chart's plain-HTTP NodePort. The certificate comes from
 * cert-manager (`issuer`, or a CA local to Jenkins' namespace as the registry's is). A plain-HTTP
 * request never reaches Jenkins: ingress-nginx answers it with a redirect to HTTPS for an Ingress
 * with TLS ("By default the controller redirects HTTP clients to the HTTPS port 443 using a 308
 * Permanent Redirect response if TLS is enabled for that Ingress", ingress-nginx user guide, TLS/HTTPS;
 * the redirect names port 443, not the HTTPS node port, so clients use `ci.jenkins.url`).
 *
 * Authentication: Jenkins' own login. JCasC (lib/ci/jcasc.ts) configures the local security realm
 * without sign-up and `loggedInUsersCanDoAnything` with `allowAnonymousRead: false`, so every page
 * needs a login; the GitLab plugin's webhook endpoint checks the secret token GitLab sends. The
 * Ingress names that mechanism for the rule 'edge-authentication' (lib/checks/security-exposure.ts).
 */
export class JenkinsIngress extends Component {
  readonly ingress: k8s.KubeIngress;

  constructor(scope: Construct, id: string, props: JenkinsIngressProps) {
    super(scope, id, { name: 'jenkins-ingress', namespace: props.namespace });
    const ns = props.namespace;
    const secretName = props.tlsSecretName ?? 'jenkins-tls';
    let issuerRef: IssuerRef = props.issuer ?? { kind: 'Issuer', name: 'jenkins-ca' };
    const certDeps: Construct[] = [];
    if (!props.issuer) {
      const selfSigned = new Issuer(this, 'SelfSigned', { metadata: { name: 'jenkins-selfsigned', namespace: ns }, spec: { selfSigned: {} } });
      const ca = new Certificate(this, 'CaCertificate', {
        metadata: { name: 'jenkins-ca', namespace: ns },
        spec: {
          isCa: true,
          commonName: 'kompile-jenkins-ca',
          secretName: 'jenkins-ca',
          duration: '87600h',
          privateKey: { algorithm: CertificateSpecPrivateKeyAlgorithm.ECDSA, size: 256 },
          issuerRef: { kind: 'Issuer', name: 'jenkins-selfsigned', group: 'cert-manager.io' },
        },
      });
      ca.addDependency(selfSigned);
      const caIssuer = new Issuer(this, 'CaIssuer', { metadata: { name: 'jenkins-ca', namespace: ns }, spec: { ca: { secretName: 'jenkins-ca' } } });
      caIssuer.addDependency(ca);
      certDeps.push(caIssuer);
      issuerRef = { kind: 'Issuer', name: 'jenkins-ca' };
    }
    const cert = new Certificate(this, 'Certificate', {
      metadata: { name: secretName, namespace: ns },
      spec: {
        secretName,
        dnsNames: [props.host],
        duration: '2160h',
        renewBefore: '360h',
        privateKey: { algorithm: CertificateSpecPrivateKeyAlgorithm.ECDSA, size: 256, rotationPolicy: CertificateSpecPrivateKeyRotationPolicy.ALWAYS },
        issuerRef: { kind: issuerRef.kind, name: issuerRef.name, group: 'cert-manager.io' },
      },
    });
    for (const d of certDeps) cert.addDependency(d);

    this.ingress = new k8s.KubeIngress(this, 'Ingress', {
      metadata: { name: 'jenkins', namespace: ns, annotations: { [AUTHENTICATION_ANNOTATION]: 'application-login' } },
      spec: {
        ingressClassName: props.className,
        tls: [{ hosts: [props.host], secretName }],
        rules: [{ host: props.host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: props.service.name, port: { number: props.service.port } } } }] } }],
      },
    });
    this.ingress.addDependency(cert);
  }
}
