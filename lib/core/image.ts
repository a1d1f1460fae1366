/**
 * The one image model every image reference in Kompile passes through.
 *
 * A reference is split into registry, repository, tag and digest, with Docker's implicit defaults
 * made explicit (`nginx` is `docker.io/library/nginx`), so that two spellings of the same image are
 * the same image, and relocation to a mirror is a change of one field.
 */

import { formatReference, parseReference } from './image-reference';

export { DOCKER_HUB, ImageReferenceError } from './image-reference';

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
  /** Parses a reference (lib/core/image-reference.ts); throws `ImageReferenceError` naming the reference on bad input. */
  static parse(reference: string): Image {
    return new Image(parseReference(reference));
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
    return formatReference(this);
  }
}
