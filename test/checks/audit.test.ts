import { JsonPatch } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { describe, expect, it } from 'vitest';
import { auditObject, findingLocation, urlsInText } from '../../lib/checks/audit';
import { Component } from '../../lib/core/component';
import { RegistryPolicy } from '../../lib/core/registry-policy';
import { ChartSource, UpstreamChart } from '../../lib/core/upstream-chart';
import { checkImageLists } from '../../lib/tools/images';
import { KnativeServing } from '../../lib/serving/knative-serving';
import { treeFromFiles } from '../../lib/tools/tree';
import { validateTree } from '../../lib/tools/validate';
import { airgap } from '../../stacks/airgap';
import { dev } from '../../stacks/dev';
import { findObject, objectsIn, synthEnvironment, synthIssues, synthPlatform, testPlatform } from '../helpers';
import { files, Obj, yamlDocs } from '../tools/fixtures';

const POLICY = new RegistryPolicy({ mirror: 'mirror.internal:35000', allowedRegistries: ['mirror.internal:35000'], allowedHosts: ['git.internal'] });
/** Restricted, but without a mirror: relocation leaves every image where it is. */
const NO_MIRROR = new RegistryPolicy({ allowedRegistries: ['mirror.internal:35000'], allowedHosts: ['git.internal'] });
// No build jobs: their clone URLs (from the GitLab URL) would be findings of their own. The chatbot
// images the Image Updater watches are then pushed from outside the jobs (registry.access.ci).
const GITLAB_COM = { components: { ci: { jenkins: { gitlab: { url: 'https://gitlab.com' }, jobs: [] }, registry: { access: { ci: { repositories: ['chatbot/backend', 'chatbot/frontend', 'kcloud/kcloud-operator'] } } } } } };
const JCASC = '/spec/source/helm/valuesObject/controller/JCasC/configScripts/unclassified';

/** A platform with one ConfigMap holding `data`. */
function configMap(data: Record<string, string>) {
  const p = testPlatform('airgap', { repoURL: 'https://git.internal/gitops.git' });
  const c = new Component(p, 'C', { name: 'c', namespace: 'apps' });
  new k8s.KubeConfigMap(c, 'Settings', { metadata: { name: 'settings', namespace: 'apps' }, data });
  return p;
}

function knativeServing() {
  const p = testPlatform('airgap', { repoURL: 'https://git.internal/gitops.git' });
  const c = new Component(p, 'Knative', { name: 'knative-serving', namespace: 'knative-serving' });
  const ks = new KnativeServing(c, 'Serving', { namespace: 'knative-serving', version: '1.16.3', netIstioVersion: '1.16.0', domain: 'example.com' });
  return { p, resource: ks.resource };
}

function airgapTree(objects: readonly unknown[]) {
  return treeFromFiles(files({ 'airgap/app/manifests.yaml': yamlDocs(...objects) }));
}

describe('airgap audit of configuration held in strings', () => {
  it("fails the airgap synth on a public GitLab URL inside Jenkins' JCasC, naming the construct, the value and the place in the text", () => {
    expect(synthIssues(() => synthEnvironment(GITLAB_COM, airgap))).toEqual([
      `[Delivery/Jenkins/Chart/Application] ${JCASC} (in its text at unclassified.gitLabConnectionConfig.connections[0].url): 'https://gitlab.com' points outside the allowed hosts`,
    ]);
    // An environment without restrictions compiles it.
    const out = synthEnvironment(GITLAB_COM, dev);
    expect(out.files.get('apps/jenkins.yaml')).toContain('url: https://gitlab.com');
  });

  it('is reported by validate on a rendered tree', () => {
    const app = findObject(objectsIn(synthEnvironment(GITLAB_COM, dev), 'apps/jenkins.yaml'), 'Application', 'jenkins');
    const findings = validateTree(airgapTree([app]), { policies: new Map([['airgap', POLICY]]) }).filter((f) => f.rule === 'airgap');
    expect(findings.map((f) => `${f.path}: ${f.message}`)).toContainEqual(`${JCASC}: in its text at unclassified.gitLabConnectionConfig.connections[0].url: 'https://gitlab.com' points outside the allowed hosts`);
  });

  it("finds a URL in a ConfigMap's config file, parsed or plain text, and an image under 'image:' in YAML or JSON text", () => {
    const cm = configMap({
      'app.yaml': 'server:\n  port: 8080\n  upstream: https://api.openai.com/v1\n',
      'nginx.conf': 'location / {\n  proxy_pass https://huggingface.co/models;\n}\n',
      'pods.yaml': 'containers:\n  - name: tool\n    image: docker.io/library/busybox:1.36\n',
      // KServe's inferenceservice-config style: JSON per key.
      storageInitializer: '{"image": "kserve/storage-initializer:v0.15.2", "memoryRequest": "100Mi"}',
    });
    expect(synthIssues(() => synthPlatform(cm, POLICY)).sort()).toEqual([
      "[C/Settings] /data/app.yaml (in its text at server.upstream): 'https://api.openai.com/v1' points outside the allowed hosts",
      "[C/Settings] /data/nginx.conf: 'https://huggingface.co/models' points outside the allowed hosts",
      "[C/Settings] /data/pods.yaml (in its text at containers[0].image): image 'docker.io/library/busybox:1.36' is outside the allowed registries",
      "[C/Settings] /data/storageInitializer (in its text at image): image 'kserve/storage-initializer:v0.15.2' is outside the allowed registries",
    ]);
  });

  it('passes placeholders, in-cluster and allowed hosts, and prose, and flags only the outside URL beside them', () => {
    const cm = configMap({
      'jenkins.yaml': 'jenkins:\n  url: ${JENKINS_URL}\n  agent: "https://${AGENT_HOST}/x"\n  image: ${KANIKO_IMAGE}\n',
      'mlflow.conf': 'tracking_uri = http://mlflow.mlops.svc:5000\nartifacts = http://minio.mlops.svc.cluster.local:9000/bucket\nrepo = git@git.internal:platform/app.git\n',
      notes: 'Models are read from the shared volume.\nAsk ops@example.com: the site team fills it.\nRetry: 3 times, then stop.\n',
      mounts: 'cache: file:///var/cache/models\n',
      source: 'see https://git.internal/platform/docs and https://example.com/leak',
    });
    expect(synthIssues(() => synthPlatform(cm, POLICY))).toEqual(["[C/Settings] /data/source: 'https://example.com/leak' points outside the allowed hosts"]);
  });

  it('reads URLs and scp-like remotes anywhere in text, never placeholders or addresses', () => {
    expect(urlsInText('clone git@github.com:org/repo.git, then (https://user:pw@example.com:8443/a?b).')).toEqual([
      { url: 'https://example.com:8443', written: 'https://user:pw@example.com:8443/a?b' },
      { url: 'ssh://github.com', written: 'git@github.com:org/repo.git' },
    ]);
    expect(urlsInText('mail ops@example.com: ${URL} https://${HOST}/x unix:///run/x.sock')).toEqual([]);
  });

  it('does not read CRD schema descriptions, which are documentation', () => {
    const crd = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'x' }, spec: { versions: [{ schema: { openAPIV3Schema: { description: 'More info: https://kubernetes.io/docs', properties: { endpoint: { default: 'https://example.com' } } } } }] } };
    expect(auditObject(crd, new Set(), POLICY).map(findingLocation)).toEqual(['/spec/versions/0/schema/openAPIV3Schema/properties/endpoint/default']);
    // A description anywhere else is a value like any other.
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { description: 'More info: https://kubernetes.io/docs' } };
    expect(auditObject(cm, new Set(), POLICY)).toEqual([{ pointer: '/data/description', inner: undefined, message: "'https://kubernetes.io/docs' points outside the allowed hosts" }]);
  });
});

describe('airgap audit of custom-resource image maps', () => {
  const OVERRIDE = '/spec/registry/override/extra';

  it('fails the synth and validate on a KnativeServing override entry relocation did not touch', () => {
    const { p, resource } = knativeServing();
    resource.addJsonPatch(JsonPatch.add(OVERRIDE, 'gcr.io/knative-releases/knative.dev/extra:v1'));
    const found = synthIssues(() => synthPlatform(p, NO_MIRROR));
    expect(found).toContain(`[Knative/Serving/Resource] ${OVERRIDE}: image 'gcr.io/knative-releases/knative.dev/extra:v1' is outside the allowed registries`);

    const ks: Obj = {
      apiVersion: 'operator.knative.dev/v1beta1',
      kind: 'KnativeServing',
      metadata: { name: 'knative-serving', namespace: 'knative-serving' },
      spec: { registry: { override: { activator: 'mirror.internal:35000/knative/activator:v1', extra: 'gcr.io/knative-releases/knative.dev/extra:v1' } } },
    };
    const findings = validateTree(airgapTree([ks]), { policies: new Map([['airgap', POLICY]]) }).filter((f) => f.rule === 'airgap');
    expect(findings.map((f) => `${f.path}: ${f.message}`)).toEqual([`${OVERRIDE}: image 'gcr.io/knative-releases/knative.dev/extra:v1' is outside the allowed registries`]);
  });

  it('relocates, locks and lists an override entry added later, without a declaration', () => {
    const { p, resource } = knativeServing();
    resource.addJsonPatch(JsonPatch.add(OVERRIDE, 'gcr.io/knative-releases/knative.dev/extra:v1'));
    const out = synthPlatform(p, POLICY);
    const ks = findObject(objectsIn(out, 'knative-serving/manifests.yaml'), 'KnativeServing', 'knative-serving');
    expect((ks.spec as { registry: { override: Record<string, string> } }).registry.override.extra).toBe('mirror.internal:35000/knative-releases/knative.dev/extra:v1');
    expect(out.images.get('gcr.io/knative-releases/knative.dev/extra:v1')).toBe('mirror.internal:35000/knative-releases/knative.dev/extra:v1');
    expect(out.files.get('images.txt')).toContain('gcr.io/knative-releases/knative.dev/extra:v1\n');
  });

  it("checks the registry of the image template 'spec.registry.default'", () => {
    const { p, resource } = knativeServing();
    resource.addJsonPatch(JsonPatch.add('/spec/registry/default', 'gcr.io/knative-releases/knative.dev/${NAME}:v1.16.3'));
    expect(synthIssues(() => synthPlatform(p, POLICY))).toEqual([
      "[Knative/Serving/Resource] /spec/registry/default: image 'gcr.io/knative-releases/knative.dev/name:v1.16.3' is outside the allowed registries",
    ]);
    const { p: ok, resource: okResource } = knativeServing();
    okResource.addJsonPatch(JsonPatch.add('/spec/registry/default', 'mirror.internal:35000/knative/${NAME}:v1.16.3'));
    expect(() => synthPlatform(ok, POLICY)).not.toThrow();
  });
});

describe('airgap audit: what is no reference', () => {
  const cm = (data: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'apps' }, data });
  const findings = (obj: unknown) => auditObject(obj, new Set(), POLICY).map((f) => `${findingLocation(f)}: ${f.message}`);

  it('skips comment lines of text, Knative/KServe `_example` documentation, CRD deprecation warnings and `kubernetes://` secrets', () => {
    expect(
      findings(
        cm({
          'template.tpl': '{{/* see https://github.com/kubernetes/kubernetes/pull/117412 */}}\n# docs: https://istio.io/latest\nsds: kubernetes://apis/secret\nreal: https://evil.example.com/x\n',
          _example: '# https://kserve.github.io/website\nlogger: https://example.org\n',
        }),
      ),
    ).toEqual(["/data/template.tpl: 'https://evil.example.com/x' points outside the allowed hosts"]);
    const crd = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'x.example.com' }, spec: { versions: [{ name: 'v1', deprecationWarning: 'moved to https://docs.example.com/v2' }] } };
    expect(findings(crd)).toEqual([]);
    // `_example` is documentation only in a ConfigMap's data.
    expect(findings({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { _example: 'https://evil.example.com' } })).toHaveLength(1);
  });

  it("treats a single-label host as a Service of the cluster, and Istio's `image: auto` as no image", () => {
    expect(findings(cm({ 'logger.json': '{"defaultUrl": "http://default-broker"}' }))).toEqual([]);
    expect(findings({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'gw' }, spec: { template: { spec: { containers: [{ name: 'istio-proxy', image: 'auto' }] } } } })).toEqual([]);
    expect(POLICY.allowsUrl('http://default-broker')).toBe(true);
    expect(POLICY.allowsUrl('http://registry:5000')).toBe(true);
    expect(POLICY.allowsUrl('http://gitlab.example.com')).toBe(false);
  });
});

describe('airgap audit of split images (lib/core/image-reference.ts)', () => {
  const DIGEST = `sha256:${'d'.repeat(64)}`;
  const values = (image: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'v', namespace: 'apps' }, spec: { controller: { image } } });

  it("reads an `image:` name that keeps its registry beside it in that registry, not Docker Hub", () => {
    // The ingress-nginx chart's spelling: `controller.image.{registry,image,tag,digest}`.
    const relocated = values({ registry: 'mirror.internal:35000', image: 'ingress-nginx/controller', tag: 'v1.11.3' });
    expect(auditObject(relocated, new Set(), POLICY)).toEqual([]);
    const upstream = values({ registry: 'registry.k8s.io', image: 'ingress-nginx/controller', tag: 'v1.11.3', digest: DIGEST });
    expect(auditObject(upstream, new Set(), POLICY).map((f) => `${f.pointer}: ${f.message}`)).toEqual([
      `/spec/controller/image/image: image 'registry.k8s.io/ingress-nginx/controller:v1.11.3@${DIGEST}' is outside the allowed registries`,
    ]);
  });

  it('reads a tag pinned by digest, `v1.11.3@sha256:…`, as a tag and not as a Git remote, and still flags a remote beside it', () => {
    const obj = values({ repository: 'mirror.internal:35000/org/app', tag: `v1.11.3@${DIGEST}`, source: 'git@github.com:org/app.git' });
    expect(auditObject(obj, new Set(), POLICY).map((f) => `${f.pointer}: ${f.message}`)).toEqual(["/spec/controller/image/source: 'git@github.com:org/app.git' points outside the allowed hosts"]);
  });

  it('relocates a digest-pinned split image to `tag@digest`, and the synth, validate and the image lists accept it', () => {
    const p = testPlatform('airgap', { repoURL: 'https://git.internal/gitops.git' });
    new UpstreamChart(p, 'Ingress', {
      name: 'ingress',
      namespace: 'ingress',
      source: ChartSource.helmRepo('https://git.internal/charts', 'ingress-nginx', '4.11.3'),
      images: [{ image: `registry.k8s.io/ingress-nginx/controller:v1.11.3@${DIGEST}`, valuePath: 'controller.image', format: { kind: 'split', registryKey: 'registry', repositoryKey: 'image', tagKey: 'tag' } }],
    });
    const out = synthPlatform(p, POLICY);
    const app = findObject(objectsIn(out, 'apps/ingress.yaml'), 'Application', 'ingress') as Obj & { spec: { source: { helm: { valuesObject: { controller: { image: unknown } } } } } };
    expect(app.spec.source.helm.valuesObject.controller.image).toEqual({ registry: 'mirror.internal:35000', image: 'ingress-nginx/controller', tag: `v1.11.3@${DIGEST}` });
    expect(out.images.get(`registry.k8s.io/ingress-nginx/controller:v1.11.3@${DIGEST}`)).toBe(`mirror.internal:35000/ingress-nginx/controller:v1.11.3@${DIGEST}`);
    const tree = treeFromFiles(files({
      'airgap/apps/ingress.yaml': yamlDocs(app),
      'airgap/images.lock.json': JSON.stringify(Object.fromEntries(out.images)),
      'airgap/images.txt': `${[...out.images.keys()].join('\n')}\n`,
    }));
    expect(validateTree(tree, { policies: new Map([['airgap', POLICY]]) }).filter((f) => f.rule === 'airgap' || f.rule === 'image-tag')).toEqual([]);
    expect(checkImageLists(tree, 'airgap', { heldRegistries: POLICY.heldRegistries })).toEqual([]);
  });

  it('refuses to write a digest alone into a tag key, naming the field', () => {
    const p = testPlatform('airgap', { repoURL: 'https://git.internal/gitops.git' });
    new UpstreamChart(p, 'App', {
      name: 'app',
      namespace: 'apps',
      source: ChartSource.helmRepo('https://git.internal/charts', 'app', '1.0.0'),
      images: [{ image: `ghcr.io/org/app@${DIGEST}`, valuePath: 'image', format: { kind: 'split', repositoryKey: 'repository', tagKey: 'tag' } }],
    });
    expect(synthIssues(() => synthPlatform(p, POLICY))).toEqual([expect.stringMatching(/declared image field \/spec\/source\/helm\/valuesObject\/image: image pinned by digest alone cannot be written into a tag key/)]);
  });
});
