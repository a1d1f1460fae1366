/**
 * Reading a rendered tree (`dist/`): every Kubernetes object of every YAML file, with the
 * environment and component it belongs to, plus each environment's image list and lock. Files are
 * read the way kubectl and Argo CD read them (YAML 1.1, go-yaml v2: see lib/checks/yaml.ts), so the
 * objects are what the API server gets; where that differs from YAML 1.2 is kept beside each object.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isSourceOverrideFile } from '../checks/write-back';
import { parseKubernetesYaml, ReadingDifference } from '../checks/yaml';
import { groupOf, isClusterScoped } from '../core/kinds';
import { CHART_ANNOTATION } from '../core/rendered-objects';

/**
 * A Kubernetes object as it appears in a rendered file. `metadata.name` is typed as always present
 * because every object Kompile writes has one; an object named by `generateName` alone (an Argo CD
 * hook the API server names on each sync) is read too, with no name: use {@link objectName} and
 * {@link isGeneratedName} for it.
 */
export type ManifestObject = Record<string, unknown> & { apiVersion: string; kind: string; metadata: { name: string; generateName?: string; namespace?: string; [k: string]: unknown } };

/** One object of a rendered tree and where it was found. */
export interface TreeObject {
  /** First folder under the tree root: `dist/<env>/…`. */
  readonly environment: string;
  /** Folder under the environment (`mcp-servers`, `apps`, `bootstrap`); '' for files directly in it. */
  readonly component: string;
  /** Path of the file relative to the tree root, with `/` separators: `dev/mcp-servers/manifests.yaml`. */
  readonly file: string;
  /** The object as Kubernetes reads it (YAML 1.1). */
  readonly object: ManifestObject;
  /**
   * Plain scalars of the object that YAML 1.1 (Kubernetes) and YAML 1.2 read differently, such as a
   * plain `yes`. @default - none
   */
  readonly yamlDifferences?: readonly ReadingDifference[];
  /**
   * For an object rendered from an upstream chart (not in the tree's files): the chart's lock name;
   * `file` is then the Application that installs it. @default - an object of the tree's files
   */
  readonly chart?: string;
}

/** The image list and lock an environment's synth writes beside its manifests. */
export interface ImageLists {
  /** Lines of `images.txt`, undefined when the file is absent. */
  readonly list?: readonly string[];
  /** `images.lock.json` (source → pulled reference), undefined when absent. */
  readonly lock?: Readonly<Record<string, string>>;
  /** Lines of each `images/<component>.txt`, by component. @default - none */
  readonly components?: ReadonlyMap<string, readonly string[]>;
}

/** A file Argo CD merges into an application's source (`.argocd-source[-<app>].yaml`): not objects. */
export interface SourceOverrideFile {
  readonly environment: string;
  /** The folder it is in (the application's path), '' directly in the environment. */
  readonly component: string;
  /** Path relative to the tree root. */
  readonly file: string;
  readonly content: string;
}

/** A whole rendered tree, in memory. */
export interface RenderedTree {
  readonly objects: readonly TreeObject[];
  /** Environment → its image files. */
  readonly images: ReadonlyMap<string, ImageLists>;
  /** Image Updater's write-back files and any other source override found. @default - none */
  readonly sourceOverrides?: readonly SourceOverrideFile[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** One object of a file, and where YAML 1.1 and 1.2 read it differently. */
export interface ReadManifest {
  readonly object: ManifestObject;
  readonly yamlDifferences: readonly ReadingDifference[];
}

/**
 * Reads one multi-document YAML file the way Kubernetes does (YAML 1.1). Empty documents are
 * skipped; a document that is not an object with apiVersion, kind and metadata.name (or, for an
 * object the API server names, metadata.generateName) is an error naming the file and document.
 */
export function readManifests(content: string, file: string): ReadManifest[] {
  let docs;
  try {
    docs = parseKubernetesYaml(content);
  } catch (e) {
    throw new Error(`${file}: ${(e as Error).message}`);
  }
  const out: ReadManifest[] = [];
  docs.forEach(({ value, differences }, i) => {
    if (value === null || value === undefined) return;
    if (!isRecord(value) || typeof value.apiVersion !== 'string' || typeof value.kind !== 'string' || !isRecord(value.metadata) || !(typeof value.metadata.name === 'string' || (typeof value.metadata.generateName === 'string' && value.metadata.generateName !== ''))) {
      throw new Error(`${file}: document ${i + 1} is not a Kubernetes object (apiVersion, kind and metadata.name or metadata.generateName are required)`);
    }
    out.push({ object: value as ManifestObject, yamlDifferences: differences });
  });
  return out;
}

/** The objects of one multi-document YAML file, as Kubernetes reads them (see {@link readManifests}). */
export function parseManifests(content: string, file: string): ManifestObject[] {
  return readManifests(content, file).map((m) => m.object);
}

/** Relative paths (with `/`) of every file below `root`, sorted. */
export function listFiles(root: string): string[] {
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

const KUSTOMIZATION = /^(kustomization\.ya?ml|Kustomization)$/;

/** Builds a tree from files given as relative path → content (what {@link readTree} reads from disk). */
export function treeFromFiles(files: ReadonlyMap<string, string>): RenderedTree {
  const objects: TreeObject[] = [];
  const sourceOverrides: SourceOverrideFile[] = [];
  const images = new Map<string, { list?: string[]; lock?: Record<string, string>; components?: Map<string, string[]> }>();
  const lines = (content: string) => content.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  for (const [file, content] of [...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const parts = file.split('/');
    if (parts.length < 2) continue;
    const environment = parts[0];
    const rest = parts.slice(1);
    const name = rest[rest.length - 1];
    if (rest.length === 1 && (name === 'images.txt' || name === 'images.lock.json')) {
      const entry = images.get(environment) ?? {};
      if (name === 'images.txt') entry.list = lines(content);
      else entry.lock = JSON.parse(content) as Record<string, string>;
      images.set(environment, entry);
      continue;
    }
    // Per-component image lists (`images/<component>.txt`) and node configuration (`nodes/…`):
    // folders no Application syncs (lib/core/extra-files.ts), holding no Kubernetes objects.
    if (rest.length === 2 && rest[0] === 'images' && name.endsWith('.txt')) {
      const entry = images.get(environment) ?? {};
      entry.components = new Map([...(entry.components ?? []), [name.slice(0, -'.txt'.length), lines(content)]]);
      images.set(environment, entry);
      continue;
    }
    if (rest[0] === 'nodes' || rest[0] === 'images') continue;
    // Not objects: Argo CD Image Updater's write-back files (kept to be judged by
    // lib/checks/write-back.ts) and Kustomize's own configuration (its `resources` are files of the
    // same folder, read like any other).
    if (isSourceOverrideFile(name)) {
      sourceOverrides.push({ environment, component: rest.length > 1 ? rest[rest.length - 2] : '', file, content });
      continue;
    }
    if (!/\.ya?ml$/.test(name) || KUSTOMIZATION.test(name)) continue;
    const component = rest.length > 1 ? rest[0] : '';
    for (const { object, yamlDifferences } of readManifests(content, file)) {
      // Objects Kompile wrote from an upstream chart (hydrated) say so.
      const chart = (object.metadata.annotations as Record<string, unknown> | undefined)?.[CHART_ANNOTATION];
      objects.push({ environment, component, file, object, ...(yamlDifferences.length > 0 ? { yamlDifferences } : {}), ...(typeof chart === 'string' ? { chart } : {}) });
    }
  }
  return { objects, images, sourceOverrides };
}

/** Reads every environment folder of a rendered tree (`dist/`). */
export function readTree(root: string): RenderedTree {
  const files = new Map<string, string>();
  for (const rel of listFiles(root)) {
    if (/\.ya?ml$/.test(rel) || /(^|\/)images\.(txt|lock\.json)$/.test(rel) || /^[^/]+\/images\/[^/]+\.txt$/.test(rel)) files.set(rel, fs.readFileSync(path.join(root, rel), 'utf8'));
  }
  return treeFromFiles(files);
}

/** Whether the API server names the object (`generateName` without `name`): each create makes a new one. */
export function isGeneratedName(obj: ManifestObject): boolean {
  return typeof obj.metadata.name !== 'string';
}

/** The object's name; `<generateName>*` for an object the API server names. */
export function objectName(obj: ManifestObject): string {
  return isGeneratedName(obj) ? `${obj.metadata.generateName ?? ''}*` : obj.metadata.name;
}

/**
 * Identity of an object inside one environment: `group/Kind/namespace/name` (core group and cluster
 * scope are ''). An object the API server names ends in `<generateName>*`: it is never the same
 * object as another, callers telling such objects apart by where they are.
 */
export function resourceKey(obj: ManifestObject): string {
  return `${groupOf(obj.apiVersion)}/${obj.kind}/${namespaceOf(obj)}/${objectName(obj)}`;
}

/** The object's namespace; '' for cluster-scoped kinds and objects without one. */
export function namespaceOf(obj: ManifestObject): string {
  if (isClusterScoped(obj.apiVersion, obj.kind)) return '';
  return typeof obj.metadata.namespace === 'string' ? obj.metadata.namespace : '';
}

/** How people name an object: `Kind/namespace/name`, or `Kind/name` without a namespace. */
export function displayName(obj: ManifestObject): string {
  const ns = namespaceOf(obj);
  return ns ? `${obj.kind}/${ns}/${objectName(obj)}` : `${obj.kind}/${objectName(obj)}`;
}

/** The environments of a tree, sorted. */
export function environmentsOf(tree: RenderedTree): string[] {
  return [...new Set([...tree.objects.map((o) => o.environment), ...tree.images.keys()])].sort();
}
