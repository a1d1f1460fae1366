import { hostOf } from './config/host';
import type { RegistryPolicyConfig } from './config/registry';
import { Image } from './image';
import { ImageDigests } from './image-digests';

/**
 * Hosts every environment may name in URLs: the cluster itself. Service DNS names never leave the
 * cluster, so they are never "outside" references.
 */
const IN_CLUSTER_HOST = /(^|\.)(svc|svc\.cluster\.local|cluster\.local)(:\d+)?$|^localhost(:\d+)?$|^127\.0\.0\.1(:\d+)?$/;
/**
 * A single-label host (`default-broker`, `registry:5000`) resolves only through the pod's DNS search
 * domains, i.e. to a Service of the cluster: hosts outside it need a dotted name.
 */
const SINGLE_LABEL_HOST = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(:\d+)?$/i;

/**
 * An environment's rules for images and URLs: where images are relocated to, and which registries
 * and hosts the output may reference. Pure: it only answers questions about references.
 */
export class RegistryPolicy {
  /**
   * @param platformRegistries registries that run inside the platform (its own CI registry): images
   *   there are built and pushed by the platform itself, so they are neither relocated to the mirror
   *   nor refused by `allowedRegistries`.
   * @param digests the digests the references pulled resolved to (images.digests.json): an image
   *   with one is pulled by it, `registry/repository:tag@sha256:…`.
   */
  constructor(
    private readonly config: RegistryPolicyConfig,
    private readonly platformRegistries: readonly string[] = [],
    private readonly digests?: ImageDigests,
  ) {}

  /** The mirror images are relocated to, if any. */
  get mirror(): string | undefined {
    return this.config.mirror;
  }

  /**
   * Registries the environment itself holds images in: its mirror and the platform's own registry.
   * Images there are neither relocated nor mirrored (nothing upstream to pull them from).
   */
  get heldRegistries(): string[] {
    return [...new Set([...(this.config.mirror ? [this.config.mirror] : []), ...this.platformRegistries])].sort();
  }

  /** True when the image is in a registry the environment holds (see {@link heldRegistries}). */
  holds(image: Image): boolean {
    return image.registry === this.config.mirror || this.platformRegistries.includes(image.registry);
  }

  /**
   * Where the environment pulls `image` from: the mirror's copy (unless the environment holds the
   * image), pinned to the digest recorded for that reference (images.digests.json, keyed by the
   * reference pulled: a mirror filled by `docker pull`/`push` of one platform holds another manifest
   * than the upstream index, so the mirror's digest is resolved against the mirror).
   */
  relocate(image: Image): Image {
    if (this.holds(image)) return image;
    const target = this.config.mirror ? image.withRegistry(this.config.mirror) : image;
    return this.digests?.pin(target) ?? target;
  }

  /** True when the environment may pull from the image's registry. */
  allowsImage(image: Image): boolean {
    const allowed = this.config.allowedRegistries;
    return allowed.length === 0 || allowed.includes(image.registry) || this.platformRegistries.includes(image.registry);
  }

  /** True when URLs are held to `allowedHosts` (an empty list allows every host). */
  get restrictsHosts(): boolean {
    return this.config.allowedHosts.length > 0;
  }

  /** True when a URL's host is in the cluster or in the allowed hosts. */
  allowsUrl(url: string): boolean {
    // `pvc://<claim>/<path>` (KServe storage URIs) names a PersistentVolumeClaim, not a host.
    if (/^pvc:\/\//i.test(url)) return true;
    const host = hostOf(url);
    if (host === undefined || IN_CLUSTER_HOST.test(host) || SINGLE_LABEL_HOST.test(host)) return true;
    const allowed = this.config.allowedHosts;
    return allowed.length === 0 || allowed.includes(host) || allowed.includes(host.replace(/:\d+$/, ''));
  }
}
