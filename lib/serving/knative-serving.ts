import { Construct } from 'constructs';
import { KnativeServing as KnativeServingResource } from '../../imports/operator.knative.dev';
import { declareImageField, pointerOf } from '../core/image-field';

/** Where Knative publishes its release images. */
const KNATIVE_RELEASES = 'gcr.io/knative-releases/knative.dev';

export interface KnativeAutoscalerDefaults {
  /** Let revisions without traffic scale to zero. @default true */
  readonly scaleToZero?: boolean;
  /** Concurrent requests per replica the autoscaler aims at. @default 100 */
  readonly targetConcurrency?: number;
  /** How long an idle revision keeps its last replica. @default '30s' */
  readonly scaleToZeroGracePeriod?: string;
}

export interface KnativeServingProps {
  /** Namespace Knative Serving is installed into (the operator's convention: `knative-serving`). */
  readonly namespace: string;
  /** Knative Serving release, e.g. `1.16.3`: pins every Serving image; the operator installs its minor. */
  readonly version: string;
  /** net-istio release bundled with that minor, e.g. `1.16.0`: pins the net-istio images. */
  readonly netIstioVersion: string;
  /** Domain Knative routes are served under. */
  readonly domain: string;
  /** Autoscaler defaults for every revision. @default - scale to zero on, 100 concurrent requests, 30s grace */
  readonly autoscaler?: KnativeAutoscalerDefaults;
  /** Replicas of Knative's control-plane deployments. @default 1 */
  readonly replicas?: number;
  /**
   * Registries whose image tags Knative must not resolve to digests (the controller cannot reach
   * them, or need not). @default - Knative's own list (kind.local, ko.local, dev.local)
   */
  readonly skipTagResolution?: readonly string[];
  /**
   * Put the activator and the autoscaler in the Istio mesh (sidecars injected): they call the model
   * pods (requests, and queue-proxy metrics), which refuse plaintext when their namespace enforces
   * STRICT mTLS. @default false
   */
  readonly dataPathInMesh?: boolean;
}

/** Image override keys the operator understands: container name, or `deployment/container` where names clash. */
const SERVING_IMAGES: readonly (readonly [key: string, path: string])[] = [
  ['activator', 'serving/cmd/activator'],
  ['autoscaler', 'serving/cmd/autoscaler'],
  ['autoscaler-hpa', 'serving/cmd/autoscaler-hpa'],
  ['controller', 'serving/cmd/controller'],
  ['webhook', 'serving/cmd/webhook'],
  ['queue-proxy', 'serving/cmd/queue'],
  // The post-install Jobs (storage-version migration, cleanup); released with Serving under the same tag.
  ['migrate', 'pkg/apiextensions/storageversion/cmd/migrate'],
  ['cleanup', 'serving/pkg/cleanup/cmd/cleanup'],
];
const NET_ISTIO_IMAGES: readonly (readonly [key: string, path: string])[] = [
  ['net-istio-controller/controller', 'net-istio/cmd/controller'],
  ['net-istio-webhook/webhook', 'net-istio/cmd/webhook'],
];
const DEFAULT_SKIP = ['kind.local', 'ko.local', 'dev.local'];
/** Knative deployments that call model pods directly. */
const MESH_WORKLOADS = ['activator', 'autoscaler'];

/**
 * The `KnativeServing` resource (operator.knative.dev/v1beta1) the Knative Operator installs Knative
 * Serving from: Istio networking (net-istio), the domain, autoscaler defaults and the queue-proxy
 * sidecar's resources.
 *
 * Every Knative image, including the queue-proxy that Knative injects into every revision, is
 * pinned through `spec.registry.override`, an image map of the table in lib/core/image-field.ts
 * (`IMAGE_MAP_FIELDS`), so an airgapped environment relocates, locks and audits every entry. The queue-proxy image is also set in `config-deployment`
 * (`queue-sidecar-image`): the operator does not carry the `queue-proxy` override into that
 * ConfigMap (knative/operator#918, #2313).
 */
export class KnativeServing extends Construct {
  readonly resource: KnativeServingResource;

  constructor(scope: Construct, id: string, props: KnativeServingProps) {
    super(scope, id);
    const autoscaler = props.autoscaler ?? {};
    const [major, minor] = props.version.split('.');
    const override: Record<string, string> = {};
    for (const [key, path] of SERVING_IMAGES) override[key] = `${KNATIVE_RELEASES}/${path}:v${props.version}`;
    for (const [key, path] of NET_ISTIO_IMAGES) override[key] = `${KNATIVE_RELEASES}/${path}:v${props.netIstioVersion}`;

    this.resource = new KnativeServingResource(this, 'Resource', {
      metadata: { name: 'knative-serving', namespace: props.namespace },
      spec: {
        version: `${major}.${minor}`,
        ingress: { istio: { enabled: true } },
        highAvailability: { replicas: props.replicas ?? 1 },
        registry: { override },
        workloads: props.dataPathInMesh ? MESH_WORKLOADS.map((name) => ({ name, labels: { 'sidecar.istio.io/inject': 'true' } })) : undefined,
        config: {
          network: { 'ingress-class': 'istio.ingress.networking.knative.dev' },
          domain: { [props.domain]: '' },
          autoscaler: {
            'enable-scale-to-zero': String(autoscaler.scaleToZero ?? true),
            'container-concurrency-target-default': String(autoscaler.targetConcurrency ?? 100),
            'scale-to-zero-grace-period': autoscaler.scaleToZeroGracePeriod ?? '30s',
          },
          deployment: {
            'queue-sidecar-image': override['queue-proxy'],
            'registries-skipping-tag-resolving': [...DEFAULT_SKIP, ...(props.skipTagResolution ?? [])].join(','),
            // The queue-proxy runs beside every model server; bound it like every other container.
            'queue-sidecar-cpu-request': '25m',
            'queue-sidecar-memory-request': '64Mi',
            'queue-sidecar-cpu-limit': '1',
            'queue-sidecar-memory-limit': '256Mi',
          },
        },
      },
    });
    declareImageField(this.resource, pointerOf('spec', 'config', 'deployment', 'queue-sidecar-image'));
  }
}
