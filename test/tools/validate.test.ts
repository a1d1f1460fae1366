import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { clusterNamespaces as clusterNamespacesOf, clusterNetworkCidrs, parseEnvironment } from '../../lib/core/config';
import { RegistryPolicy } from '../../lib/core/registry-policy';
import { treeFromFiles } from '../../lib/tools/tree';
import { formatFindings, validateExitCode, validateTree } from '../../lib/tools/validate';
import { environments } from '../../stacks';
import { airgap } from '../../stacks/airgap';
import { buildEnvironment } from '../../stacks/build';
import { compiledTree, deployment, files, namespace, networkPolicy, Obj, pvc, yamlDocs } from './fixtures';
import { declaredSchemaValidator } from '../schemas';

const schema = declaredSchemaValidator();

function tree(objects: readonly Obj[], env = 'dev') {
  return treeFromFiles(files({ [`${env}/app/manifests.yaml`]: yamlDocs(...objects) }));
}

const good = [namespace('ml'), networkPolicy('default-deny', 'ml'), deployment('api', 'ml', 'ghcr.io/acme/api:1.0')];

describe('validateTree', () => {
  it('passes a compliant workload with schema checks on', () => {
    expect(validateTree(tree(good), { schema })).toEqual([]);
  });

  it('checks a ClusterImagePolicy against the schema Kompile writes for it when no chart brings its CRD', () => {
    const cip = { apiVersion: 'policy.sigstore.dev/v1beta1', kind: 'ClusterImagePolicy', metadata: { name: 'signed' }, spec: { images: [{ glob: 'r:1/**' }], authorities: [{ name: 'ci', key: { data: 'pem', hashAlgorithm: 'sha256' } }], mode: 'enforce' } };
    expect(validateTree(tree([cip as unknown as Obj]), { schema }).filter((f) => f.rule === 'schema')).toEqual([]);
    const unchecked = { ...cip, spec: { ...cip.spec, policy: { type: 'cue' } } };
    expect(validateTree(tree([unchecked as unknown as Obj]), { schema }).filter((f) => f.rule === 'schema')).toEqual([expect.objectContaining({ severity: 'error', object: 'ClusterImagePolicy/signed' })]);
  });

  it('reports a field the CRD defaults inside a list item as an argocd-diff error naming the path', () => {
    const iu = { apiVersion: 'argocd-image-updater.argoproj.io/v1alpha1', kind: 'ImageUpdater', metadata: { name: 'x', namespace: 'argocd' }, spec: { applicationRefs: [{ namePattern: 'a' }] } };
    const findings = validateTree(tree([iu as unknown as Obj]), { schema }).filter((f) => f.rule === 'argocd-diff');
    expect(findings).toEqual([expect.objectContaining({ severity: 'error', object: 'ImageUpdater/argocd/x', path: '/spec/applicationRefs/0/useAnnotations' })]);
    expect(validateTree(tree([{ ...iu, spec: { applicationRefs: [{ namePattern: 'a', useAnnotations: false }] } } as unknown as Obj]), { schema }).filter((f) => f.rule === 'argocd-diff')).toEqual([]);
  });

  it("reads Image Updater's write-back files from the tree and holds them to the ImageUpdater, the image lock and the airgap policy", () => {
    const fixture = (name: string) => fs.readFileSync(path.join(__dirname, '../fixtures/write-back', name), 'utf8');
    const reg = 'registry.local:30500';
    const iu = { apiVersion: 'argocd-image-updater.argoproj.io/v1alpha1', kind: 'ImageUpdater', metadata: { name: 'chatbot', namespace: 'argocd' }, spec: { applicationRefs: [{ namePattern: 'chatbot', useAnnotations: false, images: [{ alias: 'b', imageName: `${reg}/chatbot/backend:release` }, { alias: 'f', imageName: `${reg}/chatbot/frontend:release` }] }] } };
    const lock = JSON.stringify({ [`${reg}/chatbot/backend:1.0.0`]: `${reg}/chatbot/backend:1.0.0`, [`${reg}/chatbot/frontend:1.0.0`]: `${reg}/chatbot/frontend:1.0.0` });
    const withWriteBack = (content: string) =>
      treeFromFiles(
        files({
          'dev/image-automation/manifests.yaml': yamlDocs(iu),
          'dev/chatbot/manifests.yaml': yamlDocs(...good),
          'dev/chatbot/.argocd-source-chatbot.yaml': content,
          'dev/images.lock.json': lock,
        }),
      );
    expect(withWriteBack(fixture('good.yaml')).sourceOverrides).toEqual([expect.objectContaining({ environment: 'dev', component: 'chatbot', file: 'dev/chatbot/.argocd-source-chatbot.yaml' })]);
    const policies = new Map([['dev', new RegistryPolicy({ mirror: 'mirror.site:5000', allowedRegistries: ['mirror.site:5000'], allowedHosts: [] }, [reg])]]);
    expect(validateTree(withWriteBack(fixture('good.yaml')), { policies }).filter((f) => f.rule === 'write-back')).toEqual([]);
    const bad = validateTree(withWriteBack(fixture('bad.yaml')), { policies }).filter((f) => f.rule === 'write-back');
    expect(bad).toHaveLength(9);
    expect(bad[0]).toEqual({ severity: 'error', rule: 'write-back', environment: 'dev', file: 'dev/chatbot/.argocd-source-chatbot.yaml', object: 'write-back file .argocd-source-chatbot.yaml', path: '/helm', message: expect.stringMatching(/overrides 'helm'/) });
    expect(bad.map((f) => f.message).join('\n')).toMatch(/miner.* is outside the allowed registries/);
    expect(validateExitCode(bad)).toBe(1);
    // A folder-wide override, which neither Kompile nor Image Updater writes, is an error too.
    const stray = treeFromFiles(files({ 'dev/chatbot/manifests.yaml': yamlDocs(...good), 'dev/chatbot/.argocd-source.yaml': 'kustomize: {}\n' }));
    expect(validateTree(stray).filter((f) => f.rule === 'write-back')).toEqual([expect.objectContaining({ file: 'dev/chatbot/.argocd-source.yaml', message: expect.stringMatching(/every application of folder 'chatbot'/) })]);
  });

  it('reports the security rules (lib/checks/security-rbac.ts) as errors with their rule names', () => {
    const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'all', namespace: 'ml' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['*'] }] };
    const findings = validateTree(tree([...good, role as unknown as Obj]), { schema });
    expect(findings).toEqual([expect.objectContaining({ severity: 'error', rule: 'rbac-wildcard', object: 'Role/ml/all', path: '/rules/0/verbs' })]);
    expect(validateTree(tree([...good, { ...role, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] } as unknown as Obj]), { schema })).toEqual([]);
  });

  it('reports trust-private-key (lib/checks/security-trust.ts) as an error, and checks Bundles against schemas/crds', () => {
    const bundle = (key: string) => ({ apiVersion: 'trust.cert-manager.io/v1alpha1', kind: 'Bundle', metadata: { name: 'ca' }, spec: { sources: [{ secret: { name: 'tls', key } }], target: { configMap: { key: 'ca.crt' } } } });
    expect(validateTree(tree([...good, bundle('tls.key') as unknown as Obj]), { schema })).toEqual([expect.objectContaining({ severity: 'error', rule: 'trust-private-key', object: 'Bundle/ca', path: '/spec/sources/0/secret/key' })]);
    expect(validateTree(tree([...good, bundle('ca.crt') as unknown as Obj]), { schema })).toEqual([]);
    // The schema Kompile writes for the kind: a source key must not be empty (minLength 1 in the CRD of trust-manager v0.20.2).
    expect(validateTree(tree([...good, bundle('') as unknown as Obj]), { schema }).map((f) => `${f.rule} ${f.path}`)).toEqual(['schema /spec/sources/0/secret/key']);
  });

  it('reports a node port without an authentication story (lib/checks/security-exposure.ts) as an error of rule edge-authentication, a chart\'s as a warning', () => {
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'api', namespace: 'ml' }, spec: { type: 'NodePort', selector: { app: 'api' }, ports: [{ port: 80 }] } };
    const t = tree([...good, svc as unknown as Obj]);
    expect(validateTree(t, { schema })).toEqual([expect.objectContaining({ severity: 'error', rule: 'edge-authentication', object: 'Service/ml/api', path: '/spec/type' })]);
    const fromChart = { ...t, objects: t.objects.map((o) => (o.object.kind === 'Service' ? { ...o, chart: 'exposed' } : o)) };
    expect(validateTree(fromChart, { schema })).toEqual([expect.objectContaining({ severity: 'warning', rule: 'edge-authentication', message: expect.stringContaining('(rendered from chart exposed)') })]);
    const named = { ...svc, metadata: { ...svc.metadata, annotations: { 'kompile.dev/authentication': 'http-basic' } } };
    expect(validateTree(tree([...good, named as unknown as Obj]), { schema })).toEqual([]);
  });

  it("reports what an upstream chart renders as a warning of the same rule, naming the chart (Kompile's own objects stay errors)", () => {
    const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'all', namespace: 'ml' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['*'] }] };
    const t = tree([...good, role as unknown as Obj]);
    const fromChart = { ...t, objects: t.objects.map((o) => (o.object.kind === 'Role' ? { ...o, chart: 'wide' } : o)) };
    const findings = validateTree(fromChart, { schema });
    expect(findings).toEqual([expect.objectContaining({ severity: 'warning', rule: 'rbac-wildcard', object: 'Role/ml/all', message: expect.stringContaining('(rendered from chart wide)') })]);
    expect(validateExitCode(findings)).toBe(0);
    // The network rules too: a chart's NetworkPolicy open to every pod is a warning, Kompile's an error.
    const open = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'open', namespace: 'ml' }, spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] } };
    const withOpen = tree([...good, open as unknown as Obj]);
    const cidrs = { clusterCidrs: new Map([['dev', ['10.42.0.0/16', '10.43.0.0/16']]]) };
    expect(validateTree(withOpen, { schema, ...cidrs }).filter((f) => f.rule === 'netpol-open-peer').map((f) => f.severity)).toEqual(['error']);
    const openFromChart = { ...withOpen, objects: withOpen.objects.map((o) => (o.object.metadata.name === 'open' ? { ...o, chart: 'wide' } : o)) };
    expect(validateTree(openFromChart, { schema, ...cidrs }).filter((f) => f.rule === 'netpol-open-peer').map((f) => f.severity)).toEqual(['warning']);
  });

  it('reports schema findings with file, object and field path', () => {
    const broken = deployment('api', 'ml', 'ghcr.io/acme/api:1.0', { replicas: 'two' });
    const findings = validateTree(tree([namespace('ml'), networkPolicy('p', 'ml'), broken]), { schema });
    expect(findings).toContainEqual(expect.objectContaining({ severity: 'error', rule: 'schema', file: 'dev/app/manifests.yaml', object: 'Deployment/ml/api', path: '/spec/replicas' }));
    expect(validateExitCode(findings)).toBe(1);
  });

  it("reports what the API server refuses beyond the schema as rule 'api' errors", () => {
    const pdb = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'api', namespace: 'ml' }, spec: { minAvailable: 1, maxUnavailable: 1, selector: { matchLabels: { app: 'api' } } } };
    const findings = validateTree(tree([...good, pdb as unknown as Obj])).filter((f) => f.rule === 'api');
    expect(findings).toEqual([expect.objectContaining({ severity: 'error', object: 'PodDisruptionBudget/ml/api', path: '/spec', message: 'minAvailable and maxUnavailable cannot be both set' })]);
    expect(validateTree(tree(good)).filter((f) => f.rule === 'api')).toEqual([]);
  });

  it("reports what the API server only warns about (duplicate containerPort, env name) as rule 'api' warnings, which pass", () => {
    const dup = deployment('api', 'ml', 'ghcr.io/acme/api:1.0');
    const c = (dup.spec as { template: { spec: { containers: Record<string, unknown>[] } } }).template.spec.containers[0];
    c.ports = [{ containerPort: 8080 }, { containerPort: 8080 }];
    c.env = [{ name: 'A', value: '1' }, { name: 'A', value: '2' }];
    const findings = validateTree(tree([namespace('ml'), networkPolicy('p', 'ml'), dup])).filter((f) => f.rule === 'api');
    expect(findings).toEqual([
      expect.objectContaining({ severity: 'warning', object: 'Deployment/ml/api', path: '/spec/template/spec/containers/0/env/1', message: expect.stringContaining('hides previous definition of "A"') }),
      expect.objectContaining({ severity: 'warning', object: 'Deployment/ml/api', path: '/spec/template/spec/containers/0/ports/1', message: 'duplicate port definition with /spec/template/spec/containers/0/ports/0' }),
    ]);
    expect(validateExitCode(findings)).toBe(0);
    expect(validateExitCode(findings, true)).toBe(1);
  });

  it('applies Pod Security restricted only where the namespace enforces it', () => {
    const root = deployment('api', 'ml', 'ghcr.io/acme/api:1.0');
    const spec = (root.spec as { template: { spec: Record<string, unknown> } }).template.spec;
    spec.securityContext = {};
    spec.hostNetwork = true;
    spec.volumes = [{ name: 'h', hostPath: { path: '/var' } }];
    const restricted = validateTree(tree([namespace('ml'), networkPolicy('p', 'ml'), root])).filter((f) => f.rule === 'pod-security');
    expect(restricted.map((f) => f.path)).toEqual([
      '/spec/template/spec/containers/0/securityContext/seccompProfile',
      '/spec/template/spec/hostNetwork',
      '/spec/template/spec/volumes/0/hostPath',
    ]);
    expect(restricted[0].message).toMatch(/namespace 'ml' enforces Pod Security 'restricted'; the pod template is refused: container 'app': seccompProfile.type must be RuntimeDefault/);
    expect(validateTree(tree([namespace('ml', 'privileged'), networkPolicy('p', 'ml'), root])).filter((f) => f.rule === 'pod-security')).toEqual([]);
  });

  it('requires requests and limits on every container, and probes on long-running workloads only (as warnings)', () => {
    const d = deployment('api', 'ml', 'ghcr.io/acme/api:1.0');
    const c = (d.spec as { template: { spec: { containers: Record<string, unknown>[] } } }).template.spec.containers[0];
    c.resources = { requests: { cpu: '1' } };
    delete c.livenessProbe;
    const job: Obj = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'train', namespace: 'ml' },
      spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 't', image: 'ghcr.io/acme/t:1', resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } } }] } } },
    };
    const findings = validateTree(tree([namespace('ml', 'baseline'), networkPolicy('p', 'ml'), d, job]));
    expect(findings.map((f) => `${f.severity} ${f.rule} ${f.object} ${f.path}`)).toEqual([
      'warning probes Deployment/ml/api /spec/template/spec/containers/0/livenessProbe',
      'error resources Deployment/ml/api /spec/template/spec/containers/0/resources/limits/cpu',
      'error resources Deployment/ml/api /spec/template/spec/containers/0/resources/limits/memory',
      'error resources Deployment/ml/api /spec/template/spec/containers/0/resources/requests/memory',
    ]);
  });

  it('rejects latest and untagged images anywhere under an image key', () => {
    const cr: Obj = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'ml' }, spec: { image: 'ghcr.io/acme/w' } };
    const findings = validateTree(tree([namespace('ml'), networkPolicy('p', 'ml'), deployment('api', 'ml', 'nginx:latest'), cr]));
    expect(findings.filter((f) => f.rule === 'image-tag').map((f) => `${f.object} ${f.path} ${f.message}`)).toEqual([
      "Deployment/ml/api /spec/template/spec/containers/0/image image 'nginx:latest' uses the mutable tag 'latest'; pin a version",
      "Widget/ml/w /spec/image image 'ghcr.io/acme/w' has no tag or digest (an implicit 'latest'); pin a version",
    ]);
  });

  it('reads an image split into `image` and `tag` (Helm values) as one pinned reference', () => {
    const app: Obj = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'kserve', namespace: 'argocd' },
      spec: { source: { helm: { valuesObject: { agent: { image: 'docker.io/kserve/agent', tag: 'v0.15.2' }, router: { image: 'docker.io/kserve/router', tag: 'latest' }, bare: { image: 'docker.io/kserve/bare' } } } } },
    };
    const findings = validateTree(tree([app])).filter((f) => f.rule === 'image-tag');
    expect(findings.map((f) => `${f.path} ${f.message}`)).toEqual([
      "/spec/source/helm/valuesObject/bare/image image 'docker.io/kserve/bare' has no tag or digest (an implicit 'latest'); pin a version",
      "/spec/source/helm/valuesObject/router/image image 'docker.io/kserve/router:latest' uses the mutable tag 'latest'; pin a version",
    ]);
  });

  it('requires a NetworkPolicy in every namespace the environment creates that runs workloads', () => {
    // 'argocd' is not the environment's: whoever created it owns its policies.
    const findings = validateTree(tree([namespace('ml'), namespace('web'), networkPolicy('p', 'ml'), deployment('a', 'ml', 'x/a:1'), deployment('b', 'web', 'x/b:1'), deployment('c', 'argocd', 'x/c:1')]));
    expect(findings.filter((f) => f.rule === 'network-policy')).toEqual([
      expect.objectContaining({ severity: 'error', object: 'Namespace/web', message: "namespace 'web' runs workloads (first: Deployment/web/b) but has no NetworkPolicy" }),
    ]);
  });

  it('rejects Secret values and literal credentials in env, but not references or flags', () => {
    const secret: Obj = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'ml' }, stringData: { password: 'hunter2' } };
    const emptySecret: Obj = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'e', namespace: 'ml' }, type: 'Opaque' };
    const d = deployment('api', 'ml', 'x/a:1');
    (d.spec as { template: { spec: { containers: Record<string, unknown>[] } } }).template.spec.containers[0].env = [
      { name: 'DB_PASSWORD', value: 'hunter2' },
      { name: 'GITHUB', value: `ghp_${'a'.repeat(36)}` },
      { name: 'TOKEN_FILE', value: '/var/run/token' },
      { name: 'SKIP_TOKEN_CHECK', value: 'true' },
      { name: 'REGISTRY_AUTH_HTPASSWD_REALM', value: 'Registry Realm' },
      { name: 'AWS_ACCESS_KEY_ID', value: 'minio' },
      { name: 'AWS_SECRET_ACCESS_KEY', value: 'minio123' },
      { name: 'USE_TOKEN', value: 'true' },
      { name: 'API_KEY', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
    ];
    const findings = validateTree(tree([namespace('ml'), networkPolicy('p', 'ml'), secret, emptySecret, d])).filter((f) => f.rule === 'secret-value');
    expect(findings.map((f) => `${f.object} ${f.path}`)).toEqual([
      'Deployment/ml/api /spec/template/spec/containers/0/env/0/value',
      'Deployment/ml/api /spec/template/spec/containers/0/env/1/value',
      'Deployment/ml/api /spec/template/spec/containers/0/env/6/value',
      'Secret/ml/s /stringData',
    ]);
  });

  it('audits references against the registry policy of restricted environments only', () => {
    const app: Obj = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'a', namespace: 'argocd' }, spec: { source: { repoURL: 'https://github.com/acme/charts.git' } } };
    const objects = [namespace('ml'), networkPolicy('p', 'ml'), deployment('api', 'ml', 'ghcr.io/acme/api:1.0'), app];
    const policy = new RegistryPolicy({ mirror: 'registry.airgap.internal:35000', allowedRegistries: ['registry.airgap.internal:35000'], allowedHosts: ['git.airgap.internal'] });
    const findings = validateTree(tree(objects, 'airgap'), { policies: new Map([['airgap', policy]]) });
    expect(findings.map((f) => `${f.rule} ${f.object} ${f.path}`)).toEqual([
      'airgap Application/argocd/a /spec/source/repoURL',
      'airgap Deployment/ml/api /spec/template/spec/containers/0/image',
    ]);
    expect(validateTree(tree(objects, 'dev'), { policies: new Map([['airgap', policy]]) })).toEqual([]);
  });

  it('formats one line per finding and counts errors and warnings', () => {
    const d = deployment('api', 'ml', 'x/a:1');
    delete (d.spec as { template: { spec: { containers: Record<string, unknown>[] } } }).template.spec.containers[0].readinessProbe;
    const findings = validateTree(tree([namespace('ml'), networkPolicy('p', 'ml'), d]));
    expect(validateExitCode(findings)).toBe(0);
    expect(validateExitCode(findings, true)).toBe(1);
    expect(formatFindings(findings)).toBe(
      "warning dev/app/manifests.yaml Deployment/ml/api /spec/template/spec/containers/0/readinessProbe: container 'app' of a long-running workload has no readinessProbe [probes]\n0 error(s), 1 warning(s)\n",
    );
  });

  it('reads files as Kubernetes does and reports a plain scalar YAML 1.1 reads as another type (yaml-1.1)', () => {
    const redis = (args: string) =>
      treeFromFiles(
        files({
          'dev/chatbot/manifests.yaml': `${yamlDocs(namespace('ml'), networkPolicy('p', 'ml'))}---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: redis
  namespace: ml
spec:
  serviceName: redis
  selector: {matchLabels: {app: redis}}
  template:
    metadata: {labels: {app: redis}}
    spec:
      containers:
        - name: redis
          image: redis:7.2
          args: ${args}
`,
        }),
      );
    const plain = redis('[--appendonly, yes]');
    const sts = plain.objects.find((o) => o.object.kind === 'StatefulSet')!;
    const spec = sts.object.spec as { template: { spec: { containers: Array<{ args: unknown[] }> } } };
    expect(spec.template.spec.containers[0].args).toEqual(['--appendonly', true]);
    const findings = validateTree(plain, { schema }).filter((f) => f.rule === 'yaml-1.1' || f.rule === 'schema');
    expect(findings).toContainEqual({
      severity: 'error',
      rule: 'yaml-1.1',
      environment: 'dev',
      file: 'dev/chatbot/manifests.yaml',
      object: 'StatefulSet/ml/redis',
      path: '/spec/template/spec/containers/0/args/1',
      message: 'plain \'yes\' reads as the boolean true in YAML 1.1 (kubectl, Argo CD, the API server) but as the string "yes" in YAML 1.2; quote it',
    });
    // The schema sees what the API server gets: a boolean where a string belongs.
    expect(findings).toContainEqual(expect.objectContaining({ rule: 'schema', path: '/spec/template/spec/containers/0/args/1' }));
    expect(validateTree(redis('[--appendonly, "yes"]'), { schema }).filter((f) => f.rule === 'yaml-1.1' || f.rule === 'schema')).toEqual([]);
  });

  it('passes on every environment, airgap held to the policy its synth uses', () => {
    const { policy } = buildEnvironment(parseEnvironment(airgap));
    // Each environment's own ingress fact (`cluster.ingress.publishesStatus`), as `kompile validate` takes it.
    const configs = environments.map((e) => parseEnvironment(e));
    const ingressPublishesStatus = new Map(configs.map((c) => [c.name, c.cluster.ingress.publishesStatus]));
    // And the facts of the network rules: the cluster's networks and the namespaces it has (Argo CD's among them).
    const clusterCidrs = new Map(configs.map((c) => [c.name, clusterNetworkCidrs(c.cluster)]));
    const clusterNamespaces = new Map(configs.map((c) => [c.name, [c.gitops.argocdNamespace, ...clusterNamespacesOf(c.cluster)]]));
    const findings = validateTree(compiledTree(), { schema, policies: new Map([['airgap', policy]]), ingressPublishesStatus, clusterCidrs, clusterNamespaces });
    expect(findings.filter((f) => f.severity === 'error')).toEqual([]);
    // Without the fact, dev's chatbot and Jenkins Ingresses hold back the later waves.
    const unpublished = validateTree(compiledTree(), { ingressPublishesStatus: new Map([['dev', false]]) }).filter((f) => f.rule === 'ingress-health');
    expect(unpublished.map((f) => `${f.environment} ${f.file} ${f.object}`)).toEqual(['dev dev/chatbot/manifests.yaml Ingress/chatbot/chatbot', 'dev dev/jenkins-ingress/manifests.yaml Ingress/jenkins/jenkins']);
  });
});

describe('validateTree: Pod Security', () => {
  it('judges every pod template at the level its namespace enforces, baseline included', () => {
    const root = deployment('root', 'ml', 'ghcr.io/acme/api:1.0');
    const spec = (root.spec as { template: { spec: { containers: Record<string, unknown>[] } } }).template.spec;
    spec.containers[0].securityContext = { runAsUser: 0, capabilities: { add: ['NET_ADMIN'] } };
    const atBaseline = validateTree(tree([namespace('ml', 'baseline'), networkPolicy('p', 'ml'), root]));
    expect(atBaseline.filter((f) => f.rule === 'pod-security').map((f) => f.path)).toEqual(['/spec/template/spec/containers/0/securityContext/capabilities/add/0']);
    const atPrivileged = validateTree(tree([namespace('ml', 'privileged'), networkPolicy('p', 'ml'), root]));
    expect(atPrivileged.filter((f) => f.rule === 'pod-security')).toEqual([]);
  });

  describe("rule 'sync-wave'", () => {
    const WAVE = 'argocd.argoproj.io/sync-wave';
    const application = (name: string, wave: number): Obj => ({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name, namespace: 'argocd', labels: { 'kompile.dev/component': name }, annotations: { [WAVE]: String(wave) } }, spec: {} });
    const withWave = (o: Obj, wave: number): Obj => ({ ...o, metadata: { ...o.metadata, annotations: { [WAVE]: String(wave) } } });
    const consumer = () => {
      const d = deployment('api', 'ml', 'ghcr.io/acme/api:1.0');
      (d.spec as { template: { spec: Record<string, unknown> } }).template.spec.volumes = [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }];
      return d;
    };
    // No component labels: the folder names the component, the Application its wave.
    const staged = (claimWave: number) =>
      treeFromFiles(
        files({
          'dev/apps/app.yaml': yamlDocs(application('app', 1)),
          'dev/app/manifests.yaml': yamlDocs(namespace('ml'), networkPolicy('p', 'ml'), withWave(pvc('data', 'ml', '1Gi', 'local-path'), claimWave), withWave(consumer(), 2)),
        }),
      );

    it('reports a WaitForFirstConsumer claim before its first pod, naming both', () => {
      const findings = validateTree(staged(0), { waitForFirstConsumer: new Map([['dev', ['local-path']]]) }).filter((f) => f.rule === 'sync-wave');
      expect(findings).toHaveLength(1);
      expect(findings[0]).toMatchObject({ severity: 'error', environment: 'dev', file: 'dev/app/manifests.yaml', object: 'PersistentVolumeClaim/ml/data', path: '' });
      expect(findings[0].message).toMatch(/syncs in component 'app' wave 1, object wave 0, before its first consumer Deployment 'api' \(component 'app' wave 1, object wave 2\)/);
    });

    it('passes the claim in its consumer\'s wave, and finds nothing without the classes', () => {
      expect(validateTree(staged(2), { waitForFirstConsumer: new Map([['dev', ['local-path']]]) }).filter((f) => f.rule === 'sync-wave')).toEqual([]);
      expect(validateTree(staged(0)).filter((f) => f.rule === 'sync-wave')).toEqual([]);
      expect(validateTree(staged(0), { waitForFirstConsumer: new Map([['prod', ['local-path']]]) }).filter((f) => f.rule === 'sync-wave')).toEqual([]);
    });
  });
});

describe("validateTree: rule 'ingress-health'", () => {
  const WAVE = 'argocd.argoproj.io/sync-wave';
  const application = (name: string, wave: number): Obj => ({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name, namespace: 'argocd', labels: { 'kompile.dev/component': name }, annotations: { [WAVE]: String(wave) } }, spec: {} });
  const ingress: Obj = { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'web', namespace: 'web' }, spec: { ingressClassName: 'nginx', rules: [{ host: 'web.example.com' }] } };
  // No component labels: the folder names the component, the Application its wave.
  const staged = (webWave: number) =>
    treeFromFiles(
      files({
        'dev/apps/web.yaml': yamlDocs(application('web', webWave)),
        'dev/apps/api.yaml': yamlDocs(application('api', 2)),
        'dev/web/manifests.yaml': yamlDocs(ingress),
      }),
    );
  const rule = (t: ReturnType<typeof staged>, facts?: Map<string, boolean>) => validateTree(t, { ingressPublishesStatus: facts }).filter((f) => f.rule === 'ingress-health');

  it('reports an Ingress before a later-wave Application where the controller does not publish, naming both', () => {
    const findings = rule(staged(1), new Map([['dev', false]]));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'error', environment: 'dev', file: 'dev/web/manifests.yaml', object: 'Ingress/web/web', path: '' });
    expect(findings[0].message).toMatch(/^Ingress 'web' \(Application 'web', wave 1\) stays Progressing: .*so wave 2 \(Application 'api'\) never starts; .*\(dev\/apps\/api\.yaml\)$/);
  });

  it('passes the Ingress in the last wave, where the controller publishes, and where the fact is unknown', () => {
    expect(rule(staged(2), new Map([['dev', false]]))).toEqual([]);
    expect(rule(staged(1), new Map([['dev', true]]))).toEqual([]);
    expect(rule(staged(1))).toEqual([]);
    expect(rule(staged(1), new Map([['prod', false]]))).toEqual([]);
  });
});

describe("validateTree: rules 'duplicate' and 'namespace' (lib/checks/environment-objects.ts)", () => {
  const cm = (name: string, ns?: string): Obj => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...(ns ? { namespace: ns } : {}) }, data: { a: 'b' } });
  const rules = (t: ReturnType<typeof treeFromFiles>, options = {}) => validateTree(t, options).filter((f) => f.rule === 'duplicate' || f.rule === 'namespace');

  it('reports an object defined twice, in one file or two, as an error naming both files', () => {
    const two = treeFromFiles(files({ 'dev/a/manifests.yaml': yamlDocs(namespace('ml'), cm('x', 'ml')), 'dev/b/manifests.yaml': yamlDocs(cm('x', 'ml')) }));
    expect(rules(two)).toEqual([
      expect.objectContaining({ severity: 'error', rule: 'duplicate', file: 'dev/b/manifests.yaml', object: 'ConfigMap/ml/x', path: '', message: expect.stringContaining('(also in dev/a/manifests.yaml)') }),
    ]);
    expect(rules(tree([namespace('ml'), cm('x', 'ml'), cm('x', 'ml')]))).toEqual([expect.objectContaining({ rule: 'duplicate', message: expect.stringContaining('also in dev/app/manifests.yaml') })]);
    // Same name, other namespace, kind or group: other objects; other environments too.
    const fine = treeFromFiles(files({ 'dev/a/m.yaml': yamlDocs(namespace('ml'), namespace('ops'), cm('x', 'ml'), cm('x', 'ops'), { ...cm('x', 'ml'), kind: 'Secret', data: {} }), 'prod/a/m.yaml': yamlDocs(namespace('ml'), cm('x', 'ml')) }));
    expect(rules(fine)).toEqual([]);
  });

  it('counts an object rendered from a chart as a definition', () => {
    const t = treeFromFiles(files({ 'dev/a/m.yaml': yamlDocs(namespace('ml'), cm('x', 'ml')) }));
    const rendered = { ...t, objects: [...t.objects, { environment: 'dev', component: 'apps', file: 'dev/apps/lib.yaml', object: cm('x', 'ml') as never, chart: 'lib' }] };
    expect(rules(rendered)).toEqual([expect.objectContaining({ rule: 'duplicate', file: 'dev/apps/lib.yaml', message: expect.stringContaining('also in dev/a/m.yaml') })]);
  });

  it('never takes objects named by generateName for the same object', () => {
    const job = () => ({ apiVersion: 'batch/v1', kind: 'Job', metadata: { generateName: 'migrate-', namespace: 'ml' }, spec: {} }) as unknown as Obj;
    const findings = validateTree(tree([namespace('ml'), job(), job()]), { schema });
    expect(findings.filter((f) => f.rule === 'duplicate' || f.rule === 'namespace')).toEqual([]);
    // The rest of validate reads it too, named by its generateName.
    expect(findings.map((f) => f.object)).toContain('Job/ml/migrate-*');
  });

  it('reports a namespaced object of Kompile’s files without a namespace, but not a cluster-scoped one or a chart render', () => {
    const t = tree([namespace('ml'), cm('loose'), { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'r' } }]);
    expect(rules(t)).toEqual([expect.objectContaining({ severity: 'error', rule: 'namespace', object: 'ConfigMap/loose', path: '/metadata/namespace', message: expect.stringContaining('no metadata.namespace') })]);
    const app = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'lib', namespace: 'argocd' }, spec: { destination: { namespace: 'ml' } } };
    const base = treeFromFiles(files({ 'dev/apps/lib.yaml': yamlDocs(app), 'dev/ml/m.yaml': yamlDocs(namespace('ml')) }));
    const rendered = { ...base, objects: [...base.objects, { environment: 'dev', component: 'apps', file: 'dev/apps/lib.yaml', object: cm('from-chart') as never, chart: 'lib' }] };
    expect(rules(rendered)).toEqual([]);
  });

  it('reports the first object in a namespace nothing in the environment creates, and an Application destination', () => {
    const app = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'lib', namespace: 'argocd' }, spec: { destination: { namespace: 'gone' } } };
    const t = tree([cm('a', 'ml'), cm('b', 'ml'), app as unknown as Obj]);
    expect(rules(t)).toEqual([
      expect.objectContaining({ severity: 'error', rule: 'namespace', object: 'Application/argocd/lib', path: '/spec/destination/namespace', message: expect.stringContaining("namespace 'gone' is not created") }),
      expect.objectContaining({ severity: 'error', rule: 'namespace', object: 'ConfigMap/ml/a', path: '/metadata/namespace', message: expect.stringMatching(/namespace 'ml' is not created.*ConfigMap\/ml\/a.*CreateNamespace=false/) }),
    ]);
    // A chart render without a namespace is placed in its Application's destination.
    const rendered = { ...t, objects: [...t.objects, { environment: 'dev', component: 'app', file: 'dev/app/manifests.yaml', object: cm('c') as never, chart: 'lib' }] };
    expect(rules(rendered).map((f) => f.message).filter((m) => m.includes("'gone'"))).toHaveLength(1);
  });

  it('exempts the namespaces Kubernetes creates and Argo CD’s own (given per environment)', () => {
    const t = tree(['default', 'kube-system', 'kube-public', 'kube-node-lease', 'argocd'].map((ns) => cm('x', ns)));
    expect(rules(t)).toEqual([]);
    const own = tree([cm('x', 'gitops'), cm('y', 'argocd')]);
    expect(rules(own, { argocdNamespaces: new Map([['dev', 'gitops']]) })).toEqual([expect.objectContaining({ object: 'ConfigMap/argocd/y', message: expect.stringContaining("namespace 'argocd' is not created") })]);
  });
});
