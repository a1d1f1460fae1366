import { Construct } from 'constructs';
import { AuthorizationPolicy, AuthorizationPolicySpecAction, RequestAuthentication } from '../../imports/security.istio.io';
import type { OidcConfig } from '../core/config';

export interface EdgeAuthenticationProps {
  /** Name of both policies. */
  readonly name: string;
  /** Namespace of the pods the policies apply to. */
  readonly namespace: string;
  /** Labels of those pods (the ingress gateway's, or a workload's behind its sidecar). */
  readonly selector: Readonly<Record<string, string>>;
  /** The site's OIDC issuer. */
  readonly oidc: OidcConfig;
  /**
   * Hosts requiring a JWT, each matched with and without a port (`<host>` and `<host>:*`).
   * @default - every request the pods receive
   */
  readonly hosts?: readonly string[];
}

/**
 * Requests reach the selected pods only with a valid JWT of the site's OIDC issuer:
 * - a `RequestAuthentication` (security.istio.io/v1; fields `selector.matchLabels`, `jwtRules[]`
 *   `issuer`, `jwksUri`, `audiences` of the CRD in Istio 1.24.6 crd-all.gen.yaml) rejects a request
 *   whose token is invalid, expired, of another issuer or audience;
 * - a DENY `AuthorizationPolicy` refuses requests without a request principal
 *   (`notRequestPrincipals: ["*"]`), since a RequestAuthentication alone admits requests that carry
 *   no token ("will be accepted but will not have any authenticated identity", istio.io
 *   request_authentication reference). DENY, not ALLOW: the ingress gateway's pods also carry
 *   Knative's cluster-local gateway, which an ALLOW policy would close too.
 *
 * The generated import (imports/security.istio.io.ts) writes `jwksUri` as `jwks_uri`, the CRD's
 * other spelling of the same field (same description and URL validation in crd-all.gen.yaml; at most
 * one of `jwks`, `jwks_uri`, `jwksUri` may be set).
 *
 * With `hosts`, the DENY rule matches each host as sent and with a port: Istio 1.24.6 matches the
 * Host header exactly, or with one `*` at either end, and keeps any port
 * (pilot/pkg/security/authz/matcher/header.go, `HostMatcher`), so `<host>:*` is needed for a client
 * that writes `Host: <host>:443`.
 */
export class EdgeAuthentication extends Construct {
  readonly requestAuthentication: RequestAuthentication;
  readonly authorization: AuthorizationPolicy;

  constructor(scope: Construct, id: string, props: EdgeAuthenticationProps) {
    super(scope, id);
    if (Object.keys(props.selector).length === 0) throw new Error(`[${this.node.path}] prop 'selector' must name the pods' labels: an empty one would apply to every workload of namespace '${props.namespace}'`);
    if (props.hosts && props.hosts.length === 0) throw new Error(`[${this.node.path}] prop 'hosts' is empty: leave it out to require a JWT for every host`);
    const matchLabels = { ...props.selector };
    this.requestAuthentication = new RequestAuthentication(this, 'Authentication', {
      metadata: { name: props.name, namespace: props.namespace },
      spec: {
        selector: { matchLabels },
        jwtRules: [{ issuer: props.oidc.issuer, jwksUri: props.oidc.jwksUri, audiences: [...props.oidc.audiences] }],
      },
    });
    const hosts = props.hosts ? [...new Set(props.hosts.flatMap((h) => [h, `${h}:*`]))].sort() : undefined;
    this.authorization = new AuthorizationPolicy(this, 'Authorization', {
      metadata: { name: `${props.name}-require-jwt`, namespace: props.namespace },
      spec: {
        selector: { matchLabels },
        action: AuthorizationPolicySpecAction.DENY,
        rules: [{ from: [{ source: { notRequestPrincipals: ['*'] } }], ...(hosts ? { to: [{ operation: { hosts } }] } : {}) }],
      },
    });
  }
}
