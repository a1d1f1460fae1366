/**
 * Objects rendered from a chart (by helm, before construction) placed in a component: as objects of
 * its folder (hydrated), or only to be checked (an upstream chart Argo CD renders itself).
 */
import { ApiObject, JsonPatch } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { isClusterScoped } from './kinds';
import type { RenderedObject } from './chart-render';

const CHECK_ONLY = 'kompile:check-only';
const RENDERED = 'kompile:rendered-from';

/**
 * Annotation on every object Kompile writes from an upstream chart (hydrated): the chart's lock
 * name. Reviewers see where an object comes from; `kompile validate` holds such objects to the rules
 * for charts (no requests/limits or probes of Kompile's own).
 */
export const CHART_ANNOTATION = 'kompile.dev/chart';

/**
 * Adds rendered objects under `scope`, each namespaced object in its own namespace or `namespace`.
 * @param checkOnly the objects are judged by every check of the synth but never written: Argo CD
 *   renders the chart itself, so they stand for what it will apply
 */
export function addRenderedObjects(scope: Construct, objects: readonly RenderedObject[], namespace: string, checkOnly: boolean, chart: string): ApiObject[] {
  const ids = new Set<string>();
  return objects.map((obj) => {
    const { apiVersion, kind, metadata, ...rest } = obj;
    const ns = isClusterScoped(apiVersion, kind) ? undefined : (metadata.namespace ?? namespace);
    // Ids only need to be unique inside the chart; the identity check of the synth catches real duplicates.
    let id = `${kind}-${ns ?? ''}-${metadata.name}`;
    for (let n = 2; ids.has(id); n++) id = `${kind}-${ns ?? ''}-${metadata.name}-${n}`;
    ids.add(id);
    const annotations = { ...((metadata as { annotations?: Record<string, string> }).annotations ?? {}), [CHART_ANNOTATION]: chart };
    const api = new ApiObject(scope, id, { apiVersion, kind, metadata: { ...metadata, namespace: ns, annotations }, ...rest });
    // cdk8s gives every object of a chart the chart's namespace; cluster-scoped kinds must have none.
    if (ns === undefined) api.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
    if (checkOnly) api.node.addMetadata(CHECK_ONLY, true);
    api.node.addMetadata(RENDERED, chart);
    return api;
  });
}

/** True for an object rendered from a chart (hydrated or only checked), not written by Kompile's constructs. */
export function isRendered(obj: IConstruct): boolean {
  return obj.node.metadata.some((m) => m.type === RENDERED);
}

/** True for an object that is checked but not written (see {@link addRenderedObjects}). */
export function isCheckOnly(obj: IConstruct): boolean {
  return obj.node.metadata.some((m) => m.type === CHECK_ONLY);
}
