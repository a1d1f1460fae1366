import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnvironment } from '../../lib/core/config';
import { Image } from '../../lib/core/image';
import { IMAGE_DIGESTS, ImageDigests } from '../../lib/core/image-digests';
import { RegistryPolicy } from '../../lib/core/registry-policy';
import { synthesize } from '../../lib/core/synthesize';
import { run } from '../../lib/tools/cli';
import { bearerChallenge, Fetch, manifestUrl, referencesToResolve, resolveDigest } from '../../lib/tools/image-resolve';
import { treeFromFiles } from '../../lib/tools/tree';
import { environments } from '../../stacks';
import { buildEnvironment } from '../../stacks/build';
import { DOCKER_REGISTRY, startLocalRegistry } from './local-registry';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;

async function kompile(cwd: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(argv, { cwd, out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

describe('images.digests.json', () => {
  it('is committed empty: no digest can be resolved without a registry serving the images, and none is invented', () => {
    expect(IMAGE_DIGESTS.size).toBe(0);
  });

  it('pins a tag reference to its recorded digest; another tag, or a reference with a digest, is left alone', () => {
    const d = ImageDigests.parse({ digests: { 'docker.io/library/redis:7.4.2': D1 } });
    expect(d.pin(Image.parse('redis:7.4.2')).toString()).toBe(`docker.io/library/redis:7.4.2@${D1}`);
    expect(d.pin(Image.parse('redis:7.4.3')).toString()).toBe('docker.io/library/redis:7.4.3');
    expect(d.pin(Image.parse(`redis:7.4.2@${D2}`)).toString()).toBe(`docker.io/library/redis:7.4.2@${D2}`);
    expect(d.with(new Map([['docker.io/library/alpine:3', D2]])).toJson()).toBe(`{\n  "digests": {\n    "docker.io/library/alpine:3": "${D2}",\n    "docker.io/library/redis:7.4.2": "${D1}"\n  }\n}\n`);
  });

  it('refuses a bad digest and a key that is not a canonical tag reference, naming the key', () => {
    expect(() => ImageDigests.parse({ digests: { 'docker.io/library/redis:7.4.2': 'sha256:abc' } })).toThrow(/digests\.docker\.io\/library\/redis:7\.4\.2: must be sha256:<64 hex digits>/);
    expect(() => ImageDigests.parse({ digests: { 'redis:7.4.2': D1 } })).toThrow(/must be a canonical tag reference without digest \(docker\.io\/library\/redis:7\.4\.2\)/);
    expect(() => ImageDigests.parse({ digests: { 'docker.io/library/redis': D1 } })).toThrow(/must be a canonical tag reference/);
  });
});

describe('relocation with digests', () => {
  const digests = ImageDigests.parse({ digests: { 'docker.io/library/redis:7.4.2': D1, 'mirror.local:5000/library/redis:7.4.2': D2, 'registry.local:5000/app:1': D1 } });

  it("pins the reference pulled: the upstream one, or the mirror's copy by the mirror's digest", () => {
    expect(new RegistryPolicy({ allowedRegistries: [], allowedHosts: [] }, [], digests).relocate(Image.parse('redis:7.4.2')).toString()).toBe(`docker.io/library/redis:7.4.2@${D1}`);
    const mirrored = new RegistryPolicy({ mirror: 'mirror.local:5000', allowedRegistries: [], allowedHosts: [] }, [], digests);
    expect(mirrored.relocate(Image.parse('redis:7.4.2')).toString()).toBe(`mirror.local:5000/library/redis:7.4.2@${D2}`);
    // The platform's own registry (CI-built images) is left to the Image Updater.
    expect(new RegistryPolicy({ allowedRegistries: [], allowedHosts: [] }, ['registry.local:5000'], digests).relocate(Image.parse('registry.local:5000/app:1')).toString()).toBe('registry.local:5000/app:1');
  });

  it('the airgap synth writes the pinned reference into the manifests and the image lock', () => {
    const config = parseEnvironment(environments.find((e) => e.name === 'airgap')!);
    const { platform } = buildEnvironment(config);
    const mirror = config.registry.mirror!;
    const pinned = ImageDigests.parse({ digests: { [`${mirror}/library/redis:7.4.2`]: D2 } });
    const out = synthesize(platform, new RegistryPolicy(config.registry, [config.components.ci.registry.host], pinned));
    const lock = JSON.parse(out.files.get('images.lock.json') as string) as Record<string, string>;
    expect(lock['docker.io/library/redis:7.4.2']).toBe(`${mirror}/library/redis:7.4.2@${D2}`);
    expect(out.files.get('images.txt')).toContain('docker.io/library/redis:7.4.2\n');
    const chatbot = [...out.files.keys()].filter((f) => f.startsWith('chatbot/')).map((f) => out.files.get(f)).join('');
    expect(chatbot).toContain(`image: ${mirror}/library/redis:7.4.2@${D2}`);
    // The production rule no longer finds Redis.
    expect((out.warnings ?? []).filter((w) => w.message.includes('library/redis:7.4.2') && w.message.endsWith('[mutable-image]'))).toEqual([]);
  });
});

describe('what images resolve asks for', () => {
  it("an environment's lock targets of upstream sources, tag only; images CI builds are skipped", () => {
    const tree = treeFromFiles(
      new Map([
        ['site/images.lock.json', JSON.stringify({ 'docker.io/library/redis:7.4.2': `m.local/library/redis:7.4.2@${D1}`, 'registry.local:5000/app:1': 'registry.local:5000/app:1' })],
        ['site/images.txt', 'docker.io/library/redis:7.4.2\n'],
      ]),
    );
    expect(referencesToResolve(tree, 'site', ['m.local', 'registry.local:5000'])).toEqual(['m.local/library/redis:7.4.2']);
  });

  it('asks Docker Hub at registry-1.docker.io, and a mapped host for another registry', () => {
    expect(manifestUrl(Image.parse('redis:7.4.2'))).toBe('https://registry-1.docker.io/v2/library/redis/manifests/7.4.2');
    expect(manifestUrl(Image.parse('m.local/library/redis:7.4.2'), { 'm.local': '127.0.0.1:5000' }, true)).toBe('http://127.0.0.1:5000/v2/library/redis/manifests/7.4.2');
  });

  it('reads a bearer challenge, and fetches an anonymous token when the registry asks', async () => {
    expect(bearerChallenge('Bearer realm="https://auth.example/token",service="reg",scope="repository:x:pull"')).toEqual({ realm: 'https://auth.example/token', service: 'reg', scope: 'repository:x:pull' });
    expect(bearerChallenge('Basic realm="x"')).toBeUndefined();
    const calls: string[] = [];
    const fake: Fetch = async (url, init) => {
      calls.push(`${init?.method ?? 'GET'} ${url} ${init?.headers?.Authorization ?? ''}`.trim());
      if (url.startsWith('https://auth.example/')) return new Response(JSON.stringify({ token: 't0k' }));
      if (init?.headers?.Authorization !== 'Bearer t0k') return new Response(null, { status: 401, headers: { 'WWW-Authenticate': 'Bearer realm="https://auth.example/token",service="reg"' } });
      return new Response(null, { status: 200, headers: { 'Docker-Content-Digest': D1 } });
    };
    expect(await resolveDigest('reg.example/acme/app:1', { fetch: fake })).toBe(D1);
    expect(calls).toEqual([
      'HEAD https://reg.example/v2/acme/app/manifests/1',
      'GET https://auth.example/token?service=reg&scope=repository%3Aacme%2Fapp%3Apull',
      'HEAD https://reg.example/v2/acme/app/manifests/1 Bearer t0k',
    ]);
  });

  it('names the reference when the registry refuses or gives no valid digest', async () => {
    const answer = (status: number, headers: Record<string, string> = {}): Fetch => async () => new Response(null, { status, headers });
    await expect(resolveDigest('reg.example/acme/app:1', { fetch: answer(404) })).rejects.toThrow('reg.example/acme/app:1: https://reg.example/v2/acme/app/manifests/1 has no such tag (HTTP 404)');
    await expect(resolveDigest('reg.example/acme/app:1', { fetch: answer(401, { 'WWW-Authenticate': 'Basic realm="x"' }) })).rejects.toThrow(/asks for credentials/);
    await expect(resolveDigest('reg.example/acme/app:1', { fetch: answer(200, { 'Docker-Content-Digest': 'md5:1' }) })).rejects.toThrow(/gave digest 'md5:1'/);
  });
});

/** Pushes a blob and an OCI manifest naming it under `tag` (the Distribution API's push); returns the manifest's digest. */
async function pushImage(host: string, repo: string, tag: string, content: string): Promise<string> {
  const blob = Buffer.from(content);
  const blobDigest = `sha256:${createHash('sha256').update(blob).digest('hex')}`;
  const start = await fetch(`http://${host}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  expect(start.status).toBe(202);
  const location = new URL(start.headers.get('location')!, `http://${host}`);
  location.searchParams.set('digest', blobDigest);
  expect((await fetch(location, { method: 'PUT', body: blob, headers: { 'Content-Type': 'application/octet-stream' } })).status).toBe(201);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: blobDigest, size: blob.length },
      layers: [],
    }),
  );
  expect((await fetch(`http://${host}/v2/${repo}/manifests/${tag}`, { method: 'PUT', body: manifest, headers: { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' } })).status).toBe(201);
  return `sha256:${createHash('sha256').update(manifest).digest('hex')}`;
}

/** The Distribution registry (Debian package docker-registry) on loopback, plain HTTP, as the site's mirror. */
describe.skipIf(!DOCKER_REGISTRY)('images resolve against a registry (skipped without the docker-registry binary: apt-get install docker-registry)', () => {
  let tmp = '';
  let registry: ChildProcess;
  let host = '';

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kompile-images-resolve-'));
    ({ host, process: registry } = await startLocalRegistry(tmp, { deleteEnabled: false }));
    // A site's tree: one upstream image pulled from the mirror, one CI-built image.
    fs.mkdirSync(path.join(tmp, 'dist', 'site'), { recursive: true });
    fs.writeFileSync(path.join(tmp, 'dist', 'site', 'images.lock.json'), JSON.stringify({ 'docker.io/acme/app:1.0': 'mirror.site:5000/acme/app:1.0' }));
    fs.writeFileSync(path.join(tmp, 'dist', 'site', 'images.txt'), 'docker.io/acme/app:1.0\n');
  });

  afterAll(() => {
    registry?.kill();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('records the digest the mirror gives for the tag; a moved tag is refused until --update; a missing one names it', async () => {
    const first = await pushImage(host, 'acme/app', '1.0', 'first');
    const args = ['images', 'resolve', '--registry', `mirror.site:5000=${host}`, '--plain-http'];
    const r = await kompile(tmp, ...args);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`mirror.site:5000/acme/app:1.0: digest ${first} recorded\n`);
    const file = path.join(tmp, 'images.digests.json');
    expect(ImageDigests.parse(JSON.parse(fs.readFileSync(file, 'utf8'))).digestOf(Image.parse('mirror.site:5000/acme/app:1.0'))).toBe(first);
    expect((await kompile(tmp, ...args)).out).toContain('mirror.site:5000/acme/app:1.0: digest verified\n');

    const moved = await pushImage(host, 'acme/app', '1.0', 'second');
    const refused = await kompile(tmp, ...args);
    expect(refused.code).toBe(1);
    expect(refused.out).toContain(`error: mirror.site:5000/acme/app:1.0: the registry now gives ${moved}, images.digests.json records ${first} (the tag was moved; --update accepts it)\n`);
    expect(ImageDigests.parse(JSON.parse(fs.readFileSync(file, 'utf8'))).digestOf(Image.parse('mirror.site:5000/acme/app:1.0'))).toBe(first);
    expect((await kompile(tmp, ...args, '--update')).code).toBe(0);
    expect(ImageDigests.parse(JSON.parse(fs.readFileSync(file, 'utf8'))).digestOf(Image.parse('mirror.site:5000/acme/app:1.0'))).toBe(moved);

    fs.writeFileSync(path.join(tmp, 'dist', 'site', 'images.lock.json'), JSON.stringify({ 'docker.io/acme/app:2.0': 'mirror.site:5000/acme/app:2.0' }));
    const missing = await kompile(tmp, ...args);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain(`mirror.site:5000/acme/app:2.0: http://${host}/v2/acme/app/manifests/2.0 has no such tag (HTTP 404)`);
    expect((await kompile(tmp, 'images', 'resolve', '--registry', 'nohost')).err).toContain("--registry must be <registry>=<host to ask>, got 'nohost'");
  });
});
