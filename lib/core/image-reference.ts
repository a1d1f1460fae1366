/**
 * The image reference grammar: the one place Kompile says what an image reference is, how it splits
 * into registry, repository, tag and digest, and how the split spellings Helm charts use are read
 * and written. Relocation (relocate.ts), the airgap audit (lib/checks/audit.ts), `kompile images`,
 * `validate` and `diff` all read references through here, so they cannot disagree about a form.
 *
 * The grammar is that of distribution/reference v0.6.0 (commit ff14fafe2236e51c2894ac07d4bdfc778e96d682),
 * `regexp.go` for the productions and `normalize.go` (`splitDockerDomain`, `ParseNormalizedNamed`)
 * for Docker Hub's defaults; `reference.go` for the 255-character repository limit. The productions
 * below are those of regexp.go, written in JavaScript syntax (`\w` is ASCII in both).
 */

/** Docker Hub's canonical registry name (normalize.go `defaultDomain`). */
export const DOCKER_HUB = 'docker.io';
/** normalize.go `legacyDefaultDomain`: canonicalized to {@link DOCKER_HUB}. */
const LEGACY_DOCKER_HUB = 'index.docker.io';
/**
 * Docker Hub's registry host. distribution/reference keeps it as a registry of its own (normalize.go
 * notes it is Docker Hub's "actual domain" but does not rewrite it); Kompile treats it as Docker Hub
 * too, so that an allowlist or a mirror sees one registry, not two.
 */
const DOCKER_HUB_HOST = 'registry-1.docker.io';
/** normalize.go `officialRepoPrefix`: a one-component Docker Hub name lives under `library/`. */
const OFFICIAL_PREFIX = 'library';
/** reference.go `RepositoryNameTotalLengthMax`. */
const REPOSITORY_MAX = 255;

// regexp.go productions.
const alphanumeric = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const domainNameComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const optionalPort = '(?::[0-9]+)?';
const tag = '[\\w][\\w.-]{0,127}';
const digest = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}';
const identifier = '[a-f0-9]{64}';
const ipv6address = '\\[(?:[a-fA-F0-9:]+)\\]';
const domainName = `${domainNameComponent}(?:\\.${domainNameComponent})*`;
const host = `(?:${domainName}|${ipv6address})`;
const domainAndPort = `${host}${optionalPort}`;
const pathComponent = `${alphanumeric}(?:${separator}${alphanumeric})*`;

const anchored = (re: string) => new RegExp(`^${re}$`);
/** regexp.go `anchoredTagRegexp`. */
export const TAG_PATTERN = anchored(tag);
/** regexp.go `anchoredDigestRegexp`. */
export const DIGEST_PATTERN = anchored(digest);
/** regexp.go `DomainRegexp`, anchored: a registry host with optional port. */
export const REGISTRY_PATTERN = anchored(domainAndPort);
const PATH_COMPONENT = anchored(pathComponent);
const IDENTIFIER = anchored(identifier);
/**
 * The value of a split image's tag key when it pins a digest too: `v1.11.3@sha256:…` (what
 * relocation writes, and what charts that render `repository:tag` accept). A string of exactly this
 * form is an image tag, never a Git remote (`user@host:path`) nor an e-mail address.
 */
const TAG_AT_DIGEST = anchored(`(${tag})@(${digest})`);

export class ImageReferenceError extends Error {
  constructor(
    readonly reference: string,
    reason: string,
  ) {
    super(`invalid image reference '${reference}': ${reason}`);
    this.name = 'ImageReferenceError';
  }
}

/** A reference split as written, before Docker Hub's defaults are applied. */
export interface WrittenReference {
  /** The registry when the reference names one (its first component is a host), else undefined. */
  readonly registry?: string;
  /** Everything between the registry and the tag. */
  readonly path: string;
  readonly tag?: string;
  readonly digest?: string;
}

/**
 * True when the first `/`-component of a name is a registry host (normalize.go `splitDockerDomain`):
 * `localhost`, anything with a `.` or a `:` (a domain, an IP address, a port), or anything with an
 * upper-case letter (repository paths are lower-case).
 */
export function isRegistryComponent(component: string): boolean {
  return component === 'localhost' || /[.:]/.test(component) || component.toLowerCase() !== component;
}

/**
 * Splits a reference as written, without checking its parts: the digest after the first `@`, the
 * tag after a `:` that follows the last `/`, the registry when the first component is one (a name
 * without `/` is never a registry, `localhost:5000` included: it reads as `localhost` tagged `5000`,
 * as in normalize.go).
 */
export function splitReference(reference: string): WrittenReference {
  let rest = reference;
  let dig: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    dig = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let t: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    t = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const slash = rest.indexOf('/');
  if (slash > 0 && isRegistryComponent(rest.slice(0, slash))) return { registry: rest.slice(0, slash), path: rest.slice(slash + 1), tag: t, digest: dig };
  return { path: rest, tag: t, digest: dig };
}

/** A reference parsed and normalized: every part explicit. */
export interface ReferenceParts {
  readonly registry: string;
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

/**
 * Parses a reference the way `ParseNormalizedNamed` does: `nginx` is `docker.io/library/nginx`,
 * `index.docker.io/x` is `docker.io/x`. Throws {@link ImageReferenceError} naming the reference and
 * the part that breaks the grammar.
 */
export function parseReference(reference: string): ReferenceParts {
  const ref = reference.trim();
  if (ref === '' || /\s/.test(ref)) throw new ImageReferenceError(reference, 'empty or contains whitespace');
  if (IDENTIFIER.test(ref)) throw new ImageReferenceError(reference, 'a 64-character hexadecimal identifier, not a repository name');
  const written = splitReference(ref);
  if (written.digest !== undefined && !DIGEST_PATTERN.test(written.digest)) throw new ImageReferenceError(reference, `bad digest '${written.digest}'`);
  if (written.tag !== undefined && !TAG_PATTERN.test(written.tag)) throw new ImageReferenceError(reference, `bad tag '${written.tag}'`);
  let registry = written.registry ?? DOCKER_HUB;
  if (!REGISTRY_PATTERN.test(registry)) throw new ImageReferenceError(reference, `bad registry '${registry}'`);
  if (registry === LEGACY_DOCKER_HUB || registry === DOCKER_HUB_HOST) registry = DOCKER_HUB;
  const parts = written.path.split('/');
  if (registry === DOCKER_HUB && parts.length === 1) parts.unshift(OFFICIAL_PREFIX);
  for (const p of parts) if (!PATH_COMPONENT.test(p)) throw new ImageReferenceError(reference, `bad repository component '${p}'`);
  const repository = parts.join('/');
  if (repository.length > REPOSITORY_MAX) throw new ImageReferenceError(reference, `repository name longer than ${REPOSITORY_MAX} characters`);
  return { registry, repository, tag: written.tag, digest: written.digest };
}

/** The reference as it is pulled: `registry/repository[:tag][@digest]`. */
export function formatReference(parts: ReferenceParts): string {
  return `${parts.registry}/${parts.repository}${parts.tag !== undefined ? `:${parts.tag}` : ''}${parts.digest !== undefined ? `@${parts.digest}` : ''}`;
}

/** The canonical spelling of a reference, or the string itself when it is no reference. */
export function canonicalReference(reference: string): string {
  try {
    return formatReference(parseReference(reference));
  } catch (e) {
    if (e instanceof ImageReferenceError) return reference;
    throw e;
  }
}

/** True when a whole string is a split image's tag pinned with a digest, `v1@sha256:…`. */
export function isTagAtDigest(value: string): boolean {
  return TAG_AT_DIGEST.test(value);
}

/**
 * Reads the value of a split image's tag key: `v1`, `v1@sha256:…`, or a digest alone (`sha256:…`,
 * or `@sha256:…`). Throws {@link ImageReferenceError} when it is none of these.
 */
export function parseSplitTag(value: string): { readonly tag?: string; readonly digest?: string } {
  if (value === '') return {};
  const pinned = TAG_AT_DIGEST.exec(value);
  if (pinned) return { tag: pinned[1], digest: pinned[2] };
  const bare = value.startsWith('@') ? value.slice(1) : value;
  if (DIGEST_PATTERN.test(bare)) return { digest: bare };
  if (TAG_PATTERN.test(value)) return { tag: value };
  throw new ImageReferenceError(value, `bad tag '${value}' (a tag, tag@digest or a digest)`);
}

/**
 * The value a split image's tag key gets: the tag, `tag@digest` when pinned by both. A digest
 * without a tag has no spelling a `repository:tag` template renders into a valid reference, so it
 * is refused, naming `where`.
 */
export function formatSplitTag(parts: { readonly tag?: string; readonly digest?: string }, where: string): string {
  if (parts.digest === undefined) return parts.tag ?? '';
  if (parts.tag === undefined) throw new Error(`${where}: image pinned by digest alone cannot be written into a tag key (a chart renders 'repository:tag'); pin a tag with the digest (tag@sha256:…)`);
  return `${parts.tag}@${parts.digest}`;
}

/** A split image: what a chart's values hold in separate keys. */
export interface SplitImage {
  /** A registry key's value (`registry.k8s.io`), when the chart keeps the registry apart. */
  readonly registry?: string;
  /** The repository key's value: a name with or without a registry. */
  readonly repository: string;
  /** The tag key's value ({@link parseSplitTag}). */
  readonly tag?: string;
  /** A separate digest key's value, `sha256:…`. */
  readonly digest?: string;
}

/** The one reference a split image stands for. Throws {@link ImageReferenceError} on bad parts. */
export function joinSplitImage(split: SplitImage): string {
  const written = splitReference(split.repository);
  if (written.tag !== undefined || written.digest !== undefined) {
    if (split.tag || split.digest) throw new ImageReferenceError(split.repository, 'a repository value with its own tag or digest beside a tag key');
  }
  const pinned = parseSplitTag(split.tag ?? '');
  const dig = split.digest ? split.digest : pinned.digest;
  const name = split.registry && written.registry === undefined ? `${split.registry}/${split.repository}` : split.repository;
  return `${name}${pinned.tag !== undefined ? `:${pinned.tag}` : ''}${dig !== undefined ? `@${dig}` : ''}`;
}

/**
 * Keys Helm charts put an image's tag under, beside `image`, in order of preference (`defaultVersion`:
 * KServe's serving runtimes).
 */
export const SIBLING_TAG_KEYS: readonly string[] = ['tag', 'imageTag', 'version', 'defaultVersion', 'defaultImageVersion'];

/**
 * The reference an `image` string stands for in the map that holds it. A full reference stands for
 * itself; a chart that splits its images keeps the rest beside it:
 * - a `registry` key beside a registry-less name (`{ registry: registry.k8s.io, image: ingress-nginx/controller }`):
 *   the name is in that registry, not Docker Hub;
 * - a tag key ({@link SIBLING_TAG_KEYS}) beside a name without tag or digest, holding a tag,
 *   `tag@digest` or a digest;
 * - a `digest` key beside a name without digest.
 * Returns the `image` string itself when the parts beside it do not join into a reference (the
 * caller's parse then names the problem).
 */
export function referenceAtImageKey(map: Readonly<Record<string, unknown>>): string | undefined {
  const image = map.image;
  if (typeof image !== 'string') return undefined;
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  const written = splitReference(image);
  const registry = str(map.registry);
  let ref = registry !== undefined && written.registry === undefined ? `${registry}/${image}` : image;
  let dig = written.digest;
  if (written.tag === undefined && written.digest === undefined) {
    const sibling = SIBLING_TAG_KEYS.map((k) => str(map[k])).find((t) => t !== undefined);
    if (sibling !== undefined) {
      let pinned: { readonly tag?: string; readonly digest?: string };
      try {
        pinned = parseSplitTag(sibling);
      } catch (e) {
        if (e instanceof ImageReferenceError) return image;
        throw e;
      }
      if (pinned.tag !== undefined) ref += `:${pinned.tag}`;
      dig = pinned.digest;
    }
  }
  if (dig === undefined && written.digest === undefined) dig = str(map.digest);
  return written.digest === undefined && dig !== undefined ? `${ref}@${dig}` : ref;
}
