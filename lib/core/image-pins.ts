/**
 * The image pins: every upstream image tag Kompile pins that does not follow a chart version of
 * `charts.lock.json` (images whose tag is the chart's own version are derived from the lock): the
 * images constructs set, the configuration's default images (`IMAGE_PINS.reference('jenkins')`) and
 * the ones the stack files name. One file, `images.pins.json` at the repository root: the single
 * place these tags are written, and what update bots edit (renovate.json's custom managers read it;
 * keep `repository` right before `tag`). test/pipelines/renovate.test.ts fails on a tag written
 * anywhere else in lib/ or stacks/; images of the environment's own registries are not pinned here.
 *
 * Pure: the file is data, imported and checked once.
 */
import { z } from 'zod';
import data from '../../images.pins.json';
import { dataFileIssues } from './errors';
import { Image } from './image';

/** File name of the pins, at the repository root. */
export const IMAGE_PINS_FILE = 'images.pins.json';

const PinSchema = z
  .object({
    /** How code asks for it, e.g. `kube-rbac-proxy`. */
    name: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, { message: 'must be a lowercase name such as kube-rbac-proxy' }),
    /** Fully qualified repository, registry included, no tag: `quay.io/brancz/kube-rbac-proxy`. */
    repository: z.string().min(1),
    /** The tag, e.g. `v0.18.0`. */
    tag: z.string().regex(/^[\w][\w.-]{0,127}$/, { message: 'must be an image tag such as v0.18.0 (letters, digits, _ . -)' }),
    /** Where it is used and where its value comes from. */
    note: z.string().min(1),
  })
  .strict()
  .superRefine((p, ctx) => {
    let image: Image;
    try {
      image = Image.parse(`${p.repository}:latest`);
    } catch (e) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['repository'], message: (e as Error).message });
      return;
    }
    if (!p.repository.startsWith(`${image.registry}/`)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['repository'], message: `must name its registry (such as docker.io/${p.repository})` });
    }
  });

export const ImagePinsSchema = z
  .object({ images: z.array(PinSchema) })
  .strict()
  .superRefine((f, ctx) => {
    const seen = new Set<string>();
    f.images.forEach((p, i) => {
      if (seen.has(p.name)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['images', i, 'name'], message: `'${p.name}' is pinned twice` });
      seen.add(p.name);
    });
  });

export type ImagePin = z.infer<typeof PinSchema>;

/** The parsed pins. */
export class ImagePins {
  /** Parses the pins' JSON data; every problem is reported with its path (`images[2].tag: …`). */
  static parse(input: unknown): ImagePins {
    const r = ImagePinsSchema.safeParse(input);
    if (!r.success) throw new Error(`${IMAGE_PINS_FILE} is invalid:\n${dataFileIssues(r.error.issues).map((i) => `  - ${i}`).join('\n')}`);
    return new ImagePins(r.data.images);
  }

  private readonly byName: ReadonlyMap<string, ImagePin>;

  private constructor(readonly images: readonly ImagePin[]) {
    this.byName = new Map(images.map((p) => [p.name, p]));
  }

  /** The reference `repository:tag` of a pin. @throws naming the file when there is no such pin */
  reference(name: string): string {
    const pin = this.byName.get(name);
    if (!pin) throw new Error(`${IMAGE_PINS_FILE} pins no image '${name}' (it pins ${[...this.byName.keys()].join(', ')})`);
    return `${pin.repository}:${pin.tag}`;
  }
}

/** The repository's pins (`images.pins.json`). */
export const IMAGE_PINS = ImagePins.parse(data);
