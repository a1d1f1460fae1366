import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ManifestLike } from '../../lib/checks/objects';
import { buildSecurityFindings } from '../../lib/checks/security-build';
import { allObjects, compiledEnvironments } from '../helpers';

const EXCEPTION = 'kompile.dev/security-exception.build-credentials';
const KANIKO = 'gcr.io/kaniko-project/executor:v1.23.2-debug';
const dockerConfigVolume = { name: 'docker-config', secret: { secretName: 'registry-push', items: [{ key: '.dockerconfigjson', path: 'config.json' }] } };

function workload(namespace: string, containers: unknown[], volumes: unknown[] = [], annotations?: Record<string, string>): ManifestLike {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'builder', namespace, ...(annotations ? { annotations } : {}) },
    spec: { selector: { matchLabels: { app: 'b' } }, template: { metadata: { labels: { app: 'b' } }, spec: { containers, volumes } } },
  };
}

/** A Jenkins Application whose JCasC has one Kubernetes-cloud pod template. */
function jenkinsApp(pod: Record<string, unknown>, env: Record<string, string> = { KANIKO_IMAGE: KANIKO }): ManifestLike {
  const jenkins = { jenkins: { clouds: [{ kubernetes: { name: 'kubernetes', namespace: 'jenkins-agents', templates: [{ name: 'kaniko', label: 'kaniko', namespace: 'jenkins-agents', yaml: stringify(pod) }] } }] } };
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: 'jenkins', namespace: 'argocd' },
    spec: { source: { helm: { valuesObject: { controller: { containerEnv: Object.entries(env).map(([name, value]) => ({ name, value })), JCasC: { configScripts: { jenkins: stringify(jenkins) } } } } } } },
  };
}

function agentPod(containers: unknown[], volumes: unknown[], annotations?: Record<string, string>): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Pod', ...(annotations ? { metadata: { annotations } } : {}), spec: { containers, volumes } };
}

describe('rule build-credentials', () => {
  it('finds push credentials mounted as the Kaniko executor’s Docker config, and not Kaniko without them', () => {
    const bad = workload('ci', [{ name: 'kaniko', image: KANIKO, volumeMounts: [{ name: 'docker-config', mountPath: '/kaniko/.docker' }] }], [dockerConfigVolume]);
    const found = buildSecurityFindings([bad]);
    expect(found).toEqual([expect.objectContaining({ rule: 'build-credentials', index: 0, pointer: '/spec/template/spec/containers/0/volumeMounts/0' })]);
    expect(found[0].message).toMatch(/mounts Secret 'registry-push' at \/kaniko\/\.docker \(a registry credential\)/);
    expect(buildSecurityFindings([workload('ci', [{ name: 'kaniko', image: KANIKO }])])).toEqual([]);
  });

  it('knows the Kaniko executor by its command too, and a credential by the Secret type or a .docker mount point', () => {
    const secret: ManifestLike = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'pull', namespace: 'ci' }, type: 'kubernetes.io/dockerconfigjson' };
    const byType = workload('ci', [{ name: 'b', image: 'example.com/builder:1', command: ['/kaniko/executor'], volumeMounts: [{ name: 'creds', mountPath: '/creds' }] }], [{ name: 'creds', secret: { secretName: 'pull' } }]);
    expect(buildSecurityFindings([secret, byType]).map((f) => f.pointer)).toEqual(['/spec/template/spec/containers/0/volumeMounts/0']);
    const byPath = workload('ci', [{ name: 'b', image: KANIKO, volumeMounts: [{ name: 'any', mountPath: '/root/.docker' }] }], [{ name: 'any', secret: { secretName: 'opaque' } }]);
    expect(buildSecurityFindings([byPath])[0].message).toMatch(/where Docker clients read registry credentials/);
    const byDockerConfig = workload('ci', [{ name: 'b', image: KANIKO, env: [{ name: 'DOCKER_CONFIG', value: '/auth' }], volumeMounts: [{ name: 'any', mountPath: '/auth' }] }], [{ name: 'any', secret: { secretName: 'opaque' } }]);
    expect(buildSecurityFindings([byDockerConfig])).toHaveLength(1);
    // A ConfigMap (a CA bundle) at the same place is no credential.
    const ca = workload('ci', [{ name: 'b', image: KANIKO, volumeMounts: [{ name: 'ca', mountPath: '/kaniko/.docker' }] }], [{ name: 'ca', configMap: { name: 'registry-ca' } }]);
    expect(buildSecurityFindings([ca])).toEqual([]);
  });

  it('knows a Secret of a registry type in the agents namespace inside a JCasC template, and not one of another namespace', () => {
    const pod = agentPod([{ name: 'tool', image: 'example.com/tool:1', volumeMounts: [{ name: 'c', mountPath: '/c' }] }], [{ name: 'c', secret: { secretName: 'pull' } }]);
    const secret = (namespace: string): ManifestLike => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'pull', namespace }, type: 'kubernetes.io/dockerconfigjson' });
    expect(buildSecurityFindings([jenkinsApp(pod), secret('jenkins-agents')])).toHaveLength(1);
    expect(buildSecurityFindings([jenkinsApp(pod), secret('apps')])).toEqual([]);
  });

  it('finds a credential handed over through the environment or a projected volume', () => {
    const env = workload('ci', [{ name: 'k', image: KANIKO, env: [{ name: 'AUTH', valueFrom: { secretKeyRef: { name: 'registry-push', key: '.dockerconfigjson' } } }] }]);
    expect(buildSecurityFindings([env])).toEqual([expect.objectContaining({ pointer: '/spec/template/spec/containers/0/env/0' })]);
    const secret: ManifestLike = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'push', namespace: 'ci' }, type: 'kubernetes.io/dockercfg' };
    const envFrom = workload('ci', [{ name: 'k', image: KANIKO, envFrom: [{ secretRef: { name: 'push' } }] }]);
    expect(buildSecurityFindings([secret, envFrom]).map((f) => f.pointer)).toEqual(['/spec/template/spec/containers/0/envFrom/0']);
    const projected = workload('ci', [{ name: 'k', image: KANIKO, volumeMounts: [{ name: 'p', mountPath: '/p' }] }], [{ name: 'p', projected: { sources: [{ secret: { name: 'registry-push', items: [{ key: '.dockercfg', path: 'x' }] } }] } }]);
    expect(buildSecurityFindings([projected])).toHaveLength(1);
  });

  it('judges every container of a JCasC agent pod template, resolving ${VAR} images through the controller', () => {
    const pod = agentPod(
      [
        { name: 'jnlp', image: '${JNLP_IMAGE}' },
        { name: 'push', image: '${PUSH_IMAGE}', volumeMounts: [{ name: 'docker-config', mountPath: '/var/run/registry-push' }] },
      ],
      [dockerConfigVolume],
    );
    const found = buildSecurityFindings([jenkinsApp(pod)]);
    expect(found).toHaveLength(1);
    expect(found[0].pointer).toBe('/spec/source/helm/valuesObject/controller/JCasC/configScripts/jenkins');
    expect(found[0].message).toMatch(/Jenkins pod template 'kaniko' \(agents in 'jenkins-agents'\), container 'push' \(pipeline steps may run in any container/);
  });

  it('extends to workloads in the namespace a Jenkins cloud starts agents in, and not elsewhere', () => {
    const app = jenkinsApp(agentPod([{ name: 'jnlp', image: '${JNLP_IMAGE}' }], []));
    const inAgents = workload('jenkins-agents', [{ name: 'tool', image: 'example.com/tool:1', volumeMounts: [{ name: 'docker-config', mountPath: '/x' }] }], [dockerConfigVolume]);
    const elsewhere = { ...inAgents, metadata: { ...inAgents.metadata, namespace: 'apps' } };
    expect(buildSecurityFindings([app, inAgents]).map((f) => f.index)).toEqual([1]);
    expect(buildSecurityFindings([app, elsewhere])).toEqual([]);
  });

  it('a reasoned exception on the pod template excuses other containers, never the Kaniko executor; an empty or idle one is a finding', () => {
    const push = { name: 'push', image: '${PUSH_IMAGE}', volumeMounts: [{ name: 'docker-config', mountPath: '/var/run/registry-push' }] };
    const excused = buildSecurityFindings([jenkinsApp(agentPod([push], [dockerConfigVolume], { [EXCEPTION]: 'push runs only Kompile’s push step' }))]);
    expect(excused).toEqual([]);

    const kaniko = { name: 'kaniko', image: '${KANIKO_IMAGE}', volumeMounts: [{ name: 'docker-config', mountPath: '/kaniko/.docker' }] };
    const notExcused = buildSecurityFindings([jenkinsApp(agentPod([kaniko, push], [dockerConfigVolume], { [EXCEPTION]: 'all fine' }))]);
    expect(notExcused).toHaveLength(1);
    expect(notExcused[0].message).toMatch(/container 'kaniko' \(the Kaniko executor.*no exception can excuse this on the Kaniko executor/);

    const empty = buildSecurityFindings([jenkinsApp(agentPod([push], [dockerConfigVolume], { [EXCEPTION]: ' ' }))]);
    expect(empty.map((f) => f.message)).toEqual([expect.stringMatching(/container 'push'/), expect.stringMatching(/gives no reason/)]);

    const idle = buildSecurityFindings([jenkinsApp(agentPod([{ name: 'jnlp', image: '${JNLP_IMAGE}' }], [], { [EXCEPTION]: 'nothing to excuse' }))]);
    expect(idle.map((f) => f.message)).toEqual([expect.stringMatching(/Jenkins pod template 'kaniko'.*matches nothing/)]);
  });

  it('honours the exception annotation on a workload', () => {
    const w = workload('jenkins-agents', [{ name: 'tool', image: 'example.com/tool:1', volumeMounts: [{ name: 'docker-config', mountPath: '/x' }] }], [dockerConfigVolume], { [EXCEPTION]: 'pushes only, runs no build' });
    const app = jenkinsApp(agentPod([{ name: 'jnlp', image: '${JNLP_IMAGE}' }], []));
    expect(buildSecurityFindings([app, w])).toEqual([]);
  });

  it('finds nothing in the compiled environments: Kaniko holds no credential, and the push and sign containers are excused by reason', () => {
    for (const out of compiledEnvironments()) {
      const objects = allObjects(out) as unknown as ManifestLike[];
      expect(buildSecurityFindings(objects), out.environment).toEqual([]);
      // Without the template's exception the two publishing containers, and only they, are findings.
      const stripped = JSON.parse(JSON.stringify(objects).split(EXCEPTION).join('x-removed')) as ManifestLike[];
      const names = buildSecurityFindings(stripped).map((f) => /container '([^']+)'/.exec(f.message)?.[1]);
      expect(names.sort(), out.environment).toEqual(['push', 'sign']);
    }
  });
});
