import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';

/** Name of trust-manager's ServiceAccount (the chart's name, templates/serviceaccount.yaml of v0.20.2). */
export const TRUST_MANAGER_SERVICE_ACCOUNT = 'trust-manager';

export interface TrustManagerRbacProps {
  /** Namespace of trust-manager's ServiceAccount. */
  readonly serviceAccountNamespace: string;
  /**
   * Write the cluster-wide part (Bundles, Namespaces), the trust namespace's Secret reader and the
   * leader-election Role. @default true
   */
  readonly controller?: boolean;
  /** The trust namespace (Secrets read there). Required when `controller` is true. */
  readonly trustNamespace?: string;
  /** Namespaces where trust-manager reads and writes its ConfigMaps. */
  readonly configMapNamespaces: readonly string[];
  /** The ConfigMaps it may change or delete (its Bundles' names). At least one. */
  readonly configMaps: readonly string[];
}

const RBAC = 'rbac.authorization.k8s.io';

/**
 * trust-manager's RBAC, written by Kompile instead of the chart (`global.rbac.create: false`), so
 * that each part lands in the component (and Argo CD project) of its namespace: the chart would put a
 * Role into every target namespace itself, Argo CD's included, from an Application whose project may
 * not deploy there.
 *
 * The rules are the chart's own for `app.targetNamespaces` (chart v0.20.2: templates/clusterrole.yaml
 * without the namespaced rules, role.yaml, rolebinding.yaml, clusterrolebinding.yaml,
 * rbac-per-namespace.yaml and `trust-manager.rbac.namespacedResourcesRules` in _helpers.tpl), with one
 * narrowing: `patch` and `delete` on ConfigMaps only for the Bundles' ConfigMaps (`resourceNames`), so
 * that trust-manager cannot rewrite other ConfigMaps where it writes (`argocd-cm`, `argocd-rbac-cm` in
 * Argo CD's namespace). trust-manager writes its targets with server-side apply patches and deletes
 * them by name (pkg/bundle/internal/target/target.go at v0.20.2); `get`/`list`/`watch` stay unnamed
 * (its caches list ConfigMaps by label) and `create` too (a create request names no object).
 */
export class TrustManagerRbac extends Construct {
  constructor(scope: Construct, id: string, props: TrustManagerRbacProps) {
    super(scope, id);
    if (props.configMaps.length === 0) throw new Error(`[${this.node.path}] prop 'configMaps' must name at least one ConfigMap`);
    const controller = props.controller ?? true;
    if (controller && !props.trustNamespace) throw new Error(`[${this.node.path}] prop 'trustNamespace' is required when 'controller' is true`);
    const subjects = [{ kind: 'ServiceAccount', name: TRUST_MANAGER_SERVICE_ACCOUNT, namespace: props.serviceAccountNamespace }];
    const name = TRUST_MANAGER_SERVICE_ACCOUNT;

    if (controller) {
      new k8s.KubeClusterRole(this, 'ClusterRole', {
        metadata: { name },
        rules: [
          { apiGroups: ['trust.cert-manager.io'], resources: ['bundles'], verbs: ['get', 'list', 'watch'] },
          { apiGroups: ['trust.cert-manager.io'], resources: ['bundles/finalizers'], verbs: ['update'] },
          { apiGroups: ['trust.cert-manager.io'], resources: ['bundles/status'], verbs: ['patch'] },
          { apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch'] },
        ],
      });
      new k8s.KubeClusterRoleBinding(this, 'ClusterRoleBinding', { metadata: { name }, roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name }, subjects });
      // Bundle sources: Secrets of the trust namespace only.
      new k8s.KubeRole(this, 'TrustRole', { metadata: { name, namespace: props.trustNamespace }, rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch'] }] });
      new k8s.KubeRoleBinding(this, 'TrustRoleBinding', { metadata: { name, namespace: props.trustNamespace }, roleRef: { apiGroup: RBAC, kind: 'Role', name }, subjects });
      const leader = `${name}:leaderelection`;
      new k8s.KubeRole(this, 'LeaderElectionRole', {
        metadata: { name: leader, namespace: props.serviceAccountNamespace },
        rules: [{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update', 'watch', 'list'] }],
      });
      new k8s.KubeRoleBinding(this, 'LeaderElectionRoleBinding', { metadata: { name: leader, namespace: props.serviceAccountNamespace }, roleRef: { apiGroup: RBAC, kind: 'Role', name: leader }, subjects });
    }

    const configMaps = [...new Set(props.configMaps)].sort();
    for (const ns of [...new Set(props.configMapNamespaces)].sort()) {
      new k8s.KubeRole(this, `ConfigMapRole-${ns}`, {
        metadata: { name: 'trust-manager-role', namespace: ns },
        rules: [
          { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch', 'create'] },
          { apiGroups: [''], resources: ['configmaps'], verbs: ['patch', 'delete'], resourceNames: configMaps },
          { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
        ],
      });
      new k8s.KubeRoleBinding(this, `ConfigMapRoleBinding-${ns}`, {
        metadata: { name: 'trust-manager-role-binding', namespace: ns },
        roleRef: { apiGroup: RBAC, kind: 'Role', name: 'trust-manager-role' },
        subjects,
      });
    }
  }
}
