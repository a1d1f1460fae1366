/** A kind with its API group ('' for the core group). */
export interface GroupKind {
  readonly group: string;
  readonly kind: string;
}

/** Group of an `apiVersion` such as `apps/v1` ('' for `v1`). */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/**
 * Cluster-scoped kinds Kompile and the upstream charts it installs create. Anything else is treated
 * as namespaced. (Kubernetes 1.28 built-ins plus the cluster-scoped custom resources of the CRDs in
 * shared/crds and schemas/crds.)
 */
const CLUSTER_SCOPED = new Set([
  '/Namespace',
  '/PersistentVolume',
  '/Node',
  'apiextensions.k8s.io/CustomResourceDefinition',
  'apiregistration.k8s.io/APIService',
  'rbac.authorization.k8s.io/ClusterRole',
  'rbac.authorization.k8s.io/ClusterRoleBinding',
  'admissionregistration.k8s.io/MutatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding',
  'storage.k8s.io/StorageClass',
  'storage.k8s.io/CSIDriver',
  'scheduling.k8s.io/PriorityClass',
  'node.k8s.io/RuntimeClass',
  'networking.k8s.io/IngressClass',
  'cert-manager.io/ClusterIssuer',
  'serving.kserve.io/ClusterServingRuntime',
  'serving.kserve.io/ClusterStorageContainer',
  'serving.kserve.io/LocalModelCache',
  'serving.kserve.io/LocalModelNodeGroup',
  'serving.kserve.io/LocalModelNode',
  'serving.knative.dev/ClusterDomainClaim',
  // trust-manager's Bundle: `scope: Cluster` (trust.cert-manager.io_bundles.yaml of v0.20.2; schemas/crds).
  'trust.cert-manager.io/Bundle',
  // sigstore/helm-charts policy-controller-0.10.6 templates/crds/clusterimagepolicy.yaml, trustroots.yaml: `scope: Cluster`.
  'policy.sigstore.dev/ClusterImagePolicy',
  'policy.sigstore.dev/TrustRoot',
]);

export function isClusterScoped(apiVersion: string, kind: string): boolean {
  return CLUSTER_SCOPED.has(`${groupOf(apiVersion)}/${kind}`);
}

/** Cluster-scoped kinds a typical operator chart installs: its CRDs, RBAC and webhooks. */
export const OPERATOR_CLUSTER_KINDS: readonly GroupKind[] = [
  { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' },
  { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' },
  { group: 'rbac.authorization.k8s.io', kind: 'ClusterRoleBinding' },
  { group: 'admissionregistration.k8s.io', kind: 'MutatingWebhookConfiguration' },
  { group: 'admissionregistration.k8s.io', kind: 'ValidatingWebhookConfiguration' },
];

/**
 * The API groups a Kubernetes 1.28 API server serves by itself: every group of the built-in kinds in
 * its OpenAPI definitions (shared/crds/kubernetes/v1.28.0/_definitions.json,
 * `x-kubernetes-group-version-kind`; test/core/kinds.test.ts checks the list against that file).
 * A kind of any other group exists only once its CRD (or aggregated API) is installed.
 */
export const BUILT_IN_GROUPS: ReadonlySet<string> = new Set([
  '',
  'admission.k8s.io',
  'admissionregistration.k8s.io',
  'apiextensions.k8s.io',
  'apiregistration.k8s.io',
  'apps',
  'authentication.k8s.io',
  'authorization.k8s.io',
  'autoscaling',
  'batch',
  'certificates.k8s.io',
  'coordination.k8s.io',
  'discovery.k8s.io',
  'events.k8s.io',
  'extensions',
  'flowcontrol.apiserver.k8s.io',
  'imagepolicy.k8s.io',
  'internal.apiserver.k8s.io',
  'networking.k8s.io',
  'node.k8s.io',
  'policy',
  'rbac.authorization.k8s.io',
  'resource.k8s.io',
  'scheduling.k8s.io',
  'storage.k8s.io',
]);

/** True when the API server serves the kind of `apiVersion` without a CRD. */
export function isBuiltIn(apiVersion: string): boolean {
  return BUILT_IN_GROUPS.has(groupOf(apiVersion));
}
