/**
 * Security rules on the supply chain (issue 15): what an environment runs and syncs must be the
 * bytes that were reviewed, not whatever a movable name points to when the cluster pulls it. Run by
 * the synth and by `kompile validate` over all the objects of one environment, Kompile's own and
 * what charts render.
 *
 * - `mutable-image` (production tier only): an image reference without a digest (`@sha256:…`). A
 *   tag is a name the registry's owner (or anyone holding a push credential) can point at other
 *   content; a digest is the content. Judged: every container image of every pod template and every
 *   string under an `image` key (custom resources, Helm values of an Application, with a sibling
 *   `tag`/`version` where a chart splits it). Until the image lock holds digests for the pinned
 *   images (`images.digests.json`, filled by `kompile images resolve` against a registry that serves
 *   them), this rule is a WARNING everywhere (lib/tools/validate.ts SEVERITY, synthesize.ts 5o).
 * - `unpinned-git-source`: an Argo CD Application syncing a folder of a Git repository (a
 *   `path`, no `chart`) at a `targetRevision` that is not a full commit id, other than the
 *   environment's own GitOps repository (whose branch is what Argo CD is meant to follow). A tag can
 *   be moved upstream or on a mirror; `kompile charts pull` records the commit a locked tag resolves
 *   to (charts.lock.json `commit`) and the Application is pinned to it.
 *
 * Exceptions are per object and rule, as for every security rule: an annotation
 * `kompile.dev/security-exception.<rule>` with the reason (objects.ts `applySecurityException`).
 */
import { groupOf } from '../core/kinds';
import { GIT_COMMIT } from '../core/chart-lock';
import { findContainerImages } from '../core/images-walk';
import { Image, ImageReferenceError } from '../core/image';
import { imageKeyReferences } from '../tools/images';
import { applySecurityException, ManifestLike, ObjectFinding, rec } from './objects';

export type SupplyChainRule = 'mutable-image' | 'unpinned-git-source';

export const SUPPLY_CHAIN_RULES: readonly SupplyChainRule[] = ['mutable-image', 'unpinned-git-source'];

export type SupplyChainFinding = ObjectFinding<SupplyChainRule>;

export interface SupplyChainOptions {
  /** The environment's tier (`EnvironmentConfig.tier`): `mutable-image` judges production only. */
  readonly tier: 'development' | 'production';
  /**
   * Git repositories whose branch Argo CD is meant to follow: the environment's own GitOps
   * repository (`gitops.repoURL`). Compared without a trailing `/` or `.git`. @default []
   */
  readonly ownRepos?: readonly string[];
}

const sameRepo = (a: string, b: string) => a.replace(/\/+$/, '').replace(/\.git$/, '') === b.replace(/\/+$/, '').replace(/\.git$/, '');

/** Every finding of the supply-chain rules over one environment's objects, exceptions applied. */
export function supplyChainFindings(objects: readonly ManifestLike[], options: SupplyChainOptions): SupplyChainFinding[] {
  const raw = [...(options.tier === 'production' ? mutableImageFindings(objects) : []), ...gitSourceFindings(objects, options.ownRepos ?? [])];
  const out: SupplyChainFinding[] = [];
  objects.forEach((o, index) => {
    for (const rule of SUPPLY_CHAIN_RULES) {
      const { kept, problem } = applySecurityException(o, rule, raw.filter((f) => f.index === index && f.rule === rule));
      if (problem) out.push({ rule, index, ...problem });
      out.push(...kept);
    }
  });
  return out;
}

function mutableImageFindings(objects: readonly ManifestLike[]): SupplyChainFinding[] {
  const out: SupplyChainFinding[] = [];
  objects.forEach((o, index) => {
    const seen = new Set<string>();
    for (const found of [...findContainerImages(o), ...imageKeyReferences(o)]) {
      if (seen.has(found.pointer)) continue;
      seen.add(found.pointer);
      let image: Image;
      try {
        image = Image.parse(found.value);
      } catch (e) {
        if (e instanceof ImageReferenceError) continue; // a malformed reference is the image rules' finding
        throw e;
      }
      if (image.digest !== undefined) continue;
      out.push({
        rule: 'mutable-image',
        index,
        pointer: found.pointer,
        message: `image '${found.value}' has no digest: in a production tier the reference must name the content (…@sha256:…), not a tag its registry can point elsewhere; resolve the digests (kompile images resolve) so the image lock pins it`,
      });
    }
  });
  return out;
}

function gitSourceFindings(objects: readonly ManifestLike[], ownRepos: readonly string[]): SupplyChainFinding[] {
  const out: SupplyChainFinding[] = [];
  objects.forEach((o, index) => {
    if (groupOf(o.apiVersion) !== 'argoproj.io' || o.kind !== 'Application') return;
    const spec = rec(o.spec);
    const sources: Array<[string, Record<string, unknown>]> = spec.source !== undefined ? [['/spec/source', rec(spec.source)]] : [];
    if (Array.isArray(spec.sources)) spec.sources.forEach((s, i) => sources.push([`/spec/sources/${i}`, rec(s)]));
    for (const [pointer, s] of sources) {
      const repo = typeof s.repoURL === 'string' ? s.repoURL : '';
      // A Helm or OCI chart (`chart`) is pinned by its version and the lock's content digest.
      if (s.chart !== undefined || typeof s.path !== 'string' || ownRepos.some((r) => sameRepo(r, repo))) continue;
      const revision = typeof s.targetRevision === 'string' ? s.targetRevision : 'HEAD';
      if (GIT_COMMIT.test(revision)) continue;
      out.push({
        rule: 'unpinned-git-source',
        index,
        pointer: `${pointer}/targetRevision`,
        message: `syncs ${s.path} of ${repo} at '${revision}', a name the repository (or its mirror) can move to other content: pin the commit (kompile charts pull records the commit of a locked tag in charts.lock.json)`,
      });
    }
  });
  return out;
}
