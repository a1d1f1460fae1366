/**
 * `kompile images resolve`: the digest of every image reference an environment pulls from upstream
 * (or from its mirror's copy), asked of the registry that serves it, recorded in
 * `images.digests.json`; the synth then pins each such reference (`name:tag@sha256:…`) and the image
 * lock records it. Like `charts pull`, a recorded digest that the registry no longer gives for the
 * tag is an error (the tag was moved) unless `--update` accepts it.
 *
 * The registry protocol is the Distribution API's manifest endpoint, `HEAD /v2/<name>/manifests/<tag>`,
 * whose `Docker-Content-Digest` header is the manifest's digest (the OCI distribution spec's "pulling
 * manifests"; the Distribution registry the tests run answers it). A registry asking for a bearer
 * token (`WWW-Authenticate: Bearer realm=…,service=…,scope=…`, Docker Hub's
 * registry-1.docker.io) is given an anonymous one from its realm.
 *
 * The pure parts (which references, URLs, challenges, statuses, the report) are separate from the
 * one function that talks HTTP.
 */
import { createHash } from 'node:crypto';
import { Image, ImageReferenceError } from '../core/image';
import { IMAGE_DIGEST, ImageDigests } from '../core/image-digests';
import { environmentsOf, RenderedTree } from './tree';

/** Media types asked for, index first, so a multi-platform image resolves to its index (what `docker pull` resolves a tag to). */
export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/**
 * The tag references an environment's lock pulls (`images.lock.json` targets, digest dropped) whose
 * source is upstream: images of registries the environment holds only for its mirror's copies of
 * upstream images, never for the images CI builds (those are pinned by the Image Updater). Sorted. Pure.
 */
export function referencesToResolve(tree: RenderedTree, environment: string, heldRegistries: readonly string[] = []): string[] {
  const lock = tree.images.get(environment)?.lock ?? {};
  const held = new Set(heldRegistries);
  const out = new Set<string>();
  for (const [source, target] of Object.entries(lock)) {
    let s: Image;
    let t: Image;
    try {
      s = Image.parse(source);
      t = Image.parse(target);
    } catch (e) {
      if (e instanceof ImageReferenceError) continue; // `kompile images --check` reports it
      throw e;
    }
    if (held.has(s.registry) || t.tag === undefined) continue;
    out.add(new Image({ registry: t.registry, repository: t.repository, tag: t.tag }).toString());
  }
  return [...out].sort();
}

/** Every reference to resolve across the tree's environments (or one). Pure. */
export function allReferencesToResolve(tree: RenderedTree, held: ReadonlyMap<string, readonly string[]> = new Map()): string[] {
  return [...new Set(environmentsOf(tree).flatMap((env) => referencesToResolve(tree, env, held.get(env) ?? [])))].sort();
}

/** The host to ask for a registry: `docker.io` is served at registry-1.docker.io; `hosts` maps others (a mirror reached under another name). Pure. */
export function registryHost(registry: string, hosts: Readonly<Record<string, string>> = {}): string {
  return hosts[registry] ?? (registry === 'docker.io' ? 'registry-1.docker.io' : registry);
}

/** The manifest URL of a tag reference. Pure. */
export function manifestUrl(image: Image, hosts: Readonly<Record<string, string>> = {}, plainHttp = false): string {
  if (image.tag === undefined) throw new Error(`${image.toString()} has no tag to resolve`);
  return `${plainHttp ? 'http' : 'https'}://${registryHost(image.registry, hosts)}/v2/${image.repository}/manifests/${image.tag}`;
}

/** The parameters of a `WWW-Authenticate: Bearer k="v",…` challenge, or undefined for another scheme. Pure. */
export function bearerChallenge(header: string | null): Record<string, string> | undefined {
  if (!header || !/^Bearer\s/i.test(header)) return undefined;
  const params: Record<string, string> = {};
  for (const m of header.replace(/^Bearer\s+/i, '').matchAll(/([a-zA-Z_]+)="([^"]*)"/g)) params[m[1]] = m[2];
  return params.realm ? params : undefined;
}

/** What `fetch` is, reduced to what is used (tests may pass their own). */
export type Fetch = (url: string, init?: { method?: string; headers?: Record<string, string> }) => Promise<Response>;

/**
 * Asks the registry for the digest of one tag reference: HEAD on its manifest, with an anonymous
 * bearer token when the registry asks for one; a response without `Docker-Content-Digest` is read
 * and hashed. Throws naming the reference and the status.
 */
export async function resolveDigest(ref: string, options: { hosts?: Readonly<Record<string, string>>; plainHttp?: boolean; fetch?: Fetch } = {}): Promise<string> {
  const doFetch: Fetch = options.fetch ?? ((url, init) => fetch(url, init));
  const image = Image.parse(ref);
  const url = manifestUrl(image, options.hosts, options.plainHttp);
  const headers: Record<string, string> = { Accept: MANIFEST_ACCEPT };
  let res = await doFetch(url, { method: 'HEAD', headers });
  if (res.status === 401) {
    const challenge = bearerChallenge(res.headers.get('www-authenticate'));
    if (!challenge) throw new Error(`${ref}: ${url} asks for credentials (${res.headers.get('www-authenticate') ?? 'no challenge'}); resolve against a mirror that serves it anonymously`);
    const tokenUrl = new URL(challenge.realm);
    if (challenge.service) tokenUrl.searchParams.set('service', challenge.service);
    tokenUrl.searchParams.set('scope', challenge.scope ?? `repository:${image.repository}:pull`);
    const tokenRes = await doFetch(tokenUrl.toString());
    if (!tokenRes.ok) throw new Error(`${ref}: no anonymous token from ${challenge.realm} (HTTP ${tokenRes.status})`);
    const body = (await tokenRes.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new Error(`${ref}: ${challenge.realm} gave no token`);
    headers.Authorization = `Bearer ${token}`;
    res = await doFetch(url, { method: 'HEAD', headers });
  }
  if (res.status === 404) throw new Error(`${ref}: ${url} has no such tag (HTTP 404)`);
  if (!res.ok) throw new Error(`${ref}: ${url} answered HTTP ${res.status}`);
  const digest = res.headers.get('docker-content-digest');
  if (digest !== null) {
    if (!IMAGE_DIGEST.test(digest)) throw new Error(`${ref}: ${url} gave digest '${digest}', not sha256:<64 hex digits>`);
    return digest;
  }
  const full = await doFetch(url, { method: 'GET', headers });
  if (!full.ok) throw new Error(`${ref}: ${url} answered HTTP ${full.status}`);
  return `sha256:${createHash('sha256').update(Buffer.from(await full.arrayBuffer())).digest('hex')}`;
}

/** One resolved reference and what the recorded digest says. */
export interface ResolvedImage {
  readonly reference: string;
  readonly digest: string;
  readonly recorded?: string;
  /** `recorded`: none before; `unchanged`; `changed`: the tag now names other content (an error unless updating). */
  readonly status: 'recorded' | 'unchanged' | 'changed';
}

/** Compares resolved digests with the recorded ones. Pure. */
export function compareDigests(resolved: ReadonlyMap<string, string>, digests: ImageDigests): ResolvedImage[] {
  return [...resolved].sort(([a], [b]) => (a < b ? -1 : 1)).map(([reference, digest]) => {
    const recorded = digests.digestOf(Image.parse(reference));
    return { reference, digest, ...(recorded ? { recorded } : {}), status: !recorded ? 'recorded' : recorded === digest ? 'unchanged' : 'changed' };
  });
}

/** A report line per reference. Pure. */
export function formatResolved(results: readonly ResolvedImage[], updated: boolean): string {
  return results
    .map((r) => {
      if (r.status !== 'changed') return `${r.reference}: ${r.status === 'recorded' ? `digest ${r.digest} recorded` : 'digest verified'}\n`;
      return updated
        ? `${r.reference}: digest changed ${r.recorded} → ${r.digest} (--update: recorded)\n`
        : `error: ${r.reference}: the registry now gives ${r.digest}, images.digests.json records ${r.recorded} (the tag was moved; --update accepts it)\n`;
    })
    .join('');
}
