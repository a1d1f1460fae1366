/**
 * Finds every container `image` of every pod template in an object, whatever its kind: Pods,
 * Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs, CronJobs and custom resources that
 * embed pod specs. A pod spec is recognised by its `containers` array.
 */
export interface FoundImage {
  /** JSON pointer of the `image` field. */
  readonly pointer: string;
  readonly value: string;
}

const CONTAINER_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers']);

/**
 * A container image Istio's sidecar injector fills in: its gateway chart's pods say `image: auto`,
 * and injection replaces exactly that value (istio/istio 1.24.6, pkg/kube/inject/webhook.go), so it
 * is no image to relocate, lock or mirror.
 */
export const INJECTED_IMAGE = 'auto';

export function findContainerImages(obj: unknown): FoundImage[] {
  const found: FoundImage[] = [];
  const walk = (node: unknown, pointer: string): void => {
    if (Array.isArray(node)) {
      node.forEach((item, i) => walk(item, `${pointer}/${i}`));
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    for (const [key, value] of Object.entries(node)) {
      const here = `${pointer}/${escapeSegment(key)}`;
      if (CONTAINER_LISTS.has(key) && Array.isArray(value)) {
        value.forEach((c, i) => {
          if (typeof c === 'object' && c !== null && typeof (c as { image?: unknown }).image === 'string' && (c as { image: string }).image !== INJECTED_IMAGE) {
            found.push({ pointer: `${here}/${i}/image`, value: (c as { image: string }).image });
          }
        });
      }
      walk(value, here);
    }
  };
  walk(obj, '');
  return found;
}

/**
 * Escapes one JSON-pointer segment (RFC 6901: `~` → `~0`, `/` → `~1`). Most keys need neither, and
 * the walks call this for every key of every object, so the common case returns the key as it is.
 */
export function escapeSegment(key: string): string {
  return key.includes('~') || key.includes('/') ? key.replace(/~/g, '~0').replace(/\//g, '~1') : key;
}

function segments(pointer: string): string[] {
  return pointer
    .split('/')
    .slice(1)
    .map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function walkTo(obj: unknown, keys: readonly string[]): unknown {
  let cur: unknown = obj;
  for (const key of keys) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** Reads the value at a JSON pointer (RFC 6901), or undefined. */
export function getPointer(obj: unknown, pointer: string): unknown {
  return walkTo(obj, segments(pointer));
}

/** Replaces the value at a JSON pointer whose parent exists. */
export function setPointer(obj: unknown, pointer: string, value: unknown): void {
  const keys = segments(pointer);
  const last = keys.pop();
  const parent = walkTo(obj, keys);
  if (last === undefined || typeof parent !== 'object' || parent === null) throw new Error(`no field at ${pointer}`);
  (parent as Record<string, unknown>)[last] = value;
}
