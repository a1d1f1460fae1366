import { ApiObject, JsonPatch } from 'cdk8s';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { literalImagesIn, renderJcasc } from '../../lib/ci/jcasc';
import { Jenkins, JenkinsProps } from '../../lib/ci/jenkins';
import { kanikoPodTemplate } from '../../lib/ci/kaniko';
import { ConfigError, JenkinsSchema, parseEnvironment } from '../../lib/core/config';
import { merge } from '../../stacks/base';
import { prod } from '../../stacks/prod';
import { RegistryPolicy } from '../../lib/core/registry-policy';
import { findObject, objectsIn, synthPlatform, testPlatform } from '../helpers';
import { dig, item, list } from './dig';

const PROPS: JenkinsProps = {
  namespace: 'ci',
  agentsNamespace: 'ci-agents',
  chartVersion: '5.8.104',
  image: 'docker.io/jenkins/jenkins:2.528.1-jdk21',
  sidecarImage: 'docker.io/kiwigrid/k8s-sidecar:1.30.7',
  agentImage: 'docker.io/jenkins/inbound-agent:3345.v03dee9b_f88fc-2',
  kanikoImage: 'gcr.io/kaniko-project/executor:v1.23.2-debug',
  pushImage: 'gcr.io/go-containerregistry/crane/debug:v0.21.9',
  signImage: 'ghcr.io/sigstore/cosign/cosign:v2.6.1-dev',
  plugins: [{ name: 'kubernetes', version: '4423.vb_59f230b_ce53' }, { name: 'git', version: '5.10.1' }],
  adminSecret: 'ci-admin',
  url: 'https://jenkins.example.org:31084',
  ingress: { className: 'nginx' },
  gitlab: { url: 'https://gitlab.example.org', tokenSecret: 'gl-token', webhookSecret: 'gl-hook', checkoutSecret: 'gl-checkout' },
  storageClass: 'nfs-csi',
  storage: '50Gi',
  resources: { requests: { cpu: '1', memory: '2Gi' }, limits: { cpu: '4', memory: '8Gi' } },
  kaniko: {
    registry: 'registry.local:30500',
    pushSecret: 'push',
    signingSecret: 'signing',
    caConfigMap: 'ca',
    resources: { requests: { cpu: '2', memory: '4Gi' }, limits: { cpu: '4', memory: '8Gi' } },
    publishResources: { requests: { cpu: '200m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } },
  },
  containerCap: 3,
};

function build(props: Partial<JenkinsProps> = {}, policy?: RegistryPolicy) {
  const platform = testPlatform();
  const jenkins = new Jenkins(platform, 'Jenkins', { ...PROPS, ...props });
  const out = synthPlatform(platform, policy);
  const app = findObject(objectsIn(out, 'apps/jenkins.yaml'), 'Application', 'jenkins');
  return { jenkins, out, values: dig(app, 'spec.source.helm.valuesObject') as Record<string, unknown>, app };
}

function casc(values: unknown, file: string): Record<string, unknown> {
  return parse(dig(values, `controller.JCasC.configScripts.${file}`) as string) as Record<string, unknown>;
}

describe('Jenkins', () => {
  it('installs the chart from charts.jenkins.io with the given version, volume and admin Secret', () => {
    const { values, app } = build();
    expect(dig(app, 'spec.source')).toMatchObject({ repoURL: 'https://charts.jenkins.io', chart: 'jenkins', targetRevision: '5.8.104' });
    expect(dig(app, 'spec.destination.namespace')).toBe('ci');
    expect(dig(values, 'persistence')).toEqual({ enabled: true, storageClass: 'nfs-csi', size: '50Gi' });
    expect(dig(values, 'controller.installPlugins')).toEqual(['kubernetes:4423.vb_59f230b_ce53', 'git:5.10.1']);
    expect(dig(values, 'controller.resources')).toEqual(PROPS.resources);
    expect(dig(values, 'controller.JCasC.defaultConfig')).toBe(false);
    expect(dig(values, 'rbac.create')).toBe(false);
  });

  it('installs no plugins when the list is empty (the image carries them)', () => {
    expect(dig(build({ plugins: [] }).values, 'controller.installPlugins')).toBe(false);
  });

  it('mounts the admin Secret through the chart: createSecret with the existing Secret (the chart then creates none)', () => {
    // With createSecret false chart 5.8.104 projects no admin keys, and the JCasC admin user and
    // password resolve to empty strings.
    expect(dig(build().values, 'controller.admin')).toEqual({ createSecret: true, existingSecret: 'ci-admin' });
  });

  it('names the GitLab API token credential by its JCasC symbol gitLabApiTokenImpl', () => {
    const text = dig(build().values, 'controller.JCasC.configScripts.credentials') as string;
    expect(text).toContain('gitLabApiTokenImpl:');
    expect(text).not.toContain('gitlabApiToken:');
  });

  it("serves the UI through the ingress controller with TLS, no node port, and names the port in Jenkins' URL and webhook URLs", () => {
    const { jenkins, values, out } = build();
    expect(dig(values, 'controller.serviceType')).toBeUndefined();
    expect(dig(values, 'controller.nodePort')).toBeUndefined();
    expect(dig(values, 'controller.jenkinsUrl')).toBe('https://jenkins.example.org:31084/');
    expect(dig(casc(values, 'unclassified'), 'unclassified.location.url')).toBe('https://jenkins.example.org:31084/');
    expect(jenkins.webhookUrl('platform/chatbot backend')).toBe('https://jenkins.example.org:31084/project/platform/chatbot%20backend');
    const objects = objectsIn(out, 'jenkins-ingress/manifests.yaml');
    const ingress = findObject(objects, 'Ingress', 'jenkins');
    expect(ingress.metadata.annotations?.['kompile.dev/authentication']).toBe('application-login');
    expect(ingress.spec).toMatchObject({ ingressClassName: 'nginx', tls: [{ hosts: ['jenkins.example.org'], secretName: 'jenkins-tls' }], rules: [{ host: 'jenkins.example.org', http: { paths: [{ path: '/', backend: { service: { name: 'jenkins', port: { number: 8080 } } } }] } }] });
    const cert = findObject(objects, 'Certificate', 'jenkins-tls');
    expect(cert.spec).toMatchObject({ secretName: 'jenkins-tls', dnsNames: ['jenkins.example.org'], issuerRef: { kind: 'Issuer', name: 'jenkins-ca' } });
    expect(findObject(objects, 'Issuer', 'jenkins-ca').spec).toEqual({ ca: { secretName: 'jenkins-ca' } });
  });

  it('takes the certificate from a given issuer and secret name, without a local CA', () => {
    const { out } = build({ ingress: { className: 'internal', tlsSecretName: 'ci-tls', issuer: { kind: 'ClusterIssuer', name: 'site-ca' } } });
    const objects = objectsIn(out, 'jenkins-ingress/manifests.yaml');
    expect(findObject(objects, 'Certificate', 'ci-tls').spec).toMatchObject({ secretName: 'ci-tls', issuerRef: { kind: 'ClusterIssuer', name: 'site-ca', group: 'cert-manager.io' } });
    expect(objects.filter((o) => o.kind === 'Issuer')).toEqual([]);
    expect(findObject(objects, 'Ingress', 'jenkins').spec).toMatchObject({ ingressClassName: 'internal', tls: [{ secretName: 'ci-tls' }] });
  });

  it('configures the Kubernetes cloud in the agents namespace, reaching the controller in-cluster', () => {
    const cloud = dig(casc(build().values, 'jenkins'), 'jenkins.clouds.0.kubernetes');
    expect(cloud).toMatchObject({
      namespace: 'ci-agents',
      jenkinsUrl: 'http://jenkins.ci.svc.cluster.local:8080/',
      jenkinsTunnel: 'jenkins-agent.ci.svc.cluster.local:50000',
      containerCapStr: '3',
    });
    const template = item(cloud, 'templates', 'kaniko');
    expect(template).toMatchObject({ label: 'kaniko', namespace: 'ci-agents', serviceAccount: 'jenkins-agent' });
  });

  it('gives Kaniko the resources that keep it from running out of memory, and the registry wiring', () => {
    const template = item(dig(casc(build().values, 'jenkins'), 'jenkins.clouds.0.kubernetes'), 'templates', 'kaniko');
    const pod = parse(template.yaml as string);
    const kaniko = item(pod, 'spec.containers', 'kaniko');
    expect(kaniko.resources).toEqual(PROPS.kaniko.resources);
    expect(kaniko.image).toBe('${KANIKO_IMAGE}');
    expect(Object.fromEntries(list(kaniko, 'env').map((e) => [e.name, e.value]))).toEqual({ PLATFORM_REGISTRY: 'registry.local:30500' });
    expect(dig(item(pod, 'spec.volumes', 'registry-push'), 'secret')).toEqual({ secretName: 'push', items: [{ key: '.dockerconfigjson', path: 'config.json' }] });
    expect(dig(item(pod, 'spec.volumes', 'signing-key'), 'secret')).toEqual({ secretName: 'signing', items: [{ key: 'cosign.key', path: 'cosign.key' }] });
    expect(dig(item(pod, 'spec.volumes', 'registry-ca'), 'configMap.name')).toBe('ca');
    // Kaniko, where Dockerfile RUN steps run, mounts the CA and nothing else.
    expect(list(kaniko, 'volumeMounts').map((m) => m.name)).toEqual(['registry-ca']);
    expect(item(kaniko, 'volumeMounts', 'registry-ca').mountPath).toBe('/kaniko/ssl/certs/platform-registry-ca.crt');
  });

  it('gives the push credentials only to the push and sign containers, and the signing key only to sign', () => {
    const template = item(dig(casc(build().values, 'jenkins'), 'jenkins.clouds.0.kubernetes'), 'templates', 'kaniko');
    const pod = parse(template.yaml as string);
    const mounts = (name: string) => list(item(pod, 'spec.containers', name), 'volumeMounts').map((m) => m.name);
    expect(item(pod, 'spec.containers', 'jnlp').volumeMounts).toBeUndefined();
    expect(mounts('push')).toEqual(['registry-push', 'registry-ca']);
    expect(mounts('sign')).toEqual(['registry-push', 'registry-ca', 'signing-key']);
    const push = item(pod, 'spec.containers', 'push');
    const sign = item(pod, 'spec.containers', 'sign');
    expect(push.image).toBe('${PUSH_IMAGE}');
    expect(sign.image).toBe('${SIGN_IMAGE}');
    expect(list(sign, 'env')).toContainEqual({ name: 'COSIGN_PASSWORD', valueFrom: { secretKeyRef: { name: 'signing', key: 'cosign.password' } } });
    expect(list(sign, 'env')).toContainEqual({ name: 'COSIGN_KEY', value: '/var/run/image-signing/cosign.key' });
    for (const c of [push, sign]) {
      expect(list(c, 'env')).toContainEqual({ name: 'DOCKER_CONFIG', value: '/var/run/registry-push' });
      expect(c.resources).toEqual(PROPS.kaniko.publishResources);
      expect(c.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    }
    // The reasoned exception of rule 'build-credentials' sits on the template's pod.
    expect(dig(pod, 'metadata.annotations')).toEqual({ 'kompile.dev/security-exception.build-credentials': expect.stringMatching(/containers 'push' and 'sign'/) });
    // Each container written in full: no YAML anchors Jenkins would have to resolve.
    expect(template.yaml as string).not.toMatch(/[&*]a\d/);
  });

  it('keeps credentials as references to mounted Secrets', () => {
    const { values } = build();
    expect(dig(values, 'controller.additionalExistingSecrets')).toEqual([
      { name: 'gl-token', keyName: 'token' },
      { name: 'gl-hook', keyName: 'token' },
      { name: 'gl-checkout', keyName: 'username' },
      { name: 'gl-checkout', keyName: 'password' },
    ]);
    const creds = list(casc(values, 'credentials'), 'credentials.system.domainCredentials.0.credentials');
    expect(creds).toEqual([
      { gitLabApiTokenImpl: expect.objectContaining({ id: 'gitlab-token', scope: 'GLOBAL', apiToken: '${gl-token-token}' }) },
      { string: expect.objectContaining({ id: 'gitlab-webhook-secret', secret: '${gl-hook-token}' }) },
      { usernamePassword: expect.objectContaining({ id: 'gitlab-checkout', username: '${gl-checkout-username}', password: '${gl-checkout-password}' }) },
    ]);
    const users = list(casc(values, 'jenkins'), 'jenkins.securityRealm.local.users');
    expect(users).toEqual([{ id: '${chart-admin-username}', password: '${chart-admin-password}' }]);
    expect(dig(casc(values, 'unclassified'), 'unclassified.gitLabConnectionConfig.connections.0')).toMatchObject({ url: 'https://gitlab.example.org', apiTokenId: 'gitlab-token' });
  });

  it('sets the agent images through declared controller variables, relocated with everything else', () => {
    const { values, out } = build({}, new RegistryPolicy({ mirror: 'mirror.site:5000', allowedRegistries: ['mirror.site:5000'], allowedHosts: [] }));
    expect(dig(values, 'controller.containerEnv')).toEqual([
      { name: 'JNLP_IMAGE', value: 'mirror.site:5000/jenkins/inbound-agent:3345.v03dee9b_f88fc-2' },
      { name: 'KANIKO_IMAGE', value: 'mirror.site:5000/kaniko-project/executor:v1.23.2-debug' },
      { name: 'PUSH_IMAGE', value: 'mirror.site:5000/go-containerregistry/crane/debug:v0.21.9' },
      { name: 'SIGN_IMAGE', value: 'mirror.site:5000/sigstore/cosign/cosign:v2.6.1-dev' },
    ]);
    expect(dig(values, 'controller.image')).toEqual({ registry: 'mirror.site:5000', repository: 'jenkins/jenkins', tag: '2.528.1-jdk21' });
    expect(dig(values, 'controller.sidecars.configAutoReload.image')).toEqual({ registry: 'mirror.site:5000', repository: 'kiwigrid/k8s-sidecar', tag: '1.30.7' });
    expect(out.images.get('gcr.io/kaniko-project/executor:v1.23.2-debug')).toBe('mirror.site:5000/kaniko-project/executor:v1.23.2-debug');
    expect(out.images.get('docker.io/jenkins/inbound-agent:3345.v03dee9b_f88fc-2')).toBe('mirror.site:5000/jenkins/inbound-agent:3345.v03dee9b_f88fc-2');
    expect(out.files.get('images.txt')).toContain('gcr.io/kaniko-project/executor:v1.23.2-debug\n');
    expect(out.files.get('images.txt')).toContain('docker.io/jenkins/inbound-agent:3345.v03dee9b_f88fc-2\n');
  });

  it('confines the controller to pods of the agents namespace', () => {
    const objects = objectsIn(build().out, 'jenkins-rbac/manifests.yaml');
    const role = findObject(objects, 'Role', 'jenkins-schedule-agents', 'ci-agents');
    expect(list(role, 'rules').flatMap((r) => r.resources as string[]).sort()).toEqual(['events', 'pods', 'pods/exec', 'pods/log']);
    const binding = findObject(objects, 'RoleBinding', 'jenkins-schedule-agents', 'ci-agents');
    expect(dig(binding, 'subjects')).toEqual([{ kind: 'ServiceAccount', name: 'jenkins', namespace: 'ci' }]);
    expect(objects.filter((o) => o.kind === 'ClusterRole' || o.kind === 'ClusterRoleBinding')).toHaveLength(0);
    expect(dig(findObject(objects, 'ServiceAccount', 'jenkins-agent', 'ci-agents'), 'automountServiceAccountToken')).toBe(false);
  });
});

describe('Jenkins audit of JCasC', () => {
  it('fails the synth on an image named literally in JCasC, however it got there', () => {
    const platform = testPlatform();
    const jenkins = new Jenkins(platform, 'Jenkins', PROPS);
    const pointer = '/spec/source/helm/valuesObject/controller/JCasC/configScripts/extra';
    ApiObject.of(jenkins.chart.application).addJsonPatch(JsonPatch.add(pointer, 'pods:\n  - image: docker.io/library/busybox:1.36\n'));
    expect(() => synthPlatform(platform)).toThrow(/Jenkins\/Chart\/Application.*JCasC 'extra' names image\(s\) docker.io\/library\/busybox:1.36 literally/);
  });
});

describe('JCasC model', () => {
  const template = kanikoPodTemplate({ registry: 'r:1', pushSecret: 'p', signingSecret: 's', caConfigMap: 'c', serviceAccount: 'sa', resources: PROPS.kaniko.resources, publishResources: PROPS.kaniko.publishResources, label: 'build' });

  it('renders one file per root element and never an image literal', () => {
    const scripts = renderJcasc({
      systemMessage: 'm',
      url: 'http://j:1/',
      adminUserVariable: 'u',
      adminPasswordVariable: 'p',
      cloud: { name: 'k', namespace: 'a', jenkinsUrl: 'http://j', jenkinsTunnel: 'j:5', containerCap: 1, templates: [template] },
      credentials: [],
    });
    expect(Object.keys(scripts).sort()).toEqual(['credentials', 'jenkins', 'unclassified']);
    for (const s of Object.values(scripts)) expect(literalImagesIn(s)).toEqual([]);
    expect(dig(parse(scripts.unclassified), 'unclassified.gitLabConnectionConfig')).toBeUndefined();
  });

  it('finds literal images, quoted or not, in rendered configuration', () => {
    expect(literalImagesIn('containers:\n  - name: x\n    image: busybox:1.36\n  - image: "${OK}"\n  - image: \'quay.io/a/b:1\'\n')).toEqual(['busybox:1.36', 'quay.io/a/b:1']);
  });

  it('uses a non-default label, and gives Kaniko no layer cache (a cache repository would need push rights)', () => {
    expect(template.label).toBe('build');
    const k = template.containers.find((c) => c.name === 'kaniko');
    expect(k?.env).toEqual([{ name: 'PLATFORM_REGISTRY', value: 'r:1' }]);
  });

  it('runs Kaniko as root without privilege, and the agent container as non-root', () => {
    const kaniko = template.containers.find((c) => c.name === 'kaniko');
    expect(kaniko?.securityContext).toMatchObject({ runAsUser: 0, privileged: false, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(dig(kaniko?.securityContext, 'capabilities.add')).not.toContain('SYS_ADMIN');
    const jnlp = template.containers.find((c) => c.name === 'jnlp');
    expect(jnlp?.securityContext).toMatchObject({ runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
  });
});

describe('JenkinsSchema', () => {
  it('refuses a plain-HTTP URL', () => {
    const r = JenkinsSchema.safeParse({ url: 'http://jenkins.local:31084/' });
    expect(r.error?.issues[0]).toMatchObject({ path: ['url'], message: expect.stringMatching(/must use https/) });
  });

  it("refuses a URL port other than the ingress controller's HTTPS port (seed 002's silent webhook)", () => {
    const env = (url: string, nodePorts?: object) => () => parseEnvironment(merge(prod, { components: { ci: { jenkins: { url } } }, cluster: { ingress: { nodePorts } } }));
    expect(env('https://jenkins.local:32080/')).toThrow(/components\.ci\.jenkins\.url.*port 32080 is not the ingress controller's HTTPS node port 31084/s);
    expect(env('https://jenkins.local/')).toThrow(/port 443 is not the ingress controller's HTTPS node port 31084/);
    expect(env('https://jenkins.local:31084/')).not.toThrow();
  });

  it('refuses agents in the controller namespace', () => {
    const r = JenkinsSchema.safeParse({ namespace: 'ci', agentsNamespace: 'ci' });
    expect(r.error?.issues[0]).toMatchObject({ path: ['agentsNamespace'] });
  });

  it('defaults to one consistent set: chart 5.8.104\'s controller and agent, plugins that run on that core', () => {
    const j = JenkinsSchema.parse({});
    expect(j.image).toBe('docker.io/jenkins/jenkins:2.528.1-jdk21');
    expect(j.agentImage).toBe('docker.io/jenkins/inbound-agent:3345.v03dee9b_f88fc-2');
    expect(j.sidecarImage).toBe('docker.io/kiwigrid/k8s-sidecar:1.30.7');
    expect(j.coreVersion).toBeUndefined();
    expect(j.plugins).toEqual([
      { name: 'kubernetes', version: '4423.vb_59f230b_ce53', requiresCore: '2.504.3' },
      { name: 'workflow-aggregator', version: '608.v67378e9d3db_1', requiresCore: '2.479.3' },
      { name: 'git', version: '5.10.1', requiresCore: '2.504.3' },
      { name: 'configuration-as-code', version: '2036.v0b_c2de701dcb_', requiresCore: '2.504.3' },
      { name: 'gitlab-plugin', version: '1.9.9', requiresCore: '2.492.3' },
      { name: 'job-dsl', version: '3654.vdf58f53e2d15', requiresCore: '2.479.3' },
    ]);
  });

  const CASC_2065 = { name: 'configuration-as-code', version: '2065.v7a_20a_b_d84088', requiresCore: '2.541.1' };

  it('refuses a plugin that needs a newer core than the controller image, naming the plugin and both versions', () => {
    const plugins = [...JenkinsSchema.parse({}).plugins];
    plugins[3] = CASC_2065;
    const r = JenkinsSchema.safeParse({ image: 'docker.io/jenkins/jenkins:2.516.3-jdk21', plugins });
    expect(r.error?.issues).toHaveLength(1);
    expect(r.error?.issues[0].path).toEqual(['plugins', 3]);
    expect(r.error?.issues[0].message).toMatch(/^configuration-as-code:2065\.v7a_20a_b_d84088 requires Jenkins 2\.541\.1 or newer, but the controller runs Jenkins 2\.516\.3/);
  });

  it('reports the full field path through the environment configuration', () => {
    const plugins = [...JenkinsSchema.parse({}).plugins];
    plugins[3] = CASC_2065;
    let error: unknown;
    try {
      parseEnvironment(merge(prod, { components: { ci: { jenkins: { plugins } } } }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues).toEqual([{ path: 'components.ci.jenkins.plugins[3]', message: expect.stringMatching(/2\.541\.1.*2\.528\.1/) }]);
  });

  it('accepts a plugin whose minimum is the controller core exactly, and orders a weekly core before its LTS', () => {
    const plugin = { name: 'git', version: '5.10.1', requiresCore: '2.528.1' };
    expect(JenkinsSchema.safeParse({ image: 'docker.io/jenkins/jenkins:2.528.1-jdk21', plugins: [plugin] }).success).toBe(true);
    const weekly = JenkinsSchema.safeParse({ image: 'docker.io/jenkins/jenkins:2.528-jdk21', plugins: [plugin] });
    expect(weekly.error?.issues[0]).toMatchObject({ path: ['plugins', 0], message: expect.stringMatching(/requires Jenkins 2\.528\.1 or newer, but the controller runs Jenkins 2\.528:/) });
  });

  it('needs coreVersion when plugins are installed and the image tag names no Jenkins version', () => {
    const r = JenkinsSchema.safeParse({ image: 'docker.io/jenkins/jenkins:lts-jdk21' });
    expect(r.error?.issues[0]).toMatchObject({ path: ['image'], message: expect.stringMatching(/names no Jenkins version.*set coreVersion/) });
  });

  it('checks the plugins against coreVersion when the tag names no version', () => {
    const image = 'site.example:5000/platform/jenkins:build-42';
    expect(JenkinsSchema.safeParse({ image, coreVersion: '2.504.3' }).success).toBe(true);
    const r = JenkinsSchema.safeParse({ image, coreVersion: '2.504.3', plugins: [CASC_2065] });
    expect(r.error?.issues[0]).toMatchObject({ path: ['plugins', 0], message: expect.stringMatching(/requires Jenkins 2\.541\.1 or newer, but the controller runs Jenkins 2\.504\.3/) });
  });

  it('refuses a coreVersion that contradicts the image tag', () => {
    const r = JenkinsSchema.safeParse({ image: 'docker.io/jenkins/jenkins:2.528.1-jdk21', coreVersion: '2.541.1' });
    expect(r.error?.issues[0]).toMatchObject({ path: ['coreVersion'], message: expect.stringMatching(/2\.541\.1 contradicts the image tag, which names Jenkins 2\.528\.1/) });
  });

  it('refuses a malformed coreVersion', () => {
    const r = JenkinsSchema.safeParse({ image: 'docker.io/jenkins/jenkins:lts', coreVersion: 'lts' });
    expect(r.error?.issues).toEqual([expect.objectContaining({ path: ['coreVersion'], message: expect.stringMatching(/Jenkins core version/) })]);
  });

  it('needs no core version when no plugin is installed (the image carries them)', () => {
    expect(JenkinsSchema.safeParse({ image: 'site.example:5000/platform/jenkins-with-plugins:site-1', plugins: [] }).success).toBe(true);
  });

  it('refuses a plugin without its minimum core, or in the old name:version spelling', () => {
    const missing = JenkinsSchema.safeParse({ plugins: [{ name: 'git', version: '5.10.1' }] });
    expect(missing.error?.issues[0]).toMatchObject({ path: ['plugins', 0, 'requiresCore'] });
    const old = JenkinsSchema.safeParse({ plugins: ['git:5.10.1'] });
    expect(old.error?.issues[0]).toMatchObject({ path: ['plugins', 0] });
    const bad = JenkinsSchema.safeParse({ plugins: [{ name: 'Git Plugin', version: '5.10.1', requiresCore: '2.x' }] });
    expect(bad.error?.issues.map((i) => i.path)).toEqual([['plugins', 0, 'name'], ['plugins', 0, 'requiresCore']]);
  });
});
