import { describe, expect, it } from 'vitest';
import { CiSchema, parseEnvironment } from '../../lib/core/config';
import { findContainerImages } from '../../lib/core/images-walk';
import { Image } from '../../lib/core/image';
import { IMAGE_PINS } from '../../lib/core/image-pins';
import { airgap } from '../../stacks/airgap';
import { merge } from '../../stacks/base';
import { buildEnvironment } from '../../stacks/build';
import { dev } from '../../stacks/dev';
import { prod } from '../../stacks/prod';
import { allObjects, compiledEnvironment, findObject, K8sObject, objectsIn, synthEnvironment } from '../helpers';
import { dig, list } from './dig';
import { literalImagesIn } from '../../lib/ci/jcasc';
import { defaultWriteBranch, Delivery } from '../../lib/ci/delivery';
import { Component } from '../../lib/core/component';

/** A pinned image (images.pins.json): a Renovate bump changes dist/, not these tests. */
const pin = (name: string) => IMAGE_PINS.reference(name);
const JENKINS = Image.parse(pin('jenkins'));

const wave = (o: K8sObject) => Number(o.metadata.annotations?.['argocd.argoproj.io/sync-wave']);

describe('Delivery in an environment', () => {
  const out = compiledEnvironment();
  const apps = (name: string) => findObject(objectsIn(out, `apps/${name}.yaml`), 'Application', name);

  it('declares its namespaces, the agents one at baseline with the reason', () => {
    const ns = objectsIn(out, 'namespaces/manifests.yaml');
    const agents = findObject(ns, 'Namespace', 'jenkins-agents');
    expect(agents.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('baseline');
    expect(agents.metadata.annotations?.['kompile.dev/pod-security-reason']).toMatch(/Kaniko/);
    expect(findObject(ns, 'Namespace', 'jenkins').metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
    expect(findObject(ns, 'Namespace', 'registry').metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

  it('opens only the traffic of the chain', () => {
    const ns = objectsIn(out, 'namespaces/manifests.yaml');
    const toRegistry = findObject(ns, 'NetworkPolicy', 'allow-to-registry', 'jenkins-agents');
    expect(dig(toRegistry, 'spec.egress.0.ports')).toEqual([
      { port: 5000, protocol: 'TCP' },
      { port: 30500, protocol: 'TCP' },
    ]);
    const agentsToJenkins = findObject(ns, 'NetworkPolicy', 'allow-to-jenkins', 'jenkins-agents');
    expect(dig(agentsToJenkins, 'spec.egress.0.to.0.namespaceSelector.matchLabels')).toEqual({ 'kubernetes.io/metadata.name': 'jenkins' });
    const registryIn = findObject(ns, 'NetworkPolicy', 'allow-from-registry-clients', 'registry');
    expect(dig(registryIn, 'spec.podSelector.matchLabels')).toEqual({ 'app.kubernetes.io/name': 'registry' });
    findObject(ns, 'NetworkPolicy', 'allow-from-jenkins-agents', 'jenkins');
  });

  it('reaches outside the cluster only where the environment says, else anywhere outside it', () => {
    const policy = (o: ReturnType<typeof synthEnvironment>, name: string, namespace: string) => dig(findObject(objectsIn(o, 'namespaces/manifests.yaml'), 'NetworkPolicy', name, namespace), 'spec.egress.0');
    const anywhere = { ipBlock: { cidr: '0.0.0.0/0', except: ['10.42.0.0/16', '10.43.0.0/16'] } };
    // Nothing stated (dev): Git, the update center and base-image registries anywhere outside the cluster.
    expect(policy(out, 'allow-to-git', 'jenkins')).toEqual({ to: [anywhere], ports: [443, 80, 22].map((port) => ({ port, protocol: 'TCP' })) });
    expect(policy(out, 'allow-to-update-center', 'jenkins')).toEqual({ to: [anywhere], ports: [443, 80].map((port) => ({ port, protocol: 'TCP' })) });
    expect(policy(out, 'allow-to-sources', 'jenkins-agents')).toEqual({ to: [anywhere], ports: [443, 80, 22].map((port) => ({ port, protocol: 'TCP' })) });
    expect(policy(out, 'allow-to-base-images', 'jenkins-agents')).toEqual({ to: [anywhere], ports: [{ port: 443, protocol: 'TCP' }] });
    // Stated: those blocks and ports; the mirror's port for base images by default; no update center without plugins.
    const stated = synthEnvironment({
      cluster: { network: { egress: { git: { cidrs: ['192.0.2.10/32'], ports: [443] }, registries: { cidrs: ['192.0.2.20/32'] } } } },
      registry: { mirror: 'mirror.example:35000' },
      components: { ci: { jenkins: { plugins: [] } } },
    });
    expect(policy(stated, 'allow-to-git', 'jenkins')).toEqual({ to: [{ ipBlock: { cidr: '192.0.2.10/32' } }], ports: [{ port: 443, protocol: 'TCP' }] });
    expect(policy(stated, 'allow-to-sources', 'jenkins-agents')).toEqual({ to: [{ ipBlock: { cidr: '192.0.2.10/32' } }], ports: [{ port: 443, protocol: 'TCP' }] });
    expect(policy(stated, 'allow-to-base-images', 'jenkins-agents')).toEqual({ to: [{ ipBlock: { cidr: '192.0.2.20/32' } }], ports: [443, 35000].map((port) => ({ port, protocol: 'TCP' })) });
    expect(objectsIn(stated, 'namespaces/manifests.yaml').some((o) => o.metadata.name === 'allow-to-update-center')).toBe(false);
  });

  it("admits the registry's node clients from anywhere with the reasoned exception, or from the nodes and the pod network where their addresses are known", () => {
    const registryIn = (o: ReturnType<typeof synthEnvironment>) => findObject(objectsIn(o, 'namespaces/manifests.yaml'), 'NetworkPolicy', 'allow-from-registry-clients', 'registry');
    const open = registryIn(out);
    expect(dig(open, 'spec.ingress.0.from.2')).toEqual({ ipBlock: { cidr: '0.0.0.0/0' } });
    expect(open.metadata.annotations?.['kompile.dev/security-exception.netpol-open-peer']).toMatch(/masquerades/);
    const nodes = synthEnvironment({ cluster: { network: { nodeCidrs: ['192.0.2.0/24'] } } });
    const narrow = registryIn(nodes);
    expect(list(narrow, 'spec.ingress.0.from').slice(2)).toEqual([{ ipBlock: { cidr: '192.0.2.0/24' } }, { ipBlock: { cidr: '10.42.0.0/16' } }]);
    expect(narrow.metadata.annotations?.['kompile.dev/security-exception.netpol-open-peer']).toBeUndefined();
    // Build pods reach the NodePort on the nodes' addresses only.
    expect(dig(findObject(objectsIn(nodes, 'namespaces/manifests.yaml'), 'NetworkPolicy', 'allow-to-registry', 'jenkins-agents'), 'spec.egress.0.to.1')).toEqual({ ipBlock: { cidr: '192.0.2.0/24' } });
  });

  it('syncs the registry before Jenkins, the agent RBAC before Jenkins, Image Updater before the automation', () => {
    expect(wave(apps('registry'))).toBeLessThan(wave(apps('jenkins')));
    expect(wave(apps('jenkins-rbac'))).toBeLessThan(wave(apps('jenkins')));
    expect(wave(apps('argocd-image-updater'))).toBeLessThan(wave(apps('image-automation')));
    expect(wave(apps('kcloud-optimizer'))).toBeLessThan(wave(apps('image-automation')));
  });

  it('starts Jenkins with one consistent set in dev and prod: the core, the plugins that run on it, the admin Secret mounted', () => {
    for (const env of [out, compiledEnvironment(prod)]) {
      const values = dig(findObject(objectsIn(env, 'apps/jenkins.yaml'), 'Application', 'jenkins'), 'spec.source.helm.valuesObject');
      expect(dig(values, 'controller.image')).toEqual({ registry: JENKINS.registry, repository: JENKINS.repository, tag: JENKINS.tag });
      expect(dig(values, 'controller.installPlugins')).toEqual([
        'kubernetes:4423.vb_59f230b_ce53',
        'workflow-aggregator:608.v67378e9d3db_1',
        'git:5.10.1',
        'configuration-as-code:2036.v0b_c2de701dcb_',
        'gitlab-plugin:1.9.9',
        'job-dsl:3654.vdf58f53e2d15',
      ]);
      expect(dig(values, 'controller.admin')).toEqual({ createSecret: true, existingSecret: 'jenkins-admin' });
      expect(list(values, 'controller.containerEnv')[0]).toEqual({ name: 'JNLP_IMAGE', value: pin('inbound-agent') });
    }
  });

  it('puts Jenkins and the registry on the default storage class', () => {
    expect(dig(apps('jenkins'), 'spec.source.helm.valuesObject.persistence.storageClass')).toBe('local-path');
    expect(dig(findObject(objectsIn(out, 'registry/manifests.yaml'), 'PersistentVolumeClaim', 'registry-data'), 'spec.storageClassName')).toBe('local-path');
    const p = compiledEnvironment(prod);
    expect(dig(findObject(objectsIn(p, 'apps/jenkins.yaml'), 'Application', 'jenkins'), 'spec.source.helm.valuesObject.persistence.storageClass')).toBe('nfs-csi');
  });

  it('disappears entirely when disabled, and the platform registry leaves the policy', () => {
    const off = synthEnvironment({ components: { ci: { enabled: false } } });
    for (const f of ['apps/jenkins.yaml', 'apps/registry.yaml', 'apps/argocd-image-updater.yaml', 'apps/image-automation.yaml']) expect(off.files.has(f)).toBe(false);
    const { policy } = buildEnvironment(parseEnvironment(merge(airgap, { components: { ci: { enabled: false } } })));
    expect(policy.relocate(Image.parse('registry.local:30500/kcloud/kcloud-operator:v0.1.0')).registry).toBe('registry.airgap.internal:35000');
  });

  it('refuses automation of a component that does not exist', () => {
    const env = merge(dev, { components: { ci: { imageUpdater: { applications: [{ component: 'nope', images: [{ alias: 'a', image: 'registry.local:30500/chatbot/backend' }] }] } } } });
    expect(() => buildEnvironment(parseEnvironment(env))).toThrow(/applications\[0\]\.component: no component named 'nope'/);
  });

  it('leaves components plain YAML while Image Updater is off, and refuses to automate them', () => {
    const off = synthEnvironment({ components: { ci: { imageUpdater: { enabled: false } } } });
    expect(off.files.has('apps/argocd-image-updater.yaml')).toBe(false);
    expect(off.files.has('apps/image-automation.yaml')).toBe(false);
    expect(off.files.has('kcloud-optimizer/kustomization.yml')).toBe(false);
    const { platform } = buildEnvironment(parseEnvironment(merge(dev, { components: { ci: { imageUpdater: { enabled: false } } } })));
    const delivery = platform.node.findChild('Delivery') as Delivery;
    const target = platform.node.findAll().filter(Component.isComponent).find((c) => c.name === 'kcloud-optimizer')!;
    expect(() => delivery.automate(target, [{ alias: 'a', image: 'registry.local:30500/x', tag: 'release' }])).toThrow(/Image Updater is disabled/);
  });
});

describe('CiSchema', () => {
  it('writes back to image-updates/<environment> from main with its own credential by default, or to what is configured', () => {
    const d = CiSchema.parse({}).imageUpdater;
    expect(d).toMatchObject({ targetBranch: 'main', gitCredentialsSecret: 'image-updater-git' });
    expect(d.writeBranch).toBeUndefined();
    expect(defaultWriteBranch('prod')).toBe('image-updates/prod');
    const c = CiSchema.parse({ imageUpdater: { targetBranch: 'release', writeBranch: 'bot/images', gitCredentialsSecret: 'bot', writeRepository: 'git@gitlab.example.com:platform/gitops.git' } }).imageUpdater;
    expect(c).toMatchObject({ targetBranch: 'release', writeBranch: 'bot/images', gitCredentialsSecret: 'bot', writeRepository: 'git@gitlab.example.com:platform/gitops.git' });
  });

  it.each([
    [{ writeBranch: 'main' }, ['imageUpdater', 'writeBranch'], /is the target branch 'main'/],
    [{ writeBranch: 'main:other' }, ['imageUpdater', 'writeBranch'], /Git branch name/],
    [{ writeBranch: 'image-updates/{{.SHA256}}' }, ['imageUpdater', 'writeBranch'], /Git branch name/],
    [{ targetBranch: 'a..b' }, ['imageUpdater', 'targetBranch'], /Git branch name/],
    [{ writeRepository: 'gitlab.example.com/x.git' }, ['imageUpdater', 'writeRepository'], /Git URL/],
  ])('refuses a bad write-back setting %#', (imageUpdater, path, message) => {
    const r = CiSchema.safeParse({ imageUpdater });
    expect(r.error?.issues[0]).toMatchObject({ path, message: expect.stringMatching(message) });
  });

  it('refuses automated images outside the platform registry', () => {
    const r = CiSchema.safeParse({ imageUpdater: { applications: [{ component: 'x', images: [{ alias: 'a', image: 'ghcr.io/org/app' }] }] } });
    expect(r.error?.issues[0]).toMatchObject({ path: ['imageUpdater', 'applications', 0, 'images', 0, 'image'], message: expect.stringMatching(/not in the platform registry/) });
  });

  it('refuses a component listed twice', () => {
    const app = { component: 'x', images: [{ alias: 'a', image: 'registry.local:30500/a' }] };
    const r = CiSchema.safeParse({ imageUpdater: { applications: [app, app] } });
    expect(r.error?.issues[0]).toMatchObject({ path: ['imageUpdater', 'applications', 1, 'component'] });
  });

  it('refuses a short image reference', () => {
    const r = CiSchema.safeParse({ kaniko: { image: 'executor:latest' } });
    expect(r.error?.issues[0]).toMatchObject({ path: ['kaniko', 'image'] });
  });
});

describe('airgap', () => {
  const out = compiledEnvironment(airgap);
  const objects = allObjects(out);
  const MIRROR = 'registry.airgap.internal:35000';
  const PLATFORM = 'registry.local:30500';

  it('lists the Jenkins agent and Kaniko images to mirror, and pulls them from the mirror', () => {
    const images = out.files.get('images.txt')!.split('\n').filter(Boolean);
    expect(images).toContain(pin('kaniko'));
    expect(images).toContain(pin('inbound-agent'));
    expect(images).toContain(pin('zot'));
    expect(images).toContain(pin('argocd-image-updater'));
    for (const i of images) expect([MIRROR, PLATFORM]).not.toContain(Image.parse(i).registry);
    for (const i of out.images.values()) expect([MIRROR, PLATFORM]).toContain(Image.parse(i).registry);
    expect(out.images.get(pin('kaniko'))).toBe(`${MIRROR}/${pin('kaniko').replace(/^[^/]+\//, '')}`);
  });

  it('pulls every container image from the mirror or the platform registry', () => {
    for (const o of objects) {
      for (const found of findContainerImages(o)) expect([MIRROR, PLATFORM], `${o.kind}/${o.metadata.name} ${found.pointer}`).toContain(Image.parse(found.value).registry);
    }
    const jenkins = findObject(objects, 'Application', 'jenkins');
    const env = list(jenkins, 'spec.source.helm.valuesObject.controller.containerEnv');
    for (const e of env) expect(String(e.value).startsWith(`${MIRROR}/`)).toBe(true);
    const scripts = dig(jenkins, 'spec.source.helm.valuesObject.controller.JCasC.configScripts') as Record<string, string>;
    for (const s of Object.values(scripts)) expect(literalImagesIn(s)).toEqual([]);
  });

  it('keeps the images CI builds in the platform registry (they are never mirrored from outside)', () => {
    const op = findObject(objectsIn(out, 'kcloud-optimizer/manifests.yaml'), 'Deployment', 'kcloud-operator');
    expect(dig(op, 'spec.template.spec.containers.0.image')).toBe(`${PLATFORM}/kcloud/kcloud-operator:v0.1.0`);
  });

  it('takes every chart and Git source from the site mirror', () => {
    const sources = objects.filter((o) => o.kind === 'Application').map((o) => String(dig(o, 'spec.source.repoURL')));
    // Git and Helm sources from the site's Git server; OCI charts (KServe) from the site's registry.
    for (const s of sources) expect(s.startsWith('https://git.airgap.internal/') || s.startsWith('registry.airgap.internal:35000/'), s).toBe(true);
    expect(sources).toContain('https://git.airgap.internal/mirrors/openkcloud/kcloud-cost-scheduler.git');
    expect(sources).toContain('https://git.airgap.internal/mirrors/charts/jenkins');
    expect(sources).toContain('https://git.airgap.internal/mirrors/charts/argo');
  });

  it('installs no plugins from the update center', () => {
    expect(dig(findObject(objects, 'Application', 'jenkins'), 'spec.source.helm.valuesObject.controller.installPlugins')).toBe(false);
  });
});
