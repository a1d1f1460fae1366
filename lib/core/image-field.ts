import { ApiObject } from 'cdk8s';

/**
 * How an image is spelled at a field that is not a container's `image`.
 * - `reference`: one string, `registry/repository:tag`.
 * - `split`: an object with separate keys, the way most Helm charts spell images
 *   (`{ repository: ghcr.io/org/app, tag: v1 }`, or with a separate `registry` key).
 */
export type ImageFieldFormat =
  | { readonly kind: 'reference' }
  | { readonly kind: 'split'; readonly registryKey?: string; readonly repositoryKey: string; readonly tagKey: string };

export interface ImageField {
  /** JSON pointer into the rendered object, e.g. `/spec/image`. */
  readonly pointer: string;
  readonly format: ImageFieldFormat;
  /**
   * Tag suffixes the consumer derives from this image and pulls as well (KServe's multi-node Hugging
   * Face runtime pulls `<image>:<tag>-gpu`): each is relocated the same way and listed. @default - none
   */
  readonly derivedTagSuffixes?: readonly string[];
}

const METADATA_TYPE = 'kompile:image-field';

/**
 * Annotation on an object listing, comma-separated, the images its consumer derives from the
 * declared ones (see {@link ImageField.derivedTagSuffixes}), as the environment pulls them: the
 * tree itself then says every image it makes the cluster pull, for reviewers and `kompile images`.
 */
export const DERIVED_IMAGES_ANNOTATION = 'kompile.dev/derived-images';

/**
 * Declares that a field of `obj` holds an image, so that the synth relocates it with every other image
 * of the environment, lists it in `images.txt` and audits it. Container `image` fields of every pod
 * template are found without declaration; custom resources and Helm values need this.
 */
export function declareImageField(obj: ApiObject, pointer: string, format: ImageFieldFormat = { kind: 'reference' }, derivedTagSuffixes: readonly string[] = []): void {
  if (!pointer.startsWith('/')) throw new Error(`[${obj.node.path}] image field pointer '${pointer}' must start with '/'`);
  const field: ImageField = derivedTagSuffixes.length > 0 ? { pointer, format, derivedTagSuffixes } : { pointer, format };
  obj.node.addMetadata(METADATA_TYPE, field);
}

/** The image fields declared on `obj`. */
export function imageFieldsOf(obj: ApiObject): ImageField[] {
  return obj.node.metadata.filter((m) => m.type === METADATA_TYPE).map((m) => m.data as ImageField);
}

/** JSON pointer segment escaping (RFC 6901). */
export function pointerOf(...segments: (string | number)[]): string {
  return segments.map((s) => `/${String(s).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}
