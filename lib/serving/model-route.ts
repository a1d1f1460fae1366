import { Construct } from 'constructs';
import { VirtualService } from '../../imports/networking.istio.io';

export interface ModelRouteProps {
  /** VirtualService name. */
  readonly name: string;
  /** Namespace of the VirtualService (the model's). */
  readonly namespace: string;
  /** External host, e.g. `iris.models.example.com`. */
  readonly host: string;
  /** Gateways as `<namespace>/<name>`. */
  readonly gateways: readonly string[];
  /** In-cluster host requests go to, e.g. `iris-predictor.kserve-models.svc.cluster.local`. */
  readonly destinationHost: string;
  /** @default 80 */
  readonly destinationPort?: number;
  /**
   * Rewrite the authority to this host, for destinations that route by Host header (Knative's
   * local gateway). @default - kept as sent
   */
  readonly rewriteAuthority?: string;
  /** Per-request timeout. @default '60s' */
  readonly timeout?: string;
}

/** An Istio `VirtualService` (networking.istio.io/v1) sending a model's external host through the gateway to the model. */
export class ModelRoute extends Construct {
  readonly resource: VirtualService;

  constructor(scope: Construct, id: string, props: ModelRouteProps) {
    super(scope, id);
    if (props.gateways.length === 0) throw new Error(`[${this.node.path}] prop 'gateways' must name at least one gateway`);
    this.resource = new VirtualService(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace },
      spec: {
        hosts: [props.host],
        gateways: [...props.gateways],
        http: [
          {
            name: 'model',
            timeout: props.timeout ?? '60s',
            rewrite: props.rewriteAuthority ? { authority: props.rewriteAuthority } : undefined,
            route: [{ destination: { host: props.destinationHost, port: { number: props.destinationPort ?? 80 } } }],
          },
        ],
      },
    });
  }
}
