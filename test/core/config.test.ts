import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, EnvironmentInput, parseEnvironment } from '../../lib/core/config';
import { writeOutputs } from '../../lib/core/writer';
import { merge } from '../../stacks/base';
import { compileAll } from '../../stacks/compile';
import { airgap } from '../../stacks/airgap';
import { dev } from '../../stacks/dev';
import { prod } from '../../stacks/prod';

function issuesOf(input: unknown): { path: string; message: string }[] {
  try {
    parseEnvironment(input);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return [...(e as ConfigError).issues];
  }
  throw new Error('expected the configuration to be rejected');
}

const with_ = (base: EnvironmentInput, over: unknown) => merge(base, over);

describe('environment configuration', () => {
  it('fills defaults in one place', () => {
    const cfg = parseEnvironment({
      name: 'mini',
      tier: 'development',
      gitops: { repoURL: 'https://git.example.com/x.git' },
      cluster: { kubernetesVersion: '1.28', distribution: 'k3s', nodes: 1, storageClasses: { default: 'local-path' } },
    });
    expect(cfg.gitops.targetRevision).toBe('main');
    expect(cfg.gitops.path).toBe('dist');
    expect(cfg.gitops.argocdNamespace).toBe('argocd');
    expect(cfg.cluster.ingress.className).toBe('nginx');
    // Kompile does not install the ingress controller: unstated, it is assumed not to publish status.
    expect(cfg.cluster.ingress.publishesStatus).toBe(false);
    expect(cfg.cluster.replicas).toBe(1);
    expect(cfg.cluster.prometheusOperator).toBe(false);
    expect(cfg.cluster.storageClasses.waitForFirstConsumer).toEqual([]);
    expect(cfg.cluster.apiServer).toEqual({ cidrs: ['0.0.0.0/0'], ports: [443, 6443] });
    expect(cfg.registry).toEqual({ allowedRegistries: [], allowedHosts: [] });
    expect(cfg.components.toolhive).toMatchObject({ enabled: true, namespace: 'toolhive', updateCheck: false, servers: [] });
    // Serving and the workloads are opted into by each environment (stacks/base.ts turns them on).
    expect([cfg.components.serving.enabled, cfg.components.mlops.enabled, cfg.components.chatbot.enabled]).toEqual([false, false, false]);
  });

  it('accepts every shipped environment', () => {
    for (const env of [dev, prod, airgap]) expect(() => parseEnvironment(env)).not.toThrow();
  });

  const bad: [string, unknown, string, RegExp][] = [
    ['a typo at the top level', with_(dev, { clustr: {} }), 'clustr', /unknown field/],
    ['a typo in a nested object', with_(dev, { cluster: { storageClass: 'x' } }), 'cluster.storageClass', /unknown field/],
    ['production with one replica', with_(prod, { cluster: { replicas: 1 } }), 'cluster.replicas', /production environment needs replicas ≥ 2/],
    ['more replicas than nodes', with_(dev, { cluster: { replicas: 3 } }), 'cluster.replicas', /exceed the cluster's 1 node/],
    ['more GPU nodes than nodes', with_(prod, { cluster: { gpu: { nodes: 5 } } }), 'cluster.gpu.nodes', /more GPU nodes \(5\) than nodes \(3\)/],
    ['a mirror outside the allowed registries', with_(airgap, { registry: { allowedRegistries: ['other.internal:5000'] } }), 'registry.allowedRegistries', /must include the mirror/],
    ['a GitOps repository on a host the air gap blocks', with_(airgap, { gitops: { repoURL: 'https://github.com/org/gitops.git' } }), 'gitops.repoURL', /not in registry.allowedHosts/],
    ['a patch-level Kubernetes version', with_(dev, { cluster: { kubernetesVersion: '1.28.3' } }), 'cluster.kubernetesVersion', /minor version such as 1.28/],
    ['an unknown distribution', with_(dev, { cluster: { distribution: 'eks' } }), 'cluster.distribution', /k3s.*kubeadm|Invalid enum/],
    ['a node port outside 30000-32767', with_(dev, { cluster: { ingress: { nodePorts: { http: 8080, https: 31084 } } } }), 'cluster.ingress.nodePorts.http', /greater than or equal to 30000/],
    ['a stdio MCP server with a port', with_(dev, { components: { toolhive: { servers: [{ name: 'x', image: 'x:1', transport: 'stdio', mcpPort: 9000 }] } } }), 'components.toolhive.servers[0].mcpPort', /stdio MCP server has no port/],
    ['two MCP servers of one name', with_(dev, { components: { toolhive: { servers: [{ name: 'x', image: 'x:1' }, { name: 'x', image: 'y:1' }] } } }), 'components.toolhive.servers[1].name', /duplicate MCP server name 'x'/],
    ['a mirror given as a URL', with_(airgap, { registry: { mirror: 'https://registry.internal', allowedRegistries: [] } }), 'registry.mirror', /registry host such as/],
    ['an absolute GitOps path', with_(dev, { gitops: { path: '/dist' } }), 'gitops.path', /relative path/],
    ['a source mirror on a blocked host', with_(airgap, { gitops: { sourceMirrors: { 'https://github.com/x/y.git': 'https://github.com/x/y.git' } } }), 'gitops.sourceMirrors.https://github.com/x/y.git', /not in registry.allowedHosts/],
    ['a namespace that is no DNS label', with_(dev, { components: { toolhive: { namespace: 'Tool_Hive' } } }), 'components.toolhive.namespace', /DNS-1123 label/],
    ['a resource amount that is no quantity', with_(dev, { components: { chatbot: { redis: { storageSize: '2 GB' } } } }), 'components.chatbot.redis.storageSize', /must be a Kubernetes quantity/],
    // Versions of charts live in charts.lock.json, not in an environment.
    ['a chart version in the configuration', with_(dev, { components: { toolhive: { version: '0.44.0' } } }), 'components.toolhive.version', /unknown field/],
  ];

  it.each(bad)('rejects %s, naming the field', (_what, input, field, message) => {
    const issues = issuesOf(input);
    const issue = issues.find((i) => i.path === field);
    expect(issue, `issues: ${JSON.stringify(issues)}`).toBeDefined();
    expect(issue!.message).toMatch(message);
  });

  it('reports every shape problem at once', () => {
    const issues = issuesOf(with_(prod, { clustr: 1, cluster: { replicas: 1, distribution: 'eks' }, gitops: { path: '/x' } }));
    // Cross-field rules run once the shape is right (zod's layering): replicas is reported next time.
    expect(issues.map((i) => i.path).sort()).toEqual(['cluster.distribution', 'clustr', 'gitops.path']);
  });

  it('reports every cross-field problem at once', () => {
    const issues = issuesOf(with_(airgap, { cluster: { replicas: 1, gpu: { nodes: 9 } }, registry: { allowedRegistries: ['x.internal:1'] } }));
    expect(issues.map((i) => i.path).sort()).toEqual(['cluster.gpu.nodes', 'cluster.replicas', 'registry.allowedRegistries']);
  });

  it('takes whether the ingress controller publishes status as a boolean', () => {
    expect(parseEnvironment(dev).cluster.ingress.publishesStatus).toBe(true);
    const issues = issuesOf(with_(dev, { cluster: { ingress: { publishesStatus: 'yes' } } }));
    expect(issues).toContainEqual(expect.objectContaining({ path: 'cluster.ingress.publishesStatus', message: expect.stringMatching(/boolean/) }));
  });

  it('takes the storage classes that wait for the first consumer as class names', () => {
    expect(parseEnvironment(dev).cluster.storageClasses.waitForFirstConsumer).toEqual(['local-path']);
    const issues = issuesOf(with_(dev, { cluster: { storageClasses: { waitForFirstConsumer: ['Local_Path'] } } }));
    expect(issues).toContainEqual(expect.objectContaining({ path: 'cluster.storageClasses.waitForFirstConsumer[0]', message: expect.stringMatching(/DNS-1123 label/) }));
  });

  it('formats the error with the environment name and each path', () => {
    expect(() => parseEnvironment(with_(dev, { clustr: 1 }))).toThrow(/invalid configuration for environment 'dev':\n {2}- clustr: unknown field/);
  });

  it('leaves dist/ untouched when any environment is invalid', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'kompile-dist-'));
    try {
      const dist = path.join(out, 'dist');
      writeOutputs(dist, compileAll([dev]));
      const before = snapshotTree(dist);
      const run = () => writeOutputs(dist, compileAll([dev, with_(prod, { cluster: { replicas: 1 } })]));
      expect(run).toThrow(/prod[\s\S]*cluster.replicas/);
      expect(snapshotTree(dist)).toEqual(before);
      expect(fs.readdirSync(out)).toEqual(['dist']);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});

function snapshotTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) out[path.relative(dir, path.join(e.parentPath, e.name))] = fs.readFileSync(path.join(e.parentPath, e.name), 'utf8');
  }
  return out;
}
