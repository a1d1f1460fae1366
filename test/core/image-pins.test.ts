import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ChatbotSchema } from '../../lib/mlops/chatbot/config';
import { CiSchema } from '../../lib/core/config/ci';
import { MlopsSchema } from '../../lib/core/config/mlops';
import { IMAGE_PINS, ImagePins } from '../../lib/core/image-pins';
import { jenkinsVersionOfImage } from '../../lib/core/jenkins-version';
import { base } from '../../stacks/base';
import { ToolHiveOperator } from '../../lib/operators/toolhive/toolhive-operator';
import { KServe } from '../../lib/serving/kserve';
import { synthPlatform, testPlatform } from '../helpers';

const pin = (over: Record<string, unknown> = {}) => ({ name: 'proxy', repository: 'quay.io/brancz/kube-rbac-proxy', tag: 'v0.18.0', note: 'metrics proxy', ...over });
const parse = (...images: unknown[]) => ImagePins.parse({ images });

describe('images.pins.json: the image tags Kompile pins in code', () => {
  it('gives the reference of a pin by name', () => {
    expect(parse(pin()).reference('proxy')).toBe('quay.io/brancz/kube-rbac-proxy:v0.18.0');
    expect(parse(pin({ repository: 'registry.local:5000/team/app', tag: '23.05-py3' })).reference('proxy')).toBe('registry.local:5000/team/app:23.05-py3');
  });

  it('rejects a bad entry naming the field', () => {
    expect(() => parse(pin({ tag: 'v1 beta' }))).toThrow(/images\[0\]\.tag: must be an image tag such as v0\.18\.0/);
    expect(() => parse(pin({ tag: '' }))).toThrow(/images\[0\]\.tag: must be an image tag/);
    expect(() => parse(pin(), pin({ name: 'b', repository: 'pytorch/torchserve-kfs' }))).toThrow(/images\[1\]\.repository: must name its registry \(such as docker\.io\/pytorch\/torchserve-kfs\)/);
    expect(() => parse(pin({ repository: 'quay.io/brancz/kube-rbac-proxy:v0.18.0' }))).toThrow(/images\[0\]\.repository: invalid image reference/);
    expect(() => parse(pin({ repository: 'quay.io/Brancz/proxy' }))).toThrow(/images\[0\]\.repository: invalid image reference/);
    expect(() => parse(pin({ name: 'Proxy' }))).toThrow(/images\[0\]\.name: must be a lowercase name/);
    expect(() => parse(pin(), pin())).toThrow(/images\[1\]\.name: 'proxy' is pinned twice/);
    expect(() => parse(pin({ version: '1' }))).toThrow(/images\[0\]: Unrecognized key\(s\) in object: 'version'/);
    expect(() => parse({ name: 'x', repository: 'docker.io/x/y', tag: '1' })).toThrow(/images\[0\]\.note: Required/);
    expect(() => ImagePins.parse({ image: [] })).toThrow(/images: Required/);
  });

  it('names the pins it has when asked for one it has not', () => {
    expect(() => parse(pin()).reference('kube-proxy')).toThrow("images.pins.json pins no image 'kube-proxy' (it pins proxy)");
  });

  it('the constructs take their images from the pins: they reach the synthesized image list', () => {
    const platform = testPlatform();
    new KServe(platform, 'KServe', { version: '0.15.2', namespace: 'kserve', deploymentMode: 'RawDeployment', domain: 'd.example.org' });
    new ToolHiveOperator(platform, 'ToolHive', { version: '0.44.0', namespace: 'toolhive', watchNamespaces: ['toolhive'] });
    const listed = synthPlatform(platform).files.get('images.txt')!.split('\n');
    for (const name of ['kube-rbac-proxy', 'torchserve', 'tensorflow-serving', 'mlserver', 'tritonserver', 'thv-registry-api']) {
      expect(listed).toContain(IMAGE_PINS.reference(name));
    }
  });

  it('the configuration defaults are the pins', () => {
    const chatbot = ChatbotSchema.parse({});
    const ci = CiSchema.parse({});
    const defaults = {
      redis: chatbot.redis.image,
      chroma: chatbot.chroma.image,
      zot: ci.registry.image,
      jenkins: ci.jenkins.image,
      'k8s-sidecar': ci.jenkins.sidecarImage,
      'inbound-agent': ci.jenkins.agentImage,
      kaniko: ci.kaniko.image,
      'argocd-image-updater': ci.imageUpdater.image,
      mlflow: MlopsSchema.parse({}).mlflow.image,
    };
    for (const [name, image] of Object.entries(defaults)) expect(image, name).toBe(IMAGE_PINS.reference(name));
    expect(base.components.toolhive.servers[0].image).toBe(IMAGE_PINS.reference('gofetch'));
  });

  it("the Jenkins pin names its core version, which the default plugins' requiresCore is checked against", () => {
    // A bump to a tag naming no version (lts-jdk21) would leave the plugins unchecked: the default configuration refuses it.
    expect(jenkinsVersionOfImage(IMAGE_PINS.reference('jenkins'))).toMatch(/^\d+\.\d+\.\d+$/);
    expect(CiSchema.safeParse({}).success).toBe(true);
    const older = CiSchema.safeParse({ jenkins: { image: 'docker.io/jenkins/jenkins:2.479.3-jdk21' } });
    expect(older.success).toBe(false);
    expect(older.error!.issues.map((i) => i.message).join('\n')).toMatch(/requires Jenkins 2\.504\.3 or newer, but the controller runs Jenkins 2\.479\.3/);
  });

  it('every pin is read by some construct or stack (none left over after its user stops using it)', () => {
    const tsFiles = (dir: string) => fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => fs.readFileSync(path.join(dir, f), 'utf8'));
    const sources = [...tsFiles(path.join(__dirname, '../../lib')), ...tsFiles(path.join(__dirname, '../../stacks'))].join('\n');
    const read = new Set([...sources.matchAll(/IMAGE_PINS\.reference\('([^']+)'\)/g)].map((m) => m[1]));
    expect(IMAGE_PINS.images.map((p) => p.name).filter((n) => !read.has(n))).toEqual([]);
  });
});
