/**
 * Turns declared dependencies into Argo CD sync waves: a node's wave is one more than the highest
 * wave among what it depends on, so everything a node needs is synced (and, for Applications,
 * healthy) in an earlier wave. Independent nodes share a wave and sync in parallel.
 *
 * @param nodes every node, in a stable order
 * @param dependencies node → the nodes it depends on
 * @returns node → wave, starting at 0
 * @throws Error naming the cycle when the dependencies contain one
 */
export function computeWaves(nodes: readonly string[], dependencies: ReadonlyMap<string, readonly string[]>): Map<string, number> {
  const waves = new Map<string, number>();
  const visiting: string[] = [];

  const visit = (node: string): number => {
    const known = waves.get(node);
    if (known !== undefined) return known;
    const at = visiting.indexOf(node);
    if (at >= 0) throw new Error(`dependency cycle: ${[...visiting.slice(at), node].join(' → ')}`);
    visiting.push(node);
    let wave = 0;
    for (const dep of dependencies.get(node) ?? []) {
      if (!nodes.includes(dep)) throw new Error(`'${node}' depends on unknown '${dep}'`);
      wave = Math.max(wave, visit(dep) + 1);
    }
    visiting.pop();
    waves.set(node, wave);
    return wave;
  };

  for (const node of nodes) visit(node);
  return waves;
}
