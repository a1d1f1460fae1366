/**
 * Rules over all the objects of one environment together: no object defined twice, every namespaced
 * object of Kompile's own files in a namespace, and every namespace objects are placed in created
 * by the environment. Kompile's Applications sync with `CreateNamespace=false`: Argo CD's
 * sync-options documentation says that without `CreateNamespace=true` "the Application will fail to
 * sync if the namespace doesn't exist".
 */
import { groupOf, isClusterScoped } from '../core/kinds';

/** The part of an object these rules read. */
export interface EnvironmentObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name?: string; readonly generateName?: string; readonly namespace?: string; readonly [k: string]: unknown };
  readonly [k: string]: unknown;
}

/** One problem found, about `objects[index]`. */
export interface EnvironmentObjectFinding {
  readonly rule: 'duplicate' | 'namespace';
  /**
   * For 'namespace': `missing` (a namespaced object without one) or `uncreated` (a namespace no
   * Namespace object of the environment creates). @default - none (a 'duplicate')
   */
  readonly problem?: 'missing' | 'uncreated';
  readonly index: number;
  /** JSON pointer inside the object. */
  readonly pointer: string;
  readonly message: string;
  /** The other object involved (the first definition of a duplicate). @default - none */
  readonly otherIndex?: number;
}

/** Namespaces Kubernetes creates itself (kubernetes.io, Namespaces: "Initial namespaces"). */
export const INITIAL_NAMESPACES: readonly string[] = ['default', 'kube-node-lease', 'kube-public', 'kube-system'];

export interface EnvironmentObjectOptions {
  /**
   * Whether `objects[i]` was rendered from an upstream chart by an Application: Argo CD gives such an
   * object without a namespace the Application's destination namespace. @default - none is
   */
  readonly fromChart?: (index: number) => boolean;
  /**
   * The destination namespace of the Application that syncs `objects[i]`, for chart objects without
   * their own. @default - unknown: such objects are not placed
   */
  readonly destinationOf?: (index: number) => string | undefined;
  /** Where Argo CD and its Applications live, created when Argo CD is installed. @default 'argocd' */
  readonly argocdNamespace?: string;
}

function nameOf(o: EnvironmentObject): string | undefined {
  return typeof o.metadata.name === 'string' ? o.metadata.name : undefined;
}

function shown(o: EnvironmentObject, ns: string): string {
  const name = nameOf(o) ?? `${o.metadata.generateName ?? ''}*`;
  return ns ? `${o.kind}/${ns}/${name}` : `${o.kind}/${name}`;
}

/**
 * Findings over one environment's objects: 'duplicate' for the second and later definitions of the
 * same group/kind/namespace/name (objects named by `generateName` are never the same object), and
 * 'namespace' for a namespaced object of Kompile's own files without `metadata.namespace` and for
 * the first object placed in each namespace no Namespace object of the environment creates.
 */
export function environmentObjectFindings(objects: readonly EnvironmentObject[], options: EnvironmentObjectOptions = {}): EnvironmentObjectFinding[] {
  const fromChart = options.fromChart ?? (() => false);
  const findings: EnvironmentObjectFinding[] = [];
  const exempt = new Set([...INITIAL_NAMESPACES, options.argocdNamespace ?? 'argocd']);
  const created = new Set(objects.filter((o) => o.apiVersion === 'v1' && o.kind === 'Namespace').map((o) => nameOf(o)));
  const seen = new Map<string, number>();
  const uncreated = new Set<string>();
  objects.forEach((o, index) => {
    const clusterScoped = isClusterScoped(o.apiVersion, o.kind);
    const own = typeof o.metadata.namespace === 'string' && o.metadata.namespace !== '' ? o.metadata.namespace : undefined;
    const ns = clusterScoped ? '' : (own ?? (fromChart(index) ? options.destinationOf?.(index) : undefined) ?? '');
    if (!clusterScoped && own === undefined && !fromChart(index)) {
      findings.push({ rule: 'namespace', problem: 'missing', index, pointer: '/metadata/namespace', message: `${o.kind} is namespaced but has no metadata.namespace: it would land in whatever namespace it is applied to` });
    }
    const name = nameOf(o);
    if (name !== undefined) {
      const key = `${groupOf(o.apiVersion)}/${o.kind}/${ns}/${name}`;
      const first = seen.get(key);
      if (first === undefined) seen.set(key, index);
      else findings.push({ rule: 'duplicate', index, pointer: '', otherIndex: first, message: `${shown(o, ns)} is defined twice: Argo CD applies only one of them` });
    }
    // An Application's objects go to its destination namespace.
    const destination = o.kind === 'Application' && groupOf(o.apiVersion) === 'argoproj.io' ? ((o.spec as { destination?: { namespace?: unknown } } | undefined)?.destination?.namespace) : undefined;
    for (const [placed, pointer] of [[ns, '/metadata/namespace'], [typeof destination === 'string' ? destination : '', '/spec/destination/namespace']] as const) {
      if (placed === '' || exempt.has(placed) || created.has(placed) || uncreated.has(placed)) continue;
      uncreated.add(placed);
      findings.push({ rule: 'namespace', problem: 'uncreated', index, pointer, message: `namespace '${placed}' is not created by any Namespace object of the environment (first object in it: ${shown(o, ns)}); the Applications sync with CreateNamespace=false, so the sync fails` });
    }
  });
  return findings;
}
