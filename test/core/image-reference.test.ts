import { describe, expect, it } from 'vitest';
import {
  canonicalReference,
  formatSplitTag,
  ImageReferenceError,
  isTagAtDigest,
  joinSplitImage,
  parseReference,
  parseSplitTag,
  referenceAtImageKey,
  splitReference,
} from '../../lib/core/image-reference';

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;

describe('image reference grammar (distribution/reference v0.6.0)', () => {
  it.each([
    // Docker Hub defaults (normalize.go): registry docker.io, one-component names under library/.
    ['nginx', 'docker.io', 'library/nginx', undefined, undefined],
    ['nginx:1.27', 'docker.io', 'library/nginx', '1.27', undefined],
    ['docker.io/nginx:1.27', 'docker.io', 'library/nginx', '1.27', undefined],
    ['index.docker.io/library/nginx', 'docker.io', 'library/nginx', undefined, undefined],
    ['registry-1.docker.io/bitnami/redis:7', 'docker.io', 'bitnami/redis', '7', undefined],
    ['bitnami/redis:7.2', 'docker.io', 'bitnami/redis', '7.2', undefined],
    // Registry hosts: a dot, a port, localhost, an IP address, IPv6, an upper-case first component.
    ['ghcr.io/stacklok/toolhive/operator:v0.44.0', 'ghcr.io', 'stacklok/toolhive/operator', 'v0.44.0', undefined],
    ['registry.local:5000/chatbot/backend:1.0.0', 'registry.local:5000', 'chatbot/backend', '1.0.0', undefined],
    ['registry:5000/app', 'registry:5000', 'app', undefined, undefined],
    ['localhost/app:dev', 'localhost', 'app', 'dev', undefined],
    ['localhost:5000/app', 'localhost:5000', 'app', undefined, undefined],
    ['127.0.0.1:5000/team/app:1', '127.0.0.1:5000', 'team/app', '1', undefined],
    ['[::1]:5000/app:1', '[::1]:5000', 'app', '1', undefined],
    ['Registry/app', 'Registry', 'app', undefined, undefined],
    // A name without '/' is never a registry: `localhost:5000` is Docker Hub's `localhost` tagged 5000.
    ['localhost:5000', 'docker.io', 'library/localhost', '5000', undefined],
    // Digests, with and without a tag.
    [`quay.io/org/app@${A}`, 'quay.io', 'org/app', undefined, A],
    [`quay.io/org/app:1.0@${B}`, 'quay.io', 'org/app', '1.0', B],
    [`nginx@${A}`, 'docker.io', 'library/nginx', undefined, A],
    // Separators in path components: one period, one or two underscores, any run of dashes.
    ['a.b/c__d/e---f_g:x', 'a.b', 'c__d/e---f_g', 'x', undefined],
  ])('parses %s', (ref, registry, repository, tag, digest) => {
    expect(parseReference(ref)).toEqual({ registry, repository, tag, digest });
  });

  it.each([
    ['', /empty/],
    ['nginx latest', /whitespace/],
    ['a'.repeat(64), /hexadecimal identifier/],
    ['Nginx:1', /bad repository component 'Nginx'/],
    ['org/App:1', /bad repository component 'App'/],
    ['org//app', /bad repository component ''/],
    ['org/app_:1', /bad repository component 'app_'/],
    ['nginx:-bad', /bad tag '-bad'/],
    [`nginx:${'t'.repeat(129)}`, /bad tag/],
    ['nginx@sha256:xyz', /bad digest/],
    [`nginx@1sha:${'a'.repeat(64)}`, /bad digest/],
    [`nginx@sha256:${'a'.repeat(31)}`, /bad digest/],
    ['-bad.io/app', /bad registry '-bad.io'/],
    ['bad_host.io/x:1', /bad registry 'bad_host.io'/],
    [`ghcr.io/${'a/'.repeat(127)}abc`, /longer than 255/],
  ])('rejects %j, naming the part', (ref, reason) => {
    expect(() => parseReference(ref)).toThrow(ImageReferenceError);
    expect(() => parseReference(ref)).toThrow(reason);
  });

  it('splits a reference as written, without defaults', () => {
    expect(splitReference('nginx')).toEqual({ path: 'nginx' });
    expect(splitReference(`r.io:5000/a/b:v1@${A}`)).toEqual({ registry: 'r.io:5000', path: 'a/b', tag: 'v1', digest: A });
    expect(splitReference('ingress-nginx/controller')).toEqual({ path: 'ingress-nginx/controller' });
  });

  it('spells references canonically, and leaves a string that is none as it is', () => {
    expect(canonicalReference('nginx:1')).toBe('docker.io/library/nginx:1');
    expect(canonicalReference(`index.docker.io/org/app:1@${A}`)).toBe(`docker.io/org/app:1@${A}`);
    expect(canonicalReference('not a reference')).toBe('not a reference');
  });
});

describe('split images', () => {
  it.each([
    ['v1.11.3', { tag: 'v1.11.3' }],
    [`v1.11.3@${A}`, { tag: 'v1.11.3', digest: A }],
    [A, { digest: A }],
    [`@${A}`, { digest: A }],
    ['', {}],
  ])('reads the tag value %s', (value, parts) => {
    expect(parseSplitTag(value)).toEqual(parts);
  });

  it('refuses a tag value that is neither tag, tag@digest nor digest', () => {
    expect(() => parseSplitTag('v1@latest')).toThrow(/bad tag 'v1@latest'/);
  });

  it('writes tag@digest into a tag key, and refuses a digest alone, naming where', () => {
    expect(formatSplitTag({ tag: 'v1' }, 'x')).toBe('v1');
    expect(formatSplitTag({ tag: 'v1', digest: A }, 'x')).toBe(`v1@${A}`);
    expect(formatSplitTag({}, 'x')).toBe('');
    expect(() => formatSplitTag({ digest: A }, 'declared image field /spec/x')).toThrow(/^declared image field \/spec\/x: image pinned by digest alone/);
  });

  it('joins registry, repository, tag and digest keys into one reference', () => {
    expect(joinSplitImage({ registry: 'registry.k8s.io', repository: 'ingress-nginx/controller', tag: `v1.11.3@${A}` })).toBe(`registry.k8s.io/ingress-nginx/controller:v1.11.3@${A}`);
    expect(joinSplitImage({ repository: 'ghcr.io/org/app', tag: 'v1', digest: A })).toBe(`ghcr.io/org/app:v1@${A}`);
    expect(joinSplitImage({ repository: 'ghcr.io/org/app', tag: A })).toBe(`ghcr.io/org/app@${A}`);
    // A repository that names its registry keeps it; an empty registry key adds nothing.
    expect(joinSplitImage({ registry: 'quay.io', repository: 'ghcr.io/org/app', tag: 'v1' })).toBe('ghcr.io/org/app:v1');
    expect(joinSplitImage({ registry: '', repository: 'org/app', tag: 'v1' })).toBe('org/app:v1');
    expect(() => joinSplitImage({ repository: 'org/app:v1', tag: 'v2' })).toThrow(/own tag or digest beside a tag key/);
  });

  it('knows tag@digest from a Git remote and an e-mail address', () => {
    expect(isTagAtDigest(`v1.11.3@${A}`)).toBe(true);
    expect(isTagAtDigest('git@github.com:org/repo.git')).toBe(false);
    expect(isTagAtDigest('ops@example.com')).toBe(false);
  });
});

describe('referenceAtImageKey', () => {
  it.each([
    ['a full reference', { image: 'ghcr.io/org/app:v1' }, 'ghcr.io/org/app:v1'],
    ['a registry-less name beside its registry', { registry: 'registry.k8s.io', image: 'ingress-nginx/controller', tag: 'v1.11.3' }, 'registry.k8s.io/ingress-nginx/controller:v1.11.3'],
    ['registry, image, tag and digest keys', { registry: 'registry.k8s.io', image: 'ingress-nginx/controller', tag: 'v1.11.3', digest: A }, `registry.k8s.io/ingress-nginx/controller:v1.11.3@${A}`],
    ['a tag key pinned by digest', { image: 'ghcr.io/org/app', tag: `v1@${A}` }, `ghcr.io/org/app:v1@${A}`],
    ['a digest in the tag key', { image: 'ghcr.io/org/app', tag: `@${A}` }, `ghcr.io/org/app@${A}`],
    ["KServe's defaultVersion", { image: 'kserve/sklearnserver', defaultVersion: 'v0.15.2' }, 'kserve/sklearnserver:v0.15.2'],
    ['a tagged image beside a tag key (the image wins)', { image: 'org/app:1', tag: '2' }, 'org/app:1'],
    ['a tagged image beside a digest key', { image: 'org/app:1', digest: B }, `org/app:1@${B}`],
    ['a name with its own registry beside a registry key', { registry: 'quay.io', image: 'ghcr.io/org/app', tag: '1' }, 'ghcr.io/org/app:1'],
    ['a bad tag beside it (the string alone, for the parse to name)', { image: 'org/app', tag: 'v1@x' }, 'org/app'],
  ])('reads %s', (_what, map, reference) => {
    expect(referenceAtImageKey(map)).toBe(reference);
  });

  it('is undefined without an image string', () => {
    expect(referenceAtImageKey({ image: { repository: 'x' } })).toBeUndefined();
    expect(referenceAtImageKey({ tag: 'v1' })).toBeUndefined();
  });
});
