import { describe, expect, it } from 'vitest';
import { Image, ImageReferenceError } from '../../lib/core/image';
import { RegistryPolicy } from '../../lib/core/registry-policy';

describe('Image.parse', () => {
  it.each([
    ['nginx', 'docker.io/library/nginx'],
    ['nginx:1.27', 'docker.io/library/nginx:1.27'],
    ['docker.io/nginx:1.27', 'docker.io/library/nginx:1.27'],
    ['index.docker.io/library/nginx:1.27', 'docker.io/library/nginx:1.27'],
    ['bitnami/redis:7.2', 'docker.io/bitnami/redis:7.2'],
    ['ghcr.io/stacklok/toolhive/operator:v0.44.0', 'ghcr.io/stacklok/toolhive/operator:v0.44.0'],
    ['registry.local:5000/chatbot/backend:1.0.0', 'registry.local:5000/chatbot/backend:1.0.0'],
    ['localhost/app:dev', 'localhost/app:dev'],
    [`quay.io/org/app@sha256:${'a'.repeat(64)}`, `quay.io/org/app@sha256:${'a'.repeat(64)}`],
    [`quay.io/org/app:1.0@sha256:${'b'.repeat(64)}`, `quay.io/org/app:1.0@sha256:${'b'.repeat(64)}`],
  ])('normalises %s to %s', (ref, expected) => {
    expect(Image.parse(ref).toString()).toBe(expected);
  });

  it('splits registry, repository, tag and digest', () => {
    const img = Image.parse(`registry.local:5000/a/b/c:v1@sha256:${'c'.repeat(64)}`);
    expect(img.registry).toBe('registry.local:5000');
    expect(img.repository).toBe('a/b/c');
    expect(img.tag).toBe('v1');
    expect(img.digest).toBe(`sha256:${'c'.repeat(64)}`);
    expect(img.name).toBe('registry.local:5000/a/b/c');
  });

  it('knows an unpinned image', () => {
    expect(Image.parse('nginx').isUnpinned).toBe(true);
    expect(Image.parse('nginx:1').isUnpinned).toBe(false);
  });

  it.each([
    ['', /empty/],
    ['nginx latest', /whitespace/],
    ['Nginx:1', /repository component 'Nginx'/],
    ['nginx:-bad', /bad tag/],
    ['nginx@sha256:xyz', /bad digest/],
    ['bad_host.io:port/x:1', /bad registry|bad tag/],
  ])('rejects %j naming the reference', (ref, reason) => {
    expect(() => Image.parse(ref)).toThrow(ImageReferenceError);
    expect(() => Image.parse(ref)).toThrow(reason);
  });
});

describe('RegistryPolicy', () => {
  const airgap = new RegistryPolicy({ mirror: 'mirror.internal:35000', allowedRegistries: ['mirror.internal:35000'], allowedHosts: ['git.internal'] });
  const open = new RegistryPolicy({ allowedRegistries: [], allowedHosts: [] });

  it('relocates to the mirror keeping the repository path', () => {
    expect(airgap.relocate(Image.parse('ghcr.io/org/app:1')).toString()).toBe('mirror.internal:35000/org/app:1');
    expect(airgap.relocate(Image.parse('redis:7')).toString()).toBe('mirror.internal:35000/library/redis:7');
  });

  it('leaves images already on the mirror and everything without a mirror alone', () => {
    expect(airgap.relocate(Image.parse('mirror.internal:35000/org/app:1')).toString()).toBe('mirror.internal:35000/org/app:1');
    expect(open.relocate(Image.parse('ghcr.io/org/app:1')).toString()).toBe('ghcr.io/org/app:1');
  });

  it('allows images only from allowed registries', () => {
    expect(airgap.allowsImage(Image.parse('mirror.internal:35000/x:1'))).toBe(true);
    expect(airgap.allowsImage(Image.parse('ghcr.io/x:1'))).toBe(false);
    expect(open.allowsImage(Image.parse('ghcr.io/x:1'))).toBe(true);
  });

  it('allows URLs to allowed hosts and the cluster itself', () => {
    expect(airgap.allowsUrl('https://git.internal/org/repo.git')).toBe(true);
    expect(airgap.allowsUrl('http://mlflow.mlops-training.svc:5000')).toBe(true);
    expect(airgap.allowsUrl('http://minio.storage.svc.cluster.local:9000')).toBe(true);
    expect(airgap.allowsUrl('https://github.com/org/repo.git')).toBe(false);
    expect(airgap.allowsUrl('ghcr.io/kserve/charts')).toBe(false);
    expect(open.allowsUrl('https://github.com/org/repo.git')).toBe(true);
  });
});
