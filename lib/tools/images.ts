/**
 * `kompile images`: the upstream images an environment mirrors, and a check that its `images.txt`
 * (sources to mirror) and `images.lock.json` (source → the reference pulled) still match the
 * manifests beside them.
 */
import { Image, ImageReferenceError } from '../core/image';
import { DERIVED_IMAGES_ANNOTATION, imageMapFieldsOf } from '../core/image-field';
import { canonicalReference, referenceAtImageKey } from '../core/image-reference';
import { findContainerImages, getPointer, INJECTED_IMAGE } from '../core/images-walk';
import { environmentsOf, RenderedTree, TreeObject } from './tree';

export interface ImageListProblem {
  readonly environment: string;
  /**
   * `missing`: pulled by the tree but not locked, or a source to mirror not in images.txt; `stale`:
   * locked or listed but nowhere in the tree; `target`: images.txt lists where an image is pulled
   * instead of its source; `held`: images.txt lists an image of a registry the environment holds;
   * `absent`: no file.
   */
  readonly kind: 'missing' | 'stale' | 'target' | 'held' | 'absent';
  readonly image?: string;
  readonly message: string;
}

type Rec = Record<string, unknown>;

function isRecord(v: unknown): v is Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const canonical = canonicalReference;

/** An image reference found under an `image` key. */
export interface ImageKeyReference {
  /** JSON pointer of the `image` value. */
  readonly pointer: string;
  /**
   * The reference: the string itself, or joined with the registry, tag or digest its map keeps
   * beside it, the way many Helm charts split images (`{ registry: r, image: repo, tag: v1 }` is
   * `r/repo:v1`): `referenceAtImageKey` of lib/core/image-reference.ts.
   */
  readonly value: string;
}

/** Every string under an `image` key of an object (container images included), at any depth. */
export function imageKeyReferences(obj: unknown): ImageKeyReference[] {
  const found: ImageKeyReference[] = [];
  const walk = (node: unknown, pointer: string): void => {
    if (Array.isArray(node)) return node.forEach((v, i) => walk(v, `${pointer}/${i}`));
    if (!isRecord(node)) return;
    const value = node.image === INJECTED_IMAGE ? undefined : referenceAtImageKey(node);
    if (value !== undefined) found.push({ pointer: `${pointer}/image`, value });
    for (const [k, v] of Object.entries(node)) if (typeof v === 'object' && v !== null) walk(v, `${pointer}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`);
  };
  walk(obj, '');
  return found;
}

/**
 * Images the objects certainly pull: every container image of every pod template, and every string
 * under an `image` key (custom resources, Helm values; with a sibling `tag` when the chart splits it),
 * every value of a custom-resource image map (`IMAGE_MAP_FIELDS`), canonicalized (`nginx:1` → `docker.io/library/nginx:1`). Images at other declared fields (e.g.
 * `toolhiveRunnerImage` in Helm values) are only found by the list check, which searches every value.
 */
export function imagesInObjects(objects: readonly TreeObject[]): string[] {
  const found = new Set<string>();
  for (const o of objects) {
    for (const f of findContainerImages(o.object)) found.add(canonical(f.value));
    for (const f of imageKeyReferences(o.object)) found.add(canonical(f.value));
    for (const f of imageMapFieldsOf(o.object)) {
      const value = getPointer(o.object, f.pointer);
      if (typeof value === 'string') found.add(canonical(value));
    }
    const derived = o.object.metadata.annotations;
    const list = typeof derived === 'object' && derived !== null ? (derived as Rec)[DERIVED_IMAGES_ANNOTATION] : undefined;
    if (typeof list === 'string') for (const ref of list.split(',')) if (ref) found.add(canonical(ref));
  }
  return [...found].sort();
}

/**
 * True when `image` appears in the objects: as one string, or spelled as a Helm chart splits it
 * (`repository` + `tag`, optionally `registry`) in one map.
 */
function appearsIn(objects: readonly TreeObject[], image: Image, strings: ReadonlySet<string>): boolean {
  if (strings.has(image.toString())) return true;
  // A tag key holds `tag@digest` (as relocation writes it), or the tag alone beside a digest key.
  const tag = image.digest ? [image.tag !== undefined ? `${image.tag}@${image.digest}` : image.digest, image.tag] : [image.tag];
  let hit = false;
  const walk = (node: unknown): void => {
    if (hit) return;
    if (Array.isArray(node)) return node.forEach(walk);
    if (!isRecord(node)) return;
    const values = Object.values(node).filter((v): v is string => typeof v === 'string');
    if (values.some((v) => tag.includes(v))) {
      if (values.includes(image.name) || (values.includes(image.registry) && values.includes(image.repository))) hit = true;
    }
    Object.values(node).forEach(walk);
  };
  objects.forEach((o) => walk(o.object));
  return hit;
}

function allStrings(objects: readonly TreeObject[]): Set<string> {
  const out = new Set<string>();
  const walk = (node: unknown): void => {
    if (typeof node === 'string') out.add(node);
    else if (Array.isArray(node)) node.forEach(walk);
    else if (isRecord(node)) Object.values(node).forEach(walk);
  };
  objects.forEach((o) => walk(o.object));
  return out;
}

export interface ImageListOptions {
  /**
   * Registries the environment holds images in (its mirror, the platform registry CI pushes to:
   * `RegistryPolicy.heldRegistries`): their images are locked but never listed to mirror.
   * @default - none
   */
  readonly heldRegistries?: readonly string[];
}

function registryOf(ref: string): string | undefined {
  try {
    return Image.parse(ref).registry;
  } catch (e) {
    if (e instanceof ImageReferenceError) return undefined;
    throw e;
  }
}

/**
 * Checks one environment's `images.txt` and `images.lock.json` against its objects, in the
 * convention mirroring tools read (kubespray-offline's `imagelists/*.txt`, Hauler's
 * `store sync --image-txt`, a Zarf component's `images:`: upstream references to pull):
 * - every image the manifests pull is the target of a lock entry (`missing`), and every lock target
 *   is pulled somewhere (`stale`);
 * - `images.txt` is exactly the lock's sources minus images in registries the environment holds: a
 *   line that is a relocated target (`target`), a held image (`held`) or no lock source (`stale`) is
 *   a finding naming it, and so is a source to mirror the list lacks (`missing`).
 */
export function checkImageLists(tree: RenderedTree, environment: string, options: ImageListOptions = {}): ImageListProblem[] {
  const problems: ImageListProblem[] = [];
  const add = (kind: ImageListProblem['kind'], image: string, message: string) => problems.push({ environment, kind, image, message });
  const objects = tree.objects.filter((o) => o.environment === environment);
  const lists = tree.images.get(environment) ?? {};
  if (!lists.list) problems.push({ environment, kind: 'absent', message: `${environment}/images.txt is missing` });
  if (!lists.lock) problems.push({ environment, kind: 'absent', message: `${environment}/images.lock.json is missing` });
  const held = new Set(options.heldRegistries ?? []);
  const lock = new Map(Object.entries(lists.lock ?? {}).map(([s, t]) => [canonical(s), canonical(t)]));
  const sourceOf = new Map([...lock].map(([s, t]) => [t, s]));

  if (lists.lock) {
    const used = imagesInObjects(objects);
    for (const image of used) {
      if (!sourceOf.has(image)) add('missing', image, `${image} is pulled by the manifests but is no target in images.lock.json`);
    }
    // Images found in canonical form (`nginx:1` is `docker.io/library/nginx:1`) count as used.
    const strings = allStrings(objects);
    for (const image of used) strings.add(image);
    for (const [source, target] of lock) {
      let image: Image;
      try {
        image = Image.parse(target);
      } catch (e) {
        if (!(e instanceof ImageReferenceError)) throw e;
        add('stale', target, `images.lock.json: ${e.message}`);
        continue;
      }
      if (!appearsIn(objects, image, strings)) add('stale', source, `images.lock.json maps ${source} to ${target}, which no manifest pulls`);
    }
  }

  if (lists.list && lists.lock) {
    const toMirror = [...lock.keys()].filter((s) => !held.has(registryOf(s) ?? ''));
    const listed = new Set<string>();
    for (const entry of lists.list) {
      const image = canonical(entry);
      listed.add(image);
      if (toMirror.includes(image)) continue;
      const registry = registryOf(image);
      const source = sourceOf.get(image);
      if (source !== undefined && source !== image) add('target', entry, `${entry} is listed in images.txt but is where the environment pulls ${source}; images.txt lists the upstream source`);
      else if (registry !== undefined && held.has(registry)) add('held', entry, `${entry} is listed in images.txt but ${registry} is a registry the environment holds; images.txt lists only upstream images to mirror`);
      else add('stale', entry, `${entry} is listed in images.txt but is no source in images.lock.json`);
    }
    for (const source of toMirror) if (!listed.has(source)) add('missing', source, `${source} is a source in images.lock.json but not listed in images.txt`);
  }
  return problems;
}

/**
 * The objects of one component of an environment: its folder's, and its Application in `apps/` (whose
 * Helm values name the images of an upstream chart).
 */
function componentObjects(objects: readonly TreeObject[], component: string): TreeObject[] {
  return objects.filter((o) => o.component === component || (o.component === 'apps' && o.object.kind === 'Application' && o.object.metadata.name === component));
}

/**
 * Checks one environment's per-component lists, `images/<component>.txt` (what the synth writes for
 * tools that mirror component by component, such as kubespray-offline's `imagelists/*.txt`): each
 * must list exactly the lock's sources, minus held images, whose targets the component's objects pull
 * (`missing` / `stale`, naming `images/<component>.txt`); a component with images to mirror and no
 * list is `absent`. Needs `images.lock.json` (checked by {@link checkImageLists}).
 */
export function checkComponentImageLists(tree: RenderedTree, environment: string, options: ImageListOptions = {}): ImageListProblem[] {
  const problems: ImageListProblem[] = [];
  const objects = tree.objects.filter((o) => o.environment === environment);
  const lists = tree.images.get(environment) ?? {};
  if (!lists.lock) return problems;
  const held = new Set(options.heldRegistries ?? []);
  const lock = [...new Map(Object.entries(lists.lock).map(([s, t]) => [canonical(s), canonical(t)]))].filter(([s]) => !held.has(registryOf(s) ?? ''));
  const components = new Set(objects.filter((o) => o.component !== '' && o.component !== 'apps' && o.component !== 'bootstrap').map((o) => o.component));
  for (const o of objects) if (o.component === 'apps' && o.object.kind === 'Application') components.add(o.object.metadata.name);
  const given = lists.components ?? new Map<string, readonly string[]>();
  for (const component of [...new Set([...components, ...given.keys()])].sort()) {
    const file = `${environment}/images/${component}.txt`;
    const own = componentObjects(objects, component);
    const strings = allStrings(own);
    for (const image of imagesInObjects(own)) strings.add(image);
    const expected = lock.filter(([, target]) => {
      try {
        return appearsIn(own, Image.parse(target), strings);
      } catch (e) {
        if (e instanceof ImageReferenceError) return false;
        throw e;
      }
    }).map(([source]) => source);
    const listed = given.get(component);
    if (listed === undefined) {
      if (expected.length > 0) problems.push({ environment, kind: 'absent', message: `${file} is missing: component '${component}' pulls ${expected.length} image(s) to mirror` });
      continue;
    }
    const have = new Set(listed.map(canonical));
    for (const source of expected) if (!have.has(source)) problems.push({ environment, kind: 'missing', image: source, message: `${source} is pulled by component '${component}' but not listed in ${file}` });
    for (const entry of listed) if (!expected.includes(canonical(entry))) problems.push({ environment, kind: 'stale', image: entry, message: `${entry} is listed in ${file} but component '${component}' pulls no such image to mirror` });
  }
  return problems;
}

/** Checks every environment of a tree: the environment's lists and the per-component ones. */
export function checkAllImageLists(tree: RenderedTree, heldRegistries: ReadonlyMap<string, readonly string[]> = new Map()): ImageListProblem[] {
  return environmentsOf(tree).flatMap((env) => [...checkImageLists(tree, env, { heldRegistries: heldRegistries.get(env) }), ...checkComponentImageLists(tree, env, { heldRegistries: heldRegistries.get(env) })]);
}

/** The images to mirror for an environment, as `images.txt` lists them (sorted, one per line). */
export function imageList(tree: RenderedTree, environment: string): string[] {
  const lists = tree.images.get(environment);
  if (lists?.list) return [...lists.list].sort();
  return imagesInObjects(tree.objects.filter((o) => o.environment === environment));
}
