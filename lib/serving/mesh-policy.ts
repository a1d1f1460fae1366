import { Construct } from 'constructs';
import { AuthorizationPolicy, AuthorizationPolicySpecAction, PeerAuthentication, PeerAuthenticationSpecMtlsMode } from '../../imports/security.istio.io';

export interface MeshPolicyProps {
  /** Namespace the policies protect. */
  readonly namespace: string;
  /** mTLS mode of the namespace's sidecars. @default 'STRICT' */
  readonly mtls?: 'STRICT' | 'PERMISSIVE';
  /** Service-account principals allowed in, e.g. the ingress gateway's `cluster.local/ns/istio-system/sa/istio-ingressgateway`. */
  readonly allowPrincipals: readonly string[];
  /** Namespaces whose workloads may call in; the namespace itself is always allowed. @default - only the namespace itself */
  readonly allowNamespaces?: readonly string[];
}

/**
 * Istio policies of a model namespace: a `PeerAuthentication` enforcing mTLS between sidecars, and an
 * `AuthorizationPolicy` that allows only the listed principals (the ingress gateway) and callers
 * from the listed namespaces (the namespace itself, Knative's activator): every other request is
 * denied, since an ALLOW policy denies what it does not match.
 */
export class MeshPolicy extends Construct {
  readonly peerAuthentication: PeerAuthentication;
  readonly authorization: AuthorizationPolicy;

  constructor(scope: Construct, id: string, props: MeshPolicyProps) {
    super(scope, id);
    if (props.allowPrincipals.length === 0) throw new Error(`[${this.node.path}] prop 'allowPrincipals' must name at least one principal (the ingress gateway)`);
    const mode = props.mtls ?? 'STRICT';
    this.peerAuthentication = new PeerAuthentication(this, 'Resource', {
      metadata: { name: 'default', namespace: props.namespace },
      spec: { mtls: { mode: mode as PeerAuthenticationSpecMtlsMode } },
    });
    const namespaces = [...new Set([props.namespace, ...(props.allowNamespaces ?? [])])].sort();
    this.authorization = new AuthorizationPolicy(this, 'Authorization', {
      metadata: { name: 'allow-gateway-and-namespace', namespace: props.namespace },
      spec: {
        action: AuthorizationPolicySpecAction.ALLOW,
        rules: [{ from: [{ source: { principals: [...props.allowPrincipals] } }, { source: { namespaces } }] }],
      },
    });
  }
}
