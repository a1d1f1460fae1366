import { describe, expect, it } from 'vitest';
import { checkAllImageLists, checkComponentImageLists, checkImageLists, imageList, imagesInObjects } from '../../lib/tools/images';
import { treeFromFiles } from '../../lib/tools/tree';
import { compiledTree, deployment, files, Obj, yamlDocs } from './fixtures';
import { parseEnvironment } from '../../lib/core/config';
import { environments } from '../../stacks';
import { registryPolicyOf } from '../../stacks/build';

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

  it('reads a registry-less `image:` in the registry its map names, and a tag key pinned by digest', () => {
    const digest = `sha256:${'e'.repeat(64)}`;
    const split = treeFromFiles(files({ 'dev/a/manifests.yaml': yamlDocs({ ...app, spec: { values: { controller: { image: { registry: 'registry.k8s.io', image: 'ingress-nginx/controller', tag: `v1.11.3@${digest}` } } } } }) }));
    expect(imagesInObjects(split.objects)).toEqual([`registry.k8s.io/ingress-nginx/controller:v1.11.3@${digest}`]);
  });

  it('accepts lists that match the tree, finding images spelled as one string or split into repository and tag', () => {
    expect(checkImageLists(tree(LIST, LOCK), 'dev')).toEqual([]);
    expect(imageList(tree(LIST, LOCK), 'dev')).toEqual(LIST);
  });

  it('reports a source to mirror missing from the list, stale lines and lock entries, and pulled images the lock lacks', () => {
    const lock = { 'ghcr.io/acme/runner:2.0': 'ghcr.io/acme/runner:2.0', 'ghcr.io/acme/sidecar:3.1': 'ghcr.io/acme/sidecar:3.1', 'ghcr.io/acme/old:1': 'ghcr.io/acme/old:1' };
    const problems = checkImageLists(tree(['ghcr.io/acme/runner:2.0', 'ghcr.io/acme/old:1', 'ghcr.io/acme/gone:1'], lock), 'dev');
    expect(problems.map((p) => `${p.kind} ${p.image}`)).toEqual([
      'missing docker.io/library/nginx:1.27',
      'stale ghcr.io/acme/old:1',
      'stale ghcr.io/acme/gone:1',
      'missing ghcr.io/acme/sidecar:3.1',
    ]);
    expect(problems[0].message).toBe('docker.io/library/nginx:1.27 is pulled by the manifests but is no target in images.lock.json');
    expect(problems[1].message).toBe('images.lock.json maps ghcr.io/acme/old:1 to ghcr.io/acme/old:1, which no manifest pulls');
    expect(problems[2].message).toBe('ghcr.io/acme/gone:1 is listed in images.txt but is no source in images.lock.json');
    expect(problems[3].message).toBe('ghcr.io/acme/sidecar:3.1 is a source in images.lock.json but not listed in images.txt');
  });

  describe('in an environment with a mirror and a platform registry', () => {
    const MIRROR = 'mirror.site:5000';
    const SITE = 'registry.local:30500';
    const site: Obj = deployment('site', 'ml', `${SITE}/team/site:1`);
    const relocated = (list: string[]) =>
      treeFromFiles(
        files({
          'airgap/app/manifests.yaml': yamlDocs(deployment('api', 'ml', `${MIRROR}/library/nginx:1.27`), site),
          'airgap/images.txt': list.map((l) => `${l}\n`).join(''),
          'airgap/images.lock.json': JSON.stringify({ 'docker.io/library/nginx:1.27': `${MIRROR}/library/nginx:1.27`, [`${SITE}/team/site:1`]: `${SITE}/team/site:1` }),
        }),
      );
    const held = { heldRegistries: [MIRROR, SITE] };

    it('accepts the upstream sources, without the images the environment holds', () => {
      expect(checkImageLists(relocated(['docker.io/library/nginx:1.27']), 'airgap', held)).toEqual([]);
    });

    it('catches a relocated target written in images.txt instead of its source', () => {
      const problems = checkImageLists(relocated([`${MIRROR}/library/nginx:1.27`]), 'airgap', held);
      expect(problems.map((p) => `${p.kind} ${p.image}`)).toEqual([`target ${MIRROR}/library/nginx:1.27`, 'missing docker.io/library/nginx:1.27']);
      expect(problems[0].message).toBe(`${MIRROR}/library/nginx:1.27 is listed in images.txt but is where the environment pulls docker.io/library/nginx:1.27; images.txt lists the upstream source`);
    });

    it('catches a site image listed to mirror', () => {
      const problems = checkImageLists(relocated(['docker.io/library/nginx:1.27', `${SITE}/team/site:1`]), 'airgap', held);
      expect(problems.map((p) => `${p.kind} ${p.image}`)).toEqual([`held ${SITE}/team/site:1`]);
      expect(problems[0].message).toContain(`${SITE} is a registry the environment holds`);
      // Without knowing the registry is held, the site image is a source to mirror like any other.
      expect(checkImageLists(relocated(['docker.io/library/nginx:1.27', `${SITE}/team/site:1`]), 'airgap')).toEqual([]);
    });

    it('catches a pulled image whose lock entry targets something else', () => {
      const t = treeFromFiles(
        files({
          'airgap/app/manifests.yaml': yamlDocs(deployment('api', 'ml', 'docker.io/library/nginx:1.27')),
          'airgap/images.txt': 'docker.io/library/nginx:1.27\n',
          'airgap/images.lock.json': JSON.stringify({ 'docker.io/library/nginx:1.27': `${MIRROR}/library/nginx:1.27` }),
        }),
      );
      expect(checkImageLists(t, 'airgap', held).map((p) => `${p.kind} ${p.image}`)).toEqual(['missing docker.io/library/nginx:1.27', 'stale docker.io/library/nginx:1.27']);
    });
  });

  it('reports absent files', () => {
    const t = treeFromFiles(files({ 'dev/app/manifests.yaml': yamlDocs(deployment('api', 'ml', 'nginx:1.27')) }));
    expect(checkImageLists(t, 'dev').map((p) => p.message)).toEqual(['dev/images.txt is missing', 'dev/images.lock.json is missing']);
  });

  it('agrees with every environment, held registries as the synth holds them', () => {
    const held = new Map(environments.map((e) => parseEnvironment(e)).map((c) => [c.name, registryPolicyOf(c).heldRegistries]));
    expect(held.get('airgap')).toEqual(['registry.airgap.internal:35000', 'registry.local:30500']);
    expect(checkAllImageLists(compiledTree(), held)).toEqual([]);
  });

  it('finds every value of a custom-resource image map', () => {
    const ks: Obj = { apiVersion: 'operator.knative.dev/v1beta1', kind: 'KnativeServing', metadata: { name: 'ks', namespace: 'knative-serving' }, spec: { registry: { override: { activator: 'gcr.io/knative-releases/activator:v1', 'net-istio-webhook/webhook': 'gcr.io/knative-releases/webhook:v1' } } } };
    expect(imagesInObjects(treeFromFiles(files({ 'dev/k/manifests.yaml': yamlDocs(ks) })).objects)).toEqual(['gcr.io/knative-releases/activator:v1', 'gcr.io/knative-releases/webhook:v1']);
  });

  describe('per component (images/<component>.txt)', () => {
    const comp = (lists: Record<string, string[]>) =>
      treeFromFiles(
        files({
          'dev/app/manifests.yaml': yamlDocs(deployment('api', 'ml', 'nginx:1.27'), app),
          'dev/web/manifests.yaml': yamlDocs(deployment('web', 'web', 'registry.local:30500/team/web:1')),
          'dev/images.txt': LIST.map((l) => `${l}\n`).join(''),
          'dev/images.lock.json': JSON.stringify({ ...LOCK, 'registry.local:30500/team/web:1': 'registry.local:30500/team/web:1' }),
          ...Object.fromEntries(Object.entries(lists).map(([c, l]) => [`dev/images/${c}.txt`, l.map((i) => `${i}\n`).join('')])),
        }),
      );
    const held = { heldRegistries: ['registry.local:30500'] };

    it('accepts a list per component of the sources its objects pull, held images left out', () => {
      expect(checkComponentImageLists(comp({ app: LIST }), 'dev', held)).toEqual([]);
    });

    it('reports a missing line, a stale line and a component without its list, naming the file', () => {
      const missing = checkComponentImageLists(comp({ app: LIST.slice(1) }), 'dev', held);
      expect(missing.map((p) => p.message)).toEqual(["docker.io/library/nginx:1.27 is pulled by component 'app' but not listed in dev/images/app.txt"]);
      const stale = checkComponentImageLists(comp({ app: LIST, web: ['registry.local:30500/team/web:1'] }), 'dev', held);
      expect(stale.map((p) => `${p.kind} ${p.image}`)).toEqual(['stale registry.local:30500/team/web:1']);
      const absent = checkComponentImageLists(comp({}), 'dev', held);
      expect(absent.map((p) => p.message)).toEqual(["dev/images/app.txt is missing: component 'app' pulls 3 image(s) to mirror"]);
    });

    it('are what the synth writes: together exactly images.txt', () => {
      const tree = compiledTree();
      for (const env of ['dev', 'prod', 'airgap']) {
        const lists = tree.images.get(env)!;
        const union = new Set([...lists.components!.values()].flat());
        expect([...union].sort(), env).toEqual([...lists.list!].sort());
      }
      expect(tree.images.get('prod')!.components!.get('knative-serving')).toEqual(expect.arrayContaining([expect.stringMatching(/^gcr\.io\/knative-releases\/knative\.dev\/serving\/cmd\/activator:v1\.16\./)]));
    });
  });
});
