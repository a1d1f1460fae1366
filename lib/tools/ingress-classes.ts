/**
 * `kompile verify`'s check of the IngressClasses the environment expects the cluster to have: every
 * `spec.ingressClassName` its Ingresses name that the tree does not create (`cluster.ingress.install:
 * false`, the cluster runs the controller). The API server accepts an Ingress naming a class that does
 * not exist, and no controller ever serves it, so a missing class fails the verification.
 *
 * The tree creates a class with an IngressClass object (a hydrated chart), or with an Application of
 * the `ingress-nginx` chart, which creates `controller.ingressClassResource.name` (default `nginx`)
 * unless `controller.ingressClassResource.enabled` is false (values.yaml of chart 4.12.8).
 */
import { checkProvided } from './cluster-provided';
import type { ApiTransport, DryRunResult } from './verify';
import type { ManifestObject } from './tree';

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Rec) : {});

/** The class an `ingress-nginx` chart Application creates, if any. */
function chartClass(o: ManifestObject): string | undefined {
  const source = rec(rec(o.spec).source);
  if (o.kind !== 'Application' || source.chart !== 'ingress-nginx') return undefined;
  const resource = rec(rec(rec(rec(source.helm).valuesObject).controller).ingressClassResource);
  if (resource.enabled === false) return undefined;
  return typeof resource.name === 'string' ? resource.name : 'nginx';
}

/** IngressClass names the Ingresses use that the tree does not create, sorted. */
export function requiredIngressClasses(objects: readonly ManifestObject[]): string[] {
  const defined = new Set<string>();
  for (const o of objects) {
    if (o.kind === 'IngressClass' && o.apiVersion.startsWith('networking.k8s.io/')) defined.add(o.metadata.name);
    const created = chartClass(o);
    if (created) defined.add(created);
  }
  const used = objects.filter((o) => o.kind === 'Ingress' && o.apiVersion.startsWith('networking.k8s.io/')).map((o) => rec(o.spec).ingressClassName);
  return [...new Set(used.filter((n): n is string => typeof n === 'string' && n !== '' && !defined.has(n)))].sort();
}

/** Asks the cluster for each IngressClass the tree needs but does not create: one result per name. */
export function checkIngressClasses(transport: ApiTransport, objects: readonly ManifestObject[]): Promise<DryRunResult[]> {
  return checkProvided(transport, 'IngressClass', '/apis/networking.k8s.io/v1/ingressclasses', requiredIngressClasses(objects), (name) =>
    `Ingresses of the tree name ingressClassName '${name}', which the cluster does not have and the tree does not create (set cluster.ingress.install, or install the controller on the cluster); no controller would serve them`,
  );
}
