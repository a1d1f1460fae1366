import { Component } from '../../lib/core/component';
import { Platform } from '../../lib/core/platform';
import { K8sObject, objectsIn, synthPlatform, testPlatform } from '../helpers';

/** A test platform with one empty component to put constructs in. */
export function fixture(name = 'test', namespace?: string): { platform: Platform; component: Component } {
  const platform = testPlatform();
  return { platform, component: new Component(platform, 'C', { name, namespace }) };
}

/** The objects of one component after a full synth. */
export function render(platform: Platform, component = 'test'): K8sObject[] {
  return objectsIn(synthPlatform(platform), `${component}/manifests.yaml`);
}

/** The value at a dotted path (`spec.template.spec.containers.0.image`); throws when a step is missing. */
export function at(o: unknown, path: string): unknown {
  let cur: unknown = o;
  for (const step of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || !(step in (cur as object))) throw new Error(`no '${step}' on the way to '${path}'`);
    cur = (cur as Record<string, unknown>)[step];
  }
  return cur;
}

/** The value at a dotted path, or undefined when any step is missing. */
export function maybe(o: unknown, path: string): unknown {
  try {
    return at(o, path);
  } catch {
    return undefined;
  }
}

/** An array at a dotted path. */
export function list(o: unknown, path: string): Record<string, unknown>[] {
  const v = at(o, path);
  if (!Array.isArray(v)) throw new Error(`'${path}' is not a list`);
  return v as Record<string, unknown>[];
}

/** The first container of a pod-template-bearing object (Deployment, StatefulSet, Job). */
export function container(o: K8sObject): Record<string, unknown> {
  return list(o, 'spec.template.spec.containers')[0];
}

/** Environment variables of a container by name. */
export function envOf(c: Record<string, unknown>): Map<string, Record<string, unknown>> {
  return new Map(list(c, 'env').map((e) => [e.name as string, e]));
}
