import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import { YAML_1_1_COMPAT } from '../checks/yaml';
import { ImageUpdater as ImageUpdaterResource } from '../../imports/argocd-image-updater.argoproj.io';
import { Component } from '../core/component';
import { Image, ImageReferenceError } from '../core/image';
import { findContainerImages } from '../core/images-walk';

export interface AutomatedImage {
  /** Short name of the image in the ImageUpdater resource. */
  readonly alias: string;
  /** Image name without tag, exactly as the component's manifests spell it. */
  readonly image: string;
  /** The moving tag CI pushes each release as; Image Updater follows its digest. */
  readonly tag: string;
}

export interface ImageAutomationProps {
  /** The component whose images are rolled out; its folder becomes a Kustomize application. */
  readonly target: Component;
  readonly images: readonly AutomatedImage[];
  /** Argo CD's namespace, where ImageUpdater resources select Applications. */
  readonly namespace: string;
  /** The platform registry, `host:port`: automated images must be ones CI pushes there. */
  readonly registry: string;
  /** The branch Argo CD follows; Image Updater checks it out and never pushes it. */
  readonly targetBranch: string;
  /** The branch Image Updater pushes its commits to; CI merges it into `targetBranch` after the checks. */
  readonly writeBranch: string;
  /** Secret (in `namespace`) with Image Updater's own Git credential for `writeBranch`. */
  readonly gitCredentialsSecret: string;
  /** Clone URL Image Updater pushes to. @default - the Application's repoURL */
  readonly writeRepository?: string;
}

/** `registry/repository` of a reference (as Image Updater compares them), or the reference itself when it is none. */
function imageName(reference: string): string {
  try {
    return Image.parse(reference).name;
  } catch (e) {
    if (e instanceof ImageReferenceError) return reference;
    throw e;
  }
}

/** The file Argo CD Image Updater's Git write-back creates in an application's folder. */
export function writeBackFile(application: string): string {
  return `.argocd-source-${application}.yaml`;
}

/** Kustomization that turns a component's folder into a Kustomize application without changing it. */
export const KUSTOMIZATION_FILE = 'kustomization.yml';

/**
 * Automatic roll-out of new releases for one component (seed 002: Jenkins pushes, Image Updater
 * notices, CI merges, Argo CD rolls the Deployment).
 *
 * Image Updater follows each image's channel tag by digest and cannot update plain-YAML
 * applications, so the component's folder gets a `kustomization.yml` listing `manifests.yaml` (the
 * `.yml` spelling keeps it apart from the `*.yaml` object files tools read): Argo CD then renders
 * the folder with Kustomize, and Image Updater's Git write-back (`.argocd-source-<app>.yaml` with
 * `kustomize.images`, `<name>:<tag>@sha256:…`) overrides the image. It commits to `writeBranch`
 * with its own credential; CI merges that branch into `targetBranch`, which Argo CD follows, after
 * the checks (docs/delivery.md). Kompile never writes that file, and the output writer carries it
 * over from the previous `dist/` (see `isWriteBack` in main.ts), so a new synth keeps the rolled-out
 * image; `kompile validate` judges it (lib/checks/write-back.ts).
 */
export class ImageAutomation extends Construct {
  readonly resource: ImageUpdaterResource;

  constructor(scope: Construct, id: string, props: ImageAutomationProps) {
    super(scope, id);
    if (props.images.length === 0) throw new Error(`[${this.node.path}] prop 'images' is empty: nothing to update`);
    const aliases = new Set<string>();
    for (const img of props.images) {
      if (aliases.has(img.alias)) throw new Error(`[${this.node.path}] prop 'images': alias '${img.alias}' is used twice`);
      aliases.add(img.alias);
      if (!img.image.startsWith(`${props.registry}/`)) {
        throw new Error(`[${this.node.path}] prop 'images': '${img.image}' is not in the platform registry '${props.registry}' that CI pushes to`);
      }
      if (!/^[\w][\w.-]{0,127}$/.test(img.tag)) throw new Error(`[${this.node.path}] prop 'images': tag '${img.tag}' of '${img.alias}' is not an image tag`);
      if (/[@]|:[^/]*$/.test(img.image.replace(/^[^/]*\//, ''))) {
        throw new Error(`[${this.node.path}] prop 'images': '${img.image}' carries a tag or digest; give the name only, Image Updater picks the tag`);
      }
    }
    if (props.writeBranch === props.targetBranch) {
      throw new Error(`[${this.node.path}] prop 'writeBranch': '${props.writeBranch}' is the target branch; Image Updater must write to a branch of its own`);
    }
    const app = props.target.name;
    props.target.addOutputFile(
      KUSTOMIZATION_FILE,
      stringify({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: ['manifests.yaml'] }, YAML_1_1_COMPAT),
    );

    this.resource = new ImageUpdaterResource(this, 'Resource', {
      metadata: { name: app, namespace: props.namespace },
      spec: {
        // Every field the CRD defaults inside these list items is written with its default
        // (argocd-image-updater v1.3.0 CRD: applicationRefs[].useAnnotations false,
        // images[].commonUpdateSettings.forceUpdate false): the API server adds them to the live
        // object and Argo CD's client-side diff compares lists whole, so leaving one out keeps this
        // resource OutOfSync (argo-cd#11074; lib/checks/crd-list-defaults.ts).
        applicationRefs: [
          {
            namePattern: app,
            useAnnotations: false,
            images: props.images.map((img) => ({
              alias: img.alias,
              // The `digest` strategy follows one tag, the version constraint (the tag of
              // `imageName`; required: registry-scanner/pkg/registry/registry.go), and records its
              // manifest digest: the write-back is `<name>:<tag>@sha256:…`
              // (registry-scanner/pkg/image/image.go GetFullNameWithTag), so a tag that moves
              // afterwards moves nothing. The other strategies write a bare tag (argocd-image-updater v1.3.0).
              imageName: `${img.image}:${img.tag}`,
              commonUpdateSettings: { updateStrategy: 'digest', forceUpdate: false },
            })),
          },
        ],
        // `git:secret:<namespace>/<name>`: Image Updater's own credential, not Argo CD's repository
        // credentials (`git` alone means `repocreds`; v1.3.0 pkg/argocd/argocd.go and gitcreds.go;
        // the Secret must be in the Application's namespace). `<base>:<write>`: check out the
        // target branch, push to the write branch (pkg/argocd/update.go parseGitConfig; git.go
        // commits on the write branch when it exists, else creates it from the base). No
        // writeBackTarget: the file is `.argocd-source-<app>.yaml` in the application's folder.
        writeBackConfig: {
          method: `git:secret:${props.namespace}/${props.gitCredentialsSecret}`,
          gitConfig: { branch: `${props.targetBranch}:${props.writeBranch}`, ...(props.writeRepository ? { repository: props.writeRepository } : {}) },
        },
      },
    });
    // Image Updater updates only images the Application runs (it skips an image that "seems not to
    // be live in this application": argocd-image-updater v1.3.0 pkg/argocd/update.go, matched
    // against the Application's status.summary.images), and the Kustomize override it writes
    // (`<name>:<tag>`, SetKustomizeImage in pkg/argocd/argocd.go) replaces only images of that
    // name: an automated image the component does not run would never roll out.
    const target = props.target;
    this.node.addValidation({
      validate: () => {
        const running = new Set(
          target.node
            .findAll()
            .filter(ApiObject.isApiObject)
            .flatMap((o) => findContainerImages(o.toJson()))
            .map((f) => imageName(f.value)),
        );
        return props.images
          .filter((img) => !running.has(imageName(img.image)))
          .map((img) => `image '${img.alias}' (${img.image}) is run by no container of component '${app}'; Image Updater would never roll it out (running: ${[...running].sort().join(', ') || 'none'})`);
      },
    });
    // `imageName` is a name Image Updater watches, not an image anything pulls: it stays the platform
    // registry's name in every environment (never relocated), so it is not declared as an image field.
  }
}
