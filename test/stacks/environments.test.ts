import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { writeOutputs } from '../../lib/core/writer';
import { environments } from '../../stacks';
import { compileAll } from '../../stacks/compile';
import { allObjects, K8sObject } from '../helpers';

const DIST = path.resolve(__dirname, '../../dist');
const outputs = compileAll(environments);
const byEnv = new Map(outputs.map((o) => [o.environment, o]));

/** Every string value of an object with the key it sits under. */
function strings(node: unknown, key = ''): { key: string; value: string }[] {
  if (typeof node === 'string') return [{ key, value: node }];
  if (Array.isArray(node)) return node.flatMap((v) => strings(v, key));
  if (typeof node === 'object' && node !== null) return Object.entries(node).flatMap(([k, v]) => strings(v, k));
  return [];
}

describe('environments', () => {
  it('are dev, prod and airgap', () => {
    expect(outputs.map((o) => o.environment)).toEqual(['dev', 'prod', 'airgap']);
  });

  it.each(['dev', 'prod', 'airgap'])('%s matches its reviewed YAML snapshot', async (env) => {
    const out = byEnv.get(env)!;
    const text = [...out.files].map(([file, content]) => `### ${file}\n${content}`).join('\n');
    await expect(text).toMatchFileSnapshot(`__snapshots__/${env}.yaml.snap`);
  });

  it('synthesize byte-identically every time', () => {
    const again = compileAll(environments);
    expect(again.map((o) => [...o.files])).toEqual(outputs.map((o) => [...o.files]));
    const a = fs.mkdtempSync(path.join(os.tmpdir(), 'kompile-a-'));
    const b = fs.mkdtempSync(path.join(os.tmpdir(), 'kompile-b-'));
    try {
      writeOutputs(path.join(a, 'dist'), outputs);
      writeOutputs(path.join(b, 'dist'), again);
      for (const o of outputs) {
        for (const file of o.files.keys()) {
          expect(fs.readFileSync(path.join(b, 'dist', o.environment, file))).toEqual(fs.readFileSync(path.join(a, 'dist', o.environment, file)));
        }
      }
    } finally {
      fs.rmSync(a, { recursive: true, force: true });
      fs.rmSync(b, { recursive: true, force: true });
    }
  });

  it('match the committed dist/ exactly (regenerate with `npm run synth` and commit)', () => {
    const onDisk = new Set<string>();
    for (const e of fs.readdirSync(DIST, { recursive: true, withFileTypes: true })) {
      if (!e.isFile() || e.name.startsWith('.argocd-source-')) continue;
      onDisk.add(path.relative(DIST, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
    }
    const expected = new Set(outputs.flatMap((o) => [...o.files.keys()].map((f) => `${o.environment}/${f}`)));
    expect([...onDisk].sort()).toEqual([...expected].sort());
    for (const o of outputs) {
      for (const [file, content] of o.files) expect(fs.readFileSync(path.join(DIST, o.environment, file), 'utf8'), `${o.environment}/${file}`).toBe(content);
    }
  });

  it.each(['dev', 'prod', 'airgap'])('%s: every object carries its environment label and a sync wave (but the partial argocd-cm, which carries nothing)', (env) => {
    const partial = (o: K8sObject) => o.kind === 'ConfigMap' && o.metadata.name === 'argocd-cm';
    const objects = allObjects(byEnv.get(env)!);
    expect(objects.filter(partial).map((o) => o.metadata)).toEqual([{ name: 'argocd-cm', namespace: 'argocd' }]);
    for (const o of objects.filter((x) => !partial(x))) {
      expect(o.metadata.labels?.['kompile.dev/environment'], `${o.kind}/${o.metadata.name}`).toBe(env);
      expect(o.metadata.annotations?.['argocd.argoproj.io/sync-wave'], `${o.kind}/${o.metadata.name}`).toMatch(/^-?\d+$/);
    }
  });

  it('prod runs HA replicas where dev runs one', () => {
    const replicas = (env: string) => {
      const app = parseAllDocuments(byEnv.get(env)!.files.get('apps/toolhive-operator.yaml')!)[0].toJS() as K8sObject;
      return (app.spec as { source: { helm: { valuesObject: { operator: { replicaCount: number } } } } }).source.helm.valuesObject.operator.replicaCount;
    };
    expect(replicas('dev')).toBe(1);
    expect(replicas('prod')).toBe(2);
  });

  describe('airgap', () => {
    const out = byEnv.get('airgap')!;
    const MIRROR = 'registry.airgap.internal:35000/';
    /** The platform's own CI registry, inside the site: images CI builds stay there (not mirrored). */
    const PLATFORM = 'registry.local:30500/';

    it('relocates every image to the private registry, and lists the upstream sources to mirror in images.txt', () => {
      const lock = JSON.parse(out.files.get('images.lock.json')!) as Record<string, string>;
      const toMirror = out.files.get('images.txt')!.trimEnd().split('\n');
      // images.txt: upstream sources, sorted and unique; never the mirror or the platform registry.
      expect(toMirror.length).toBeGreaterThan(0);
      expect(toMirror).toEqual([...new Set(toMirror)].sort());
      for (const image of toMirror) expect(image.startsWith(MIRROR) || image.startsWith(PLATFORM), image).toBe(false);
      expect(toMirror.some((i) => i.startsWith('docker.io/'))).toBe(true);
      expect(toMirror.some((i) => i.startsWith('ghcr.io/'))).toBe(true);
      // The lock maps each of them to the mirror; held images (site-built, CI-built) map to themselves.
      for (const source of toMirror) expect(lock[source], source).toBe(`${MIRROR}${source.slice(source.indexOf('/') + 1)}`);
      const held = Object.keys(lock).filter((s) => !toMirror.includes(s));
      expect(held.length).toBeGreaterThan(0);
      for (const source of held) {
        expect(source.startsWith(MIRROR) || source.startsWith(PLATFORM), source).toBe(true);
        expect(lock[source]).toBe(source);
      }
      const listed = [...new Set(Object.values(lock))].sort();
      for (const image of listed) expect(image.startsWith(MIRROR) || image.startsWith(PLATFORM), image).toBe(true);

      // Every image-like string in the tree is a listed image, or the repository half of one
      // (charts that spell images as repository + tag). Chart sources on the registry are no images.
      const values = allObjects(out)
        .flatMap((o) => strings(o))
        .filter((s) => ((s.value.startsWith(MIRROR) || s.value.startsWith(PLATFORM)) && !['repoURL', 'sourceRepos'].includes(s.key)) || s.key === 'image')
        .map((s) => s.value);
      const names = new Set(listed.map((i) => i.replace(/[:@][^/]*$/, '')));
      for (const v of values) expect(listed.includes(v) || names.has(v), v).toBe(true);
      // …and every listed image is used somewhere (no stale entries).
      const text = [...out.files.entries()].filter(([f]) => f.endsWith('.yaml')).map(([, c]) => c).join('\n');
      // (Spelled whole, as repository + tag, or as registry + repository + tag.)
      for (const image of listed) {
        const repository = image.slice(image.indexOf('/') + 1).replace(/[:@][^/]*$/, '');
        expect(text.includes(image) || text.includes(image.replace(/[:@][^/]*$/, '')) || text.includes(`repository: ${repository}\n`), image).toBe(true);
      }
    });

    it('references no host outside the site', () => {
      for (const s of allObjects(out).flatMap((o) => strings(o))) {
        const url = /^([a-z][a-z0-9+.-]*):\/\/([^/:]+)/i.exec(s.value);
        if (!url || url[1] === 'pvc') continue; // pvc://<claim>/… is a volume in the cluster
        const host = url[2];
        expect(['git.airgap.internal', 'jenkins.airgap.internal'].includes(host) || host.endsWith('.svc') || host.includes('.svc.'), s.value).toBe(true);
      }
      for (const s of allObjects(out).flatMap((o) => strings(o)).filter((x) => x.key === 'repoURL')) {
        expect(s.value, s.value).toMatch(/^(https:\/\/git\.airgap\.internal\/|registry\.airgap\.internal:35000\/)/);
      }
    });

    it('still has the same components as prod', () => {
      const components = (env: string) => [...byEnv.get(env)!.files.keys()].filter((f) => f.startsWith('apps/')).sort();
      expect(components('airgap')).toEqual(components('prod'));
    });
  });
});
