import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';

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

const CARRIED_TYPE = 'kompile:carried-images';

/** An image a construct pulls through objects that no longer spell its upstream source. */
export interface CarriedImage {
  readonly source: string;
  readonly target: string;
}

/**
 * Declares images a construct's objects pull that were relocated before they were rendered (a
 * hydrated chart, rendered from relocated values): the synth locks and lists them from source to
 * target and holds the targets to the registry policy.
 */
export function declareCarriedImages(scope: IConstruct, images: readonly CarriedImage[]): void {
  for (const image of images) scope.node.addMetadata(CARRIED_TYPE, image);
}

/** The images carried by `scope` ({@link declareCarriedImages}). */
export function carriedImagesOf(scope: IConstruct): CarriedImage[] {
  return scope.node.metadata.filter((m) => m.type === CARRIED_TYPE).map((m) => m.data as CarriedImage);
}

/** The image fields declared on `obj`. */
export function imageFieldsOf(obj: ApiObject): ImageField[] {
  return obj.node.metadata.filter((m) => m.type === METADATA_TYPE).map((m) => m.data as ImageField);
}

/** JSON pointer segment escaping (RFC 6901). */
export function pointerOf(...segments: (string | number)[]): string {
  return segments.map((s) => `/${String(s).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/**
 * A field of a custom resource that holds a map of images, keyed by a name the resource's operator
 * understands (a container or deployment name). Every value is a full image reference.
 */
export interface ImageMapField {
  /** API group of the resource, e.g. `operator.knative.dev`. */
  readonly group: string;
  readonly kind: string;
  /** Property path of the map inside the object. */
  readonly path: readonly string[];
}

/**
 * A field of a custom resource that holds an image template: a reference with a placeholder the
 * operator fills in per image (so not one image, and never in the lock), whose registry must still
 * be an allowed one.
 */
export interface ImageTemplateField {
  readonly group: string;
  readonly kind: string;
  readonly path: readonly string[];
  /** The placeholder the operator substitutes, e.g. `${NAME}`. */
  readonly placeholder: string;
}

/**
 * Every custom-resource image map Kompile knows, in one place: relocation ({@link imageMapFieldsOf},
 * used by lib/core/relocate.ts) rewrites every value of these maps and the airgap audit
 * (lib/checks/audit.ts) checks every value, so an entry added to such a map later, by a construct or
 * an escape hatch, is relocated and audited without being declared.
 *
 * KnativeServing (operator.knative.dev, v1beta1 CRD in shared/crds/knative-operator):
 * `spec.registry.override` is "a map of a container name or image name to the full image location
 * of the individual knative image" (`additionalProperties: string`).
 */
export const IMAGE_MAP_FIELDS: readonly ImageMapField[] = [{ group: 'operator.knative.dev', kind: 'KnativeServing', path: ['spec', 'registry', 'override'] }];

/**
 * Every custom-resource image template Kompile knows. KnativeServing `spec.registry.default`: "the
 * default image reference template to use for all knative images. Takes the form of
 * example-registry.io/custom/path/${NAME}:custom-tag" (same CRD). Relocation leaves templates alone
 * (the images they expand to are not known, so they cannot be locked or listed); the audit checks
 * their registry.
 */
export const IMAGE_TEMPLATE_FIELDS: readonly ImageTemplateField[] = [{ group: 'operator.knative.dev', kind: 'KnativeServing', path: ['spec', 'registry', 'default'], placeholder: '${NAME}' }];

function groupOfApiVersion(apiVersion: unknown): string {
  const v = typeof apiVersion === 'string' ? apiVersion : '';
  return v.includes('/') ? v.slice(0, v.indexOf('/')) : '';
}

function valueAt(obj: unknown, path: readonly string[]): unknown {
  let cur = obj;
  for (const key of path) {
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** True when a table entry applies to a rendered object. */
function appliesTo(field: { readonly group: string; readonly kind: string }, obj: Record<string, unknown>): boolean {
  return obj.kind === field.kind && groupOfApiVersion(obj.apiVersion) === field.group;
}

/**
 * One image field per string value of every {@link IMAGE_MAP_FIELDS} map of a rendered object,
 * as relocation reads declared fields. Values that are not strings are left to schema validation.
 */
export function imageMapFieldsOf(obj: Record<string, unknown>): ImageField[] {
  const fields: ImageField[] = [];
  for (const f of IMAGE_MAP_FIELDS) {
    if (!appliesTo(f, obj)) continue;
    const map = valueAt(obj, f.path);
    if (typeof map !== 'object' || map === null || Array.isArray(map)) continue;
    for (const [key, value] of Object.entries(map)) if (typeof value === 'string') fields.push({ pointer: pointerOf(...f.path, key), format: { kind: 'reference' } });
  }
  return fields;
}

/** Every {@link IMAGE_TEMPLATE_FIELDS} value of a rendered object, with its pointer and placeholder. */
export function imageTemplatesOf(obj: Record<string, unknown>): { readonly pointer: string; readonly value: string; readonly placeholder: string }[] {
  const found: { pointer: string; value: string; placeholder: string }[] = [];
  for (const f of IMAGE_TEMPLATE_FIELDS) {
    if (!appliesTo(f, obj)) continue;
    const value = valueAt(obj, f.path);
    if (typeof value === 'string') found.push({ pointer: pointerOf(...f.path), value, placeholder: f.placeholder });
  }
  return found;
}
