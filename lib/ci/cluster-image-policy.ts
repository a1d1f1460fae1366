/**
 * The Sigstore policy-controller's ClusterImagePolicy, typed by hand: shared/crds has no CRD for it,
 * so there is no generated import. Every field here was checked against the CRD the pinned chart
 * installs (sigstore/helm-charts tag policy-controller-0.10.6,
 * charts/policy-controller/templates/crds/clusterimagepolicy.yaml, version `v1beta1`, served;
 * `scope: Cluster`) and the Go types behind it (sigstore/policy-controller v0.13.1, the chart's
 * appVersion, pkg/apis/policy/v1beta1/clusterimagepolicy_types.go). Only the fields Kompile sets are
 * modelled: `images[].glob`, `authorities[].name`, `authorities[].key.{data,hashAlgorithm}`,
 * `authorities[].source[].signaturePullSecrets` and `mode` (its schema for `kompile validate`:
 * schemas/crds/policy.sigstore.dev_clusterimagepolicies.yaml).
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';

export const CLUSTER_IMAGE_POLICY_API_VERSION = 'policy.sigstore.dev/v1beta1';
export const CLUSTER_IMAGE_POLICY_KIND = 'ClusterImagePolicy';

/** A public key an authority verifies signatures with. */
export interface ClusterImagePolicyKey {
  /** The PEM public key itself (`key.data`: "Data contains the inline public key"). */
  readonly data: string;
  /** `key.hashAlgorithm`: "always defaults to sha256 if the algorithm hasn't been explicitly set". @default 'sha256' */
  readonly hashAlgorithm?: 'sha224' | 'sha256' | 'sha384' | 'sha512';
}

export interface ClusterImagePolicyAuthority {
  /** `authorities[].name`: names the authority in the controller's results. */
  readonly name: string;
  readonly key: ClusterImagePolicyKey;
  /**
   * `authorities[].source[].signaturePullSecrets`: Secrets the controller reads signatures with,
   * looked up in the namespace of the object being admitted ("secrets in the same namespace as the
   * deploying resource", policy-controller v0.13.1 pkg/apis/policy/v1beta1/clusterimagepolicy_types.go;
   * pkg/webhook/clusterimagepolicy/clusterimagepolicy_types.go `SourceSignaturePullSecretsOpts`).
   * @default - the workload's own service account and imagePullSecrets
   */
  readonly signaturePullSecrets?: readonly string[];
}

export interface ClusterImagePolicyProps {
  readonly name: string;
  /**
   * `images[].glob`: `*` matches any character but `/`, `**` any character including `/`; the whole
   * reference must match (policy-controller v0.13.1 pkg/apis/glob/glob.go `Compile`), e.g.
   * `registry.local:30500/**`.
   */
  readonly images: readonly string[];
  /** Every authority must be satisfied for a matching image to be admitted. */
  readonly authorities: readonly ClusterImagePolicyAuthority[];
  /** `mode`: `enforce` rejects (the controller's default), `warn` admits with a warning. @default 'enforce' */
  readonly mode?: 'enforce' | 'warn';
}

/** Characters a glob may hold (policy-controller v0.13.1 pkg/apis/glob/glob.go `validGlob`). */
const VALID_GLOB = /^[a-zA-Z0-9\-_:/*.@]+$/;

/** A ClusterImagePolicy: which images need which signatures. */
export class ClusterImagePolicy extends ApiObject {
  constructor(scope: Construct, id: string, props: ClusterImagePolicyProps) {
    if (props.images.length === 0) throw new Error(`ClusterImagePolicy '${props.name}': images must name at least one glob`);
    for (const glob of props.images) {
      if (!VALID_GLOB.test(glob)) throw new Error(`ClusterImagePolicy '${props.name}': image glob '${glob}' has characters policy-controller refuses (it allows letters, digits, - _ : / * . @)`);
    }
    if (props.authorities.length === 0) throw new Error(`ClusterImagePolicy '${props.name}': authorities must name at least one key: without one the policy admits nothing it matches`);
    for (const a of props.authorities) {
      if (!/^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----\n?$/.test(a.key.data)) {
        throw new Error(`ClusterImagePolicy '${props.name}': authority '${a.name}' key.data must be a PEM public key`);
      }
    }
    super(scope, id, {
      apiVersion: CLUSTER_IMAGE_POLICY_API_VERSION,
      kind: CLUSTER_IMAGE_POLICY_KIND,
      metadata: { name: props.name },
      spec: {
        images: props.images.map((glob) => ({ glob })),
        authorities: props.authorities.map((a) => ({
          name: a.name,
          key: { data: a.key.data, hashAlgorithm: a.key.hashAlgorithm ?? 'sha256' },
          ...(a.signaturePullSecrets?.length ? { source: [{ signaturePullSecrets: a.signaturePullSecrets.map((name) => ({ name })) }] } : {}),
        })),
        mode: props.mode ?? 'enforce',
      },
    });
  }
}
