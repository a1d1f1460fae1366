/**
 * The image digests: the content digest each image reference an environment pulls,
 * `registry/repository:tag` (the upstream source, or its copy in the site's mirror), resolved to
 * when it was pulled or mirrored (`kompile images resolve` asks the registry that serves it). One file, `images.digests.json` at the repository root, written only by that
 * command, never by hand: a digest is a fact about a registry, and an invented one would stop every
 * pull. Keyed by the tag reference, so a tag bump (images.pins.json, charts.lock.json) finds no
 * stale digest: its image is unpinned until resolved again.
 *
 * The registry policy pins every reference it has a digest for (`name:tag@sha256:…`) and the image
 * lock (images.lock.json) records it. Pure: the file is data.
 */
import { z } from 'zod';
import data from '../../images.digests.json';
import { dataFileIssues } from './errors';
import { Image, ImageReferenceError } from './image';

/** File name of the digests, at the repository root. */
export const IMAGE_DIGESTS_FILE = 'images.digests.json';

/** An image manifest digest as registries give it (`Docker-Content-Digest`). */
export const IMAGE_DIGEST = /^sha256:[a-f0-9]{64}$/;

export const ImageDigestsSchema = z
  .object({
    /** Canonical `registry/repository:tag` → `sha256:<64 hex>`. */
    digests: z.record(z.string().regex(IMAGE_DIGEST, { message: 'must be sha256:<64 hex digits>' })),
  })
  .strict()
  .superRefine((f, ctx) => {
    for (const ref of Object.keys(f.digests)) {
      let image: Image;
      try {
        image = Image.parse(ref);
      } catch (e) {
        if (!(e instanceof ImageReferenceError)) throw e;
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['digests', ref], message: e.message });
        continue;
      }
      if (image.tag === undefined || image.digest !== undefined || image.toString() !== ref) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['digests', ref], message: `must be a canonical tag reference without digest (${image.withTag(image.tag ?? 'latest').toString()})` });
      }
    }
  });

/** The parsed digests. */
export class ImageDigests {
  /** Parses the file's JSON data; every problem is reported with its path. */
  static parse(input: unknown): ImageDigests {
    const r = ImageDigestsSchema.safeParse(input);
    if (!r.success) throw new Error(`${IMAGE_DIGESTS_FILE} is invalid:\n${dataFileIssues(r.error.issues).map((i) => `  - ${i}`).join('\n')}`);
    return new ImageDigests(new Map(Object.entries(r.data.digests)));
  }

  private constructor(private readonly byRef: ReadonlyMap<string, string>) {}

  /** Number of images with a digest. */
  get size(): number {
    return this.byRef.size;
  }

  /** The recorded digest of an image's tag reference, if any. */
  digestOf(image: Image): string | undefined {
    if (image.tag === undefined) return undefined;
    return this.byRef.get(new Image({ registry: image.registry, repository: image.repository, tag: image.tag }).toString());
  }

  /**
   * The image pinned to its recorded digest: unchanged when it already names a digest or none is
   * recorded for its tag.
   */
  pin(image: Image): Image {
    if (image.digest !== undefined) return image;
    const digest = this.digestOf(image);
    return digest ? new Image({ registry: image.registry, repository: image.repository, tag: image.tag, digest }) : image;
  }

  /** The same digests with `entries` set (sorted on output). */
  with(entries: ReadonlyMap<string, string>): ImageDigests {
    return ImageDigests.parse({ digests: Object.fromEntries([...this.byRef, ...entries]) });
  }

  /** Every entry, sorted by reference. */
  entries(): Array<[string, string]> {
    return [...this.byRef].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** The file as written: sorted keys, a final newline. */
  toJson(): string {
    return `${JSON.stringify({ digests: Object.fromEntries(this.entries()) }, null, 2)}\n`;
  }
}

/** The repository's digests (`images.digests.json`). */
export const IMAGE_DIGESTS = ImageDigests.parse(data);
