import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';

/**
 * trust-manager's `Bundle` (`trust.cert-manager.io/v1alpha1`), typed by hand: ../shared/crds has no
 * trust-manager CRD, so there is no generated class in imports/. Every field below was read in the CRD
 * at the pinned chart's tag (cert-manager/trust-manager v0.20.2,
 * `deploy/crds/trust.cert-manager.io_bundles.yaml`): the kind is cluster-scoped (`scope: Cluster`);
 * `spec.sources[]` (required) holds `secret`/`configMap` references `{ name, key }` "in the trust
 * Namespace" (or `selector`, `includeAllKeys`, not used here), `inLine` or `useDefaultCAs`;
 * `spec.target.configMap.key` (required within `configMap`) names the key written, the ConfigMap takes
 * the Bundle's name (the CRD's description of `target.configMap`: "the target ConfigMap in
 * Namespaces"), and `spec.target.namespaceSelector` (`matchLabels` / `matchExpressions`) limits the
 * namespaces it is written to ("will, if set, only sync the target resource in Namespaces which match
 * the selector"). Kompile never uses Secret targets (`spec.target.secret`, off unless trust-manager
 * runs with `--secret-targets-enabled`) nor `useDefaultCAs` (the default CA package is not installed,
 * lib/serving/trust-manager.ts).
 *
 * `kompile validate` checks Bundles against schemas/crds/trust.cert-manager.io_bundles.yaml, a
 * schema Kompile writes with these fields (cdk8s.yaml `kompile.schemas.crds`).
 */
export const BUNDLE_API_VERSION = 'trust.cert-manager.io/v1alpha1';
export const BUNDLE_KIND = 'Bundle';

/** The label the API server gives every namespace, with its name (how lib/core/platform-namespace.ts selects namespaces too). */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** One source of a Bundle: one key of a Secret or ConfigMap in trust-manager's trust namespace. */
export type TrustBundleSource = { readonly secret: { readonly name: string; readonly key: string } } | { readonly configMap: { readonly name: string; readonly key: string } };

export interface TrustBundleProps {
  /** Name of the Bundle and of the ConfigMap it writes in every target namespace. */
  readonly name: string;
  /** Where the certificates come from; each is a single key (never a whole object). */
  readonly sources: readonly TrustBundleSource[];
  /** Key of the ConfigMaps written. @default 'ca.crt' */
  readonly key?: string;
  /** Namespaces the ConfigMap is written to, by name (a namespaceSelector on their name label). */
  readonly namespaces: readonly string[];
}

/**
 * A trust-manager Bundle that copies certificates (never keys) into a ConfigMap in the named
 * namespaces only. trust-manager reads the sources in its trust namespace and writes
 * `data.<key>` of ConfigMap `<name>` in every namespace the selector matches, keeping it current
 * when the source changes (a renewed CA).
 */
export class TrustBundle extends Construct {
  readonly resource: ApiObject;
  /** Name of the ConfigMaps the Bundle writes. */
  readonly configMapName: string;

  constructor(scope: Construct, id: string, props: TrustBundleProps) {
    super(scope, id);
    if (props.sources.length === 0) throw new Error(`[${this.node.path}] prop 'sources' must name at least one source`);
    if (props.namespaces.length === 0) throw new Error(`[${this.node.path}] prop 'namespaces' must name at least one namespace: without a selector trust-manager writes the ConfigMap into every namespace`);
    this.configMapName = props.name;
    this.resource = new ApiObject(this, 'Resource', {
      apiVersion: BUNDLE_API_VERSION,
      kind: BUNDLE_KIND,
      metadata: { name: props.name },
      spec: {
        sources: props.sources.map((s) => ('secret' in s ? { secret: { name: s.secret.name, key: s.secret.key } } : { configMap: { name: s.configMap.name, key: s.configMap.key } })),
        target: {
          configMap: { key: props.key ?? 'ca.crt' },
          namespaceSelector: { matchExpressions: [{ key: NAMESPACE_NAME_LABEL, operator: 'In', values: [...new Set(props.namespaces)].sort() }] },
        },
      },
    });
  }
}
