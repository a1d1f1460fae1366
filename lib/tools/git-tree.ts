/**
 * Reading a rendered tree as it is at a Git ref (`origin/main`, a commit), straight from the object
 * database: no checkout, no temp folder, the working tree untouched.
 */
import { execFileSync } from 'node:child_process';
import { RenderedTree, treeFromFiles } from './tree';

/** Files of a Git tree that a rendered tree is made of. */
const WANTED = /\.ya?ml$|(^|\/)images\.(txt|lock\.json)$/;

function git(cwd: string, args: readonly string[], input?: string): Buffer {
  return execFileSync('git', args, { cwd, input, maxBuffer: 1 << 30, stdio: ['pipe', 'pipe', 'pipe'] });
}

/**
 * Reads folder `dir` (e.g. `dist`) of the repository at `repoDir` as it is at `ref`.
 * @throws naming the ref when it does not exist; a ref without the folder gives an empty tree
 */
export function readTreeAtRef(repoDir: string, ref: string, dir: string): RenderedTree {
  try {
    git(repoDir, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  } catch {
    throw new Error(`git ref '${ref}' not found in ${repoDir}`);
  }
  const prefix = dir.replace(/\/+$/, '');
  const listing = git(repoDir, ['ls-tree', '-r', '-z', '--full-tree', ref, '--', prefix]).toString('utf8');
  const blobs: Array<{ path: string; id: string }> = [];
  for (const entry of listing.split('\0')) {
    // <mode> SP <type> SP <object> TAB <path>
    const m = /^\d+ blob ([0-9a-f]+)\t(.*)$/s.exec(entry);
    if (!m || !m[2].startsWith(`${prefix}/`)) continue;
    const rel = m[2].slice(prefix.length + 1);
    if (WANTED.test(rel)) blobs.push({ path: rel, id: m[1] });
  }
  const files = new Map<string, string>();
  if (blobs.length === 0) return treeFromFiles(files);
  const out = git(repoDir, ['cat-file', '--batch'], blobs.map((b) => `${b.id}\n`).join(''));
  // Each answer: "<id> blob <size>\n<content>\n"
  let pos = 0;
  for (const blob of blobs) {
    const eol = out.indexOf(0x0a, pos);
    const header = out.subarray(pos, eol).toString('utf8').split(' ');
    const size = Number(header[2]);
    files.set(blob.path, out.subarray(eol + 1, eol + 1 + size).toString('utf8'));
    pos = eol + 1 + size + 1;
  }
  return treeFromFiles(files);
}

/** Messages of the commits in `base..head` (for acknowledgement trailers); '' when there are none. */
export function commitMessages(repoDir: string, base: string, head = 'HEAD'): string {
  return git(repoDir, ['log', '--format=%B%n', `${base}..${head}`]).toString('utf8');
}
