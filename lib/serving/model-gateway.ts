import { Construct } from 'constructs';
import { Gateway, GatewaySpecServersTlsMode } from '../../imports/networking.istio.io';

export interface ModelGatewayProps {
  /** Gateway name; VirtualServices attach to `<namespace>/<name>`. */
  readonly name: string;
  /** Namespace of the gateway (that of the ingress gateway pods and of the TLS secret). */
  readonly namespace: string;
  /** Labels of the ingress gateway pods the Gateway configures. */
  readonly selector: Readonly<Record<string, string>>;
  /** Hosts served, e.g. `['*.models.example.com']`. */
  readonly hosts: readonly string[];
  /** Secret holding the TLS certificate, in `namespace`. */
  readonly credentialName: string;
  /** Redirect plain HTTP to HTTPS. @default true */
  readonly httpsRedirect?: boolean;
}

/**
 * The Istio `Gateway` (networking.istio.io/v1) models are exposed through: HTTPS on 443 with the
 * certificate in `credentialName` (TLS ends at the gateway), and port 80 redirecting to it.
 */
export class ModelGateway extends Construct {
  readonly resource: Gateway;
  /** `<namespace>/<name>`, as VirtualServices name the gateway. */
  readonly ref: string;

  constructor(scope: Construct, id: string, props: ModelGatewayProps) {
    super(scope, id);
    if (props.hosts.length === 0) throw new Error(`[${this.node.path}] prop 'hosts' must name at least one host`);
    const hosts = [...props.hosts];
    this.ref = `${props.namespace}/${props.name}`;
    this.resource = new Gateway(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace },
      spec: {
        selector: { ...props.selector },
        servers: [
          { name: 'https', port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts, tls: { mode: GatewaySpecServersTlsMode.SIMPLE, credentialName: props.credentialName } },
          { name: 'http', port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts, tls: { httpsRedirect: props.httpsRedirect ?? true } },
        ],
      },
    });
  }
}
