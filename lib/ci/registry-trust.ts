import { Construct } from 'constructs';
import { REGISTRY_TLS_SECRET } from './private-registry';
import { Component } from '../core/component';
import { Namespaces } from '../core/namespaces';
import { TrustBundle } from '../core/trust-bundle';
import { TrustManager } from '../serving/trust-manager';
import { TrustManagerRbac } from '../serving/trust-manager-rbac';

/** Namespace trust-manager runs in. */
export const TRUST_MANAGER_NAMESPACE = 'trust-manager';

/** A ConfigMap the registry's CA certificate is published as. */
export interface RegistryCaTarget {
  /** ConfigMap name (the Bundle's name). */
  readonly configMap: string;
  readonly namespace: string;
}

export interface RegistryTrustProps {
  /** Namespace of the platform registry: where its certificate's Secret is, trust-manager's trust namespace. */
  readonly registryNamespace: string;
  /** Where the CA certificate is needed, e.g. Kaniko's `registry-ca` in `jenkins-agents`. At least one. */
  readonly targets: readonly RegistryCaTarget[];
  /** trust-manager's chart version (charts.lock.json). */
  readonly chartVersion: string;
  readonly namespaces: Namespaces;
  readonly apiServer: { readonly cidrs: readonly string[]; readonly ports: readonly number[] };
  /**
   * Argo CD's namespace: trust-manager's Role there is a component of its own, in the project that
   * may deploy there (lib/core/project.ts), apart from everything else.
   */
  readonly argocdNamespace: string;
  /** trust-manager replicas. @default 1 */
  readonly replicas?: number;
}

/**
 * The platform registry's CA certificate, published without its key into the ConfigMaps its clients
 * mount (Kaniko, the Image Updater) and node provisioning reads (docs/node-trust.md), where it used to
 * be copied by hand from a Secret holding the key.
 *
 * trust-manager (component `trust-manager`) reads Secrets in one namespace only, its trust namespace
 * (lib/serving/trust-manager.ts), so that namespace is the registry's: the source is `ca.crt` of the
 * registry's serving certificate Secret (`registry-tls`), which cert-manager fills with the CA that
 * signed it, whichever issuer that is (the namespace-local CA or `ci.registry.issuer`; cert-manager
 * v1.18.6 pkg/controller/certificaterequests/ca/ca.go `CA: bundle.CAPEM`). One Bundle per ConfigMap
 * name (a Bundle's ConfigMap takes its name), written only in the namespaces that mount it; trust-manager
 * may write ConfigMaps only there (`app.targetNamespaces`).
 */
export class RegistryTrust extends Construct {
  readonly trustManager: TrustManager;
  /** Component `registry-trust` holding the Bundles. */
  readonly bundles: Component;
  /** Component `trust-manager-rbac`: trust-manager's RBAC outside Argo CD's namespace. */
  readonly rbac: Component;
  /** Component `trust-manager-rbac-argocd`: its Role in Argo CD's namespace, where it writes a ConfigMap there. */
  readonly argocdRbac?: Component;

  constructor(scope: Construct, id: string, props: RegistryTrustProps) {
    super(scope, id);
    if (props.targets.length === 0) throw new Error(`[${this.node.path}] prop 'targets' must name at least one ConfigMap`);
    const byName = new Map<string, string[]>();
    for (const t of props.targets) byName.set(t.configMap, [...(byName.get(t.configMap) ?? []), t.namespace]);
    const targetNamespaces = [...new Set(props.targets.map((t) => t.namespace))];

    this.trustManager = new TrustManager(this, 'TrustManager', {
      chartVersion: props.chartVersion,
      namespace: TRUST_MANAGER_NAMESPACE,
      namespaces: props.namespaces,
      trustNamespace: props.registryNamespace,
      targetNamespaces,
      apiServer: props.apiServer,
      replicas: props.replicas,
    });

    // trust-manager's RBAC: ConfigMaps where the chart's own rules put them (targets, the trust
    // namespace, its own), Argo CD's namespace in a component of its own.
    const configMaps = [...byName.keys()];
    const configMapNamespaces = [...new Set([...targetNamespaces, props.registryNamespace, TRUST_MANAGER_NAMESPACE])];
    this.rbac = new Component(this, 'Rbac', { name: 'trust-manager-rbac', namespace: TRUST_MANAGER_NAMESPACE });
    new TrustManagerRbac(this.rbac, 'Resource', {
      serviceAccountNamespace: TRUST_MANAGER_NAMESPACE,
      trustNamespace: props.registryNamespace,
      configMapNamespaces: configMapNamespaces.filter((ns) => ns !== props.argocdNamespace),
      configMaps,
    });
    this.rbac.dependsOn(props.namespaces);
    this.trustManager.dependsOn(this.rbac);
    if (configMapNamespaces.includes(props.argocdNamespace)) {
      this.argocdRbac = new Component(this, 'ArgocdRbac', { name: 'trust-manager-rbac-argocd', namespace: props.argocdNamespace });
      new TrustManagerRbac(this.argocdRbac, 'Resource', { serviceAccountNamespace: TRUST_MANAGER_NAMESPACE, controller: false, configMapNamespaces: [props.argocdNamespace], configMaps });
      this.trustManager.dependsOn(this.argocdRbac);
    }

    // Its Application's destination is trust-manager's namespace (a Bundle itself is cluster-scoped).
    this.bundles = new Component(this, 'Bundles', { name: 'registry-trust', namespace: TRUST_MANAGER_NAMESPACE });
    for (const [name, namespaces] of [...byName].sort(([a], [b]) => a.localeCompare(b))) {
      new TrustBundle(this.bundles, name, { name, sources: [{ secret: { name: REGISTRY_TLS_SECRET, key: 'ca.crt' } }], namespaces });
    }
    // The Bundle CRD and its admission webhook come with trust-manager.
    this.bundles.dependsOn(this.trustManager);
  }
}
