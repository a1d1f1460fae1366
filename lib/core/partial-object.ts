import { ApiObject } from 'cdk8s';

/**
 * Objects Kompile writes as a partial of an object someone else owns (e.g. one key of Argo CD's
 * `argocd-cm`), applied by hand with server-side apply under a field manager of their own. The
 * synth adds nothing to them: no labels, no annotations. Each field such an object carries becomes
 * owned by its field manager, and a field another manager owns with a different value is a
 * conflict (`app.kubernetes.io/managed-by: Helm` on a Helm-installed Argo CD's `argocd-cm`, from
 * argo-helm charts/argo-cd/templates/_common.tpl `argo-cd.labels`).
 */
const PARTIAL = new WeakSet<ApiObject>();

/** Marks `obj` as a partial object: written exactly as built. */
export function markPartial(obj: ApiObject): void {
  PARTIAL.add(obj);
}

/** True for objects marked with {@link markPartial}. */
export function isPartial(obj: ApiObject): boolean {
  return PARTIAL.has(obj);
}
