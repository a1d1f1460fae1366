/**
 * Files written beside an environment's manifests that no Application syncs: the per-component image
 * lists (`images/<component>.txt`) and the node configuration (`nodes/…`). The root app-of-apps syncs
 * `dist/<env>/apps/` and each child Application its own component's folder (lib/core/bootstrap.ts,
 * lib/core/component.ts), so a folder no component is named after is never applied by Argo CD.
 */
import { SynthError } from './errors';
import type { EnvironmentOutput } from './synthesize';

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
  const files = new Map([...out.files, ...extra].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { ...out, files };
}
