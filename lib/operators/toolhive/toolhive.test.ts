import { describe, expect, it } from 'vitest';
import { Component } from '../../core/component';
import { Namespaces } from '../../core/namespaces';
import { McpServer } from './mcp-server';
import { ToolHive } from './toolhive';
import { TOOLHIVE_REPO, ToolHiveOperator } from './toolhive-operator';
import { compiledEnvironment, findObject, K8sObject, objectsIn, synthEnvironment, synthPlatform, testPlatform } from '../../../test/helpers';
import { CHARTS } from '../../../stacks/charts';
import { ToolHiveSchema } from './config';

type AppSpec = { source: { repoURL: string; path: string; targetRevision: string; helm: { releaseName: string; valuesObject: Record<string, Record<string, unknown>> } }; destination: { namespace: string }; syncPolicy: { syncOptions: string[] } };
const spec = (o: K8sObject) => o.spec as AppSpec;

function operatorApps(props: Partial<ConstructorParameters<typeof ToolHiveOperator>[2]> = {}) {
  const p = testPlatform();
  new ToolHiveOperator(p, 'ToolHive', { version: '0.44.0', namespace: 'toolhive', watchNamespaces: ['toolhive'], ...props });
  const out = synthPlatform(p);
  return {
    crds: findObject(objectsIn(out, 'apps/toolhive-operator-crds.yaml'), 'Application', 'toolhive-operator-crds'),
    operator: findObject(objectsIn(out, 'apps/toolhive-operator.yaml'), 'Application', 'toolhive-operator'),
    out,
  };
}

describe('ToolHiveOperator', () => {
  it('installs the CRDs chart and then the operator chart from the ToolHive Git repository at the release tag', () => {
    const { crds, operator } = operatorApps();
    expect(spec(crds).source).toMatchObject({ repoURL: TOOLHIVE_REPO, path: 'deploy/charts/operator-crds', targetRevision: 'v0.44.0' });
    expect(spec(operator).source).toMatchObject({ repoURL: TOOLHIVE_REPO, path: 'deploy/charts/operator', targetRevision: 'v0.44.0' });
    expect(spec(operator).destination.namespace).toBe('toolhive');
    expect(Number(crds.metadata.annotations!['argocd.argoproj.io/sync-wave'])).toBeLessThan(Number(operator.metadata.annotations!['argocd.argoproj.io/sync-wave']));
  });

  it('scopes the operator to the namespaces it manages, not the cluster (no ClusterRoleBinding, WATCH_NAMESPACE set by the chart)', () => {
    const values = spec(operatorApps({ watchNamespaces: ['toolhive', 'mcp-team'] }).operator).source.helm.valuesObject.operator;
    expect(values.rbac).toEqual({ scope: 'namespace', allowedNamespaces: ['toolhive', 'mcp-team'] });
    // The chart refuses to render the storage-version migrator with a namespace scope.
    expect(values.features).toEqual({ storageVersionMigrator: false });
    // In the environments: the MCP servers' own namespace, and nothing cluster-wide.
    const env = spec(findObject(objectsIn(compiledEnvironment(), 'apps/toolhive-operator.yaml'), 'Application', 'toolhive-operator')).source.helm.valuesObject.operator;
    expect(env.rbac).toEqual({ scope: 'namespace', allowedNamespaces: ['toolhive'] });
  });

  it('syncs the CRDs server-side and keeps them when the release goes', () => {
    const { crds, operator } = operatorApps();
    expect(spec(crds).syncPolicy.syncOptions).toContain('ServerSideApply=true');
    expect(spec(crds).source.helm.valuesObject).toEqual({ crds: { keep: true } });
    expect(spec(operator).syncPolicy.syncOptions).not.toContain('ServerSideApply=true');
  });

  it('sets every image the operator runs or injects through the chart values', () => {
    const { operator, out } = operatorApps();
    expect(spec(operator).source.helm.valuesObject.operator).toMatchObject({
      image: 'ghcr.io/stacklok/toolhive/operator:v0.44.0',
      toolhiveRunnerImage: 'ghcr.io/stacklok/toolhive/proxyrunner:v0.44.0',
      vmcpImage: 'ghcr.io/stacklok/toolhive/vmcp:v0.44.0',
    });
    expect(spec(operator).source.helm.valuesObject.registryAPI).toEqual({ image: 'ghcr.io/stacklok/thv-registry-api:v1.3.0' });
    expect([...out.images.keys()].sort()).toEqual([
      'ghcr.io/stacklok/thv-registry-api:v1.3.0',
      'ghcr.io/stacklok/toolhive/operator:v0.44.0',
      'ghcr.io/stacklok/toolhive/proxyrunner:v0.44.0',
      'ghcr.io/stacklok/toolhive/vmcp:v0.44.0',
    ]);
  });

  it('defaults to one replica without the update check', () => {
    const values = spec(operatorApps().operator).source.helm.valuesObject.operator;
    expect(values.replicaCount).toBe(1);
    expect(values.env).toEqual([{ name: 'TOOLHIVE_SKIP_UPDATE_CHECK', value: 'true' }]);
  });

  it('takes a version, replicas and the update check', () => {
    const { crds, operator } = operatorApps({ version: '0.45.1', replicas: 3, updateCheck: true, namespace: 'mcp' });
    const values = spec(operator).source.helm.valuesObject.operator;
    expect(values.replicaCount).toBe(3);
    expect(values.env).toBeUndefined();
    expect(values.image).toBe('ghcr.io/stacklok/toolhive/operator:v0.45.1');
    expect(spec(crds).source.targetRevision).toBe('v0.45.1');
    expect(spec(operator).destination.namespace).toBe('mcp');
  });
});

describe('ToolHive operator resources', () => {
  const SEED = { requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '1000m', memory: '1Gi' } };

  it('leaves the chart its own resources unless given', () => {
    const values = spec(operatorApps().operator).source.helm.valuesObject.operator;
    expect(values.resources).toBeUndefined();
    expect(values.gc).toBeUndefined();
  });

  it('sets the chart’s operator.resources, with the Go memory limit at the chart’s share of the limit', () => {
    const values = spec(operatorApps({ resources: SEED }).operator).source.helm.valuesObject.operator;
    expect(values.resources).toEqual(SEED);
    // 110MiB of 128Mi in the chart: 880MiB of 1Gi.
    expect(values.gc).toEqual({ gomemlimit: '880MiB' });
  });

  it('defaults the configuration to the seed’s 500m/512Mi requested, 1000m/1Gi limit, and names a bad quantity', () => {
    expect(ToolHiveSchema.parse({}).operatorResources).toEqual(SEED);
    const r = ToolHiveSchema.safeParse({ operatorResources: { requests: { cpu: '500m', memory: '512MB!' }, limits: SEED.limits } });
    expect(r.success ? [] : r.error.issues.map((i) => i.path.join('.'))).toEqual(['operatorResources.requests.memory']);
  });

});

describe('McpServer', () => {
  function server(props: Partial<ConstructorParameters<typeof McpServer>[2]> = {}) {
    const p = testPlatform();
    const c = new Component(p, 'Servers', { name: 'mcp-servers', namespace: 'toolhive' });
    new McpServer(c, 'Fetch', { name: 'fetch', namespace: 'toolhive', image: 'ghcr.io/stackloklabs/gofetch/server:1.0.1', ...props });
    return findObject(objectsIn(synthPlatform(p), 'mcp-servers/manifests.yaml'), 'MCPServer', 'fetch', 'toolhive');
  }

  it('is a v1beta1 MCPServer with stdio, proxy port 8080, bounded resources and a restricted pod', () => {
    const s = server();
    expect(s.apiVersion).toBe('toolhive.stacklok.dev/v1beta1');
    expect(s.spec).toMatchObject({
      image: 'ghcr.io/stackloklabs/gofetch/server:1.0.1',
      transport: 'stdio',
      proxyPort: 8080,
      resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
    });
    expect((s.spec as Record<string, unknown>).mcpPort).toBeUndefined();
    const pod = (s.spec as { podTemplateSpec: { spec: { securityContext: unknown; containers: { securityContext: unknown }[] } } }).podTemplateSpec.spec;
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.containers[0].securityContext).toEqual({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, readOnlyRootFilesystem: true });
  });

  it('takes transport, ports, args and resources', () => {
    const s = server({
      transport: 'streamable-http',
      mcpPort: 9000,
      proxyPort: 8081,
      args: ['--verbose'],
      resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '2', memory: '2Gi' } },
    });
    expect(s.spec).toMatchObject({ transport: 'streamable-http', mcpPort: 9000, proxyPort: 8081, args: ['--verbose'], resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '2', memory: '2Gi' } } });
  });

  it('refuses a port on a stdio server', () => {
    expect(() => server({ transport: 'stdio', mcpPort: 9000 })).toThrow(/mcpPort is set but transport is 'stdio'/);
  });
});

describe('ToolHive on the platform', () => {
  it('gives the namespace the egress the operator needs and opens servers only to the namespaces listed', () => {
    const p = testPlatform();
    const namespaces = new Namespaces(p, 'Namespaces', { kubernetesVersion: '1.28' });
    const th = new ToolHive(p, 'ToolHive', {
      config: { enabled: true, namespace: 'tools', updateCheck: false, operatorResources: { requests: { cpu: '10m', memory: '64Mi' }, limits: { cpu: '500m', memory: '128Mi' } }, servers: [{ name: 'fetch', image: 'x/fetch:1', transport: 'sse', mcpPort: 8080, proxyPort: 8090, args: [], allowFrom: ['chatbot'] }] },
      namespaces,
      apiServer: { cidrs: ['10.0.0.0/24'], ports: [6443] },
      replicas: 2,
      charts: CHARTS,
    });
    expect(th.servers.name).toBe('mcp-servers');
    const objects = objectsIn(synthPlatform(p), 'namespaces/manifests.yaml');
    expect((findObject(objects, 'NetworkPolicy', 'allow-to-kube-apiserver', 'tools').spec as { egress: unknown[] }).egress).toEqual([{ to: [{ ipBlock: { cidr: '10.0.0.0/24' } }], ports: [{ port: 6443, protocol: 'TCP' }] }]);
    expect(findObject(objects, 'NetworkPolicy', 'allow-from-mcp-fetch', 'tools').spec).toEqual({
      podSelector: { matchLabels: { 'toolhive-name': 'fetch' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'chatbot' } } }], ports: [{ port: 8090, protocol: 'TCP' }] }],
    });
  });

  it('syncs MCP servers after the operator, the operator after the CRDs and the namespaces', () => {
    const out = compiledEnvironment();
    const wave = (name: string) => Number(findObject(objectsIn(out, `apps/${name}.yaml`), 'Application', name).metadata.annotations!['argocd.argoproj.io/sync-wave']);
    expect(wave('toolhive-operator-crds')).toBe(0);
    expect(wave('namespaces')).toBe(0);
    expect(wave('toolhive-operator')).toBe(1);
    expect(wave('mcp-servers')).toBe(2);
  });

  it('is left out entirely when disabled', () => {
    const out = synthEnvironment({ components: { toolhive: { enabled: false } } });
    expect([...out.files.keys()].filter((f) => f.includes('toolhive') || f.includes('mcp-servers'))).toEqual([]);
  });
});
