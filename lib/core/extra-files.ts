/**
 * Files written beside an environment's manifests that no Application syncs: the per-component image
 * lists (`images/<component>.txt`) and the node configuration (`nodes/…`). The root app-of-apps syncs
 * `dist/<env>/apps/` and each child Application its own component's folder (lib/core/bootstrap.ts,
 * lib/core/component.ts), so a folder no component is named after is never applied by Argo CD.
 */
import { SynthError } from './errors';
import type { EnvironmentOutput } from './synthesize';
import { RenderedFiles } from './yaml-output';

/** Folders of `dist/<env>/` that hold files for people and tools, never Kubernetes objects: no component may be named after one. */
export const RESERVED_FOLDERS: ReadonlySet<string> = new Set(['images', 'nodes']);

/**
 * The output with `extra` files added (paths under `dist/<env>/`). Each must be in a reserved folder
 * and not already written; the files stay sorted by path, as the synth writes them.
 */
export function withExtraFiles(out: EnvironmentOutput, extra: ReadonlyMap<string, string>): EnvironmentOutput {
  const problems: string[] = [];
  for (const file of extra.keys()) {
    const folder = file.split('/')[0];
    if (!RESERVED_FOLDERS.has(folder) || !file.includes('/')) problems.push(`${file}: extra files go in one of the folders no Application syncs (${[...RESERVED_FOLDERS].join(', ')})`);
    else if (out.files.has(file)) problems.push(`${file} is written twice`);
  }
  if (problems.length > 0) throw new SynthError(problems.map((message) => ({ path: '', message: `${out.environment}: ${message}` })));
  // The environment's own files stay rendered on read (RenderedFiles): the writer renders and writes
  // them one at a time instead of holding every file's text at once.
  const own: [string, () => string][] = [...out.files.keys()].map((file) => [file, () => out.files.get(file)!]);
  const files = new RenderedFiles([...own, ...extra].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { ...out, files };
}
