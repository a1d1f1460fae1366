import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { SynthError } from '../../lib/core/errors';
import { withExtraFiles } from '../../lib/core/extra-files';
import { nodeTrustFiles, registryCaPath } from '../../lib/core/node-trust';
import type { EnvironmentOutput } from '../../lib/core/synthesize';
import { treeFromFiles } from '../../lib/tools/tree';
import { parseEnvironment } from '../../lib/core/config';
import { environments } from '../../stacks';
import { compileAll, nodeFilesOf } from '../../stacks/compile';
import { dev } from '../../stacks/dev';
import { merge } from '../../stacks/base';
import { synthIssues, synthEnvironment } from '../helpers';

const HOST = 'registry.local:30500';
const CA = { namespace: 'agents', name: 'registry-ca' };

describe('nodeTrustFiles', () => {
  it('writes containerd a hosts.toml in the registry host namespace folder, trusting the CA at the documented path', () => {
    const files = nodeTrustFiles({ registryHost: HOST, distribution: 'kubeadm', caConfigMap: CA }, 'prod');
    expect([...files.keys()]).toEqual([`nodes/containerd/certs.d/${HOST}/hosts.toml`]);
    const toml = files.get(`nodes/containerd/certs.d/${HOST}/hosts.toml`)!;
    const body = toml.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    expect(body).toEqual([`server = "https://${HOST}"`, `[host."https://${HOST}"]`, '  capabilities = ["pull", "resolve"]', `  ca = "/etc/containerd/certs.d/${HOST}/ca.crt"`]);
    expect(registryCaPath({ registryHost: HOST, distribution: 'kubeadm' })).toBe(`/etc/containerd/certs.d/${HOST}/ca.crt`);
  });

  it('names the ConfigMap trust-manager publishes the CA to, never a Secret', () => {
    for (const distribution of ['k3s', 'kubeadm'] as const) {
      const [content] = [...nodeTrustFiles({ registryHost: HOST, distribution, caConfigMap: CA }, 'dev').values()];
      expect(content).toContain("the registry's CA certificate (ConfigMap agents/registry-ca, key ca.crt) goes to");
      expect(content).not.toMatch(/secret/i);
    }
    const [fromEnv] = [...nodeFilesOf(parseEnvironment(dev)).values()];
    expect(fromEnv).toContain('(ConfigMap jenkins-agents/registry-ca, key ca.crt)');
  });

  it('writes k3s a registries.yaml with the registry as mirror endpoint and its CA file', () => {
    const files = nodeTrustFiles({ registryHost: HOST, distribution: 'k3s', caConfigMap: CA }, 'dev');
    expect([...files.keys()]).toEqual(['nodes/k3s/registries.yaml']);
    expect(parseYaml(files.get('nodes/k3s/registries.yaml')!)).toEqual({
      mirrors: { [HOST]: { endpoint: [`https://${HOST}`] } },
      configs: { [HOST]: { tls: { ca_file: `/etc/rancher/k3s/certs.d/${HOST}/ca.crt` } } },
    });
  });

  it('follows each environment: k3s for dev, containerd for prod and airgap, nothing without CI', () => {
    const byEnv = new Map(compileAll(environments).map((o) => [o.environment, [...o.files.keys()].filter((f) => f.startsWith('nodes/'))]));
    expect(byEnv.get('dev')).toEqual(['nodes/k3s/registries.yaml']);
    expect(byEnv.get('prod')).toEqual([`nodes/containerd/certs.d/${HOST}/hosts.toml`]);
    expect(byEnv.get('airgap')).toEqual([`nodes/containerd/certs.d/${HOST}/hosts.toml`]);
    expect(nodeFilesOf(parseEnvironment(merge(dev, { components: { ci: { enabled: false }, kcloud: { enabled: false }, chatbot: { enabled: false }, mlops: { enabled: false } } })))).toEqual(new Map());
  });

  it('is never read as Kubernetes objects: the tree skips nodes/', () => {
    const tree = treeFromFiles(new Map([...nodeTrustFiles({ registryHost: HOST, distribution: 'k3s', caConfigMap: CA }, 'dev')].map(([f, c]) => [`dev/${f}`, c])));
    expect(tree.objects).toEqual([]);
  });
});

describe('withExtraFiles', () => {
  const out: EnvironmentOutput = { environment: 'dev', files: new Map([['apps/a.yaml', 'x'], ['images.txt', '']]), images: new Map(), charts: [], chartsMode: 'referenced' };

  it('adds files in a folder no Application syncs, keeping paths sorted', () => {
    expect([...withExtraFiles(out, new Map([['nodes/k3s/registries.yaml', 'y']])).files.keys()]).toEqual(['apps/a.yaml', 'images.txt', 'nodes/k3s/registries.yaml']);
  });

  it('refuses a file outside those folders or one already written', () => {
    expect(() => withExtraFiles(out, new Map([['a/registries.yaml', 'y']]))).toThrow(SynthError);
    expect(() => withExtraFiles(out, new Map([['a/registries.yaml', 'y']]))).toThrow(/a\/registries.yaml: extra files go in one of the folders no Application syncs \(images, nodes\)/);
    const written = { ...out, files: new Map([...out.files, ['nodes/x', 'z']]) };
    expect(() => withExtraFiles(written, new Map([['nodes/x', 'y']]))).toThrow(/nodes\/x is written twice/);
  });

  it('a component named after a reserved folder fails the synth', () => {
    const issues = synthIssues(() => synthEnvironment({ components: { charts: [{ name: 'nodes', chart: 'jenkins', namespace: 'nodes-ns' }] } }));
    expect(issues).toContainEqual(expect.stringContaining("component name 'nodes' is reserved: dist/<env>/nodes/ holds files no Application syncs"));
  });
});
