import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostOf, parseEnvironment } from '../../lib/core/config';
import { isWriteBack, writeOutputs } from '../../lib/core/writer';
import { helmBinary } from '../../lib/tools/helm';
import { synthesizeAll } from '../../lib/tools/synth';
import { environments } from '../../stacks';
import { compileAll } from '../../stacks/compile';
import { allObjects, K8sObject } from '../helpers';

/**
 * Behaviours every registered environment (whatever `stacks/index.ts` lists) must have. Nothing here
 * names an environment: the demo platform's own expectations live in test/platform/demo.test.ts.
 */
const REPO = path.resolve(__dirname, '../..');
const DIST = path.join(REPO, 'dist');
const outputs = compileAll(environments);
const configs = environments.map((e) => parseEnvironment(e));
const byEnv = new Map(outputs.map((o) => [o.environment, o]));

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kompile-environments-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Every string value of an object with the key it sits under. */
function strings(node: unknown, key = ''): { key: string; value: string }[] {
  if (typeof node === 'string') return [{ key, value: node }];
  if (Array.isArray(node)) return node.flatMap((v) => strings(v, key));
  if (typeof node === 'object' && node !== null) return Object.entries(node).flatMap(([k, v]) => strings(v, k));
  return [];
}

/** Every file under a folder, relative and with `/`, write-back files of Argo CD Image Updater excepted. */
function tree(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .filter((f) => !isWriteBack(f))
    .sort();
}

describe('every registered environment', () => {
  it('has a name of its own', () => {
    expect(outputs.length).toBeGreaterThan(0);
    expect(new Set(outputs.map((o) => o.environment)).size).toBe(environments.length);
  });

  it('synthesizes byte-identically every time', () => {
    const again = compileAll(environments);
    expect(again.map((o) => [...o.files])).toEqual(outputs.map((o) => [...o.files]));
    writeOutputs(path.join(tmp, 'a'), outputs);
    writeOutputs(path.join(tmp, 'b'), again);
    expect(tree(path.join(tmp, 'b'))).toEqual(tree(path.join(tmp, 'a')));
    for (const file of tree(path.join(tmp, 'a'))) expect(fs.readFileSync(path.join(tmp, 'b', file)), file).toEqual(fs.readFileSync(path.join(tmp, 'a', file)));
  });

  it.each(outputs.map((o) => o.environment))('%s: every object carries its environment label and a sync wave (but the partial argocd-cm, which carries nothing)', (env) => {
    const partial = (o: K8sObject) => o.kind === 'ConfigMap' && o.metadata.name === 'argocd-cm';
    const objects = allObjects(byEnv.get(env)!);
    expect(objects.filter(partial).map((o) => o.metadata)).toEqual([{ name: 'argocd-cm', namespace: 'argocd' }]);
    for (const o of objects.filter((x) => !partial(x))) {
      expect(o.metadata.labels?.['kompile.dev/environment'], `${o.kind}/${o.metadata.name}`).toBe(env);
      expect(o.metadata.annotations?.['argocd.argoproj.io/sync-wave'], `${o.kind}/${o.metadata.name}`).toMatch(/^-?\d+$/);
    }
  });

  describe.each(configs.filter((c) => c.registry.mirror).map((c) => [c.name, c] as const))('%s, with a registry mirror', (env, config) => {
    const out = byEnv.get(env)!;
    const MIRROR = `${config.registry.mirror}/`;
    /** The platform's own CI registry, inside the site: images CI builds stay there (not mirrored). */
    const PLATFORM = `${config.components.ci.registry.host}/`;
    const held = (image: string) => image.startsWith(MIRROR) || image.startsWith(PLATFORM);

    it('relocates every image to the mirror, and lists the upstream sources to mirror in images.txt', () => {
      const lock = JSON.parse(out.files.get('images.lock.json')!) as Record<string, string>;
      const toMirror = out.files.get('images.txt')!.trimEnd().split('\n');
      // images.txt: upstream sources, sorted and unique; never the mirror or the platform registry.
      expect(toMirror.length).toBeGreaterThan(0);
      expect(toMirror).toEqual([...new Set(toMirror)].sort());
      for (const image of toMirror) expect(held(image), image).toBe(false);
      // The lock maps each of them to the mirror; held images (site-built, CI-built) map to themselves.
      for (const source of toMirror) expect(lock[source], source).toBe(`${MIRROR}${source.slice(source.indexOf('/') + 1)}`);
      for (const source of Object.keys(lock).filter((s) => !toMirror.includes(s))) {
        expect(held(source), source).toBe(true);
        expect(lock[source]).toBe(source);
      }
      const listed = [...new Set(Object.values(lock))].sort();
      for (const image of listed) expect(held(image), image).toBe(true);

      // Every image-like string in the tree is a listed image, or the repository half of one
      // (charts that spell images as repository + tag). Chart sources on the registry, and the
      // admission policy's image glob (ClusterImagePolicy `images[].glob`), are no images.
      const values = allObjects(out)
        .flatMap((o) => strings(o))
        .filter((s) => (held(s.value) && !['repoURL', 'sourceRepos', 'glob'].includes(s.key)) || s.key === 'image')
        // An ImageUpdater's imageName is the channel tag it follows (`<name>:release`), not an image
        // anything pulls: its name must be a listed image's.
        .map((s) => (s.key === 'imageName' ? s.value.replace(/[:@][^/]*$/, '') : s.value));
      const names = new Set(listed.map((i) => i.replace(/[:@][^/]*$/, '')));
      for (const v of values) expect(listed.includes(v) || names.has(v), v).toBe(true);
      // …and every listed image is used somewhere (no stale entries), spelled whole, as repository +
      // tag, or as registry + repository + tag.
      const text = [...out.files.entries()].filter(([f]) => f.endsWith('.yaml')).map(([, c]) => c).join('\n');
      for (const image of listed) {
        const repository = image.slice(image.indexOf('/') + 1).replace(/[:@][^/]*$/, '');
        expect(text.includes(image) || text.includes(image.replace(/[:@][^/]*$/, '')) || text.includes(`repository: ${repository}\n`), image).toBe(true);
      }
    });
  });

  describe.each(configs.filter((c) => c.registry.allowedHosts.length > 0).map((c) => [c.name, c] as const))('%s, with allowed hosts', (env, config) => {
    const out = byEnv.get(env)!;
    const allowed = new Set(config.registry.allowedHosts.map((h) => h.replace(/:\d+$/, '')));

    it('references no host outside them (in-cluster Services aside)', () => {
      for (const s of allObjects(out).flatMap((o) => strings(o))) {
        const url = /^([a-z][a-z0-9+.-]*):\/\/([^/:]+)/i.exec(s.value);
        if (!url || url[1] === 'pvc') continue; // pvc://<claim>/… is a volume in the cluster
        const host = url[2];
        expect(allowed.has(host) || host.endsWith('.svc') || host.includes('.svc.'), s.value).toBe(true);
      }
      for (const s of allObjects(out).flatMap((o) => strings(o)).filter((x) => x.key === 'repoURL')) {
        expect(config.registry.allowedHosts, s.value).toContain(hostOf(s.value));
      }
    });
  });
});

/** How the tree under `dir` differs from `expected`: files missing, files extra, files that differ in a byte. */
function differences(dir: string, expected: string): string[] {
  const have = tree(dir);
  const want = tree(expected);
  return [
    ...want.filter((f) => !have.includes(f)).map((f) => `missing ${f}`),
    ...have.filter((f) => !want.includes(f)).map((f) => `extra ${f}`),
    ...want.filter((f) => have.includes(f) && !fs.readFileSync(path.join(dir, f)).equals(fs.readFileSync(path.join(expected, f)))).map((f) => `differs ${f}`),
  ];
}

/**
 * dist/ is committed: it must be exactly what `npm run synth` writes now. The synth runs as main.ts
 * runs it (vendored charts rendered with helm, when there are any), into a folder of its own.
 */
describe('the committed dist/', () => {
  const fresh = path.join(tmp, 'fresh');
  beforeAll(async () => {
    const { outputs: synthesized } = await synthesizeAll(environments, {
      chartsDir: path.join(REPO, 'charts'),
      render: () => ({ helm: helmBinary(), cacheDir: path.join(REPO, 'node_modules', '.cache', 'kompile', 'renders') }),
    });
    writeOutputs(fresh, synthesized);
  });

  it('is byte for byte what a fresh synth writes (if not: `npm run synth`, review the diff of dist/, commit)', () => {
    expect(tree(fresh).length).toBeGreaterThan(0);
    expect(differences(DIST, fresh)).toEqual([]);
  });

  it('would be reported stale for a missing, an extra and an edited file (the comparison can fail)', () => {
    const [first, second] = tree(fresh);
    const copy = path.join(tmp, 'stale');
    fs.cpSync(fresh, copy, { recursive: true });
    fs.appendFileSync(path.join(copy, first), '# edited\n');
    fs.rmSync(path.join(copy, second));
    fs.writeFileSync(path.join(copy, 'leftover.yaml'), 'kind: ConfigMap\n');
    expect(differences(copy, fresh)).toEqual([`missing ${second}`, 'extra leftover.yaml', `differs ${first}`]);
  });
});
