import { Image } from './image';
import { ImageField, imageMapFieldsOf } from './image-field';
import { formatSplitTag, joinSplitImage } from './image-reference';
import { findContainerImages, getPointer, setPointer } from './images-walk';
import { RegistryPolicy } from './registry-policy';

/** One image reference found in an object, before and after relocation. */
export interface ImageUse {
  readonly pointer: string;
  readonly source: Image;
  readonly target: Image;
  /** Pulled by deriving it from the image at `pointer` (a tag suffix), not written anywhere. */
  readonly derived?: boolean;
}

/**
 * Relocates, in place, every image of one rendered object: the `image` of every container of every
 * pod template, the declared image fields (custom resources, Helm values) and every value of the
 * custom-resource image maps of {@link imageMapFieldsOf} (the table the airgap audit reads too).
 * @returns what was found; throws on a field that is declared but missing or malformed
 */
export function relocateImages(obj: Record<string, unknown>, declared: readonly ImageField[], policy: RegistryPolicy): ImageUse[] {
  const uses: ImageUse[] = [];
  for (const found of findContainerImages(obj)) {
    const source = Image.parse(found.value);
    const target = policy.relocate(source);
    setPointer(obj, found.pointer, target.toString());
    uses.push({ pointer: found.pointer, source, target });
  }
  const pointers = new Set(declared.map((f) => f.pointer));
  const fields = [...declared, ...imageMapFieldsOf(obj).filter((f) => !pointers.has(f.pointer))];
  for (const field of fields) {
    const value = getPointer(obj, field.pointer);
    if (field.format.kind === 'reference') {
      if (typeof value !== 'string') throw new Error(`declared image field ${field.pointer} holds no string`);
      const source = Image.parse(value);
      const target = policy.relocate(source);
      setPointer(obj, field.pointer, target.toString());
      uses.push({ pointer: field.pointer, source, target }, ...derivedUses(field, source, target));
      continue;
    }
    const { registryKey, repositoryKey, tagKey } = field.format;
    if (typeof value !== 'object' || value === null) throw new Error(`declared image field ${field.pointer} holds no object`);
    const parts = value as Record<string, unknown>;
    const text = (key: string) => (typeof parts[key] === 'string' || typeof parts[key] === 'number' ? String(parts[key]) : '');
    // A tag key may pin a digest too (`v1@sha256:…`): the grammar (image-reference.ts) reads it.
    const source = Image.parse(joinSplitImage({ registry: registryKey ? text(registryKey) : undefined, repository: text(repositoryKey), tag: text(tagKey) }));
    const target = policy.relocate(source);
    if (registryKey) {
      parts[registryKey] = target.registry;
      parts[repositoryKey] = target.repository;
    } else {
      parts[repositoryKey] = target.name;
    }
    const derived = derivedUses(field, source, target);
    parts[tagKey] = formatSplitTag(target, `declared image field ${field.pointer}`);
    uses.push({ pointer: field.pointer, source, target }, ...derived);
  }
  return uses;
}

/** The images a consumer derives from a declared one by a tag suffix, relocated alike. */
function derivedUses(field: ImageField, source: Image, target: Image): ImageUse[] {
  return (field.derivedTagSuffixes ?? []).map((suffix) => {
    if (!source.tag || source.digest) throw new Error(`declared image field ${field.pointer}: a derived tag '${suffix}' needs a tag without digest`);
    return { pointer: field.pointer, source: source.withTag(`${source.tag}${suffix}`), target: target.withTag(`${target.tag}${suffix}`), derived: true };
  });
}
