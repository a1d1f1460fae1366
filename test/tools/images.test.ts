import { describe, expect, it } from 'vitest';
import { checkAllImageLists, checkImageLists, imageList, imagesInObjects } from '../../lib/tools/images';
import { treeFromFiles } from '../../lib/tools/tree';
import { compiledTree, deployment, files, Obj, yamlDocs } from './fixtures';

const app: Obj = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Application',
  metadata: { name: 'op', namespace: 'argocd' },
  spec: { source: { helm: { valuesObject: { runnerImage: 'ghcr.io/acme/runner:2.0', sidecar: { repository: 'ghcr.io/acme/sidecar', tag: '3.1' } } } } },
};

function tree(list: string[], lock: Record<string, string>) {
  return treeFromFiles(
    files({
      'dev/app/manifests.yaml': yamlDocs(deployment('api', 'ml', 'nginx:1.27'), app),
      'dev/images.txt': list.map((l) => `${l}\n`).join(''),
      'dev/images.lock.json': JSON.stringify(lock),
    }),
  );
}

const LIST = ['docker.io/library/nginx:1.27', 'ghcr.io/acme/runner:2.0', 'ghcr.io/acme/sidecar:3.1'];
const LOCK = Object.fromEntries(LIST.map((i) => [i, i]));

describe('image lists', () => {
  it('finds container images and image keys, canonicalized, with a sibling tag where a chart splits them', () => {
    expect(imagesInObjects(tree([], {}).objects)).toEqual(['docker.io/library/nginx:1.27']);
    const split = treeFromFiles(files({ 'dev/a/manifests.yaml': yamlDocs({ ...app, spec: { values: { agent: { image: 'docker.io/kserve/agent', tag: 'v0.15.2' }, art: { image: 'docker.io/kserve/art-explainer', defaultVersion: 'v0.15.2' }, pinned: { image: 'ghcr.io/a/b:1', tag: 'ignored' } } } }) }));
    expect(imagesInObjects(split.objects)).toEqual(['docker.io/kserve/agent:v0.15.2', 'docker.io/kserve/art-explainer:v0.15.2', 'ghcr.io/a/b:1']);
  });

  it('accepts lists that match the tree, finding images spelled as one string or split into repository and tag', () => {
    expect(checkImageLists(tree(LIST, LOCK), 'dev')).toEqual([]);
    expect(imageList(tree(LIST, LOCK), 'dev')).toEqual(LIST);
  });

  it('reports images missing from the list, stale entries and a lock that disagrees', () => {
    const problems = checkImageLists(tree(['ghcr.io/acme/runner:2.0', 'ghcr.io/acme/sidecar:3.1', 'ghcr.io/acme/gone:1'], { x: 'ghcr.io/acme/runner:2.0' }), 'dev');
    expect(problems.map((p) => `${p.kind} ${p.image}`)).toEqual([
      'missing docker.io/library/nginx:1.27',
      'stale ghcr.io/acme/gone:1',
      'lock ghcr.io/acme/sidecar:3.1',
      'lock ghcr.io/acme/gone:1',
    ]);
  });

  it('reports absent files', () => {
    const t = treeFromFiles(files({ 'dev/app/manifests.yaml': yamlDocs(deployment('api', 'ml', 'nginx:1.27')) }));
    expect(checkImageLists(t, 'dev').map((p) => p.message)).toEqual(['dev/images.txt is missing', 'dev/images.lock.json is missing']);
  });

  it('agrees with every environment', () => {
    expect(checkAllImageLists(compiledTree())).toEqual([]);
  });
});
