/**
 * Argo CD Image Updater's Git write-back files, judged like every other file Argo CD applies.
 *
 * Argo CD's repo server merges two files of an application's folder into its source before it
 * renders it: `.argocd-source.yaml` (every application of the folder) and
 * `.argocd-source-<application>.yaml` (argo-cd reposerver/repository/repository.go, `repoSourceFile`
 * and `appSourceFile`). Image Updater writes the second one (argocd-image-updater v1.3.0
 * pkg/common/constants.go `DefaultTargetFilePatternWithoutNamespace`, for an Application in its own
 * namespace), and for a Kustomize application its whole content is `kustomize: {images: [...]}`
 * (pkg/argocd/types.go `kustomizeOverride`; each entry an Argo CD `KustomizeImage`,
 * `[<kustomize name>=]<image>`). Kompile writes neither file, so neither was checked by the synth:
 * these rules are what `kompile validate` and `kompile diff` hold such a file to.
 *
 * A write-back may only move an image the environment's ImageUpdater resource for that application
 * follows, to a digest (`<name>:<tag>@sha256:…`, what the `digest` strategy writes), in a registry
 * the environment may pull from. Anything else in the file (Helm values, a path, another source)
 * would change what Argo CD renders without passing review.
 */
import { Image, ImageReferenceError } from '../core/image';
import { RegistryPolicy } from '../core/registry-policy';
import { parseKubernetesYaml } from './yaml';

/** The file Argo CD reads for every application of a folder; neither Kompile nor Image Updater writes it. */
export const REPO_SOURCE_FILE = '.argocd-source.yaml';

/** The application a write-back file names (`.argocd-source-<app>.yaml`), or undefined for another file. */
export function writeBackApplication(fileName: string): string | undefined {
  const m = /^\.argocd-source-(.+)\.ya?ml$/.exec(fileName);
  return m ? m[1] : undefined;
}

/** True for a file Argo CD merges into an application's source (either spelling). */
export function isSourceOverrideFile(fileName: string): boolean {
  return fileName === REPO_SOURCE_FILE || fileName === '.argocd-source.yml' || writeBackApplication(fileName) !== undefined;
}

/** What the environment's ImageUpdater resource for one application follows. */
export interface FollowedImage {
  /** `registry/repository`, as {@link Image.name} spells it. */
  readonly name: string;
  /** The tag followed by digest (the tag of `imageName`). */
  readonly tag?: string;
}

export interface WriteBackContext {
  /**
   * The application's folder (the component): a write-back file there must name it.
   */
  readonly folder: string;
  /** The images the ImageUpdater resource selecting this application follows; empty when none does. */
  readonly followed: readonly FollowedImage[];
  /** `registry/repository` of every image in the environment's image lock (what the environment runs). */
  readonly lockedNames: ReadonlySet<string>;
  /** The environment's registry policy (airgap). @default - unrestricted */
  readonly policy?: RegistryPolicy;
}

export interface WriteBackFinding {
  /** JSON pointer in the file's content; '' for the file. */
  readonly pointer: string;
  readonly message: string;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Findings for one source-override file named `fileName` in an application's folder, with content
 * `content`. An empty list means Argo CD would change nothing but the followed images' digests.
 */
export function writeBackFindings(fileName: string, content: string, ctx: WriteBackContext): WriteBackFinding[] {
  if (fileName === REPO_SOURCE_FILE || fileName === '.argocd-source.yml') {
    return [{ pointer: '', message: `'${fileName}' overrides the source of every application of folder '${ctx.folder}'; neither Kompile nor Image Updater writes it: remove it and change the platform code instead` }];
  }
  const app = writeBackApplication(fileName);
  if (app === undefined) return [];
  if (app !== ctx.folder) {
    return [{ pointer: '', message: `write-back file for application '${app}' in folder '${ctx.folder}': Image Updater writes '.argocd-source-${ctx.folder}.yaml' there; remove it` }];
  }
  if (ctx.followed.length === 0) {
    return [{ pointer: '', message: `no ImageUpdater resource of the environment rolls out application '${app}': nothing may write its source overrides; remove the file or automate the component (ci.imageUpdater.applications)` }];
  }
  let docs;
  try {
    docs = parseKubernetesYaml(content).filter((d) => d.value !== null && d.value !== undefined);
  } catch (e) {
    return [{ pointer: '', message: `is not YAML: ${(e as Error).message}` }];
  }
  if (docs.length === 0) return [];
  if (docs.length > 1) return [{ pointer: '', message: `holds ${docs.length} YAML documents; Argo CD reads one source override` }];
  const doc = docs[0].value;
  if (!isRecord(doc)) return [{ pointer: '', message: 'is not a mapping: a write-back file is `kustomize: {images: [...]}`' }];

  const findings: WriteBackFinding[] = [];
  for (const key of Object.keys(doc).sort()) {
    if (key !== 'kustomize') findings.push({ pointer: `/${key}`, message: `overrides '${key}' of the application's source; an Image Updater write-back of a Kustomize application holds only 'kustomize.images'` });
  }
  const kustomize = doc.kustomize;
  if (kustomize === undefined) return findings;
  if (!isRecord(kustomize)) return [...findings, { pointer: '/kustomize', message: 'is not a mapping' }];
  for (const key of Object.keys(kustomize).sort()) {
    if (key !== 'images') findings.push({ pointer: `/kustomize/${key}`, message: `overrides 'kustomize.${key}'; an Image Updater write-back holds only 'kustomize.images'` });
  }
  const images = kustomize.images;
  if (images === undefined || images === null) return findings;
  if (!Array.isArray(images)) return [...findings, { pointer: '/kustomize/images', message: 'is not a list' }];

  const followed = new Map(ctx.followed.map((f) => [f.name, f]));
  const watched = [...followed.keys()].sort().join(', ');
  images.forEach((entry, i) => {
    const pointer = `/kustomize/images/${i}`;
    if (typeof entry !== 'string') {
      findings.push({ pointer, message: 'is not a string `<image>:<tag>@sha256:<digest>`' });
      return;
    }
    // Argo CD's KustomizeImage: `[<kustomize name>=]<image>`; the override is the part after `=`.
    const reference = entry.includes('=') ? entry.slice(entry.indexOf('=') + 1) : entry;
    let image: Image;
    try {
      image = Image.parse(reference);
    } catch (e) {
      if (e instanceof ImageReferenceError) {
        findings.push({ pointer, message: e.message });
        return;
      }
      throw e;
    }
    const rule = followed.get(image.name);
    if (!rule) {
      findings.push({ pointer, message: `image '${reference}' is not one the ImageUpdater resource of application '${app}' follows (${watched}): a write-back may only move those` });
    } else if (rule.tag !== undefined && image.tag !== undefined && image.tag !== rule.tag) {
      findings.push({ pointer, message: `image '${reference}' has tag '${image.tag}', but Image Updater follows '${rule.tag}' of ${image.name}` });
    }
    if (!image.digest) {
      findings.push({ pointer, message: `image '${reference}' carries no digest: a write-back must pin '<image>:<tag>@sha256:<digest>' (the digest strategy), since a tag can be moved after review` });
    } else if (!/^sha256:[a-f0-9]{64}$/.test(image.digest)) {
      findings.push({ pointer, message: `image '${reference}' has digest '${image.digest}', not 'sha256:' and 64 hex digits` });
    }
    if (!ctx.lockedNames.has(image.name)) {
      findings.push({ pointer, message: `image '${image.name}' is not in the environment's image lock (images.lock.json): the write-back names an image the environment does not run` });
    }
    if (ctx.policy && !ctx.policy.allowsImage(image)) {
      findings.push({ pointer, message: `image '${reference}' is outside the allowed registries` });
    }
  });
  return findings;
}

/** The images an ImageUpdater resource (argocd-image-updater.argoproj.io) follows for `application`. */
export function followedImages(imageUpdaters: readonly Record<string, unknown>[], application: string): FollowedImage[] {
  const out: FollowedImage[] = [];
  for (const iu of imageUpdaters) {
    const spec = isRecord(iu.spec) ? iu.spec : {};
    const refs = Array.isArray(spec.applicationRefs) ? spec.applicationRefs : [];
    for (const ref of refs) {
      // Kompile writes exact names; a glob pattern is not matched here (it would select nothing).
      if (!isRecord(ref) || ref.namePattern !== application || !Array.isArray(ref.images)) continue;
      for (const img of ref.images) {
        if (!isRecord(img) || typeof img.imageName !== 'string') continue;
        try {
          const parsed = Image.parse(img.imageName);
          out.push({ name: parsed.name, tag: parsed.tag });
        } catch {
          // An invalid imageName is the schema's finding, not this rule's.
        }
      }
    }
  }
  return out;
}
