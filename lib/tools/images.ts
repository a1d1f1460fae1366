/**
 * `kompile images`: the images an environment pulls, and a check that its `images.txt` and
 * `images.lock.json` still match the manifests beside them (every image in the tree listed, no stale
 * entries, a lock that agrees with the list).
 */
import { Image, ImageReferenceError } from '../core/image';
import { DERIVED_IMAGES_ANNOTATION } from '../core/image-field';
import { findContainerImages } from '../core/images-walk';
import { environmentsOf, RenderedTree, TreeObject } from './tree';

export interface ImageListProblem {
  readonly environment: string;
  /** `missing`: in the tree, not in images.txt; `stale`: listed, nowhere in the tree; `lock`: list and lock disagree; `absent`: no file. */
  readonly kind: 'missing' | 'stale' | 'lock' | 'absent';
  readonly image?: string;
  readonly message: string;
}

type Rec = Record<string, unknown>;

function isRecord(v: unknown): v is Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function canonical(ref: string): string {
  try {
    return Image.parse(ref).toString();
  } catch (e) {
    if (e instanceof ImageReferenceError) return ref;
    throw e;
  }
}

/** An image reference found under an `image` key. */
export interface ImageKeyReference {
  /** JSON pointer of the `image` value. */
  readonly pointer: string;
  /**
   * The reference: the string itself, or, when it has no tag or digest and its map has a tag beside
   * it (the way many Helm charts split images: `{ image: repo, tag: v1 }`), `image:tag`.
   */
  readonly value: string;
}

/**
 * Keys Helm charts put an image's tag under, beside `image`, in order of preference (`defaultVersion`:
 * KServe's serving runtimes).
 */
const SIBLING_TAG_KEYS = ['tag', 'imageTag', 'version', 'defaultVersion', 'defaultImageVersion'];

/** True when a reference string ends in a tag or digest. */
function hasTagOrDigest(ref: string): boolean {
  return ref.includes('@') || ref.lastIndexOf(':') > ref.lastIndexOf('/');
}

/** Every string under an `image` key of an object (container images included), at any depth. */
export function imageKeyReferences(obj: unknown): ImageKeyReference[] {
  const found: ImageKeyReference[] = [];
  const walk = (node: unknown, pointer: string): void => {
    if (Array.isArray(node)) return node.forEach((v, i) => walk(v, `${pointer}/${i}`));
    if (!isRecord(node)) return;
    const image = node.image;
    if (typeof image === 'string') {
      const tag = SIBLING_TAG_KEYS.map((k) => node[k]).find((t): t is string => typeof t === 'string' && t !== '');
      const value = !hasTagOrDigest(image) && tag !== undefined ? `${image}${tag.startsWith('@') || tag.startsWith('sha256:') ? '@' : ':'}${tag.replace(/^@/, '')}` : image;
      found.push({ pointer: `${pointer}/image`, value });
    }
    for (const [k, v] of Object.entries(node)) if (typeof v === 'object' && v !== null) walk(v, `${pointer}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`);
  };
  walk(obj, '');
  return found;
}

/**
 * Images the objects certainly pull: every container image of every pod template, and every string
 * under an `image` key (custom resources, Helm values; with a sibling `tag` when the chart splits it),
 * canonicalized (`nginx:1` → `docker.io/library/nginx:1`). Images at other declared fields (e.g.
 * `toolhiveRunnerImage` in Helm values) are only found by the list check, which searches every value.
 */
export function imagesInObjects(objects: readonly TreeObject[]): string[] {
  const found = new Set<string>();
  for (const o of objects) {
    for (const f of findContainerImages(o.object)) found.add(canonical(f.value));
    for (const f of imageKeyReferences(o.object)) found.add(canonical(f.value));
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
  const tag = image.digest ? [`${image.tag ?? ''}@${image.digest}`.replace(/^@/, ''), image.tag] : [image.tag];
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

/** Checks one environment's `images.txt` and `images.lock.json` against its objects. */
export function checkImageLists(tree: RenderedTree, environment: string): ImageListProblem[] {
  const problems: ImageListProblem[] = [];
  const objects = tree.objects.filter((o) => o.environment === environment);
  const lists = tree.images.get(environment) ?? {};
  if (!lists.list) problems.push({ environment, kind: 'absent', message: `${environment}/images.txt is missing` });
  if (!lists.lock) problems.push({ environment, kind: 'absent', message: `${environment}/images.lock.json is missing` });
  const listed = new Set((lists.list ?? []).map(canonical));
  const used = imagesInObjects(objects);
  for (const image of used) {
    if (lists.list && !listed.has(image)) problems.push({ environment, kind: 'missing', image, message: `${image} is used by the manifests but not listed in images.txt` });
  }
  const strings = allStrings(objects);
  for (const image of used) strings.add(image);
  for (const entry of lists.list ?? []) {
    let image: Image;
    try {
      image = Image.parse(entry);
    } catch (e) {
      if (!(e instanceof ImageReferenceError)) throw e;
      problems.push({ environment, kind: 'stale', image: entry, message: `images.txt: ${e.message}` });
      continue;
    }
    if (!appearsIn(objects, image, strings)) problems.push({ environment, kind: 'stale', image: entry, message: `${entry} is listed in images.txt but no manifest uses it` });
  }
  if (lists.lock && lists.list) {
    const locked = new Set(Object.values(lists.lock).map(canonical));
    for (const i of listed) if (!locked.has(i)) problems.push({ environment, kind: 'lock', image: i, message: `${i} is in images.txt but not a target in images.lock.json` });
    for (const i of locked) if (!listed.has(i)) problems.push({ environment, kind: 'lock', image: i, message: `${i} is a target in images.lock.json but not in images.txt` });
  }
  return problems;
}

/** Checks every environment of a tree. */
export function checkAllImageLists(tree: RenderedTree): ImageListProblem[] {
  return environmentsOf(tree).flatMap((env) => checkImageLists(tree, env));
}

/** The images an environment pulls, as `images.txt` lists them (sorted, one per line). */
export function imageList(tree: RenderedTree, environment: string): string[] {
  const lists = tree.images.get(environment);
  if (lists?.list) return [...lists.list].sort();
  return imagesInObjects(tree.objects.filter((o) => o.environment === environment));
}
