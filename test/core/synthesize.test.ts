import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { describe, expect, it } from 'vitest';
import { Component } from '../../lib/core/component';
import { declareImageField } from '../../lib/core/image-field';
import { RegistryPolicy } from '../../lib/core/registry-policy';
import { CLIENT_SIDE_APPLY_LIMIT, SYNC_OPTIONS, SYNC_WAVE, synthesize } from '../../lib/core/synthesize';
import { ChartSource, UpstreamChart } from '../../lib/core/upstream-chart';
import { findObject, objectsIn, synthIssues, synthPlatform, testPlatform } from '../helpers';

const AIRGAP = new RegistryPolicy({ mirror: 'mirror.internal:35000', allowedRegistries: ['mirror.internal:35000'], allowedHosts: ['git.internal'] });

function configMap(scope: Component, id: string, data: Record<string, string>, namespace = 'apps'): k8s.KubeConfigMap {
  return new k8s.KubeConfigMap(scope, id, { metadata: { name: id.toLowerCase(), namespace }, data });
}

describe('synthesize', () => {
  it('turns component dependencies into sync waves on the child Applications', () => {
    const p = testPlatform();
    const base = new Component(p, 'Base', { name: 'base' });
    const mid = new Component(p, 'Mid', { name: 'mid' }).dependsOn(base);
    const top = new Component(p, 'Top', { name: 'top' }).dependsOn(mid, base);
    const side = new Component(p, 'Side', { name: 'side' });
    for (const c of [base, mid, top, side]) configMap(c, `Cm${c.name}`, {});
    const out = synthPlatform(p);
    const wave = (name: string) => findObject(objectsIn(out, `apps/${name}.yaml`), 'Application', name).metadata.annotations![SYNC_WAVE];
    expect([wave('base'), wave('mid'), wave('top'), wave('side')]).toEqual(['0', '1', '2', '0']);
  });

  it('takes component waves from dependencies declared by objects deep inside a component, and by components inside a component', () => {
    const p = testPlatform();
    const base = new Component(p, 'Base', { name: 'base' });
    const baseMap = configMap(base, 'BaseMap', {});
    const user = new Component(p, 'User', { name: 'user' });
    // An object of `user` depends on an object of `base`: `user` comes after `base`.
    configMap(user, 'UserMap', {}).addDependency(baseMap);
    // A component inside `outer` depends on `user`: both it and `outer` come after `user`.
    const outer = new Component(p, 'Outer', { name: 'outer' });
    configMap(outer, 'OuterMap', {});
    const inner = new Component(outer, 'Inner', { name: 'inner' }).dependsOn(user);
    configMap(inner, 'InnerMap', {});
    const side = new Component(p, 'Side', { name: 'side' });
    configMap(side, 'SideMap', {});
    const out = synthPlatform(p);
    const wave = (name: string) => findObject(objectsIn(out, `apps/${name}.yaml`), 'Application', name).metadata.annotations![SYNC_WAVE];
    expect([wave('base'), wave('user'), wave('inner'), wave('outer'), wave('side')]).toEqual(['0', '1', '2', '2', '0']);
  });

  it('fails on a security-rbac finding (lib/checks/security-rbac.ts) and passes the same object with a reasoned exception', () => {
    const build = (annotations?: Record<string, string>) => {
      const p = testPlatform();
      const c = new Component(p, 'C', { name: 'c', namespace: 'apps' });
      new k8s.KubeRole(c, 'All', { metadata: { name: 'all', namespace: 'apps', annotations }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['*'] }] });
      return p;
    };
    expect(synthIssues(() => synthPlatform(build()))).toContainEqual(expect.stringMatching(/\/rules\/0\/verbs: rule 0 grants every verb .*\[rbac-wildcard\]/));
    const objects = objectsIn(synthPlatform(build({ 'kompile.dev/security-exception.rbac-wildcard': 'a test of the exception' })), 'c/manifests.yaml');
    expect(findObject(objects, 'Role', 'all').kind).toBe('Role');
  });

  it('fails on an edge-authentication finding (lib/checks/security-exposure.ts) and passes the Service with its mechanism named', () => {
    const build = (annotations?: Record<string, string>) => {
      const p = testPlatform();
      const c = new Component(p, 'C', { name: 'c', namespace: 'apps' });
      new k8s.KubeService(c, 'Api', { metadata: { name: 'api', namespace: 'apps', annotations }, spec: { type: 'LoadBalancer', selector: { app: 'api' }, ports: [{ port: 80 }] } });
      return p;
    };
    expect(synthIssues(() => synthPlatform(build()))).toContainEqual(expect.stringMatching(/\[C\/Api\] \/spec\/type: Service of type LoadBalancer .*\[edge-authentication\]/));
    const objects = objectsIn(synthPlatform(build({ 'kompile.dev/authentication': 'application-login' })), 'c/manifests.yaml');
    expect(findObject(objects, 'Service', 'api').kind).toBe('Service');
  });

  it('orders objects inside a component by their dependencies and CRDs before their instances', () => {
    const p = testPlatform();
    const c = new Component(p, 'C', { name: 'c', namespace: 'apps' });
    const first = configMap(c, 'First', {});
    const second = configMap(c, 'Second', {});
    second.addDependency(first);
    new ApiObject(c, 'Crd', {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: { group: 'example.com', names: { kind: 'Widget', plural: 'widgets' }, scope: 'Namespaced', versions: [] },
    });
    new ApiObject(c, 'Widget', { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'apps' } });
    const objects = objectsIn(synthPlatform(p), 'c/manifests.yaml');
    const wave = (kind: string, name: string) => findObject(objects, kind, name).metadata.annotations![SYNC_WAVE];
    expect(wave('ConfigMap', 'first')).toBe('0');
    expect(wave('ConfigMap', 'second')).toBe('1');
    expect(wave('CustomResourceDefinition', 'widgets.example.com')).toBe('0');
    expect(wave('Widget', 'w')).toBe('1');
    // The file reads in apply order: lower waves first.
    expect(objects.findIndex((o) => o.metadata.name === 'first')).toBeLessThan(objects.findIndex((o) => o.metadata.name === 'second'));
  });

  it('refuses a custom resource that leaves a field its rendered CRD defaults inside a list item unset', () => {
    const build = (item: Record<string, unknown>) => {
      const p = testPlatform();
      const c = new Component(p, 'C', { name: 'c', namespace: 'apps' });
      const items = { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, weight: { type: 'integer', default: 1 } } } };
      new ApiObject(c, 'Crd', {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: 'widgets.example.com' },
        spec: {
          group: 'example.com',
          names: { kind: 'Widget', plural: 'widgets' },
          scope: 'Namespaced',
          versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { parts: items } } } } } }],
        },
      });
      new ApiObject(c, 'Widget', { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'apps' }, spec: { parts: [item] } });
      return p;
    };
    expect(synthIssues(() => synthPlatform(build({ name: 'a' })))).toContainEqual(expect.stringMatching(/\/spec\/parts\/0\/weight: .*write \/spec\/parts\/0\/weight explicitly \(default 1\)/));
    expect(objectsIn(synthPlatform(build({ name: 'a', weight: 1 })), 'c/manifests.yaml').map((o) => o.kind)).toContain('Widget');
  });

  it('labels every object with its environment and component', () => {
    const p = testPlatform('staging');
    const c = new Component(p, 'C', { name: 'web' });
    configMap(c, 'Cm', {});
    const out = synthPlatform(p);
    for (const o of [...objectsIn(out, 'web/manifests.yaml'), ...objectsIn(out, 'apps/web.yaml')]) {
      expect(o.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'kompile', 'kompile.dev/environment': 'staging', 'kompile.dev/component': 'web' });
    }
  });

  it('never prunes or cascade-deletes StatefulSets and PersistentVolumes', () => {
    const p = testPlatform();
    const c = new Component(p, 'C', { name: 'c' });
    new k8s.KubeStatefulSet(c, 'Db', {
      metadata: { name: 'db', namespace: 'apps' },
      spec: { serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'redis:7' }] } } },
    });
    new k8s.KubePersistentVolume(c, 'Pv', { metadata: { name: 'models' }, spec: { capacity: { storage: k8s.Quantity.fromString('1Gi') }, accessModes: ['ReadOnlyMany'], nfs: { server: 'nfs', path: '/x' } } });
    const objects = objectsIn(synthPlatform(p), 'c/manifests.yaml');
    expect(findObject(objects, 'StatefulSet', 'db').metadata.annotations![SYNC_OPTIONS]).toBe('Prune=false,Delete=false');
    expect(findObject(objects, 'PersistentVolume', 'models').metadata.annotations![SYNC_OPTIONS]).toBe('Prune=false,Delete=false');
  });

  it('never prunes or cascade-deletes Namespaces, PersistentVolumeClaims and CRDs', () => {
    const p = testPlatform();
    const c = new Component(p, 'C', { name: 'c' });
    new k8s.KubeNamespace(c, 'Ns', { metadata: { name: 'apps' } });
    new k8s.KubePersistentVolumeClaim(c, 'Pvc', {
      metadata: { name: 'data', namespace: 'apps', annotations: { [SYNC_OPTIONS]: 'Replace=true' } },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: k8s.Quantity.fromString('1Gi') } } },
    });
    configMap(c, 'Cm', {});
    const objects = objectsIn(synthPlatform(p), 'c/manifests.yaml');
    expect(findObject(objects, 'Namespace', 'apps').metadata.annotations![SYNC_OPTIONS]).toBe('Prune=false,Delete=false');
    expect(findObject(objects, 'PersistentVolumeClaim', 'data').metadata.annotations![SYNC_OPTIONS]).toBe('Replace=true,Prune=false,Delete=false');
    expect(findObject(objects, 'ConfigMap', 'cm').metadata.annotations?.[SYNC_OPTIONS]).toBeUndefined();
  });

  describe('derived images', () => {
    const chart = (image: string) => {
      const p = testPlatform();
      new UpstreamChart(p, 'Runtime', {
        name: 'runtime',
        namespace: 'rt',
        source: ChartSource.helmRepo('https://git.internal/charts', 'runtime', '1.0.0'),
        images: [{ image, valuePath: 'server', format: { kind: 'split', repositoryKey: 'image', tagKey: 'tag' }, derivedTagSuffixes: ['-gpu'] }],
      });
      return p;
    };

    it('relocates, locks and names on the object an image the chart derives by a tag suffix', () => {
      const out = synthPlatform(chart('docker.io/acme/server:v1'), AIRGAP);
      expect(out.images.get('docker.io/acme/server:v1-gpu')).toBe('mirror.internal:35000/acme/server:v1-gpu');
      const app = findObject(objectsIn(out, 'apps/runtime.yaml'), 'Application', 'runtime');
      expect(app.metadata.annotations!['kompile.dev/derived-images']).toBe('mirror.internal:35000/acme/server:v1-gpu');
    });

    it('refuses a derived tag on an image pinned by digest only', () => {
      expect(synthIssues(() => synthPlatform(chart(`docker.io/acme/server@sha256:${'a'.repeat(64)}`), AIRGAP))).toEqual([expect.stringMatching(/a derived tag '-gpu' needs a tag without digest/)]);
    });
  });

  describe('server-side apply', () => {
    const syncOptions = (big: boolean) => {
      const p = testPlatform();
      const c = new Component(p, 'C', { name: 'c' });
      configMap(c, 'Cm', { blob: 'x'.repeat(big ? CLIENT_SIDE_APPLY_LIMIT : 1000) });
      const app = findObject(objectsIn(synthPlatform(p), 'apps/c.yaml'), 'Application', 'c');
      return (app.spec as { syncPolicy: { syncOptions: string[] } }).syncPolicy.syncOptions;
    };

    it('is chosen for a component with an object too large for client-side apply', () => {
      expect(syncOptions(true)).toContain('ServerSideApply=true');
    });

    it('is not chosen for small objects', () => {
      expect(syncOptions(false)).not.toContain('ServerSideApply=true');
    });

    it('is chosen for upstream charts that install CRDs', () => {
      const p = testPlatform();
      new UpstreamChart(p, 'Crds', { name: 'crds', namespace: 'x', source: ChartSource.helmRepo('https://charts.example.com', 'x-crds', '1.0.0'), includesCrds: true });
      new UpstreamChart(p, 'App', { name: 'app', namespace: 'x', source: ChartSource.helmRepo('https://charts.example.com', 'x', '1.0.0') });
      const out = synthPlatform(p);
      const opts = (n: string) => (findObject(objectsIn(out, `apps/${n}.yaml`), 'Application', n).spec as { syncPolicy: { syncOptions: string[] } }).syncPolicy.syncOptions;
      expect(opts('crds')).toContain('ServerSideApply=true');
      expect(opts('app')).not.toContain('ServerSideApply=true');
    });
  });

  describe('images', () => {
    it('relocates container images of every workload kind, declared custom-resource fields and Helm values', () => {
      const p = testPlatform();
      const c = new Component(p, 'C', { name: 'c', namespace: 'apps' });
      const container = (image: string, name = 'main') => ({ name, image });
      // Container names unique across init and regular containers, Jobs restart OnFailure: the API server's rules (lib/checks/api-validation.ts).
      const template = (image: string, restartPolicy?: string) => ({ metadata: { labels: { app: 'x' } }, spec: { containers: [container(image)], initContainers: [container(`${image}-init`, 'init')], restartPolicy } });
      new k8s.KubePod(c, 'Pod', { metadata: { name: 'pod' }, spec: { containers: [container('busybox:1.36')] } });
      new k8s.KubeDeployment(c, 'Deploy', { metadata: { name: 'deploy' }, spec: { selector: { matchLabels: { app: 'x' } }, template: template('ghcr.io/org/web:1') } });
      new k8s.KubeStatefulSet(c, 'Sts', { metadata: { name: 'sts' }, spec: { serviceName: 'sts', selector: { matchLabels: { app: 'x' } }, template: template('quay.io/org/db:2') } });
      new k8s.KubeDaemonSet(c, 'Ds', { metadata: { name: 'ds' }, spec: { selector: { matchLabels: { app: 'x' } }, template: template('registry.k8s.io/agent:3') } });
      new k8s.KubeJob(c, 'Job', { metadata: { name: 'job' }, spec: { template: template('docker.io/org/train:4', 'OnFailure') } });
      new k8s.KubeCronJob(c, 'Cron', { metadata: { name: 'cron' }, spec: { schedule: '@daily', jobTemplate: { spec: { template: template('gcr.io/org/report:5', 'OnFailure') } } } });
      const cr = new ApiObject(c, 'Cr', { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { runtime: { image: 'nvcr.io/org/runtime:6' } } });
      declareImageField(cr, '/spec/runtime/image');
      const chart = new UpstreamChart(p, 'Chart', {
        name: 'chart',
        namespace: 'apps',
        source: ChartSource.oci('oci://ghcr.io/org/charts', 'thing', '1.2.3'),
        images: [
          { image: 'ghcr.io/org/controller:7', valuePath: 'controller.image' },
          { image: 'ghcr.io/org/sidecar:8', valuePath: 'sidecar.image', format: { kind: 'split', repositoryKey: 'repository', tagKey: 'tag' } },
          { image: 'docker.io/org/agent:9', valuePath: 'agent.image', format: { kind: 'split', registryKey: 'registry', repositoryKey: 'repository', tagKey: 'tag' } },
        ],
      });
      expect(chart.isUpstream).toBe(true);

      // Relocation alone: the mirror, with no host restrictions.
      const out = synthPlatform(p, new RegistryPolicy({ mirror: 'mirror.internal:35000', allowedRegistries: ['mirror.internal:35000'], allowedHosts: [] }));
      const lock = Object.fromEntries(out.images);
      expect(lock).toEqual({
        'docker.io/library/busybox:1.36': 'mirror.internal:35000/library/busybox:1.36',
        'ghcr.io/org/web:1': 'mirror.internal:35000/org/web:1',
        'ghcr.io/org/web:1-init': 'mirror.internal:35000/org/web:1-init',
        'quay.io/org/db:2': 'mirror.internal:35000/org/db:2',
        'quay.io/org/db:2-init': 'mirror.internal:35000/org/db:2-init',
        'registry.k8s.io/agent:3': 'mirror.internal:35000/agent:3',
        'registry.k8s.io/agent:3-init': 'mirror.internal:35000/agent:3-init',
        'docker.io/org/train:4': 'mirror.internal:35000/org/train:4',
        'docker.io/org/train:4-init': 'mirror.internal:35000/org/train:4-init',
        'gcr.io/org/report:5': 'mirror.internal:35000/org/report:5',
        'gcr.io/org/report:5-init': 'mirror.internal:35000/org/report:5-init',
        'nvcr.io/org/runtime:6': 'mirror.internal:35000/org/runtime:6',
        'ghcr.io/org/controller:7': 'mirror.internal:35000/org/controller:7',
        'ghcr.io/org/sidecar:8': 'mirror.internal:35000/org/sidecar:8',
        'docker.io/org/agent:9': 'mirror.internal:35000/org/agent:9',
      });
      const everything = [...out.files.values()].join('\n');
      for (const source of Object.keys(lock)) expect(everything).not.toContain(`: ${source}`);
      // images.txt: the upstream sources to mirror, not where the environment pulls them.
      expect(out.files.get('images.txt')).toBe(`${Object.keys(lock).sort().join('\n')}\n`);
      expect(JSON.parse(out.files.get('images.lock.json')!)).toEqual(lock);

      const values = (findObject(objectsIn(out, 'apps/chart.yaml'), 'Application', 'chart').spec as { source: { helm: { valuesObject: Record<string, unknown> } } }).source.helm.valuesObject;
      expect(values).toEqual({
        controller: { image: 'mirror.internal:35000/org/controller:7' },
        sidecar: { image: { repository: 'mirror.internal:35000/org/sidecar', tag: '8' } },
        agent: { image: { registry: 'mirror.internal:35000', repository: 'org/agent', tag: '9' } },
      });
      const widget = findObject(objectsIn(out, 'c/manifests.yaml'), 'Widget', 'w');
      expect(widget.spec).toEqual({ runtime: { image: 'mirror.internal:35000/org/runtime:6' } });
    });

    it('fails the audit on every stray image and outside URL, naming each construct', () => {
      const p = testPlatform('airgap', { repoURL: 'https://git.internal/gitops.git' });
      const c = new Component(p, 'C', { name: 'c', namespace: 'apps' });
      new ApiObject(c, 'Stray', { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { image: 'docker.io/evil/miner:1' } });
      configMap(c, 'Settings', { endpoint: 'https://api.openai.com/v1', internal: 'http://mlflow.mlops.svc:5000', git: 'git@github.com:org/repo.git' });
      new UpstreamChart(p, 'Chart', { name: 'chart', namespace: 'apps', source: ChartSource.git('https://github.com/org/charts.git', 'charts/x', 'v1') });
      const found = synthIssues(() => synthPlatform(p, AIRGAP));
      expect(found).toEqual(
        expect.arrayContaining([
          "[C/Stray] /spec/image: image 'docker.io/evil/miner:1' is outside the allowed registries",
          "[C/Settings] /data/endpoint: 'https://api.openai.com/v1' points outside the allowed hosts",
          "[C/Settings] /data/git: 'git@github.com:org/repo.git' points outside the allowed hosts",
          "[Chart/Application] /spec/source/repoURL: 'https://github.com/org/charts.git' points outside the allowed hosts",
        ]),
      );
      expect(found.join('\n')).not.toContain('mlflow.mlops.svc');
    });

    it('mirrors chart sources where the environment maps them, which satisfies the audit', () => {
      const p = testPlatform('airgap', { repoURL: 'https://git.internal/gitops.git', sourceMirrors: { 'https://github.com/org/charts.git': 'https://git.internal/mirror/charts.git' } });
      new UpstreamChart(p, 'Chart', { name: 'chart', namespace: 'apps', source: ChartSource.git('https://github.com/org/charts.git', 'charts/x', 'v1') });
      const app = findObject(objectsIn(synthPlatform(p, AIRGAP), 'apps/chart.yaml'), 'Application', 'chart');
      expect((app.spec as { source: { repoURL: string; path: string; targetRevision: string } }).source).toMatchObject({ repoURL: 'https://git.internal/mirror/charts.git', path: 'charts/x', targetRevision: 'v1' });
    });

    it('refuses two images that would relocate onto one', () => {
      const p = testPlatform();
      const c = new Component(p, 'C', { name: 'c', namespace: 'apps' });
      new k8s.KubePod(c, 'A', { metadata: { name: 'a' }, spec: { containers: [{ name: 'm', image: 'docker.io/library/redis:7' }] } });
      new k8s.KubePod(c, 'B', { metadata: { name: 'b' }, spec: { containers: [{ name: 'm', image: 'ghcr.io/library/redis:7' }] } });
      expect(synthIssues(() => synthPlatform(p, AIRGAP)).join('\n')).toMatch(/both relocate to 'mirror.internal:35000\/library\/redis:7'/);
    });

    it('reports a malformed image with its construct path', () => {
      const p = testPlatform();
      const c = new Component(p, 'C', { name: 'c', namespace: 'apps' });
      new k8s.KubePod(c, 'Bad', { metadata: { name: 'bad' }, spec: { containers: [{ name: 'm', image: 'Not An Image' }] } });
      expect(synthIssues(() => synthPlatform(p))).toEqual([expect.stringMatching(/^\[C\/Bad\] invalid image reference 'Not An Image'/)]);
    });
  });

  describe('structural errors', () => {
    it('reports a dependency cycle between components', () => {
      const p = testPlatform();
      const a = new Component(p, 'A', { name: 'a' });
      const b = new Component(p, 'B', { name: 'b' }).dependsOn(a);
      a.dependsOn(b);
      configMap(a, 'Ca', {});
      configMap(b, 'Cb', {});
      expect(synthIssues(() => synthPlatform(p)).join('\n')).toMatch(/dependency cycle: a → b → a/);
    });

    it('reports a namespaced object without a namespace, but not a cluster-scoped one or one given the component default', () => {
      const p = testPlatform();
      const a = new Component(p, 'A', { name: 'a' });
      new k8s.KubeConfigMap(a, 'Loose', { metadata: { name: 'loose' }, data: {} });
      new k8s.KubeClusterRole(a, 'Role', { metadata: { name: 'role' } });
      configMap(a, 'Placed', {});
      const b = new Component(p, 'B', { name: 'b', namespace: 'apps' });
      new k8s.KubeConfigMap(b, 'Defaulted', { metadata: { name: 'defaulted' }, data: {} });
      expect(synthIssues(() => synthPlatform(p))).toEqual([expect.stringMatching(/^\[A\/Loose\] \/metadata\/namespace: ConfigMap is namespaced but has no metadata.namespace/)]);
    });

    it('reports a namespace nothing in the environment creates (an object\'s or an Application destination), and passes once a Namespace creates it', () => {
      const build = (createIt = false) => {
        const p = testPlatform();
        const a = new Component(p, 'A', { name: 'a', namespace: 'ml' });
        configMap(a, 'Cm', {});
        if (createIt) for (const name of ['ml', 'apps']) new k8s.KubeNamespace(a, name, { metadata: { name } });
        return p;
      };
      // synthesize itself, not synthPlatform (which creates the namespaces a test platform uses).
      const issues = synthIssues(() => synthesize(build(), new RegistryPolicy({ allowedRegistries: [], allowedHosts: [] })));
      expect(issues).toEqual([
        expect.stringMatching(/^\[A\/Application\] \/spec\/destination\/namespace: namespace 'ml' is not created by any Namespace object of the environment .*CreateNamespace=false/),
        expect.stringMatching(/^\[A\/Cm\] \/metadata\/namespace: namespace 'apps' is not created .*ConfigMap\/apps\/cm/),
      ]);
      expect(() => synthesize(build(true), new RegistryPolicy({ allowedRegistries: [], allowedHosts: [] }))).not.toThrow();
    });

    it('reports an object defined twice and a component with nothing in it', () => {
      const p = testPlatform();
      const a = new Component(p, 'A', { name: 'a' });
      configMap(a, 'Same', {});
      const b = new Component(p, 'B', { name: 'b' });
      configMap(b, 'Same', {});
      new Component(p, 'Empty', { name: 'empty' });
      const found = synthIssues(() => synthPlatform(p)).join('\n');
      // The shared rule of lib/checks/environment-objects.ts, the one `kompile validate` runs.
      expect(found).toMatch(/\[B\/Same\] ConfigMap\/apps\/same is defined twice: Argo CD applies only one of them \(also defined at \[A\/Same\]\)/);
      expect(found).toMatch(/\[Empty\] component 'empty' has no objects/);
    });

    it('reports what the API server would refuse beyond the schema, with the construct path', () => {
      const p = testPlatform();
      const c = new Component(p, 'C', { name: 'c', namespace: 'apps' });
      new k8s.KubeJob(c, 'Job', { metadata: { name: 'job' }, spec: { template: { spec: { containers: [{ name: 'main', image: 'ghcr.io/org/train:4' }] } } } });
      expect(() => synthPlatform(p)).toThrow('[C/Job] /spec/template/spec/restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"');
    });

    it('reports two components of one name', () => {
      const p = testPlatform();
      configMap(new Component(p, 'A', { name: 'web' }), 'X', {});
      configMap(new Component(p, 'B', { name: 'web' }), 'Y', {});
      expect(synthIssues(() => synthPlatform(p)).join('\n')).toMatch(/component name 'web' is also used by \[A\]/);
    });

    it('rejects a component name that is no DNS label', () => {
      expect(() => new Component(testPlatform(), 'A', { name: 'Web_App' })).toThrow(/component name 'Web_App' must be a DNS-1123 label/);
    });
  });
});
