import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { editDistance } from '../../lib/core/edit-distance';
import { acknowledgementsIn, diffExitCode, diffTrees, formatMarkdown, formatText } from '../../lib/tools/diff';
import { commitMessages, readTreeAtRef } from '../../lib/tools/git-tree';
import { displayName, readTree, treeFromFiles } from '../../lib/tools/tree';
import { deployment, files, namespace, Obj, pvc, yamlDocs } from './fixtures';

const crd: Obj = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.com' },
  spec: { group: 'example.com', scope: 'Namespaced', names: { kind: 'Widget', plural: 'widgets' }, versions: [{ name: 'v1', served: true, storage: true }] },
};

function tree(objects: Record<string, readonly Obj[]>, images: Record<string, string[]> = {}) {
  const entries: Record<string, string> = {};
  for (const [file, objs] of Object.entries(objects)) entries[file] = yamlDocs(...objs);
  for (const [env, list] of Object.entries(images)) entries[`${env}/images.txt`] = list.map((i) => `${i}\n`).join('');
  return treeFromFiles(files(entries));
}

/** A child Application the way Kompile writes it: cascade finalizer and automated prune, unless it keeps its objects. */
function app(name: string, opts: { keeps?: boolean; installsCrds?: boolean } = {}): Obj {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: {
      name,
      namespace: 'argocd',
      ...(opts.keeps ? {} : { finalizers: ['resources-finalizer.argocd.argoproj.io'] }),
      annotations: { 'argocd.argoproj.io/sync-options': 'Delete=false', ...(opts.installsCrds ? { 'kompile.dev/installs-crds': 'true' } : {}) },
    },
    spec: { syncPolicy: { automated: { prune: !opts.keeps, selfHeal: true }, syncOptions: opts.keeps ? ['Prune=false'] : [] } },
  };
}

const root: Obj = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'dev-root', namespace: 'argocd' }, spec: { syncPolicy: { automated: { prune: true, selfHeal: true } } } };

/** Marks an object the way the synth marks stateful kinds. */
function kept(o: Obj): Obj {
  return { ...o, metadata: { ...o.metadata, annotations: { 'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false' } } };
}

describe('diffTrees: what Argo CD does with removed objects', () => {
  it('lists the objects of a removed component as deleted by its finalizer, and its Delete=false PVC as kept', () => {
    const before = tree({
      'dev/bootstrap/bootstrap.yaml': [root],
      'dev/apps/store.yaml': [app('store')],
      'dev/apps/other.yaml': [app('other')],
      'dev/store/manifests.yaml': [deployment('api', 'ml', 'x/api:1'), kept(pvc('data', 'ml', '1Gi'))],
    });
    const after = tree({ 'dev/bootstrap/bootstrap.yaml': [root], 'dev/apps/other.yaml': [app('other')] });
    const report = diffTrees(before, after);
    const removal = (object: string) => report.objects.find((o) => o.object === object)!.removal;
    expect(removal('Deployment/ml/api')).toEqual({ outcome: 'deleted', reason: 'deleted with its component (Application store carries the resources finalizer)' });
    expect(removal('PersistentVolumeClaim/ml/data')).toEqual({ outcome: 'orphaned', reason: 'marked Delete=false: stays in the cluster, unmanaged, when Application store is removed' });
    expect(removal('Application/argocd/store')!.outcome).toBe('pruned');
    expect(removal('Application/argocd/store')!.reason).toMatch(/^pruned by Application dev-root; its resources finalizer deletes the objects it synced/);
    expect(report.destructive).toEqual([]);
    expect(report.kept).toEqual([{ environment: 'dev', component: 'store', object: 'PersistentVolumeClaim/ml/data', outcome: 'orphaned', reason: 'marked Delete=false: stays in the cluster, unmanaged, when Application store is removed' }]);
    const text = formatText(report);
    expect(text).toMatch(/Left in the cluster[^\n]*:\n  dev: PersistentVolumeClaim\/ml\/data \(store\): orphaned: marked Delete=false/);
    expect(text).toContain('- Deployment/ml/api  [deleted: deleted with its component');
    expect(formatMarkdown(report)).toContain('- 🟠 orphaned (stays, unmanaged) `PersistentVolumeClaim/ml/data` — marked Delete=false');
  });

  it('still flags an unmarked PVC deleted by the cascade as destructive', () => {
    const before = tree({ 'dev/bootstrap/bootstrap.yaml': [root], 'dev/apps/store.yaml': [app('store')], 'dev/store/manifests.yaml': [pvc('data', 'ml', '1Gi')] });
    const report = diffTrees(before, tree({ 'dev/bootstrap/bootstrap.yaml': [root] }));
    expect(report.destructive.map((d) => d.object)).toEqual(['PersistentVolumeClaim/ml/data']);
    expect(report.destructive[0].reason).toMatch(/^deleted: deleting a PVC releases its volume/);
    expect(report.kept).toEqual([]);
  });

  it('lists the CRDs a removed CRD Application leaves, upstream or in its folder', () => {
    const before = tree({
      'dev/bootstrap/bootstrap.yaml': [root],
      'dev/apps/kserve-crd.yaml': [app('kserve-crd', { keeps: true, installsCrds: true })],
      'dev/apps/widgets.yaml': [app('widgets')],
      'dev/widgets/manifests.yaml': [kept(crd)],
    });
    const report = diffTrees(before, tree({ 'dev/bootstrap/bootstrap.yaml': [root] }));
    expect(report.destructive).toEqual([]);
    expect(report.kept.map((k) => `${k.object} ${k.outcome}`)).toEqual(['Application/argocd/kserve-crd orphaned', 'CustomResourceDefinition/widgets.example.com orphaned']);
    expect(report.kept[0].reason).toBe(
      'no resources finalizer: every object it installed stays in the cluster, unmanaged, including its CustomResourceDefinitions (and so every custom resource of their kinds) (an upstream source: its objects are not in the tree)',
    );
    expect(report.kept[1].reason).toMatch(/^Argo CD never cascade-deletes CRDs: stays in the cluster, unmanaged/);
    expect(formatMarkdown(report)).toContain('| dev | apps | `Application/argocd/kserve-crd` | orphaned (stays, unmanaged): no resources finalizer:');
  });

  it('says an object removed from a component that does not prune stays OutOfSync, and prunes it otherwise', () => {
    const before = tree({
      'dev/apps/crds.yaml': [app('crds', { keeps: true })],
      'dev/apps/web.yaml': [app('web')],
      'dev/crds/manifests.yaml': [deployment('old', 'ml', 'x/old:1'), deployment('stay', 'ml', 'x/stay:1')],
      'dev/web/manifests.yaml': [deployment('gone', 'web', 'x/gone:1'), kept(namespace('web')), deployment('stay', 'web', 'x/stay:1')],
    });
    const after = tree({
      'dev/apps/crds.yaml': [app('crds', { keeps: true })],
      'dev/apps/web.yaml': [app('web')],
      'dev/crds/manifests.yaml': [deployment('stay', 'ml', 'x/stay:1')],
      'dev/web/manifests.yaml': [deployment('stay', 'web', 'x/stay:1')],
    });
    const report = diffTrees(before, after);
    const removal = (object: string) => report.objects.find((o) => o.object === object)!.removal;
    expect(removal('Deployment/ml/old')).toEqual({ outcome: 'out-of-sync', reason: 'Application crds does not prune: stays in the cluster, OutOfSync, until it is pruned by hand' });
    expect(removal('Namespace/web')).toEqual({ outcome: 'out-of-sync', reason: 'marked Prune=false: stays in the cluster, and Application web shows OutOfSync until it is pruned by hand' });
    expect(removal('Deployment/web/gone')).toEqual({ outcome: 'pruned', reason: 'pruned by Application web' });
    expect(report.destructive).toEqual([]);
    expect(report.kept.map((k) => k.object)).toEqual(['Deployment/ml/old', 'Namespace/web']);
    expect(formatText(report)).toContain('- Deployment/ml/old  [kept (stays, OutOfSync): Application crds does not prune');
    expect(formatText(report)).toMatch(/; 2 left in the cluster\n$/);
  });

  it('reads the cascade finalizer with a propagation suffix, and an Application without it as orphaning', () => {
    const bg = { ...app('a'), metadata: { ...app('a').metadata, finalizers: ['resources-finalizer.argocd.argoproj.io/background'] } };
    const none = { ...app('b'), metadata: { ...app('b').metadata, finalizers: [] } };
    const before = tree({ 'dev/apps/a.yaml': [bg, none], 'dev/a/m.yaml': [deployment('x', 'a', 'x/x:1')], 'dev/b/m.yaml': [deployment('y', 'b', 'x/y:1')] });
    const report = diffTrees(before, tree({}));
    expect(report.objects.find((o) => o.object === 'Deployment/a/x')!.removal!.outcome).toBe('deleted');
    expect(report.objects.find((o) => o.object === 'Deployment/b/y')!.removal).toEqual({ outcome: 'orphaned', reason: 'Application b is removed without the resources finalizer: stays in the cluster, unmanaged' });
  });
});

describe('diffTrees', () => {
  it('reports added, removed and changed objects by identity, per environment and component, with field paths', () => {
    const before = tree({
      'dev/app/manifests.yaml': [deployment('api', 'ml', 'ghcr.io/acme/api:1.0'), deployment('old', 'ml', 'ghcr.io/acme/old:1.0')],
      'prod/app/manifests.yaml': [deployment('api', 'ml', 'ghcr.io/acme/api:1.0')],
    });
    const after = tree({
      'dev/app/manifests.yaml': [deployment('api', 'ml', 'ghcr.io/acme/api:1.1'), deployment('new', 'ml', 'ghcr.io/acme/new:1.0')],
      'prod/app/manifests.yaml': [deployment('api', 'ml', 'ghcr.io/acme/api:1.0')],
    });
    const report = diffTrees(before, after);
    expect(report.objects.map((o) => `${o.environment} ${o.component} ${o.type} ${o.object}`)).toEqual([
      'dev app changed Deployment/ml/api',
      'dev app added Deployment/ml/new',
      'dev app removed Deployment/ml/old',
    ]);
    const api = report.objects.find((o) => o.object === 'Deployment/ml/api')!;
    expect(api.fields).toEqual([{ path: 'spec.template.spec.containers[name=app].image', before: 'ghcr.io/acme/api:1.0', after: 'ghcr.io/acme/api:1.1' }]);
    expect(report.images).toEqual([{ environment: 'dev', added: ['ghcr.io/acme/api:1.1', 'ghcr.io/acme/new:1.0'], removed: ['ghcr.io/acme/api:1.0', 'ghcr.io/acme/old:1.0'] }]);
    expect(report.destructive).toEqual([]);
  });

  it('compares images in their canonical spelling: a short name in a chart and its full name in the list are one image', () => {
    const before = tree({ 'dev/app/manifests.yaml': [deployment('api', 'ml', 'nginx:1.27')] }, { dev: ['docker.io/library/nginx:1.27'] });
    const after = tree({ 'dev/app/manifests.yaml': [deployment('api', 'ml', 'docker.io/library/nginx:1.27')] }, { dev: ['docker.io/library/nginx:1.27'] });
    expect(diffTrees(before, after).images).toEqual([]);
    const upgraded = tree({ 'dev/app/manifests.yaml': [deployment('api', 'ml', 'nginx:1.28')] }, { dev: ['nginx:1.28'] });
    expect(diffTrees(before, upgraded).images).toEqual([{ environment: 'dev', added: ['docker.io/library/nginx:1.28'], removed: ['docker.io/library/nginx:1.27'] }]);
  });

  it('reads files as Kubernetes does (YAML 1.1): a plain yes is the boolean true', () => {
    const cm = (value: string) =>
      treeFromFiles(files({ 'dev/app/manifests.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: ml\ndata:\n  flag: ${value}\n` }));
    expect(diffTrees(cm('"yes"'), cm('yes')).objects).toEqual([
      { environment: 'dev', component: 'app', object: 'ConfigMap/ml/c', type: 'changed', fields: [{ path: 'data.flag', before: 'yes', after: true }] },
    ]);
    // Different text, the same object for the API server.
    expect(diffTrees(cm('yes'), cm('true')).objects).toEqual([]);
    expect(diffTrees(cm('0755'), cm('493')).objects).toEqual([]);
  });

  it('ignores file layout and document order: identity is group, kind, namespace, name', () => {
    const a = deployment('a', 'ml', 'x/a:1');
    const b = deployment('b', 'ml', 'x/b:1');
    const report = diffTrees(tree({ 'dev/app/manifests.yaml': [a, b] }), tree({ 'dev/app/manifests.yaml': [b, a] }));
    expect(report.objects).toEqual([]);
  });

  it('reads only Kubernetes objects: Kustomize configuration and Image Updater write-back files are skipped', () => {
    const t = treeFromFiles(
      files({
        'dev/app/manifests.yaml': yamlDocs(pvc('m', 'ml', '1Gi')),
        'dev/app/kustomization.yml': 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - manifests.yaml\n',
        'dev/app/.argocd-source-app.yaml': 'helm:\n  parameters: []\n',
      }),
    );
    expect(t.objects.map((o) => o.file)).toEqual(['dev/app/manifests.yaml']);
    expect(() => treeFromFiles(files({ 'dev/app/x.yaml': 'just: data\n' }))).toThrow('dev/app/x.yaml: document 1 is not a Kubernetes object');
  });

  it("lists a changed write-back file with its folder's objects and the images it makes the environment pull", () => {
    const wb = (digest: string) => `kustomize:\n  images:\n    - registry.local:30500/app:release@sha256:${digest.repeat(64)}\n`;
    const at = (content?: string) => treeFromFiles(files({ 'dev/app/manifests.yaml': yamlDocs(pvc('m', 'ml', '1Gi')), ...(content ? { 'dev/app/.argocd-source-app.yaml': content } : {}) }));
    const changed = diffTrees(at(wb('1')), at(wb('2')));
    expect(changed.objects).toEqual([
      { environment: 'dev', component: 'app', object: 'write-back file .argocd-source-app.yaml', type: 'changed', fields: [
          { path: 'kustomize.images[-]', before: `registry.local:30500/app:release@sha256:${'1'.repeat(64)}` },
          { path: 'kustomize.images[+]', after: `registry.local:30500/app:release@sha256:${'2'.repeat(64)}` },
        ],
      },
    ]);
    expect(changed.images).toEqual([{ environment: 'dev', added: [`registry.local:30500/app:release@sha256:${'2'.repeat(64)}`], removed: [`registry.local:30500/app:release@sha256:${'1'.repeat(64)}`] }]);
    expect(formatText(changed)).toContain('~ write-back file .argocd-source-app.yaml');
    expect(diffTrees(at(), at(wb('1'))).objects.map((o) => `${o.type} ${o.object}`)).toEqual(['added write-back file .argocd-source-app.yaml']);
    expect(diffTrees(at(wb('1')), at()).objects.map((o) => `${o.type} ${o.object}`)).toEqual(['removed write-back file .argocd-source-app.yaml']);
    expect(diffTrees(at(wb('1')), at(wb('1'))).objects).toEqual([]);
  });

  it('reads objects the API server names (generateName) and tells each apart in the diff', () => {
    const job = (generateName: string) => ({ apiVersion: 'batch/v1', kind: 'Job', metadata: { generateName, namespace: 'ml', annotations: { 'argocd.argoproj.io/hook': 'PreSync' } }, spec: {} });
    const before = treeFromFiles(files({ 'dev/app/manifests.yaml': yamlDocs(job('migrate-'), job('migrate-')) }));
    expect(before.objects.map((o) => displayName(o.object))).toEqual(['Job/ml/migrate-*', 'Job/ml/migrate-*']);
    const after = treeFromFiles(files({ 'dev/app/manifests.yaml': yamlDocs(job('migrate-'), job('migrate-'), job('migrate-')) }));
    expect(diffTrees(before, before).objects).toEqual([]);
    expect(diffTrees(before, after).objects.map((o) => `${o.type} ${o.object}`)).toEqual(['added Job/ml/migrate-*']);
    expect(() => treeFromFiles(files({ 'dev/app/x.yaml': yamlDocs(job('')) }))).toThrow('metadata.name or metadata.generateName are required');
  });

  it('reports a component move as a changed field', () => {
    const d = deployment('a', 'ml', 'x/a:1');
    const report = diffTrees(tree({ 'dev/one/manifests.yaml': [d] }), tree({ 'dev/two/manifests.yaml': [d] }));
    expect(report.objects[0].fields).toEqual([{ path: '(component)', before: 'one', after: 'two' }]);
  });

  it('flags deleted PVCs, Namespaces, CRDs and StatefulSets as destructive', () => {
    const sts: Obj = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: 'ml' }, spec: {} };
    const before = tree({ 'dev/data/manifests.yaml': [pvc('models', 'ml', '10Gi'), namespace('ml'), crd, sts, deployment('gone', 'ml', 'x/y:1')] });
    const report = diffTrees(before, tree({}));
    expect(report.destructive.map((d) => d.object).sort()).toEqual(['CustomResourceDefinition/widgets.example.com', 'Namespace/ml', 'PersistentVolumeClaim/ml/models', 'StatefulSet/ml/db']);
    expect(report.destructive.find((d) => d.object === 'Namespace/ml')!.reason).toMatch(/deletes every object in it/);
  });

  it('flags changed immutable fields: selectors, Job templates, PVC class and shrink, Service clusterIP, StatefulSet claims', () => {
    const job = (cmd: string): Obj => ({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'train', namespace: 'ml' }, spec: { template: { spec: { containers: [{ name: 't', image: 'x/t:1', command: [cmd] }] } } } });
    const svc = (ip: string): Obj => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'api', namespace: 'ml' }, spec: { clusterIP: ip, ports: [{ port: 80 }] } });
    const sts = (size: string, serviceName: string): Obj => ({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db', namespace: 'ml' },
      spec: { serviceName, selector: { matchLabels: { app: 'db' } }, volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { resources: { requests: { storage: size } } } }] },
    });
    const before = tree({
      'dev/app/manifests.yaml': [deployment('api', 'ml', 'x/a:1'), job('a'), pvc('models', 'ml', '10Gi'), pvc('cache', 'ml', '1Gi'), svc('None'), sts('1Gi', 'db')],
    });
    const after = tree({
      'dev/app/manifests.yaml': [
        deployment('api', 'ml', 'x/a:1', { selector: { matchLabels: { app: 'api', tier: 'web' } } }),
        job('b'),
        pvc('models', 'ml', '5Gi'),
        pvc('cache', 'ml', '2Gi', 'local-path'),
        svc(''),
        sts('2Gi', 'db-headless'),
      ],
    });
    const report = diffTrees(before, after);
    const reasons = report.destructive.map((d) => `${d.object}: ${d.reason.split(':')[0]}`);
    expect(reasons).toEqual([
      'Deployment/ml/api: spec.selector changed',
      'Job/ml/train: spec.template changed',
      'PersistentVolumeClaim/ml/cache: spec.storageClassName changed',
      'PersistentVolumeClaim/ml/models: spec.resources.requests.storage decreased (10Gi → 5Gi)',
      'Service/ml/api: spec.clusterIP changed (None → )',
      'StatefulSet/ml/db: spec.serviceName changed',
      'StatefulSet/ml/db: spec.volumeClaimTemplates changed',
    ]);
  });

  it('does not flag a PVC that grows or a Deployment whose template changes', () => {
    const before = tree({ 'dev/app/manifests.yaml': [pvc('m', 'ml', '1Gi'), deployment('a', 'ml', 'x/a:1')] });
    const after = tree({ 'dev/app/manifests.yaml': [pvc('m', 'ml', '1536Mi'), deployment('a', 'ml', 'x/a:2')] });
    expect(diffTrees(before, after).destructive).toEqual([]);
  });

  it('marks acknowledged destructive changes, globally or per environment, and sets the exit code from the policy', () => {
    const before = tree({ 'dev/data/manifests.yaml': [pvc('models', 'ml', '1Gi')], 'prod/data/manifests.yaml': [pvc('models', 'ml', '1Gi')] });
    const after = tree({});
    const none = diffTrees(before, after);
    expect(diffExitCode(none, 'destructive')).toBe(1);
    expect(diffExitCode(none, 'none')).toBe(0);
    expect(diffExitCode(none, 'changes')).toBe(1);
    const devOnly = diffTrees(before, after, { acknowledged: ['dev:PersistentVolumeClaim/ml/models'] });
    expect(devOnly.destructive.map((d) => `${d.environment} ${d.acknowledged}`)).toEqual(['dev true', 'prod false']);
    expect(diffExitCode(devOnly, 'destructive')).toBe(1);
    const all = diffTrees(before, after, { acknowledged: ['PersistentVolumeClaim/ml/models'] });
    expect(diffExitCode(all, 'destructive')).toBe(0);
    expect(diffExitCode(diffTrees(before, before), 'changes')).toBe(0);
  });

  it('reads acknowledgements from commit trailers', () => {
    expect(acknowledgementsIn('Drop the cache\n\nKompile-Ack-Destructive: PersistentVolumeClaim/ml/cache\nkompile-ack-destructive: dev:Namespace/old\nSigned-off-by: x')).toEqual([
      'PersistentVolumeClaim/ml/cache',
      'dev:Namespace/old',
    ]);
  });

  it('formats text and Markdown with a loud destructive section', () => {
    const before = tree({ 'dev/data/manifests.yaml': [pvc('models', 'ml', '1Gi'), deployment('api', 'ml', 'x/a:1')] });
    const after = tree({ 'dev/data/manifests.yaml': [deployment('api', 'ml', 'x/a:2')] });
    const report = diffTrees(before, after);
    const text = formatText(report);
    expect(text).toContain('!!! DESTRUCTIVE CHANGES !!!');
    expect(text).toContain('- PersistentVolumeClaim/ml/models');
    expect(text).toContain('spec.template.spec.containers[name=app].image: x/a:1 → x/a:2');
    const md = formatMarkdown(report);
    expect(md).toContain('### ⚠️ Destructive changes — 1 need acknowledgement');
    expect(md).toContain('| ❌ | dev | data | `PersistentVolumeClaim/ml/models` |');
    expect(md).toContain('🔴 removed `PersistentVolumeClaim/ml/models`');
    expect(md).toContain('Kompile-Ack-Destructive');
    expect(formatMarkdown(diffTrees(after, after))).toContain('No changes');
    const short = formatMarkdown(report, { maxChars: md.length - 1 });
    expect(short).toContain('- **data**: 0 added, 1 removed, 1 changed');
    expect(short).toContain('| ❌ | dev | data | `PersistentVolumeClaim/ml/models` |');
    expect(short).not.toContain('🔴 removed');
    expect(formatMarkdown(report, { maxChars: 100 })).toContain('Too many changes to list here');
    expect(formatText(diffTrees(after, after))).toBe('No changes.\n');
  });
});

describe('kompile diff output: acknowledgements, added objects, --max-chars', () => {
  it('warns about an --ack that matches nothing, naming the nearest destructive changes', () => {
    const before = tree({ 'dev/data/m.yaml': [pvc('models', 'ml', '1Gi'), pvc('cache', 'ml', '1Gi'), namespace('ml')] });
    const after = tree({});
    const report = diffTrees(before, after, { acknowledged: ['PersistentVolumeClaim/ml/model', 'PersistentVolumeClaim/ml/cache', 'dev:Namespace/m'] });
    expect(report.unmatchedAcks).toEqual([
      { ack: 'PersistentVolumeClaim/ml/model', nearest: ['dev:PersistentVolumeClaim/ml/models', 'dev:PersistentVolumeClaim/ml/cache', 'dev:Namespace/ml'] },
      { ack: 'dev:Namespace/m', nearest: ['dev:Namespace/ml', 'dev:PersistentVolumeClaim/ml/cache', 'dev:PersistentVolumeClaim/ml/models'] },
    ]);
    expect(formatText(report)).toContain('Acknowledgements that match nothing:\n  PersistentVolumeClaim/ml/model matches no destructive change; did you mean dev:PersistentVolumeClaim/ml/models,');
    expect(formatMarkdown(report)).toContain('### Acknowledgements that match nothing');
    expect(diffTrees(before, after, { acknowledged: ['PersistentVolumeClaim/ml/models', 'prod:Namespace/ml'] }).unmatchedAcks.map((u) => u.ack)).toEqual(['prod:Namespace/ml']);
    expect([editDistance('Namespace/m', 'namespace/ML'), editDistance('', 'abc'), editDistance('kitten', 'sitting')]).toEqual([1, 3, 3]);
    const none = diffTrees(after, after, { acknowledged: ['Namespace/x'] });
    expect(formatText(none)).toContain('Namespace/x matches no destructive change; this diff has none');
  });

  it('shows the key fields of an added object on one line', () => {
    const isvc: Obj = {
      apiVersion: 'serving.kserve.io/v1beta1',
      kind: 'InferenceService',
      metadata: { name: 'llm', namespace: 'ml' },
      spec: { predictor: { minReplicas: 1, maxReplicas: 3, model: { storageUri: 's3://models/llm', resources: { requests: { cpu: '1' }, limits: { 'nvidia.com/gpu': '1' } } } } },
    };
    const sts: Obj = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: 'ml' }, spec: { replicas: 2, volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { resources: { requests: { storage: '5Gi' } } } }] } };
    const report = diffTrees(tree({}), tree({ 'dev/app/m.yaml': [deployment('api', 'ml', 'x/a:1'), pvc('models', 'ml', '10Gi'), isvc, sts, namespace('ml')] }));
    const summary = (object: string) => report.objects.find((o) => o.object === object)!.summary;
    expect(summary('Deployment/ml/api')).toBe('image x/a:1; replicas 1; resources (request/limit) app: cpu 100m/500m, memory 128Mi/256Mi');
    expect(summary('PersistentVolumeClaim/ml/models')).toBe('storage 10Gi');
    expect(summary('InferenceService/ml/llm')).toBe('minReplicas 1; maxReplicas 3; resources (request/limit) model: cpu 1/-, nvidia.com/gpu -/1; storageUri s3://models/llm');
    expect(summary('StatefulSet/ml/db')).toBe('replicas 2; storage data 5Gi');
    expect(summary('Namespace/ml')).toBeUndefined();
    expect(formatText(report)).toContain('+ PersistentVolumeClaim/ml/models  (storage 10Gi)\n');
    expect(formatMarkdown(report)).toContain('- 🟢 added `PersistentVolumeClaim/ml/models` — `storage 10Gi`');
  });

  it('--max-chars drops detail component by component, least important first, keeping object lines as long as it can', () => {
    const many = (prefix: string, n: number, image: string) => Array.from({ length: n }, (_, i) => deployment(`${prefix}${i}`, 'ml', image));
    const before = tree({ 'dev/big/m.yaml': many('b', 6, 'x/a:1'), 'dev/small/m.yaml': [...many('s', 1, 'x/a:1'), pvc('data', 'ml', '1Gi')] });
    const after = tree({
      'dev/big/m.yaml': many('b', 6, 'x/a:2').map((d) => ({ ...d, spec: { ...(d.spec as object), replicas: 2, revisionHistoryLimit: 3, paused: true, minReadySeconds: 5 } })),
      'dev/small/m.yaml': [...many('s', 1, 'x/a:2'), pvc('data', 'ml', '1Gi', 'fast')],
    });
    const report = diffTrees(before, after);
    const full = formatMarkdown(report);
    const at = (maxChars: number) => formatMarkdown(report, { maxChars });
    expect(at(full.length)).toBe(full);
    // A little too long: the big component (no destructive change) keeps only its first fields.
    const few = at(full.length - 1);
    expect(few.length).toBeLessThanOrEqual(full.length - 1);
    expect(few).toContain('… and 2 more field(s)');
    expect(few).toContain('`spec.storageClassName: nfs-csi → fast`');
    expect(few).toContain('Some detail is left out');
    // Tighter: object lines without fields, every object still listed.
    const lines = at(few.length - 200);
    expect(lines).toContain('- 🟡 changed `Deployment/ml/b0`\n- 🟡 changed `Deployment/ml/b1`\n');
    for (let i = 0; i < 6; i++) expect(lines).toContain(`\`Deployment/ml/b${i}\``);
    expect(lines).toContain('`spec.storageClassName: nfs-csi → fast`');
    // Tighter still: counts for the big component first, the destructive one keeps its lines longest.
    const counts = formatMarkdown(report, { maxChars: lines.length - 300 });
    expect(counts).toContain('- **big**: 0 added, 0 removed, 6 changed');
    expect(counts).toContain('`PersistentVolumeClaim/ml/data`');
    expect(formatMarkdown(report, { maxChars: 100 })).toContain('Too many changes to list here');
  });
});

describe('readTreeAtRef', () => {
  it('reads the rendered tree of a commit and names the objects changed between two commits', () => {
    const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'kompile-git-'));
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'pipe' }).toString();
    git('init', '-q', '-b', 'main');
    git('config', 'user.email', 't@example.com');
    git('config', 'user.name', 'Test');
    const write = (rel: string, content: string) => {
      fs.mkdirSync(path.dirname(path.join(repo, rel)), { recursive: true });
      fs.writeFileSync(path.join(repo, rel), content);
    };
    write('dist/dev/app/manifests.yaml', yamlDocs(deployment('api', 'ml', 'x/a:1'), pvc('models', 'ml', '1Gi')));
    write('dist/dev/images.txt', 'docker.io/x/a:1\n');
    git('add', '.');
    git('commit', '-q', '-m', 'first');
    write('dist/dev/app/manifests.yaml', yamlDocs(deployment('api', 'ml', 'x/a:2')));
    git('commit', '-q', '-am', 'second\n\nKompile-Ack-Destructive: PersistentVolumeClaim/ml/models');
    const old = readTreeAtRef(repo, 'HEAD~1', 'dist');
    expect(old.objects.map((o) => o.file)).toEqual(['dev/app/manifests.yaml', 'dev/app/manifests.yaml']);
    expect(old.images.get('dev')?.list).toEqual(['docker.io/x/a:1']);
    const report = diffTrees(old, readTree(path.join(repo, 'dist')), { acknowledged: acknowledgementsIn(commitMessages(repo, 'HEAD~1')) });
    expect(report.objects.map((o) => `${o.type} ${o.object}`)).toEqual(['changed Deployment/ml/api', 'removed PersistentVolumeClaim/ml/models']);
    expect(report.destructive.map((d) => `${d.object} ${d.acknowledged}`)).toEqual(['PersistentVolumeClaim/ml/models true']);
    expect(() => readTreeAtRef(repo, 'no-such-ref', 'dist')).toThrow(/git ref 'no-such-ref' not found/);
    fs.rmSync(repo, { recursive: true, force: true });
  });
});

describe('diffTrees: refused changes, safety nets and API defaults (Kubernetes 1.28)', () => {
  const one = (o: Obj) => tree({ 'dev/store/manifests.yaml': [o] });
  const reasons = (before: Obj, after: Obj) => diffTrees(one(before), one(after)).destructive.map((d) => d.reason);
  const cm = (data: Record<string, string>, immutable?: boolean): Obj => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'ml' }, data, ...(immutable === undefined ? {} : { immutable }) });
  const secret = (extra: Record<string, unknown>): Obj => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'ml' }, data: { k: 'dg==' }, ...extra });

  it('flags data changed on an immutable ConfigMap or Secret, and immutable turned off; not a mutable one', () => {
    expect(reasons(cm({ a: '1' }, true), cm({ a: '2' }, true))).toEqual(['data changed on an immutable ConfigMap: forbidden; it must be deleted and recreated']);
    expect(reasons(cm({ a: '1' }, true), cm({ a: '1' }))).toEqual(['immutable turned off: forbidden once set; the ConfigMap must be deleted and recreated']);
    expect(reasons(cm({ a: '1' }), cm({ a: '2' }))).toEqual([]);
    expect(reasons(secret({ immutable: true }), secret({ immutable: true, data: { k: 'dw==' } }))).toEqual(['data changed on an immutable Secret: forbidden; it must be deleted and recreated']);
  });

  it("flags a Secret's type change, counting an unset type as Opaque", () => {
    expect(reasons(secret({}), secret({ type: 'kubernetes.io/tls' }))[0]).toMatch(/^type changed: a Secret's type is immutable/);
    expect(reasons(secret({}), secret({ type: 'Opaque' }))).toEqual([]);
  });

  it('flags a PersistentVolume source change and a StorageClass parameters/provisioner change', () => {
    const pv = (server: string, extra: Record<string, unknown> = {}): Obj => ({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'v' }, spec: { capacity: { storage: '1Gi' }, nfs: { server, path: '/x' }, ...extra } });
    expect(reasons(pv('a'), pv('b'))).toEqual(['the volume source changed: spec.persistentvolumesource is immutable after creation; the PV must be recreated']);
    expect(reasons(pv('a'), pv('a', { capacity: { storage: '2Gi' } }))).toEqual([]);
    const sc = (provisioner: string, parameters: Record<string, string>): Obj => ({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'fast' }, provisioner, parameters });
    expect(reasons(sc('a', { x: '1' }), sc('b', { x: '2' })).map((r) => r.split(':')[0])).toEqual(['parameters changed', 'provisioner changed']);
  });

  it('flags a Service made headless or no longer headless, and a changed loadBalancerClass', () => {
    const svc = (spec: Record<string, unknown>): Obj => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: 'ml' }, spec: { ports: [{ port: 80 }], ...spec } });
    expect(reasons(svc({}), svc({ clusterIP: 'None' }))[0]).toMatch(/^spec\.clusterIP changed \(unset → None\): made headless/);
    expect(reasons(svc({ clusterIP: 'None' }), svc({}))[0]).toMatch(/no longer headless/);
    expect(reasons(svc({ type: 'LoadBalancer', loadBalancerClass: 'a/b' }), svc({ type: 'LoadBalancer', loadBalancerClass: 'c/d' }))[0]).toMatch(/^spec\.loadBalancerClass changed \(a\/b → c\/d\): may not change once set/);
    expect(reasons(svc({}), svc({ sessionAffinity: 'None' }))).toEqual([]);
  });

  it('flags Job completions changed, except an elastic Indexed Job', () => {
    const job = (spec: Record<string, unknown>): Obj => ({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j', namespace: 'ml' }, spec: { template: { spec: { containers: [] } }, ...spec } });
    expect(reasons(job({ completions: 1 }), job({ completions: 2 }))[0]).toMatch(/^spec\.completions changed: immutable/);
    expect(reasons(job({ completionMode: 'Indexed', completions: 2, parallelism: 2 }), job({ completionMode: 'Indexed', completions: 3, parallelism: 3 }))).toEqual([]);
  });

  it('flags a renamed PVC or StatefulSet as a delete plus a create, once', () => {
    const report = diffTrees(one(pvc('data', 'ml', '1Gi')), one(pvc('data-v2', 'ml', '1Gi')));
    expect(report.objects.map((o) => `${o.type} ${o.object}`)).toEqual(['removed PersistentVolumeClaim/ml/data', 'added PersistentVolumeClaim/ml/data-v2']);
    expect(report.destructive.map((d) => `${d.object}: ${d.reason}`)).toEqual([
      'PersistentVolumeClaim/ml/data: renamed to data-v2: a rename is a delete plus a create; the new PersistentVolumeClaim starts empty and the data of the old one is not carried over',
    ]);
    expect(diffTrees(one(deployment('a', 'ml', 'x:1')), one(deployment('b', 'ml', 'x:1'))).destructive).toEqual([]);
  });

  it('pairs renames exactly: same content anywhere in the namespace, else the only pair of a component; ambiguous removals stay deletions', () => {
    const isvc = (name: string, uri: string): Obj => ({ apiVersion: 'serving.kserve.io/v1beta1', kind: 'InferenceService', metadata: { name, namespace: 'ml' }, spec: { predictor: { model: { storageUri: uri } } } });
    const names = (r: ReturnType<typeof diffTrees>) => r.destructive.map((d) => `${d.object}: ${d.reason.split(':')[0]}`);
    // Same content, moved to another component and renamed: a rename (the new component is named).
    const moved = diffTrees(tree({ 'dev/a/m.yaml': [pvc('data', 'ml', '1Gi')] }), tree({ 'dev/b/m.yaml': [pvc('data2', 'ml', '1Gi')] }));
    expect(moved.destructive.map((d) => d.reason)).toEqual([
      'renamed to data2 (in b): a rename is a delete plus a create; the new PersistentVolumeClaim starts empty and the data of the old one is not carried over',
    ]);
    // Renamed and edited: the only removed and the only added InferenceService of the component.
    expect(names(diffTrees(one(isvc('llm', 's3://m/1')), one(isvc('llm-v2', 's3://m/2'))))).toEqual(['InferenceService/ml/llm: renamed to llm-v2']);
    // Two removed, two added, all different: no pairing is certain, so each removal is a deletion.
    const ambiguous = diffTrees(one(pvc('a', 'ml', '1Gi')), tree({ 'dev/store/manifests.yaml': [pvc('c', 'ml', '2Gi'), pvc('d', 'ml', '3Gi')] }));
    expect(names(ambiguous)).toEqual(['PersistentVolumeClaim/ml/a: deleted']);
    const two = diffTrees(tree({ 'dev/store/m.yaml': [pvc('a', 'ml', '1Gi'), pvc('b', 'ml', '2Gi')] }), tree({ 'dev/store/m.yaml': [pvc('a2', 'ml', '2Gi'), pvc('b2', 'ml', '5Gi')] }));
    // b and a2 have the same content; a and b2 are then the only pair left in the component.
    expect(names(two)).toEqual(['PersistentVolumeClaim/ml/a: renamed to b2', 'PersistentVolumeClaim/ml/b: renamed to a2']);
    // Another namespace is another object, not a rename.
    expect(names(diffTrees(one(pvc('a', 'ml', '1Gi')), one(pvc('a2', 'other', '1Gi'))))).toEqual(['PersistentVolumeClaim/ml/a: deleted']);
  });

  it('says the old object of a rename stays in the cluster when Argo CD does not prune it', () => {
    const before = tree({ 'dev/apps/store.yaml': [app('store')], 'dev/store/m.yaml': [kept(pvc('data', 'ml', '1Gi'))] });
    const after = tree({ 'dev/apps/store.yaml': [app('store')], 'dev/store/m.yaml': [kept(pvc('data-v2', 'ml', '1Gi'))] });
    const report = diffTrees(before, after);
    expect(report.destructive.map((d) => d.reason)).toEqual([
      'renamed to data-v2: a rename is a delete plus a create; the new PersistentVolumeClaim starts empty and the old one stays in the cluster with its data, unmanaged (out-of-sync)',
    ]);
    expect(report.kept.map((k) => k.object)).toEqual(['PersistentVolumeClaim/ml/data']);
  });

  it('flags a deleted InferenceService or KnativeServing as destructive, not a deleted ServingRuntime', () => {
    const isvc: Obj = { apiVersion: 'serving.kserve.io/v1beta1', kind: 'InferenceService', metadata: { name: 'llm', namespace: 'ml' }, spec: {} };
    const ks: Obj = { apiVersion: 'operator.knative.dev/v1beta1', kind: 'KnativeServing', metadata: { name: 'knative-serving', namespace: 'knative-serving' }, spec: {} };
    const rt: Obj = { apiVersion: 'serving.kserve.io/v1alpha1', kind: 'ServingRuntime', metadata: { name: 'rt', namespace: 'ml' }, spec: {} };
    const report = diffTrees(tree({ 'dev/serve/m.yaml': [isvc, ks, rt] }), tree({}));
    expect(report.destructive.map((d) => `${d.object}: ${d.reason.split(':')[0]}`)).toEqual(['InferenceService/ml/llm: deleted', 'KnativeServing/knative-serving/knative-serving: deleted']);
    expect(report.destructive[0].reason).toBe('deleted: deleting an InferenceService takes its model endpoint out of service');
  });

  it('flags Prune=false removed from a stateful object', () => {
    expect(reasons(kept(pvc('data', 'ml', '1Gi')), pvc('data', 'ml', '1Gi'))).toEqual(['Prune=false removed: removing it from the tree later deletes it (and its data) instead of leaving it in the cluster']);
    expect(reasons(kept(deployment('a', 'ml', 'x:1')), deployment('a', 'ml', 'x:1'))).toEqual([]);
  });

  it('reports removed safety nets as warnings that do not fail --fail-on destructive', () => {
    const pv = (policy?: string): Obj => ({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'v' }, spec: { nfs: { server: 'a', path: '/' }, ...(policy ? { persistentVolumeReclaimPolicy: policy } : {}) } });
    const sts = (policy?: Record<string, string>): Obj => ({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: 'ml' }, spec: { serviceName: 'db', ...(policy ? { persistentVolumeClaimRetentionPolicy: policy } : {}) } });
    const report = diffTrees(tree({ 'dev/store/a.yaml': [pv(), sts()] }), tree({ 'dev/store/a.yaml': [pv('Delete'), sts({ whenDeleted: 'Delete', whenScaled: 'Delete' })] }));
    expect(report.destructive).toEqual([]);
    expect(report.warnings.map((w) => `${w.object}: ${w.reason.split(':')[0]}`)).toEqual([
      'PersistentVolume/v: spec.persistentVolumeReclaimPolicy Retain → Delete',
      'StatefulSet/ml/db: spec.persistentVolumeClaimRetentionPolicy.whenDeleted Retain → Delete',
      'StatefulSet/ml/db: spec.persistentVolumeClaimRetentionPolicy.whenScaled Retain → Delete',
    ]);
    expect(diffExitCode(report, 'destructive')).toBe(0);
    expect(formatText(report)).toContain('Warnings (safety nets removed):\n  dev: PersistentVolume/v (store): spec.persistentVolumeReclaimPolicy Retain → Delete');
    expect(formatMarkdown(report)).toContain('### Warnings (safety nets removed)');
    expect(diffTrees(one(pv('Delete')), one(pv('Retain'))).warnings).toEqual([]);
  });

  it('flags a StorageClass volumeBindingMode or reclaimPolicy change, counting unset as Immediate and Delete', () => {
    const sc = (extra: Record<string, unknown>): Obj => ({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'fast' }, provisioner: 'x.csi', ...extra });
    expect(reasons(sc({}), sc({ volumeBindingMode: 'WaitForFirstConsumer' }))[0]).toMatch(/^volumeBindingMode changed: updates are forbidden/);
    expect(reasons(sc({}), sc({ reclaimPolicy: 'Retain' }))[0]).toMatch(/^reclaimPolicy changed/);
    expect(diffTrees(one(sc({})), one(sc({ volumeBindingMode: 'Immediate', reclaimPolicy: 'Delete' }))).objects).toEqual([]);
  });

  it('counts an unset Job completionMode as NonIndexed and unset completions/parallelism as 1', () => {
    const job = (spec: Record<string, unknown>): Obj => ({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j', namespace: 'ml' }, spec: { template: { spec: { containers: [] } }, ...spec } });
    expect(diffTrees(one(job({})), one(job({ completionMode: 'NonIndexed', completions: 1, parallelism: 1, backoffLimit: 6, suspend: false }))).objects).toEqual([]);
    expect(reasons(job({}), job({ completionMode: 'Indexed' }))[0]).toMatch(/^spec\.completionMode changed/);
    // parallelism set alone: completions stays unset (SetDefaults_Job), so setting it is a change.
    expect(reasons(job({ parallelism: 2 }), job({ parallelism: 2, completions: 1 }))[0]).toMatch(/^spec\.completions changed/);
  });

  it('does not flag a changed hook Job that Argo CD recreates (BeforeHookCreation), and says so', () => {
    const hook = (cmd: string, policy: string): Obj => ({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'migrate', namespace: 'ml', annotations: { 'argocd.argoproj.io/hook': 'Sync', 'argocd.argoproj.io/hook-delete-policy': policy } },
      spec: { template: { spec: { containers: [{ name: 'm', image: 'x/m:1', command: [cmd] }] } } },
    });
    const report = diffTrees(one(hook('a', 'BeforeHookCreation')), one(hook('b', 'BeforeHookCreation')));
    expect(report.destructive).toEqual([]);
    expect(report.objects[0].note).toBe('an Argo CD Sync hook with BeforeHookCreation: Argo CD deletes the old Job and creates this one on the next sync, by design');
    expect(formatText(report)).toContain('~ Job/ml/migrate  [an Argo CD Sync hook with BeforeHookCreation');
    expect(reasons(hook('a', 'HookFailed'), hook('b', 'HookFailed'))[0]).toMatch(/^spec\.template changed/);
  });

  it('flags a CRD version no longer served while objects of the tree use it', () => {
    const withVersions = (versions: Record<string, unknown>[]): Obj => ({ ...crd, spec: { ...(crd.spec as object), versions } });
    const widget = (version: string): Obj => ({ apiVersion: `example.com/${version}`, kind: 'Widget', metadata: { name: 'w', namespace: 'ml' } });
    const both = [{ name: 'v1beta1', served: true, storage: false }, { name: 'v1', served: true, storage: true }];
    const unserved = [{ name: 'v1beta1', served: false, storage: false }, { name: 'v1', served: true, storage: true }];
    const crdReasons = (after: Obj[], user: Obj) => diffTrees(tree({ 'dev/w/m.yaml': [withVersions(both), user] }), tree({ 'dev/w/m.yaml': [...after, user] })).destructive.map((d) => d.reason);
    expect(crdReasons([withVersions(unserved)], widget('v1beta1'))).toEqual([
      'version v1beta1 no longer served while 1 object(s) in the tree use it (Widget/ml/w): the API server has no example.com/v1beta1 Widget any more, so their sync fails',
    ]);
    expect(crdReasons([withVersions(unserved)], widget('v1'))).toEqual([]);
    expect(crdReasons([withVersions([both[1]])], widget('v1beta1')).map((r) => r.split(':')[0])).toEqual([
      'version v1beta1 no longer served while 1 object(s) in the tree use it (Widget/ml/w)',
      'version(s) v1beta1 removed',
    ]);
  });

  it('treats an unset field as its API default: no change, no false alarm', () => {
    const sts = (spec: Record<string, unknown>): Obj => ({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: 'ml' }, spec: { serviceName: 'db', ...spec } });
    expect(diffTrees(one(sts({})), one(sts({ podManagementPolicy: 'OrderedReady' }))).objects).toEqual([]);
    expect(reasons(sts({}), sts({ podManagementPolicy: 'Parallel' }))[0]).toMatch(/^spec\.podManagementPolicy changed/);
    const claim = pvc('data', 'ml', '1Gi');
    expect(diffTrees(one(claim), one({ ...claim, spec: { ...(claim.spec as object), volumeMode: 'Filesystem' } })).objects).toEqual([]);
    const withPolicy = (image: string) => deployment('a', 'ml', image, {}) as Obj & { spec: { template: { spec: { containers: Record<string, unknown>[] } } } };
    const d = withPolicy('x:1');
    const explicit = JSON.parse(JSON.stringify(d)) as typeof d;
    explicit.spec.template.spec.containers[0].imagePullPolicy = 'IfNotPresent';
    expect(diffTrees(one(d), one(explicit)).objects).toEqual([]);
    explicit.spec.template.spec.containers[0].imagePullPolicy = 'Always';
    expect(diffTrees(one(d), one(explicit)).objects[0].fields.map((f) => `${f.path}: ${String(f.before)} → ${String(f.after)}`)).toEqual(['spec.template.spec.containers[name=app].imagePullPolicy: IfNotPresent → Always']);
  });
});
