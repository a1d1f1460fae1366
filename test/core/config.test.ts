import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, editDistance, EnvironmentInput, layersOf, nearestField, parseEnvironment, recordLayers, sourceOf } from '../../lib/core/config';
import { writeOutputs } from '../../lib/core/writer';
import { environments } from '../../stacks';
import { merge } from '../../stacks/base';
import { compileAll } from '../../stacks/compile';
import { childA } from '../fixtures/stacks/child-a';
import { childB } from '../fixtures/stacks/child-b';
import { parent } from '../fixtures/stacks/parent';
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

  it('accepts every registered environment', () => {
    for (const env of environments) expect(() => parseEnvironment(env), env.name).not.toThrow();
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
    // Behind an air gap every egress purpose in use names the site's addresses (cluster.network.egress).
    ['Jenkins plugins behind the air gap without the update center', with_(airgap, { components: { ci: { jenkins: { plugins: [{ name: 'gitlab-plugin', version: '1.9.9', requiresCore: '2.492.3' }] } } } }), 'cluster.network.egress.updateCenter', /downloads ci.jenkins.plugins[\s\S]*state its addresses/],
    ['remote model storage behind the air gap without its addresses', with_(airgap, { components: { serving: { storage: { allowedSchemes: ['pvc', 's3'] } } } }), 'cluster.network.egress.modelStorage', /storage initializers download models/],
    ['Git behind the air gap without its addresses', { ...airgap, cluster: { ...airgap.cluster, network: { ...airgap.cluster.network, egress: { registries: { cidrs: ['10.61.3.31/32'] } } } } }, 'cluster.network.egress.git', /reach the Git server: behind the air gap/],
    // The monitoring namespace is the cluster's (cluster.monitoringNamespace), no longer KCloud's.
    ['the monitoring namespace under kcloud', with_(dev, { components: { kcloud: { monitoringNamespace: 'monitoring' } } }), 'components.kcloud.monitoringNamespace', /unknown field/],
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
    temps.push(out);
    const dist = path.join(out, 'dist');
    writeOutputs(dist, compileAll([dev]));
    const before = snapshotTree(dist);
    const run = () => writeOutputs(dist, compileAll([dev, with_(prod, { cluster: { replicas: 1 } })]));
    expect(run).toThrow(/prod[\s\S]*cluster.replicas/);
    expect(snapshotTree(dist)).toEqual(before);
    expect(fs.readdirSync(out)).toEqual(['dist']);
  });
});

describe('a configuration problem names its source', () => {
  const failure = (run: () => unknown): string => {
    try {
      run();
    } catch (e) {
      return (e as Error).message;
    }
    throw new Error('expected a failure');
  };

  it('suggests the nearest known field for an unknown one', () => {
    expect(issuesOf(with_(dev, { cluster: { replcas: 2 } }))).toContainEqual({ path: 'cluster.replcas', message: "unknown field — did you mean 'replicas'?" });
    // Inside arrays, records and defaults too.
    expect(issuesOf(with_(dev, { components: { serving: { models: [{ ...prod.components!.serving!.models![0], storgeUri: 'x' }] } } }))).toContainEqual(
      expect.objectContaining({ path: 'components.serving.models[0].storgeUri', message: "unknown field — did you mean 'storageUri'?" }),
    );
  });

  it('lists the known fields when none is near', () => {
    const issue = issuesOf(with_(dev, { gitops: { flavour: 'x' } })).find((i) => i.path === 'gitops.flavour');
    expect(issue?.message).toMatch(/^unknown field \(known: repoURL, targetRevision, path, .*chartsMode\)$/);
  });

  it('measures the distance of a typo (a transposition is one edit)', () => {
    expect(editDistance('replcas', 'replicas')).toBe(1);
    expect(editDistance('nodse', 'nodes')).toBe(1);
    expect(editDistance('tier', 'name')).toBe(4);
    expect(nearestField('nodse', ['name', 'nodes', 'tier'])).toBe('nodes');
    expect(nearestField('flavour', ['name', 'nodes', 'tier'])).toBeUndefined();
  });

  it('records which file wrote each layer of a stack file\'s environment', () => {
    expect(layersOf(dev).map((l) => l.file)).toEqual(['stacks/base.ts', 'stacks/dev.ts']);
    expect(layersOf(airgap).map((l) => l.file)).toEqual(['stacks/base.ts', 'stacks/prod.ts', 'stacks/airgap.ts']);
    // An environment written whole (a test's fixture) has none, and its problems name no file.
    expect(layersOf(with_(dev, {}))).toEqual([]);
    expect(issuesOf(with_(dev, { clustr: 1 }))).toEqual([{ path: 'clustr', message: "unknown field — did you mean 'cluster'?" }]);
  });

  it('blames the last layer that wrote a value; an array belongs to the layer that wrote it; a value nobody wrote to the environment\'s own file', () => {
    const layers = layersOf(airgap);
    expect(sourceOf(layers, ['components', 'toolhive', 'servers', 0, 'image'])).toBe('stacks/base.ts');
    expect(sourceOf(layers, ['cluster', 'replicas'])).toBe('stacks/prod.ts');
    expect(sourceOf(layers, ['components', 'serving', 'models', 1, 'storageUri'])).toBe('stacks/airgap.ts');
    expect(sourceOf(layers, ['cluster', 'ingress', 'nodePorts', 'http'])).toBe('stacks/prod.ts');
    expect(sourceOf(layers, ['components', 'serving', 'gateway'])).toBe('stacks/airgap.ts');
  });

  it('names the stack file in the error', () => {
    const broken = recordLayers(with_(prod, { cluster: { replcas: 2 } }), [...layersOf(prod).slice(0, 1), { file: 'stacks/prod.ts', values: merge(layersOf(prod)[1].values, { cluster: { replcas: 2 } }) }]);
    expect(failure(() => parseEnvironment(broken))).toContain("  - stacks/prod.ts: cluster.replcas: unknown field — did you mean 'replicas'?");
  });

  it('reports a problem of a file several environments share once, with the environments it affects', () => {
    const message = failure(() => compileAll([childA, childB]));
    expect(message.split('\n')).toEqual([
      'invalid configuration:',
      "  - test/fixtures/stacks/parent.ts: cluster.replcas: unknown field — did you mean 'replicas'? (environments child-a, child-b)",
      "  - test/fixtures/stacks/child-b.ts: components.serving.domian: unknown field — did you mean 'domain'? (environment child-b)",
    ]);
    // The shared file's own environment is one more it affects.
    expect(failure(() => compileAll([parent, childA]))).toContain('cluster.replcas: unknown field — did you mean \'replicas\'? (environments parent, child-a)');
  });

  it('keeps problems of environments without files apart, each with its environment', () => {
    const message = failure(() => compileAll([with_(dev, { clustr: 1 }), with_(prod, { name: 'prod', clustr: 1 })]));
    expect(message.split('\n')).toEqual([
      'invalid configuration:',
      "  - environment 'dev': clustr: unknown field — did you mean 'cluster'?",
      "  - environment 'prod': clustr: unknown field — did you mean 'cluster'?",
    ]);
  });
});

const temps: string[] = [];
afterAll(() => {
  for (const t of temps) fs.rmSync(t, { recursive: true, force: true });
});

function snapshotTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) out[path.relative(dir, path.join(e.parentPath, e.name))] = fs.readFileSync(path.join(e.parentPath, e.name), 'utf8');
  }
  return out;
}
