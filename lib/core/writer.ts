import * as fs from 'node:fs';
import * as path from 'node:path';
import { EnvironmentOutput } from './synthesize';

/**
 * Files other tools commit into dist/ and a synth must keep: Argo CD Image Updater's Git write-back,
 * `.argocd-source-<application>.yaml` in an application's folder.
 */
export const isWriteBack = (relativePath: string): boolean => /(^|\/)\.argocd-source-[^/]+\.ya?ml$/.test(relativePath);

export interface WriteOptions {
  /**
   * Files of the existing output to carry over into the new one, by path relative to the output
   * folder (for files another tool commits into `dist/`, such as Argo CD Image Updater's write-back).
   * @default - nothing is carried over
   */
  readonly preserve?: (relativePath: string) => boolean;
}

/**
 * Writes every environment under `outdir` (`outdir/<env>/…`), atomically: the whole tree is staged
 * in a sibling folder and swapped in with two renames only once everything is written, so a failed
 * run leaves the previous output untouched (Argo CD would otherwise prune what a half-written folder
 * lacks). Environments not in `outputs` disappear from `outdir`.
 */
export function writeOutputs(outdir: string, outputs: readonly EnvironmentOutput[], options: WriteOptions = {}): void {
  const target = path.resolve(outdir);
  const parent = path.dirname(target);
  fs.mkdirSync(parent, { recursive: true });
  const staging = fs.mkdtempSync(path.join(parent, `.${path.basename(target)}.staging-`));
  const retired = `${staging}.old`;
  try {
    const made = new Set<string>();
    for (const out of outputs) {
      // One file at a time: an environment's files may be rendered as they are read (RenderedFiles),
      // so only the file being written is held in memory.
      for (const [rel, content] of out.files) {
        const file = path.join(staging, out.environment, rel);
        const dir = path.dirname(file);
        if (!made.has(dir)) fs.mkdirSync(dir, { recursive: true });
        made.add(dir);
        fs.writeFileSync(file, content);
      }
    }
    if (options.preserve && fs.existsSync(target)) carryOver(target, staging, options.preserve);
    if (fs.existsSync(target)) fs.renameSync(target, retired);
    fs.renameSync(staging, target);
  } catch (e) {
    if (!fs.existsSync(target) && fs.existsSync(retired)) fs.renameSync(retired, target);
    fs.rmSync(staging, { recursive: true, force: true });
    throw e;
  } finally {
    fs.rmSync(retired, { recursive: true, force: true });
  }
}

function carryOver(from: string, to: string, keep: (rel: string) => boolean): void {
  for (const entry of fs.readdirSync(from, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const abs = path.join(entry.parentPath, entry.name);
    const rel = path.relative(from, abs).split(path.sep).join('/');
    if (!keep(rel)) continue;
    const dest = path.join(to, rel);
    if (fs.existsSync(path.dirname(dest)) && !fs.existsSync(dest)) fs.copyFileSync(abs, dest);
  }
}
