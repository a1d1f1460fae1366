/**
 * The no-change shortcut of `npm run synth`: a synth whose inputs and output are both exactly as they
 * were after the last successful synth would write the same bytes again, so it is skipped.
 *
 * - **Inputs**: every file of the repository that can change what the synth writes — all files below
 *   the root except `dist/` (the output), `node_modules/` (fixed by `package-lock.json`, which is an
 *   input), `.git/`, cdk8s's scratch folder and the stamp's own folder — by path and content, plus the command-line arguments,
 *   `KOMPILE_HELM` and the Node.js version. Vendored charts (`charts/`) and the locks are inside.
 * - **Output**: every file below `dist/`, by path and content, so a hand edit or a deleted file is
 *   rewritten, and Argo CD Image Updater write-back files pulled from Git make a real synth carry them.
 *
 * The stamp lives in `.kompile-cache/synth-stamp.json` of the repository folder (git-ignored, never in
 * `dist/`, not an input): a fresh clone has none and runs the full synth. `--no-cache` (or
 * `KOMPILE_SYNTH_CACHE=off`) always runs it.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Top-level entries of the repository that are not inputs of the synth. */
const NOT_INPUTS = new Set(['dist', 'node_modules', '.git', '.cdk8s.out', '.kompile-cache']);

/** What a synth was run with and what it wrote. */
export interface SynthStamp {
  readonly inputs: string;
  readonly output: string;
  /** The summary lines the synth printed (stdout), printed again when it is skipped. */
  readonly summary: readonly string[];
  /** Its warnings (stderr), printed again too. */
  readonly warnings: readonly string[];
}

/** Every file below `dir` (following links), as sorted relative `/` paths; `skipTop` names top-level entries left out. */
function filesBelow(dir: string, skipTop: ReadonlySet<string> = new Set()): string[] {
  const out: string[] = [];
  const walk = (abs: string, rel: string): void => {
    for (const name of fs.readdirSync(abs).sort()) {
      if (rel === '' && skipTop.has(name)) continue;
      const a = path.join(abs, name);
      const r = rel === '' ? name : `${rel}/${name}`;
      const stat = fs.statSync(a, { throwIfNoEntry: false });
      if (!stat) continue; // a dangling link
      if (stat.isDirectory()) walk(a, r);
      else if (stat.isFile()) out.push(r);
    }
  };
  if (fs.existsSync(dir)) walk(dir, '');
  return out;
}

/** One digest of the files' paths and contents (and of `extra` strings). */
function digestOf(dir: string, files: readonly string[], extra: readonly string[] = []): string {
  const h = createHash('sha256');
  for (const e of extra) h.update(`extra\0${e}\0`);
  for (const f of files) {
    const content = fs.readFileSync(path.join(dir, f));
    h.update(`file\0${f}\0${content.length}\0`);
    h.update(content);
  }
  return h.digest('hex');
}

/** The digest of the synth's inputs in repository `root`, run with `args`. */
export function inputsDigest(root: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): string {
  return digestOf(root, filesBelow(root, NOT_INPUTS), [`node ${process.version}`, `args ${JSON.stringify(args)}`, `helm ${env.KOMPILE_HELM ?? ''}`]);
}

/** The digest of everything below `dist`. */
export function outputDigest(dist: string): string {
  return digestOf(dist, filesBelow(dist));
}

/** Where the stamp of repository `root` is kept. */
export function stampFile(root: string): string {
  return path.join(root, '.kompile-cache', 'synth-stamp.json');
}

/** The stamp kept in `file` (see {@link stampFile}), if any (a damaged one counts as none). */
export function readStamp(file: string): SynthStamp | undefined {
  try {
    const s = JSON.parse(fs.readFileSync(file, 'utf8')) as SynthStamp;
    return typeof s.inputs === 'string' && typeof s.output === 'string' && Array.isArray(s.summary) && Array.isArray(s.warnings) ? s : undefined;
  } catch {
    return undefined;
  }
}

export function writeStamp(file: string, stamp: SynthStamp): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(stamp)}\n`);
}

/** The stamp when neither the inputs nor `dist` changed since it was written; otherwise undefined. */
export function unchangedSince(stamp: SynthStamp | undefined, inputs: string, dist: string): SynthStamp | undefined {
  if (!stamp || stamp.inputs !== inputs) return undefined;
  return outputDigest(dist) === stamp.output ? stamp : undefined;
}
