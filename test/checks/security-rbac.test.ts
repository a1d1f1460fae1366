import { describe, expect, it } from 'vitest';
import { ManifestLike, securityException, securityExceptionFindings } from '../../lib/checks/objects';
import { expandedReferences, securityRbacFindings } from '../../lib/checks/security-rbac';
import { networkSecurityFindings } from '../../lib/checks/security-network';
import { allObjects, compiledEnvironments } from '../helpers';

const RBAC = 'rbac.authorization.k8s.io/v1';
const ADMISSION = 'admissionregistration.k8s.io/v1';

function role(kind: 'Role' | 'ClusterRole', name: string, rules: unknown[], annotations?: Record<string, string>): ManifestLike {
  return { apiVersion: RBAC, kind, metadata: { name, ...(kind === 'Role' ? { namespace: 'team' } : {}), ...(annotations ? { annotations } : {}) }, rules };
}

function clusterBinding(roleName: string): ManifestLike {
  return {
    apiVersion: RBAC,
    kind: 'ClusterRoleBinding',
    metadata: { name: roleName },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName },
    subjects: [{ kind: 'ServiceAccount', name: 'op', namespace: 'ops' }],
  };
}

function webhook(hook: Record<string, unknown>, annotations?: Record<string, string>): ManifestLike {
  return {
    apiVersion: ADMISSION,
    kind: 'ValidatingWebhookConfiguration',
    metadata: { name: 'validator', ...(annotations ? { annotations } : {}) },
    webhooks: [{ name: 'v.example.com', clientConfig: { service: { name: 'webhook', namespace: 'ops', path: '/validate' } }, ...hook }],
  };
}

const service: ManifestLike = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'webhook', namespace: 'ops' }, spec: { selector: { app: 'op' } } };

function deployment(replicas: number | undefined, namespace = 'ops'): ManifestLike {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'op', ...(namespace ? { namespace } : {}) },
    spec: { ...(replicas === undefined ? {} : { replicas }), selector: { matchLabels: { app: 'op' } }, template: { metadata: { labels: { app: 'op' } }, spec: { containers: [{ name: 'op', image: 'op:1' }] } } },
  };
}

function store(container: Record<string, unknown>, annotations?: Record<string, string>): ManifestLike {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'redis', namespace: 'chat', ...(annotations ? { annotations } : {}) },
    spec: {
      template: {
        spec: {
          containers: [
            { name: 'redis', image: 'redis:7', env: [{ name: 'PW', valueFrom: { secretKeyRef: { name: 'redis', key: 'password' } } }, { name: 'PORT', value: '6379' }], ...container },
          ],
        },
      },
    },
  };
}

const rules = (objects: ManifestLike[]) => securityRbacFindings(objects).map((f) => `${f.rule} ${f.index} ${f.pointer}`);

describe('rbac-wildcard', () => {
  it("finds '*' verbs and resources in a namespaced Role", () => {
    expect(rules([role('Role', 'r', [{ apiGroups: [''], resources: ['configmaps'], verbs: ['*'] }, { apiGroups: ['apps'], resources: ['*'], verbs: ['get'] }])])).toEqual([
      'rbac-wildcard 0 /rules/0/verbs',
      'rbac-wildcard 0 /rules/1/resources',
    ]);
  });

  it('finds escalate, bind and impersonate wherever they are granted', () => {
    const found = securityRbacFindings([role('Role', 'r', [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles'], verbs: ['get', 'escalate', 'bind'] }, { apiGroups: [''], resources: ['serviceaccounts'], verbs: ['impersonate'] }])]);
    expect(found.map((f) => f.pointer)).toEqual(['/rules/0/verbs/1', '/rules/0/verbs/2', '/rules/1/verbs/0']);
    expect(found[2].message).toContain('act as another');
  });

  it('finds secrets, pods/exec and RBAC objects only in a ClusterRole a ClusterRoleBinding binds', () => {
    const sensitive = [
      { apiGroups: [''], resources: ['secrets', 'configmaps'], verbs: ['get', 'list'] },
      { apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] },
      { apiGroups: ['rbac.authorization.k8s.io'], resources: ['rolebindings'], verbs: ['create'] },
    ];
    const bound = securityRbacFindings([role('ClusterRole', 'op', sensitive), clusterBinding('op')]);
    expect(bound.map((f) => f.pointer)).toEqual(['/rules/0/resources', '/rules/1/resources', '/rules/2/resources']);
    expect(bound[0].message).toContain('reaches secrets cluster-wide');
    // Not bound cluster-wide (or namespaced): the same rules pass.
    expect(rules([role('ClusterRole', 'op', sensitive)])).toEqual([]);
    expect(rules([role('Role', 'op', sensitive), clusterBinding('op')])).toEqual([]);
  });

  it('passes a ClusterRole bound cluster-wide that reaches nothing sensitive', () => {
    expect(rules([role('ClusterRole', 'op', [{ apiGroups: [''], resources: ['pods', 'services'], verbs: ['get', 'create'] }, { apiGroups: ['apps'], resources: ['secrets'], verbs: ['get'] }]), clusterBinding('op')])).toEqual([]);
  });
});

describe('webhook-fail-closed', () => {
  const scoped = { namespaceSelector: { matchLabels: { team: 'a' } } };

  it('finds a webhook without failurePolicy (Fail by default) and without namespaceSelector: it matches kube-system and its own namespace', () => {
    const found = securityRbacFindings([webhook({})]);
    expect(found.map((f) => `${f.rule} ${f.pointer}`)).toEqual(['webhook-fail-closed /webhooks/0']);
    expect(found[0].message).toContain('the admissionregistration/v1 default');
    expect(found[0].message).toContain("no namespaceSelector, so it matches kube-system and its own namespace 'ops'");
    expect(rules([webhook({ failurePolicy: 'Fail', namespaceSelector: {}, objectSelector: { matchLabels: {} } })])).toEqual(['webhook-fail-closed 0 /webhooks/0/namespaceSelector']);
    // An objectSelector does not scope it: any object, in kube-system too, may carry a label.
    expect(rules([webhook({ objectSelector: { matchExpressions: [{ key: 'x', operator: 'Exists' }] } })])).toEqual(['webhook-fail-closed 0 /webhooks/0']);
  });

  it('judges the selector on the labels kube-system and its own namespace have', () => {
    const byName = (operator: string, values: string[]) => webhook({ namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator, values }] } });
    expect(rules([byName('NotIn', ['kube-system', 'ops'])])).toEqual([]);
    expect(securityRbacFindings([byName('NotIn', ['kube-system'])])[0].message).toContain("a namespaceSelector that matches its own namespace 'ops'");
    expect(securityRbacFindings([byName('In', ['kube-system', 'team'])])[0].message).toContain('a namespaceSelector that matches kube-system: ');
    expect(rules([byName('In', ['team'])])).toEqual([]);
    // Its own namespace carrying the label it selects on (the environment's Namespace object).
    const ns: ManifestLike = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ops', labels: { team: 'a' } } };
    expect(rules([webhook(scoped), ns])).toEqual(['webhook-fail-closed 0 /webhooks/0/namespaceSelector']);
    expect(rules([webhook({ namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'DoesNotExist' }] } }), ns])).toEqual(['webhook-fail-closed 0 /webhooks/0/namespaceSelector']);
  });

  it('passes a webhook scoped away from both, or one that fails open', () => {
    expect(rules([webhook(scoped)])).toEqual([]);
    expect(rules([webhook({ failurePolicy: 'Ignore' }), service, deployment(1)])).toEqual([]);
  });

  it('finds a scoped webhook served by a Deployment of fewer than 2 replicas (1 by default)', () => {
    expect(rules([webhook(scoped), service, deployment(undefined)])).toEqual(['webhook-fail-closed 0 /webhooks/0/clientConfig/service']);
    expect(rules([webhook(scoped), service, deployment(1)])).toEqual(['webhook-fail-closed 0 /webhooks/0/clientConfig/service']);
    expect(rules([webhook(scoped), service, deployment(2)])).toEqual([]);
    expect(securityRbacFindings([webhook(scoped), service, deployment(1)])[0].message).toContain('runs 1 replica and no PodDisruptionBudget covers it');
  });

  it('takes a PodDisruptionBudget over the back end pods in place of a second replica; one over other pods does not count', () => {
    const pdb = (matchLabels: Record<string, string>, namespace = 'ops'): ManifestLike => ({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'op', namespace }, spec: { minAvailable: 1, selector: { matchLabels } } });
    expect(rules([webhook(scoped), service, deployment(1), pdb({ app: 'op' })])).toEqual([]);
    expect(rules([webhook(scoped), service, deployment(1), pdb({ app: 'other' })])).toEqual(['webhook-fail-closed 0 /webhooks/0/clientConfig/service']);
    expect(rules([webhook(scoped), service, deployment(1), pdb({ app: 'op' }, 'elsewhere')])).toEqual(['webhook-fail-closed 0 /webhooks/0/clientConfig/service']);
  });

  it('places a chart Deployment without a namespace by namespaceOf, and judges none it cannot see', () => {
    expect(securityRbacFindings([webhook(scoped), service, deployment(1, '')], { namespaceOf: () => 'ops' })).toHaveLength(1);
    expect(securityRbacFindings([webhook(scoped), service, deployment(1, '')])).toEqual([]);
    expect(rules([webhook(scoped), deployment(1)])).toEqual([]);
    expect(rules([webhook(scoped), service, deployment(1, 'elsewhere')])).toEqual([]);
  });
});

describe('secret-on-command-line', () => {
  it('finds $(VAR) of a secretKeyRef variable in args and command', () => {
    const found = securityRbacFindings([store({ command: ['redis-server'], args: ['--requirepass', '$(PW)'] }), store({ command: ['sh', '-c', 'exec app --password=$(PW)'] })]);
    expect(found.map((f) => `${f.index} ${f.pointer}`)).toEqual(['0 /spec/template/spec/containers/0/args/1', '1 /spec/template/spec/containers/0/command/2']);
    expect(found[0].message).toContain('Secret redis, key password');
  });

  it('passes references to plain variables, escaped $$(VAR), and shell expansion at run time', () => {
    expect(rules([store({ args: ['--port', '$(PORT)', '$$(PW)'] }), store({ command: ['sh', '-c', 'printf "requirepass %s" "$PW" | redis-server -'] })])).toEqual([]);
  });

  it('reads references as the kubelet expands them', () => {
    expect(expandedReferences('a $(X) $$(Y) $$$(Z) $(unclosed')).toEqual(['X', 'Z']);
  });
});

describe('security exceptions', () => {
  const key = 'kompile.dev/security-exception.webhook-fail-closed';

  it('reads the annotation: the trimmed reason, empty when there is none, undefined when absent', () => {
    expect(securityException(webhook({}, { [key]: ' only its own kind ' }), 'webhook-fail-closed')).toBe('only its own kind');
    expect(securityException(webhook({}, { [key]: '' }), 'webhook-fail-closed')).toBe('');
    expect(securityException(webhook({}), 'webhook-fail-closed')).toBeUndefined();
    // The key is a valid annotation key: prefix/name, the name (dots allowed) at most 63 characters.
    expect(key.split('/')[1]).toMatch(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/);
  });

  it('excuses every finding of its rule on its object, and only those', () => {
    const excused = webhook({}, { [key]: 'matches only its own custom resources' });
    expect(rules([excused, service, deployment(1)])).toEqual([]);
    expect(rules([webhook({}, { 'kompile.dev/security-exception.rbac-wildcard': 'wrong rule' })])).toEqual(['security-exception 0 /metadata/annotations/kompile.dev~1security-exception.rbac-wildcard', 'webhook-fail-closed 0 /webhooks/0']);
  });

  it('refuses an exception that matches nothing on its object', () => {
    const found = securityRbacFindings([webhook({ failurePolicy: 'Ignore' }, { [key]: 'no longer needed' })]);
    expect(found.map((f) => `${f.rule} ${f.pointer}`)).toEqual(['security-exception /metadata/annotations/kompile.dev~1security-exception.webhook-fail-closed']);
    expect(found[0].message).toContain('matches nothing');
  });

  it('refuses an exception without a reason, and keeps what it would excuse', () => {
    const found = securityRbacFindings([store({ args: ['$(PW)'] }, { 'kompile.dev/security-exception.secret-on-command-line': '  ' })]);
    expect(found.map((f) => `${f.rule} ${f.pointer}`)).toEqual(['security-exception /metadata/annotations/kompile.dev~1security-exception.secret-on-command-line', 'secret-on-command-line /spec/template/spec/containers/0/args/0']);
    expect(found[0].message).toContain('must give its reason');
  });
});

describe('every environment', () => {
  it('has no finding, and each exception it takes names its object and a reason', () => {
    for (const out of compiledEnvironments()) {
      const objects = allObjects(out);
      expect(securityRbacFindings(objects), out.environment).toEqual([]);
      // Exceptions to these rules (the network rules take theirs on NetworkPolicies: security-network.test.ts).
      const rules = ['rbac-wildcard', 'webhook-fail-closed', 'secret-on-command-line'].map((r) => `kompile.dev/security-exception.${r}`);
      const excepted = objects.filter((o) => Object.keys(o.metadata.annotations ?? {}).some((k) => rules.includes(k)));
      // The KCloud validator is scoped away from kube-system and its namespace; its one exception is
      // the single replica of a one-replica environment (dev), which then has it.
      const oneReplica = objects.some((o) => o.kind === 'Deployment' && o.metadata.name === 'kcloud-operator' && (o.spec as { replicas?: number }).replicas === 1);
      expect(excepted.map((o) => `${o.kind}/${o.metadata.name}`), out.environment).toEqual(oneReplica ? ['ValidatingWebhookConfiguration/kcloud-workloadoptimizer-validator'] : []);
      // Without its exception the KCloud validator would be found: it is one that matches.
      const bare = objects.map((o) => (excepted.includes(o) ? { ...o, metadata: { ...o.metadata, annotations: {} } } : o));
      if (oneReplica) expect(securityRbacFindings(bare).map((f) => f.rule), out.environment).toContain('webhook-fail-closed');
    }
  });
});

describe('one way of taking exceptions for every security rule', () => {
  const obj = (annotations: Record<string, string>): ManifestLike => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', annotations } });
  const finding = (rule: string) => ({ index: 0, rule, pointer: '/data', message: 'found' });

  it('reports a problem with an exception under security-exception, whichever rule it names', () => {
    const out = securityExceptionFindings(obj({ 'kompile.dev/security-exception.a': '', 'kompile.dev/security-exception.b': 'stale' }), 0, ['a', 'b'], [finding('a')]);
    expect(out.map((f) => `${f.rule} ${f.pointer}`)).toEqual(['security-exception /metadata/annotations/kompile.dev~1security-exception.a', 'a /data', 'security-exception /metadata/annotations/kompile.dev~1security-exception.b']);
  });

  it('excuses the findings of the rule a reasoned exception names on that object only', () => {
    expect(securityExceptionFindings(obj({ 'kompile.dev/security-exception.a': 'why' }), 0, ['a', 'b'], [finding('a'), finding('b'), { ...finding('a'), index: 1 }]).map((f) => f.rule)).toEqual(['b']);
  });

  it('gives the RBAC and the network rules the same finding for the same mistake', () => {
    const reasonless = { 'kompile.dev/security-exception.rbac-wildcard': ' ' };
    const role: ManifestLike = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'r', namespace: 'n', annotations: reasonless }, rules: [{ apiGroups: [''], resources: ['*'], verbs: ['get'] }] } as ManifestLike;
    const policy: ManifestLike = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'p', namespace: 'n', annotations: { 'kompile.dev/security-exception.netpol-open-peer': ' ' } },
      spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] },
    } as ManifestLike;
    const rbac = securityRbacFindings([role]).find((f) => f.rule === 'security-exception');
    const net = networkSecurityFindings([policy]).find((f) => f.rule === 'security-exception');
    expect(rbac?.message).toBe("the exception to rule 'rbac-wildcard' gives no reason: it must give its reason as the annotation's value");
    expect(net?.message).toBe("the exception to rule 'netpol-open-peer' gives no reason: it must give its reason as the annotation's value");
  });
});
