/**
 * What `kompile verify` asks of objects the environment expects the cluster to provide (cluster-scoped
 * objects its own objects name but the tree does not create: RuntimeClasses, IngressClasses).
 */
import type { ApiTransport, DryRunResult } from './verify';

/**
 * Reads each of `names` from `collection` (the API path of a cluster-scoped kind, e.g.
 * `/apis/node.k8s.io/v1/runtimeclasses`): one result per name, `ok` where it exists, `failed` with
 * `missing(name)` where the server answers 404, and with the HTTP status otherwise.
 */
export async function checkProvided(transport: ApiTransport, kind: string, collection: string, names: readonly string[], missing: (name: string) => string): Promise<DryRunResult[]> {
  const out: DryRunResult[] = [];
  for (const name of names) {
    const res = await transport.request({ method: 'GET', path: `${collection}/${encodeURIComponent(name)}` });
    const object = `${kind}/${name}`;
    if (res.status === 200) out.push({ object, outcome: 'ok' });
    else if (res.status === 404) out.push({ object, outcome: 'failed', message: missing(name) });
    else out.push({ object, outcome: 'failed', message: `could not read ${kind} '${name}': HTTP ${res.status}` });
  }
  return out;
}
