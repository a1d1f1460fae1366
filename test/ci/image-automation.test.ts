import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { k8s } from 'cdk8s-plus-28';
import { parse, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ImageAutomation, KUSTOMIZATION_FILE, writeBackFile } from '../../lib/ci/image-automation';
import { ImageUpdater } from '../../lib/ci/image-updater';
import { Component } from '../../lib/core/component';
import { ChartSource, UpstreamChart } from '../../lib/core/upstream-chart';
import { isWriteBack, writeOutputs } from '../../lib/core/writer';
import { RegistryPolicy } from '../../lib/core/registry-policy';
import { findObject, objectsIn, synthEnvironment, synthIssues, synthPlatform, testPlatform } from '../helpers';
import { dig, item } from './dig';

const REGISTRY = 'registry.local:30500';

function appWithDeployment(platform: ReturnType<typeof testPlatform>) {
  const app = new Component(platform, 'App', { name: 'backend', namespace: 'apps' });
  new k8s.KubeDeployment(app, 'Resource', {
    metadata: { name: 'backend', namespace: 'apps' },
    spec: {
      selector: { matchLabels: { app: 'backend' } },
      template: { metadata: { labels: { app: 'backend' } }, spec: { containers: [{ name: 'api', image: `${REGISTRY}/chatbot/backend:1.0.0` }, { name: 'worker', image: `${REGISTRY}/chatbot/worker:1.0.0` }] } },
    },
  });
  return app;
}

/** Write-back settings every test shares: Delivery's defaults for environment `dev`. */
const WRITE_BACK = { namespace: 'argocd', registry: REGISTRY, targetBranch: 'main', writeBranch: 'image-updates/dev', gitCredentialsSecret: 'image-updater-git' };

describe('ImageAutomation', () => {
  it('writes an ImageUpdater following each channel tag by digest, writing back with its own credential to its own branch', () => {
    const platform = testPlatform();
    const target = appWithDeployment(platform);
    const holder = new Component(platform, 'Automation', { name: 'image-automation', namespace: 'argocd' });
    new ImageAutomation(holder, 'Backend', {
      ...WRITE_BACK,
      target,
      targetBranch: 'production',
      writeBranch: 'bot/images',
      gitCredentialsSecret: 'bot-key',
      writeRepository: 'ssh://git@gitlab.example.com/platform/gitops.git',
      images: [
        { alias: 'api', image: `${REGISTRY}/chatbot/backend`, tag: 'stable' },
        { alias: 'worker', image: `${REGISTRY}/chatbot/worker`, tag: 'release' },
      ],
    });
    const out = synthPlatform(platform);
    const iu = findObject(objectsIn(out, 'image-automation/manifests.yaml'), 'ImageUpdater', 'backend', 'argocd');
    expect(dig(iu, 'spec.applicationRefs.0.namePattern')).toBe('backend');
    // Written with the CRD's defaults, which Argo CD's diff would otherwise see as drift.
    expect(dig(iu, 'spec.applicationRefs.0.useAnnotations')).toBe(false);
    expect(item(iu, 'spec.applicationRefs.0.images', 'api', 'alias')).toEqual({
      alias: 'api',
      imageName: `${REGISTRY}/chatbot/backend:stable`,
      commonUpdateSettings: { updateStrategy: 'digest', forceUpdate: false },
    });
    expect(item(iu, 'spec.applicationRefs.0.images', 'worker', 'alias').imageName).toBe(`${REGISTRY}/chatbot/worker:release`);
    expect(dig(iu, 'spec.writeBackConfig')).toEqual({
      method: 'git:secret:argocd/bot-key',
      gitConfig: { branch: 'production:bot/images', repository: 'ssh://git@gitlab.example.com/platform/gitops.git' },
    });
    // No write-back target: Image Updater writes .argocd-source-<app>.yaml in the app's folder.
    expect(dig(iu, 'spec.writeBackConfig.gitConfig.writeBackTarget')).toBeUndefined();
  });

  it("pushes to the Application's repository when no write repository is given", () => {
    const platform = testPlatform();
    const target = appWithDeployment(platform);
    new ImageAutomation(new Component(platform, 'A', { name: 'image-automation', namespace: 'argocd' }), 'B', { ...WRITE_BACK, target, images: [{ alias: 'api', image: `${REGISTRY}/chatbot/backend`, tag: 'release' }] });
    const iu = findObject(objectsIn(synthPlatform(platform), 'image-automation/manifests.yaml'), 'ImageUpdater', 'backend', 'argocd');
    expect(dig(iu, 'spec.writeBackConfig')).toEqual({ method: 'git:secret:argocd/image-updater-git', gitConfig: { branch: 'main:image-updates/dev' } });
  });

  it('refuses to write back to the branch Argo CD follows', () => {
    const platform = testPlatform();
    const target = appWithDeployment(platform);
    const holder = new Component(platform, 'A', { name: 'image-automation', namespace: 'argocd' });
    expect(() => new ImageAutomation(holder, 'B', { ...WRITE_BACK, target, writeBranch: 'main', images: [{ alias: 'api', image: `${REGISTRY}/chatbot/backend`, tag: 'release' }] })).toThrow(/prop 'writeBranch': 'main' is the target branch/);
  });

  it("turns the target's folder into a Kustomize application over its manifests", () => {
    const platform = testPlatform();
    const target = appWithDeployment(platform);
    new ImageAutomation(new Component(platform, 'A', { name: 'image-automation', namespace: 'argocd' }), 'B', { ...WRITE_BACK, target, images: [{ alias: 'api', image: `${REGISTRY}/chatbot/backend`, tag: 'release' }] });
    const out = synthPlatform(platform);
    expect(parse(out.files.get(`backend/${KUSTOMIZATION_FILE}`)!)).toEqual({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: ['manifests.yaml'] });
    expect(out.files.has('backend/manifests.yaml')).toBe(true);
  });

  it.each([
    [[], /prop 'images' is empty/],
    [[{ alias: 'a', image: `${REGISTRY}/x:1.0`, tag: 'release' }], /carries a tag or digest/],
    [[{ alias: 'a', image: 'docker.io/library/nginx', tag: 'release' }], /not in the platform registry/],
    [[{ alias: 'a', image: `${REGISTRY}/x`, tag: 'a b' }], /tag 'a b' of 'a' is not an image tag/],
    [
      [
        { alias: 'a', image: `${REGISTRY}/x`, tag: 'release' },
        { alias: 'a', image: `${REGISTRY}/y`, tag: 'release' },
      ],
      /alias 'a' is used twice/,
    ],
  ])('refuses bad images %#', (images, message) => {
    const platform = testPlatform();
    const target = appWithDeployment(platform);
    const holder = new Component(platform, 'A', { name: 'image-automation', namespace: 'argocd' });
    expect(() => new ImageAutomation(holder, 'B', { ...WRITE_BACK, target, images })).toThrow(message);
  });

  it('refuses an image the component does not run: Image Updater would skip it and the override would change nothing', () => {
    const platform = testPlatform();
    const target = appWithDeployment(platform);
    const holder = new Component(platform, 'A', { name: 'image-automation', namespace: 'argocd' });
    new ImageAutomation(holder, 'B', { ...WRITE_BACK, target, images: [{ alias: 'api', image: `${REGISTRY}/chatbot/backend`, tag: 'release' }, { alias: 'ui', image: `${REGISTRY}/chatbot/frontend`, tag: 'release' }] });
    const issues = synthIssues(() => synthPlatform(platform));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/image 'ui' \(registry\.local:30500\/chatbot\/frontend\) is run by no container of component 'backend'.*running: registry\.local:30500\/chatbot\/backend, registry\.local:30500\/chatbot\/worker/);
  });

  it('refuses an upstream chart as target: it has no folder', () => {
    const platform = testPlatform();
    const chart = new UpstreamChart(platform, 'Chart', { name: 'chart', namespace: 'x', source: ChartSource.helmRepo('https://charts.example.org', 'c', '1.0.0') });
    const holder = new Component(platform, 'A', { name: 'image-automation', namespace: 'argocd' });
    expect(() => new ImageAutomation(holder, 'B', { ...WRITE_BACK, target: chart, images: [{ alias: 'a', image: `${REGISTRY}/x`, tag: 'release' }] })).toThrow(/upstream chart; it has no folder/);
  });
});

describe('ImageUpdater chart', () => {
  it('reaches the platform registry in-cluster with a pull Secret and its CA, and relocates its own image', () => {
    const platform = testPlatform();
    new ImageUpdater(platform, 'IU', { namespace: 'argocd', chartVersion: '1.3.0', image: 'quay.io/argoprojlabs/argocd-image-updater:v1.3.0', registryHost: REGISTRY, registryApi: 'registry.registry.svc:5000', pullSecret: 'pull', caConfigMap: 'ca' });
    const out = synthPlatform(platform, new RegistryPolicy({ mirror: 'mirror.site:5000', allowedRegistries: [], allowedHosts: [] }));
    const app = findObject(objectsIn(out, 'apps/argocd-image-updater.yaml'), 'Application', 'argocd-image-updater');
    expect(dig(app, 'spec.source')).toMatchObject({ repoURL: 'https://argoproj.github.io/argo-helm', chart: 'argocd-image-updater', targetRevision: '1.3.0' });
    const values = dig(app, 'spec.source.helm.valuesObject');
    expect(dig(values, 'config.registries.0')).toEqual({ name: 'platform', prefix: REGISTRY, api_url: 'https://registry.registry.svc:5000', credentials: 'pullsecret:argocd/pull', insecure: false, default: false });
    expect(dig(values, 'image')).toEqual({ repository: 'mirror.site:5000/argoprojlabs/argocd-image-updater', tag: 'v1.3.0' });
    expect(dig(values, 'volumes.0.configMap.name')).toBe('ca');
    expect(dig(values, 'volumeMounts.0')).toMatchObject({ mountPath: '/etc/ssl/certs/platform-registry-ca.crt', subPath: 'ca.crt' });
    expect(dig(app, 'spec.syncPolicy.syncOptions')).toContain('ServerSideApply=true');
  });
});

describe('Image Updater write-back', () => {
  it('survives a fresh synth: the tag Image Updater committed stays in the component folder', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kompile-writeback-'));
    const dist = path.join(dir, 'dist');
    try {
      const first = synthEnvironment();
      writeOutputs(dist, [first], { preserve: isWriteBack });
      const folder = path.join(dist, 'dev', 'kcloud-optimizer');
      expect(fs.existsSync(path.join(folder, KUSTOMIZATION_FILE))).toBe(true);

      // What Image Updater's Git write-back commits for a Kustomize application: the parameter
      // overrides file of the Application, with the new tag under kustomize.images.
      const writeBack = path.join(folder, writeBackFile('kcloud-optimizer'));
      const content = stringify({ kustomize: { images: [`${REGISTRY}/kcloud/kcloud-operator:v0.2.0`] } });
      fs.writeFileSync(writeBack, content);

      writeOutputs(dist, [synthEnvironment()], { preserve: isWriteBack });
      expect(fs.readFileSync(writeBack, 'utf8')).toBe(content);
      // Kompile still writes its own tag; the override is Argo CD's to apply on top.
      expect(fs.readFileSync(path.join(folder, 'manifests.yaml'), 'utf8')).toContain(`${REGISTRY}/kcloud/kcloud-operator:v0.1.0`);
      // Without preservation (any other file), a fresh synth drops what it did not write.
      fs.writeFileSync(path.join(folder, 'notes.yaml'), 'x: 1\n');
      writeOutputs(dist, [synthEnvironment()], { preserve: isWriteBack });
      expect(fs.existsSync(path.join(folder, 'notes.yaml'))).toBe(false);
      expect(fs.existsSync(writeBack)).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('matches only Image Updater files', () => {
    expect(isWriteBack('dev/kcloud-optimizer/.argocd-source-kcloud-optimizer.yaml')).toBe(true);
    expect(isWriteBack('dev/kcloud-optimizer/manifests.yaml')).toBe(false);
    expect(isWriteBack('dev/kcloud-optimizer/kustomization.yml')).toBe(false);
  });
});
