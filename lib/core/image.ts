/**
 * The one image model every image reference in Kompile passes through.
 *
 * A reference is split into registry, repository, tag and digest, with Docker's implicit defaults
 * made explicit (`nginx` is `docker.io/library/nginx`), so that two spellings of the same image are
 * the same image, and relocation to a mirror is a change of one field.
 */

/** Docker Hub's canonical registry name; `index.docker.io` and an absent registry both mean it. */
export const DOCKER_HUB = 'docker.io';

// The reference grammar of distribution/reference, reduced to what matters here: a first path
// component is a registry when it contains a '.' or ':' or is 'localhost'.
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-fA-F0-9]{32,}$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const REGISTRY = /^(?:localhost|[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)*)(?::\d+)?$/;

export class ImageReferenceError extends Error {
  constructor(
    readonly reference: string,
    reason: string,
  ) {
    super(`invalid image reference '${reference}': ${reason}`);
    this.name = 'ImageReferenceError';
  }
}

export interface ImageParts {
  /** Registry host, with port if any, e.g. `ghcr.io`, `registry.local:5000`. */
  readonly registry: string;
  /** Repository path inside the registry, e.g. `stacklok/toolhive/operator`. */
  readonly repository: string;
  /** Tag; absent when the reference names only a digest or nothing at all. */
  readonly tag?: string;
  /** Content digest, e.g. `sha256:…`. */
  readonly digest?: string;
}

export class Image implements ImageParts {
  /** Parses a reference; throws {@link ImageReferenceError} naming the reference on bad input. */
  static parse(reference: string): Image {
    const ref = reference.trim();
    if (ref === '' || /\s/.test(ref)) throw new ImageReferenceError(reference, 'empty or contains whitespace');

    let rest = ref;
    let digest: string | undefined;
    const at = rest.indexOf('@');
    if (at >= 0) {
      digest = rest.slice(at + 1);
      rest = rest.slice(0, at);
      if (!DIGEST.test(digest)) throw new ImageReferenceError(reference, `bad digest '${digest}'`);
    }

    let tag: string | undefined;
    const lastSlash = rest.lastIndexOf('/');
    const colon = rest.lastIndexOf(':');
    if (colon > lastSlash) {
      tag = rest.slice(colon + 1);
      rest = rest.slice(0, colon);
      if (!TAG.test(tag)) throw new ImageReferenceError(reference, `bad tag '${tag}'`);
    }

    const parts = rest.split('/');
    let registry = DOCKER_HUB;
    if (parts.length > 1 && (parts[0].includes('.') || parts[0].includes(':') || parts[0] === 'localhost')) {
      registry = parts.shift()!;
    }
    if (!REGISTRY.test(registry)) throw new ImageReferenceError(reference, `bad registry '${registry}'`);
    if (registry === 'index.docker.io' || registry === 'registry-1.docker.io') registry = DOCKER_HUB;
    if (registry === DOCKER_HUB && parts.length === 1) parts.unshift('library');

    for (const p of parts) {
      if (!PATH_COMPONENT.test(p)) throw new ImageReferenceError(reference, `bad repository component '${p}'`);
    }
    return new Image({ registry, repository: parts.join('/'), tag, digest });
  }

  readonly registry: string;
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;

  constructor(parts: ImageParts) {
    this.registry = parts.registry;
    this.repository = parts.repository;
    this.tag = parts.tag;
    this.digest = parts.digest;
  }

  /** `registry/repository`, without tag or digest: what a Helm chart calls `image.repository`. */
  get name(): string {
    return `${this.registry}/${this.repository}`;
  }

  /** True when neither tag nor digest pins the image (an implicit `latest`). */
  get isUnpinned(): boolean {
    return this.tag === undefined && this.digest === undefined;
  }

  /** The same image under another registry (and optionally another repository path). */
  withRegistry(registry: string, repository: string = this.repository): Image {
    return new Image({ registry, repository, tag: this.tag, digest: this.digest });
  }

  /** The same image under another tag (and no digest). */
  withTag(tag: string): Image {
    return new Image({ registry: this.registry, repository: this.repository, tag });
  }

  /** The fully qualified reference: `registry/repository[:tag][@digest]`. */
  toString(): string {
    return `${this.name}${this.tag !== undefined ? `:${this.tag}` : ''}${this.digest !== undefined ? `@${this.digest}` : ''}`;
  }
}
