import { describe, expect, it } from 'vitest';
import { KCloudSchema } from './config';
import { Namespaces } from '../../core/namespaces';
import { KCloud } from './kcloud';
import { KCloudOptimizerOperator } from './kcloud-optimizer-operator';
import { compiledEnvironment, findObject, K8sObject, objectsIn, synthEnvironment, synthPlatform, testPlatform } from '../../../test/helpers';
import { dig, item, list } from '../../../test/ci/dig';
import { CHARTS } from '../../../stacks/charts';

const wave = (o: K8sObject) => Number(o.metadata.annotations?.['argocd.argoproj.io/sync-wave']);

function operator(props: Partial<ConstructorParameters<typeof KCloudOptimizerOperator>[2]> = {}) {
  const platform = testPlatform();
  new KCloudOptimizerOperator(platform, 'Op', { namespace: 'kc', image: 'registry.local:30500/kcloud/kcloud-operator:v0.1.0', ...props });
  return objectsIn(synthPlatform(platform), 'kcloud-optimizer/manifests.yaml');
}

describe('KCloudOptimizerOperator', () => {
  it('runs the manager restricted, with secure metrics, probes and the webhook certificate', () => {
    const objects = operator({ replicas: 2, resources: { requests: { cpu: '200m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } } });
    const dep = findObject(objects, 'Deployment', 'kcloud-operator', 'kc');
    expect(dig(dep, 'spec.replicas')).toBe(2);
    const c = item(dig(dep, 'spec.template.spec'), 'containers', 'manager');
    expect(c.image).toBe('registry.local:30500/kcloud/kcloud-operator:v0.1.0');
    expect(c.args).toEqual(['--leader-elect', '--health-probe-bind-address=:8081', '--metrics-bind-address=:8443', '--webhook-cert-path=/tmp/k8s-webhook-server/serving-certs']);
    expect(c.resources).toEqual({ requests: { cpu: '200m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } });
    expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
    expect(dig(item(dig(dep, 'spec.template.spec'), 'volumes', 'webhook-cert'), 'secret.secretName')).toBe('kcloud-operator-webhook-cert');
    const cert = findObject(objects, 'Certificate', 'kcloud-operator-webhook', 'kc');
    expect(dig(cert, 'spec.dnsNames')).toEqual(['kcloud-operator-webhook.kc.svc', 'kcloud-operator-webhook.kc.svc.cluster.local']);
    expect(wave(dep)).toBeGreaterThan(wave(cert));
  });

  it('grants what the manager at v0.1.0 calls: reads, and writes to its own WorkloadOptimizers only', () => {
    const objects = operator();
    const role = findObject(objects, 'ClusterRole', 'kcloud-operator-manager');
    expect(role.metadata.namespace).toBeUndefined();
    const rules = list(role, 'rules');
    const verbsOf = (group: string, resource: string) => rules.find((r) => (r.apiGroups as string[]).includes(group) && (r.resources as string[]).includes(resource))?.verbs;
    // v0.1.0's manager reads pods and writes only its own WorkloadOptimizers: no pod, Service or
    // Deployment can be created, changed or deleted with its account.
    expect(verbsOf('', 'pods')).toEqual(['get', 'list', 'watch']);
    expect(verbsOf('', 'services')).toBeUndefined();
    expect(verbsOf('apps', 'deployments')).toBeUndefined();
    expect(verbsOf('kcloud.io', 'workloadoptimizers')).toEqual(['get', 'list', 'watch', 'update', 'patch']);
    expect(verbsOf('', 'nodes')).toEqual(['get', 'list', 'watch']);
    const writes = new Set(['create', 'update', 'patch', 'delete', 'deletecollection', '*']);
    for (const r of rules) if ((r.apiGroups as string[]).some((g) => g !== 'kcloud.io')) expect((r.verbs as string[]).filter((v) => writes.has(v)), JSON.stringify(r)).toEqual((r.resources as string[]).includes('events') ? ['create', 'patch'] : []);
    for (const r of rules) {
      expect(r.verbs).not.toContain('delete');
      expect(r.verbs).not.toContain('*');
      expect(r.resources).not.toContain('*');
      expect(r.resources).not.toContain('secrets');
    }
    expect(dig(findObject(objects, 'ClusterRoleBinding', 'kcloud-operator-manager'), 'subjects')).toEqual([{ kind: 'ServiceAccount', name: 'kcloud-operator', namespace: 'kc' }]);
    expect(list(findObject(objects, 'Role', 'kcloud-operator-leader-election', 'kc'), 'rules')[0]).toMatchObject({ apiGroups: ['coordination.k8s.io'], resources: ['leases'] });
    expect(list(findObject(objects, 'ClusterRole', 'kcloud-operator-metrics-auth'), 'rules').map((r) => r.resources)).toEqual([['tokenreviews'], ['subjectaccessreviews']]);
  });

  it('registers the validating webhook with its CA injected by cert-manager, after the manager is up', () => {
    const objects = operator();
    const v = findObject(objects, 'ValidatingWebhookConfiguration', 'kcloud-workloadoptimizer-validator');
    expect(v.metadata.annotations?.['cert-manager.io/inject-ca-from']).toBe('kc/kcloud-operator-webhook');
    expect(v.metadata.namespace).toBeUndefined();
    expect(dig(v, 'webhooks.0')).toMatchObject({
      failurePolicy: 'Fail',
      sideEffects: 'None',
      clientConfig: { service: { name: 'kcloud-operator-webhook', namespace: 'kc', path: '/validate-kcloud-io-v1alpha1-workloadoptimizer', port: 443 } },
      rules: [{ apiGroups: ['kcloud.io'], apiVersions: ['v1alpha1'], resources: ['workloadoptimizers'], operations: ['CREATE', 'UPDATE'] }],
    });
    expect(wave(v)).toBeGreaterThan(wave(findObject(objects, 'Deployment', 'kcloud-operator')));
    expect(objects.some((o) => o.kind === 'MutatingWebhookConfiguration')).toBe(false);
  });

  it('sends only pods of the optimized namespaces to the mutating webhook, and never blocks them', () => {
    const m = findObject(operator({ optimizedNamespaces: ['a', 'b'] }), 'MutatingWebhookConfiguration', 'kcloud-pod-mutator');
    expect(m.metadata.annotations?.['cert-manager.io/inject-ca-from']).toBe('kc/kcloud-operator-webhook');
    expect(dig(m, 'webhooks.0')).toMatchObject({
      failurePolicy: 'Ignore',
      clientConfig: { service: { path: '/mutate-v1-pod' } },
      namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['a', 'b'] }] },
    });
  });

  it('sets the operator environment the seed lists: every namespace watched, its own pod name, its identifier', () => {
    const c = item(dig(findObject(operator(), 'Deployment', 'kcloud-operator', 'kc'), 'spec.template.spec'), 'containers', 'manager');
    expect(c.env).toEqual([
      { name: 'WATCH_NAMESPACE', value: '' },
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'OPERATOR_NAME', value: 'kcloud-operator' },
    ]);
  });

  it('takes the watched namespace, the identifier and the Core Scheduler URL', () => {
    const objects = operator({ env: { watchNamespace: 'mlops-training', operatorName: 'kcloud-a', coreSchedulerUrl: 'http://core-scheduler.kcloud-core.svc:8080' } });
    const env = item(dig(findObject(objects, 'Deployment', 'kcloud-operator', 'kc'), 'spec.template.spec'), 'containers', 'manager').env as { name: string; value?: string }[];
    expect(Object.fromEntries(env.map((e) => [e.name, e.value]))).toEqual({
      WATCH_NAMESPACE: 'mlops-training',
      POD_NAME: undefined,
      OPERATOR_NAME: 'kcloud-a',
      CORE_SCHEDULER_URL: 'http://core-scheduler.kcloud-core.svc:8080',
    });
  });

  it('has no ServiceMonitor unless the cluster runs the Prometheus Operator', () => {
    const objects = operator();
    expect(objects.filter((o) => o.kind === 'ServiceMonitor')).toEqual([]);
    expect(findObject(objects, 'Service', 'kcloud-operator-metrics', 'kc').metadata.labels?.['kompile.dev/metrics']).toBe('kcloud-operator');
    const kinds = (env: Record<string, unknown>) => [...synthEnvironment(env).files.values()].join('\n').includes('kind: ServiceMonitor');
    expect(kinds({})).toBe(false);
    expect(kinds({ cluster: { prometheusOperator: true } })).toBe(true);
  });

  it('is scraped through a ServiceMonitor on its HTTPS metrics port', () => {
    const objects = operator({ serviceMonitor: true });
    const sm = findObject(objects, 'ServiceMonitor', 'kcloud-operator', 'kc');
    expect(dig(sm, 'spec.selector.matchLabels')).toEqual({ 'kompile.dev/metrics': 'kcloud-operator' });
    expect(dig(sm, 'spec.endpoints.0')).toMatchObject({ port: 'https', scheme: 'https', path: '/metrics' });
    const svc = findObject(objects, 'Service', 'kcloud-operator-metrics', 'kc');
    expect(svc.metadata.labels?.['kompile.dev/metrics']).toBe('kcloud-operator');
    expect(item(svc, 'spec.ports', 'https').port).toBe(8443);
  });
});

describe('KCloud', () => {
  const base = {
    image: 'registry.local:30500/kcloud/kcloud-operator:v0.1.0',
    optimizers: [{ name: 'w', namespace: 'team', workloadType: 'serving', resources: { cpu: '2', memory: '4Gi' }, costConstraints: { maxCostPerHour: 20 }, powerConstraints: { maxPowerUsage: 500 } }],
  };

  function build(config: Record<string, unknown>, mlopsNamespaces?: { training?: string; serving?: string }, prometheusOperator?: { namespace: string }) {
    const platform = testPlatform();
    const namespaces = new Namespaces(platform, 'Namespaces', { kubernetesVersion: '1.28' });
    new KCloud(platform, 'KCloud', { config: KCloudSchema.parse({ ...base, ...config }), namespaces, apiServer: { cidrs: ['10.0.0.0/24'], ports: [6443] }, replicas: 1, charts: CHARTS, mlopsNamespaces, prometheusOperator });
    return synthPlatform(platform);
  }

  it('takes the CRDs from the upstream repository at the release tag, as plain YAML', () => {
    const out = build({});
    const app = findObject(objectsIn(out, 'apps/kcloud-crds.yaml'), 'Application', 'kcloud-crds');
    // Repository and tag come from the chart lock (kcloud-crds).
    expect(dig(app, 'spec.source')).toEqual({ repoURL: 'https://github.com/openkcloud/kcloud-cost-scheduler.git', targetRevision: 'v0.1.0', path: 'config/crd', directory: { include: 'deployment.yaml' } });
    const wave = (f: string, n: string) => Number(findObject(objectsIn(out, f), 'Application', n).metadata.annotations?.['argocd.argoproj.io/sync-wave']);
    expect(wave('apps/kcloud-crds.yaml', 'kcloud-crds')).toBeLessThan(wave('apps/kcloud-optimizer.yaml', 'kcloud-optimizer'));
    expect(wave('apps/kcloud-optimizer.yaml', 'kcloud-optimizer')).toBeLessThan(wave('apps/kcloud-policies.yaml', 'kcloud-policies'));
    const project = objectsIn(compiledEnvironment(), 'apps/project.yaml')[0];
    expect(list(project, 'spec.clusterResourceWhitelist')).toContainEqual({ group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' });
    expect(list(project, 'spec.sourceRepos')).toContain('https://github.com/openkcloud/kcloud-cost-scheduler.git');
  });

  it('never lets Argo CD delete the upstream kcloud-system Namespace that shares the CRD file', () => {
    const app = findObject(objectsIn(build({}), 'apps/kcloud-crds.yaml'), 'Application', 'kcloud-crds');
    // The Namespace is a document of deployment.yaml itself: no file glob can leave it out.
    expect(dig(app, 'spec.source.directory')).toEqual({ include: 'deployment.yaml' });
    expect(dig(app, 'spec.syncPolicy.automated.prune')).toBe(false);
    expect(dig(app, 'spec.syncPolicy.syncOptions')).toContain('Prune=false');
    expect(dig(app, 'metadata.finalizers')).toBeUndefined();
  });

  it('declares its namespace with webhook, metrics and API server traffic', () => {
    const out = build({ namespace: 'optimizer' }, undefined, { namespace: 'observability' });
    const ns = objectsIn(out, 'namespaces/manifests.yaml');
    findObject(ns, 'Namespace', 'optimizer');
    expect(dig(findObject(ns, 'NetworkPolicy', 'allow-from-webhooks', 'optimizer'), 'spec.ingress.0')).toEqual({ from: [{ ipBlock: { cidr: '10.0.0.0/24' } }], ports: [{ port: 9443, protocol: 'TCP' }] });
    const metrics = findObject(ns, 'NetworkPolicy', 'allow-from-metrics', 'optimizer');
    expect(dig(metrics, 'spec.ingress.0.from.0.namespaceSelector.matchLabels')).toEqual({ 'kubernetes.io/metadata.name': 'observability' });
    // The monitoring namespace is a stated fact of the cluster (cluster.monitoringNamespace): no exception needed.
    expect(Object.keys(metrics.metadata.annotations ?? {}).filter((k) => k.startsWith('kompile.dev/security-exception.'))).toEqual([]);
    findObject(ns, 'NetworkPolicy', 'allow-to-kube-apiserver', 'optimizer');
    // Without a monitoring stack in the cluster, nobody to trust for scrapes: no rule.
    expect(objectsIn(build({}), 'namespaces/manifests.yaml').some((o) => o.metadata.name === 'allow-from-metrics')).toBe(false);
  });

  it('lets the operator reach an in-cluster Core Scheduler in its namespace, on the URL port', () => {
    const ns = objectsIn(build({ env: { coreSchedulerUrl: 'http://core-scheduler.kcloud-core.svc.cluster.local:8080' } }), 'namespaces/manifests.yaml');
    expect(dig(findObject(ns, 'NetworkPolicy', 'allow-to-core-scheduler', 'kcloud-optimizer'), 'spec.egress.0')).toEqual({
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kcloud-core' } } }],
      ports: [{ port: 8080, protocol: 'TCP' }],
    });
    const external = objectsIn(build({ env: { coreSchedulerUrl: 'https://scheduler.example.com', coreSchedulerEgress: { cidrs: ['192.0.2.0/24'], ports: [443] } } }), 'namespaces/manifests.yaml');
    expect(dig(findObject(external, 'NetworkPolicy', 'allow-to-core-scheduler', 'kcloud-optimizer'), 'spec.egress.0')).toEqual({ to: [{ ipBlock: { cidr: '192.0.2.0/24' } }], ports: [{ port: 443, protocol: 'TCP' }] });
    // Without a Core Scheduler, no egress beyond the API server and DNS.
    expect(objectsIn(build({}), 'namespaces/manifests.yaml').some((o) => o.metadata.name === 'allow-to-core-scheduler')).toBe(false);
  });

  it('places resources in the MLOps namespaces the environment creates, and leaves out those it does not', () => {
    const training = { ...base.optimizers[0], name: 'train', namespace: { mlops: 'training' } };
    const serving = { ...base.optimizers[0], name: 'serve', namespace: { mlops: 'serving' } };
    const config = { optimizers: [training, serving], costPolicies: [{ name: 'c', namespace: { mlops: 'serving' }, budgetLimit: 10 }], optimizedNamespaces: [{ mlops: 'training' }, { mlops: 'serving' }, 'team'] };
    const both = build(config, { training: 'train-ns', serving: 'serve-ns' });
    const placed = objectsIn(both, 'kcloud-policies/manifests.yaml').map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`);
    expect(placed.sort()).toEqual(['CostPolicy/serve-ns/c', 'WorkloadOptimizer/serve-ns/serve', 'WorkloadOptimizer/train-ns/train']);
    const webhook = (out: ReturnType<typeof build>) => dig(findObject(objectsIn(out, 'kcloud-optimizer/manifests.yaml'), 'MutatingWebhookConfiguration', 'kcloud-pod-mutator'), 'webhooks.0.namespaceSelector.matchExpressions.0.values');
    expect(webhook(both)).toEqual(['train-ns', 'serve-ns', 'team']);
    // No model API: no serving namespace, so nothing placed in it.
    const trainingOnly = build(config, { training: 'train-ns' });
    expect(objectsIn(trainingOnly, 'kcloud-policies/manifests.yaml').map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)).toEqual(['WorkloadOptimizer/train-ns/train']);
    expect(webhook(trainingOnly)).toEqual(['train-ns', 'team']);
    // MLOps off: only what is placed by name remains.
    expect(build({ ...config, optimizers: [serving] }).files.has('apps/kcloud-policies.yaml')).toBe(false);
  });

  it('creates no policies component without policies', () => {
    expect(build({ optimizers: [] }).files.has('apps/kcloud-policies.yaml')).toBe(false);
  });

  it('refuses an optimizer allowing more than its namespace’s cost and power policies', () => {
    expect(() => build({ costPolicies: [{ name: 'c', namespace: 'team', costPerHourLimit: 10 }] })).toThrow(/'spec\.costConstraints\.maxCostPerHour' 20 exceeds CostPolicy 'c' costPerHourLimit 10/);
    expect(() => build({ powerPolicies: [{ name: 'p', namespace: 'team', maxPowerUsage: 400 }] })).toThrow(/'spec\.powerConstraints\.maxPowerUsage' 500 exceeds PowerPolicy 'p' maxPowerUsage 400/);
    expect(() =>
      build({ optimizers: [{ ...base.optimizers[0], costConstraints: { maxCostPerHour: 1, budgetLimit: 500 } }], costPolicies: [{ name: 'c', namespace: 'team', budgetLimit: 100 }] }),
    ).toThrow(/'spec\.costConstraints\.budgetLimit' 500 exceeds CostPolicy 'c' budgetLimit 100/);
    // Policies of other namespaces, or selecting namespaces, are not this namespace's limit.
    expect(() => build({ costPolicies: [{ name: 'c', namespace: 'other', costPerHourLimit: 10 }] })).not.toThrow();
    expect(() => build({ costPolicies: [{ name: 'c', namespace: 'team', costPerHourLimit: 10, namespaceSelector: { matchLabels: { a: 'b' } } }] })).not.toThrow();
  });

  it('ships example policies for the training and serving namespaces in every environment', () => {
    const objects = objectsIn(compiledEnvironment(), 'kcloud-policies/manifests.yaml');
    expect(dig(findObject(objects, 'WorkloadOptimizer', 'training', 'mlops-training'), 'spec.workloadType')).toBe('training');
    expect(dig(findObject(objects, 'WorkloadOptimizer', 'serving', 'mlops-serving'), 'spec.autoScaling')).toMatchObject({ minReplicas: 2, maxReplicas: 20 });
    findObject(objects, 'CostPolicy', 'training-budget', 'mlops-training');
    findObject(objects, 'PowerPolicy', 'serving-power', 'mlops-serving');
    // The workload namespaces belong to the MLOps components: referenced, never created here.
    expect(objects.some((o) => o.kind === 'Namespace')).toBe(false);
  });
});

describe('KCloud configuration', () => {
  const issues = (kcloud: Record<string, unknown>) => {
    const r = KCloudSchema.safeParse(kcloud);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  it('defaults the operator environment to the seed’s: every namespace, kcloud-operator, no Core Scheduler', () => {
    expect(KCloudSchema.parse({}).env).toEqual({ watchNamespace: '', operatorName: 'kcloud-operator' });
  });

  it('refuses a watched namespace that is not a namespace name', () => {
    expect(issues({ env: { watchNamespace: 'Team_A' } })).toEqual(['env.watchNamespace: must be a DNS-1123 label (lowercase letters, digits, -)']);
    expect(issues({ env: { watchNamespace: 'team-a' } })).toEqual([]);
  });

  it('refuses an empty operator name', () => {
    expect(issues({ env: { operatorName: '' } })).toEqual(['env.operatorName: String must contain at least 1 character(s)']);
  });

  it('needs a Core Scheduler URL, and egress for one outside the cluster', () => {
    expect(issues({ env: { coreSchedulerUrl: 'core-scheduler:8080' } })).toContain('env.coreSchedulerUrl: must be an http:// or https:// URL');
    expect(issues({ env: { coreSchedulerUrl: 'core scheduler' } })).toContain('env.coreSchedulerUrl: Invalid url');
    expect(issues({ env: { coreSchedulerUrl: 'https://scheduler.example.com' } })).toEqual([
      "env.coreSchedulerEgress: 'https://scheduler.example.com' is not an in-cluster Service URL (<service>.<namespace>.svc); give coreSchedulerEgress (cidrs and ports) so the operator may reach it",
    ]);
    expect(issues({ env: { coreSchedulerUrl: 'https://scheduler.example.com', coreSchedulerEgress: { cidrs: ['192.0.2.0/24'], ports: [443] } } })).toEqual([]);
    expect(issues({ env: { coreSchedulerUrl: 'http://core-scheduler.kcloud-core.svc:8080' } })).toEqual([]);
    expect(issues({ env: { coreSchedulerEgress: { cidrs: ['192.0.2.0/24'], ports: [443] } } })).toEqual(['env.coreSchedulerEgress: coreSchedulerEgress is only used with coreSchedulerUrl']);
  });

  it('takes a namespace by name or as an MLOps namespace, and names the field otherwise', () => {
    const policy = (namespace: unknown) => ({ costPolicies: [{ name: 'c', namespace }] });
    expect(issues(policy('team'))).toEqual([]);
    expect(issues(policy({ mlops: 'serving' }))).toEqual([]);
    const wrong = "costPolicies.0.namespace: must be a namespace name (DNS-1123 label) or { mlops: 'training' | 'serving' }";
    expect(issues(policy({ mlops: 'inference' }))).toEqual([wrong]);
    expect(issues({ optimizedNamespaces: [7] })).toEqual(["optimizedNamespaces.0: must be a namespace name (DNS-1123 label) or { mlops: 'training' | 'serving' }"]);
    expect(issues(policy('Team'))).toEqual(['costPolicies.0.namespace: must be a DNS-1123 label (lowercase letters, digits, -)']);
  });
});
