import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { followedImages, isSourceOverrideFile, writeBackApplication, writeBackFindings, WriteBackContext } from '../../lib/checks/write-back';
import { RegistryPolicy } from '../../lib/core/registry-policy';

const fixture = (name: string) => fs.readFileSync(path.join(__dirname, '../fixtures/write-back', name), 'utf8');
const REGISTRY = 'registry.local:30500';
const FILE = '.argocd-source-chatbot.yaml';

const CTX: WriteBackContext = {
  folder: 'chatbot',
  followed: [
    { name: `${REGISTRY}/chatbot/backend`, tag: 'release' },
    { name: `${REGISTRY}/chatbot/frontend`, tag: 'release' },
  ],
  lockedNames: new Set([`${REGISTRY}/chatbot/backend`, `${REGISTRY}/chatbot/frontend`, 'docker.io/library/redis']),
};
const AIRGAP = new RegistryPolicy({ mirror: 'mirror.site:5000', allowedRegistries: ['mirror.site:5000'], allowedHosts: [] }, [REGISTRY]);

describe('write-back file names', () => {
  it("reads the application from Image Updater's file name, and knows Argo CD's folder-wide file", () => {
    expect(writeBackApplication('.argocd-source-chatbot.yaml')).toBe('chatbot');
    expect(writeBackApplication('.argocd-source-chatbot.yml')).toBe('chatbot');
    expect(writeBackApplication('.argocd-source.yaml')).toBeUndefined();
    expect(writeBackApplication('manifests.yaml')).toBeUndefined();
    expect(isSourceOverrideFile('.argocd-source.yaml')).toBe(true);
    expect(isSourceOverrideFile('.argocd-source-x.yaml')).toBe(true);
    expect(isSourceOverrideFile('kustomization.yml')).toBe(false);
  });
});

describe('writeBackFindings', () => {
  it('passes what Image Updater writes with the digest strategy: followed images, their channel tag, a digest', () => {
    expect(writeBackFindings(FILE, fixture('good.yaml'), CTX)).toEqual([]);
    expect(writeBackFindings(FILE, fixture('good.yaml'), { ...CTX, policy: AIRGAP })).toEqual([]);
    // An empty file overrides nothing.
    expect(writeBackFindings(FILE, '', CTX)).toEqual([]);
  });

  it('refuses a hand-edited file: other source fields, bare tags, other tags, other images, bad digests', () => {
    const findings = writeBackFindings(FILE, fixture('bad.yaml'), { ...CTX, policy: AIRGAP });
    expect(findings).toEqual([
      { pointer: '/helm', message: "overrides 'helm' of the application's source; an Image Updater write-back of a Kustomize application holds only 'kustomize.images'" },
      { pointer: '/kustomize/namePrefix', message: "overrides 'kustomize.namePrefix'; an Image Updater write-back holds only 'kustomize.images'" },
      { pointer: '/kustomize/images/0', message: `image '${REGISTRY}/chatbot/backend:v9.9.9' has tag 'v9.9.9', but Image Updater follows 'release' of ${REGISTRY}/chatbot/backend` },
      { pointer: '/kustomize/images/0', message: expect.stringMatching(/^image '.*backend:v9\.9\.9' carries no digest: a write-back must pin '<image>:<tag>@sha256:<digest>'/) },
      { pointer: '/kustomize/images/1', message: expect.stringMatching(/has tag 'latest', but Image Updater follows 'release'/) },
      { pointer: '/kustomize/images/2', message: expect.stringMatching(/^image 'docker\.io\/attacker\/miner:release@sha256:4+' is not one the ImageUpdater resource of application 'chatbot' follows \(registry\.local:30500\/chatbot\/backend, registry\.local:30500\/chatbot\/frontend\)/) },
      { pointer: '/kustomize/images/2', message: "image 'docker.io/attacker/miner' is not in the environment's image lock (images.lock.json): the write-back names an image the environment does not run" },
      { pointer: '/kustomize/images/2', message: expect.stringMatching(/miner.* is outside the allowed registries$/) },
      { pointer: '/kustomize/images/3', message: expect.stringMatching(/invalid image reference .*bad digest 'sha256:abc'/) },
    ]);
    // Without a restricting policy, the registry is not judged; the rest is.
    expect(writeBackFindings(FILE, fixture('bad.yaml'), CTX).filter((f) => f.message.includes('allowed registries'))).toEqual([]);
  });

  it('refuses a digest that is not sha256', () => {
    const f = writeBackFindings(FILE, `kustomize:\n  images:\n    - ${REGISTRY}/chatbot/backend:release@sha512:${'a'.repeat(128)}\n`, CTX);
    expect(f).toEqual([{ pointer: '/kustomize/images/0', message: expect.stringMatching(/has digest 'sha512:a+', not 'sha256:' and 64 hex digits/) }]);
  });

  it('refuses a write-back for an application nothing automates, in another folder, or the folder-wide file', () => {
    expect(writeBackFindings(FILE, fixture('good.yaml'), { ...CTX, followed: [] })).toEqual([{ pointer: '', message: expect.stringMatching(/no ImageUpdater resource of the environment rolls out application 'chatbot'/) }]);
    expect(writeBackFindings('.argocd-source-other.yaml', fixture('good.yaml'), CTX)).toEqual([{ pointer: '', message: expect.stringMatching(/write-back file for application 'other' in folder 'chatbot'/) }]);
    expect(writeBackFindings('.argocd-source.yaml', 'kustomize: {}\n', CTX)).toEqual([{ pointer: '', message: expect.stringMatching(/overrides the source of every application of folder 'chatbot'/) }]);
  });

  it('refuses what Argo CD could not read as one override', () => {
    expect(writeBackFindings(FILE, 'kustomize: [\n', CTX)[0].message).toMatch(/^is not YAML/);
    expect(writeBackFindings(FILE, '- a\n', CTX)).toEqual([{ pointer: '', message: expect.stringMatching(/is not a mapping/) }]);
    expect(writeBackFindings(FILE, 'kustomize: {}\n---\nkustomize: {}\n', CTX)).toEqual([{ pointer: '', message: 'holds 2 YAML documents; Argo CD reads one source override' }]);
    expect(writeBackFindings(FILE, 'kustomize: x\n', CTX)).toEqual([{ pointer: '/kustomize', message: 'is not a mapping' }]);
    expect(writeBackFindings(FILE, 'kustomize:\n  images: x\n', CTX)).toEqual([{ pointer: '/kustomize/images', message: 'is not a list' }]);
    expect(writeBackFindings(FILE, 'kustomize:\n  images: [1]\n', CTX)).toEqual([{ pointer: '/kustomize/images/0', message: expect.stringMatching(/is not a string/) }]);
  });
});

describe('followedImages', () => {
  it('reads the images and channel tags an ImageUpdater follows for one application', () => {
    const iu = {
      kind: 'ImageUpdater',
      spec: {
        applicationRefs: [
          { namePattern: 'chatbot', images: [{ alias: 'b', imageName: `${REGISTRY}/chatbot/backend:release` }, { alias: 'bad', imageName: 'Not An Image' }] },
          { namePattern: 'other', images: [{ alias: 'o', imageName: `${REGISTRY}/other:release` }] },
        ],
      },
    };
    expect(followedImages([iu], 'chatbot')).toEqual([{ name: `${REGISTRY}/chatbot/backend`, tag: 'release' }]);
    expect(followedImages([iu], 'nope')).toEqual([]);
    expect(followedImages([{ kind: 'ImageUpdater' }], 'chatbot')).toEqual([]);
  });
});
