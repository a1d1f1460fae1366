/**
 * What Istio's sidecar injection adds to a pod, and which pods it injects: read from the rendered
 * environment itself (the injector's values — its rendered ConfigMap, or the istiod Application's Helm
 * values — and the namespaces' labels), so the synth
 * and `kompile validate` judge the same pods the cluster will run.
 *
 * Facts are Istio 1.24's, read at tag 1.24.6 of istio/istio:
 * - `manifests/charts/istio-control/istio-discovery/files/injection-template.yaml`: the `istio-init`
 *   init container (traffic redirection with iptables) runs as root with NET_ADMIN and NET_RAW,
 *   unless `pilot.cni.enabled` is set (then the Istio CNI node agent redirects the traffic and the
 *   pod gets the unprivileged `istio-validation` init container instead); `istio-proxy` runs as
 *   1337, non-root, every capability dropped, no privilege escalation, and with no seccomp profile
 *   of its own (it inherits the pod's).
 * - `manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml` (default
 *   revision): a namespace labelled `istio-injection` decides alone (`enabled`: every pod whose label
 *   `sidecar.istio.io/inject` is not `"false"`; any other value: none); otherwise a namespace
 *   labelled `istio.io/rev=default` injects every pod not labelled `"false"`; otherwise only pods
 *   labelled `sidecar.istio.io/inject: "true"` are injected. `pkg/kube/inject/inject.go` skips
 *   pods on the host network.
 */
import { ManifestLike, rec } from './objects';

/** How the environment's mesh injects sidecars; undefined when the environment installs no istiod. */
export interface MeshModel {
  /** Traffic redirection by the Istio CNI node agent instead of the privileged `istio-init`. */
  readonly cni: boolean;
  /** The injection labels of the environment's namespaces, by namespace. */
  readonly namespaceLabels: ReadonlyMap<string, Readonly<Record<string, unknown>>>;
}

/** The pod label that asks for (or refuses) injection. */
export const INJECT_LABEL = 'sidecar.istio.io/inject';
/** The namespace label that asks for (or refuses) injection of every pod. */
export const NAMESPACE_INJECTION_LABEL = 'istio-injection';
/** The namespace label that names the control plane revision injecting its pods. */
const REVISION_LABEL = 'istio.io/rev';

/** Where istiod's Helm values switch injection over to the CNI node agent. */
const CNI_VALUE = ['pilot', 'cni', 'enabled'] as const;

/** The chart name istiod is installed from. */
const ISTIOD_CHART = 'istiod';

/** The ConfigMap istiod's injector reads its values from (chart istiod 1.24.6, istiod-injector-configmap.yaml). */
const INJECTOR_CONFIG = 'istio-sidecar-injector';

/**
 * The injector's values, where the environment holds istiod: from its rendered `istio-sidecar-injector`
 * ConfigMap (`data.values`, JSON; a rendered or hydrated chart), else from the istiod Application's
 * Helm values.
 */
function injectorValues(objects: readonly ManifestLike[]): unknown {
  const config = objects.find((o) => o.apiVersion === 'v1' && o.kind === 'ConfigMap' && o.metadata.name === INJECTOR_CONFIG);
  const text = rec(config?.data).values;
  if (typeof text === 'string') {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      // Not JSON: read the Application instead.
    }
  }
  const istiod = objects.find((o) => o.kind === 'Application' && o.apiVersion.startsWith('argoproj.io/') && rec(rec(o.spec).source).chart === ISTIOD_CHART);
  return istiod ? rec(rec(rec(istiod.spec).source).helm).valuesObject : undefined;
}

/** The mesh of an environment, from its objects; undefined when it installs no istiod. */
export function meshOf(objects: readonly ManifestLike[]): MeshModel | undefined {
  let values = injectorValues(objects);
  if (values === undefined) return undefined;
  for (const key of CNI_VALUE) values = rec(values)[key];
  const namespaceLabels = new Map<string, Record<string, unknown>>();
  for (const o of objects) if (o.apiVersion === 'v1' && o.kind === 'Namespace') namespaceLabels.set(o.metadata.name, rec(o.metadata.labels));
  return { cni: values === true, namespaceLabels };
}

/** True when the mesh injects a sidecar into a pod with these labels in this namespace. */
export function isInjected(mesh: MeshModel | undefined, namespace: string, podLabels: Record<string, unknown>, hostNetwork = false): boolean {
  if (!mesh || hostNetwork) return false;
  const label = podLabels[INJECT_LABEL];
  const ns = mesh.namespaceLabels.get(namespace) ?? {};
  if (ns[NAMESPACE_INJECTION_LABEL] !== undefined) return ns[NAMESPACE_INJECTION_LABEL] === 'enabled' && label !== 'false';
  if (ns[REVISION_LABEL] === 'default') return label !== 'false';
  return label === 'true';
}

/** The istio-proxy sidecar's security context (injection template, Istio 1.24.6). */
const PROXY_SECURITY_CONTEXT = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  privileged: false,
  readOnlyRootFilesystem: true,
  runAsGroup: 1337,
  runAsNonRoot: true,
  runAsUser: 1337,
};

/** `istio-init` without the CNI node agent: iptables as root (injection template, Istio 1.24.6). */
const INIT_SECURITY_CONTEXT = {
  allowPrivilegeEscalation: false,
  capabilities: { add: ['NET_ADMIN', 'NET_RAW'], drop: ['ALL'] },
  privileged: false,
  readOnlyRootFilesystem: false,
  runAsGroup: 0,
  runAsNonRoot: false,
  runAsUser: 0,
};

/** `istio-validation` with the CNI node agent: checks the redirection, unprivileged (Istio 1.24.6). */
const VALIDATION_SECURITY_CONTEXT = { ...PROXY_SECURITY_CONTEXT };

/** Who adds the containers, for messages. */
export function injectorName(mesh: MeshModel): string {
  return mesh.cni ? 'Istio sidecar injection (with the Istio CNI node agent)' : 'Istio sidecar injection (istio-init, no Istio CNI node agent)';
}

/** The containers injection adds: init containers first, then the sidecar. */
export function injectedContainers(mesh: MeshModel): { initContainers: Record<string, unknown>[]; containers: Record<string, unknown>[] } {
  const init = mesh.cni ? { name: 'istio-validation', securityContext: VALIDATION_SECURITY_CONTEXT } : { name: 'istio-init', securityContext: INIT_SECURITY_CONTEXT };
  return { initContainers: [init], containers: [{ name: 'istio-proxy', securityContext: PROXY_SECURITY_CONTEXT }] };
}
