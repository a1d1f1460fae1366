import { describe, expect, it } from 'vitest';
import { ManifestLike } from '../../lib/checks/objects';
import { ChartPortValues, PortFacts, portFindings as rule, valuesAt } from '../../lib/checks/ports';
import { chartPortValues, environmentPortFacts } from '../../lib/components';
import { clusterPortFacts, EnvironmentInput, parseEnvironment } from '../../lib/core/config';
import { treeFromFiles } from '../../lib/tools/tree';
import { validateTree } from '../../lib/tools/validate';
import { merge } from '../../stacks/base';
import { dev } from '../../stacks/dev';
import { prod } from '../../stacks/prod';
import { files, yamlDocs } from '../tools/fixtures';
import { ApiObject } from 'cdk8s';
import { GitOpsSchema } from '../../lib/core/config';
import { OutputChart } from '../../lib/core/output-chart';
import { Platform } from '../../lib/core/platform';
import { ChartSource, UpstreamChart } from '../../lib/core/upstream-chart';
import { CHARTS } from '../../stacks/charts';
import { synthEnvironment, synthIssues, synthPlatform } from '../helpers';

type Port = { port: number; nodePort?: number; protocol?: string };

/** The registered components' chart tables (lib/components.ts), unless the facts name their own. */
const CHART_PORT_VALUES: readonly ChartPortValues[] = chartPortValues();
const portFindings = (objects: readonly ManifestLike[], facts: PortFacts = {}, options: Parameters<typeof rule>[2] = {}) => rule(objects, { charts: CHART_PORT_VALUES, ...facts }, options);

function service(name: string, type: string, ports: Port[], namespace = 'web'): ManifestLike {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { type, ports: ports.map((p, i) => ({ name: `p${i}`, ...p })) } };
}

function application(name: string, chart: string, valuesObject: Record<string, unknown>): ManifestLike {
  return { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name, namespace: 'argocd' }, spec: { source: { repoURL: 'https://charts.example.com', chart, targetRevision: '1.0.0', helm: { valuesObject } } } };
}

const k3s = (cluster: Record<string, unknown> = {}): PortFacts => environmentPortFacts(parseEnvironment(merge(dev, { cluster })).cluster);
const kubeadm = (): PortFacts => environmentPortFacts(parseEnvironment(prod).cluster);

/** An environment whose model API is a LoadBalancer on the seed's port 80. */
function withLoadBalancerApi(env: EnvironmentInput): EnvironmentInput {
  const out = merge(env, { components: { mlops: { serving: { serviceType: 'LoadBalancer' } } } });
  delete (out as unknown as { components: { mlops: { serving: { nodePort?: number } } } }).components.mlops.serving.nodePort;
  return out;
}

describe('portFindings: node ports', () => {
  it('reports a node port two Kompile Services claim, naming both owners and fields', () => {
    const findings = portFindings([service('api', 'NodePort', [{ port: 80, nodePort: 30800 }]), service('web', 'NodePort', [{ port: 8080, nodePort: 30800 }], 'chat')]);
    expect(findings).toEqual([
      {
        rule: 'node-port',
        index: 1,
        pointer: '/spec/ports/0/nodePort',
        otherIndex: 0,
        message: 'node port 30800 (Service/chat/web /spec/ports/0/nodePort) is also claimed by Service/web/api /spec/ports/0/nodePort: the API server allocates a node port to one Service only and refuses the other',
      },
    ]);
  });

  it('passes distinct node ports, and Services whose port the API server picks', () => {
    expect(portFindings([service('api', 'NodePort', [{ port: 80, nodePort: 30800 }]), service('web', 'NodePort', [{ port: 80, nodePort: 30801 }]), service('x', 'NodePort', [{ port: 80 }]), service('y', 'NodePort', [{ port: 80 }])])).toEqual([]);
  });

  it("reports a Service on a chart value's node port (a model API on Jenkins' 32080)", () => {
    const jenkins = application('jenkins', 'jenkins', { controller: { serviceType: 'NodePort', nodePort: 32080 } });
    const findings = portFindings([jenkins, service('iris-serving', 'NodePort', [{ port: 80, nodePort: 32080 }], 'mlops-serving')]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ rule: 'node-port', index: 1, otherIndex: 0, pointer: '/spec/ports/0/nodePort' });
    expect(findings[0].message).toContain("is also claimed by Application 'jenkins' (chart jenkins) value controller.nodePort");
    // The value's own pointer, when the value is the later claim.
    const reversed = portFindings([service('iris-serving', 'NodePort', [{ port: 80, nodePort: 32080 }], 'mlops-serving'), jenkins]);
    expect(reversed[0]).toMatchObject({ index: 1, otherIndex: 0, pointer: '/spec/source/helm/valuesObject/controller/nodePort' });
  });

  it("passes a chart node port the chart does not render (Jenkins renders it only with serviceType NodePort), or another port", () => {
    const svc = service('iris-serving', 'NodePort', [{ port: 80, nodePort: 32080 }]);
    expect(portFindings([application('jenkins', 'jenkins', { controller: { nodePort: 32080 } }), svc])).toEqual([]);
    expect(portFindings([application('jenkins', 'jenkins', { controller: { serviceType: 'NodePort', nodePort: 32081 } }), svc])).toEqual([]);
    // The agent listener's Service exists only while enabled (controller.agentListenerEnabled, default true).
    const agent = (enabled?: boolean) => application('jenkins', 'jenkins', { controller: { agentListenerEnabled: enabled, agentListenerServiceType: 'NodePort', agentListenerNodePort: 32080 } });
    expect(portFindings([agent(false), svc])).toEqual([]);
    expect(portFindings([agent(), svc])).toEqual([expect.objectContaining({ rule: 'node-port', index: 1, otherIndex: 0 })]);
    expect(portFindings([application('other', 'not-in-the-table', { controller: { serviceType: 'NodePort', nodePort: 32080 } }), svc])).toEqual([]);
  });

  it("reads list values (the Istio gateway's service.ports[].nodePort)", () => {
    const gateway = application('istio-ingressgateway', 'gateway', { service: { type: 'NodePort', ports: [{ name: 'http2', port: 80, nodePort: 31380 }, { name: 'https', port: 443, nodePort: 31380 }] } });
    const findings = portFindings([gateway]);
    expect(findings).toEqual([expect.objectContaining({ rule: 'node-port', index: 0, otherIndex: 0, pointer: '/spec/source/helm/valuesObject/service/ports/1/nodePort' })]);
    expect(findings[0].message).toContain('value service.ports.1.nodePort) is also claimed by');
  });

  it("reports the ingress controller's node ports (cluster.ingress.nodePorts), unless the environment installs the controller", () => {
    const facts = clusterPortFacts(parseEnvironment(dev).cluster);
    const front = service('frontend', 'NodePort', [{ port: 80, nodePort: 31084 }], 'chatbot');
    expect(portFindings([front], facts)[0].message).toContain('is also claimed by cluster.ingress.nodePorts.https (the ingress controller)');
    const controller = application('ingress-nginx', 'ingress-nginx', { controller: { service: { type: 'NodePort', nodePorts: { http: 31302, https: 31084 } } } });
    // A fixture entry in the shape a chart's entry takes (one per Service port its values set).
    const charts = [
      ...CHART_PORT_VALUES,
      {
        chart: 'ingress-nginx',
        ingressController: true,
        services: (['http', 'https'] as const).map((k) => ({ type: 'controller.service.type', typeDefault: 'LoadBalancer', port: `controller.service.ports.${k}`, portDefaults: [k === 'http' ? 80 : 443], nodePort: `controller.service.nodePorts.${k}` })),
      },
    ];
    // Installed: its values are the claim, the cluster fact is not a second one; the front end still clashes with it.
    const installed = portFindings([controller, front], { ...facts, charts });
    expect(installed).toHaveLength(1);
    expect(installed[0].message).toContain("is also claimed by Application 'ingress-nginx' (chart ingress-nginx) value controller.service.nodePorts.https");
    expect(portFindings([service('frontend', 'NodePort', [{ port: 80, nodePort: 31085 }])], facts)).toEqual([]);
  });

  it("reads a chart's rendered Services instead of its values when the chart was rendered", () => {
    const jenkins = application('jenkins', 'jenkins', { controller: { serviceType: 'NodePort', nodePort: 32080 } });
    const rendered = service('jenkins', 'NodePort', [{ port: 8080, nodePort: 32080 }], 'jenkins');
    // Without knowing the rendering came from the Application, the value and the rendering clash.
    expect(portFindings([jenkins, rendered])).toHaveLength(1);
    expect(portFindings([jenkins, rendered], {}, { renderedBy: (i) => (i === 1 ? 0 : undefined) })).toEqual([]);
  });

  it("reports node ports outside the cluster's range, Services' and values' alike", () => {
    const findings = portFindings([service('api', 'NodePort', [{ port: 80, nodePort: 8080 }]), application('gw', 'gateway', { service: { type: 'NodePort', ports: [{ port: 80, nodePort: 32768 }] } })]);
    expect(findings.map((f) => [f.index, f.pointer])).toEqual([
      [0, '/spec/ports/0/nodePort'],
      [1, '/spec/source/helm/valuesObject/service/ports/0/nodePort'],
    ]);
    expect(findings[0].message).toBe("node port 8080 (Service/web/api /spec/ports/0/nodePort) is outside the cluster's node-port range 30000-32767: the API server refuses the Service");
    expect(portFindings([service('api', 'NodePort', [{ port: 80, nodePort: 30000 }]), service('b', 'LoadBalancer', [{ port: 81, nodePort: 32767 }])])).toEqual([]);
    expect(portFindings([service('api', 'NodePort', [{ port: 80, nodePort: 8080 }])], { nodePortRange: { min: 8000, max: 9000 } })).toEqual([]);
  });
});

describe('portFindings: LoadBalancer ports on k3s', () => {
  const traefikFree = () => k3s({ k3s: { traefik: false } });

  it('reports a LoadBalancer port two Services claim where ServiceLB binds host ports', () => {
    const findings = portFindings([service('a', 'LoadBalancer', [{ port: 8080 }]), service('b', 'LoadBalancer', [{ port: 9090 }, { port: 8080 }], 'other')], traefikFree());
    expect(findings).toEqual([expect.objectContaining({ rule: 'load-balancer-port', index: 1, otherIndex: 0, pointer: '/spec/ports/1/port' })]);
    expect(findings[0].message).toBe(
      'LoadBalancer port 8080 (Service/other/b /spec/ports/1/port) is also claimed by Service/web/a /spec/ports/0/port: k3s ServiceLB binds every LoadBalancer port as a host port on the nodes, so one of the two Services never gets an address',
    );
  });

  it('passes distinct LoadBalancer ports on k3s; the same ports on kubeadm, or on k3s without ServiceLB', () => {
    expect(portFindings([service('a', 'LoadBalancer', [{ port: 8080 }]), service('b', 'LoadBalancer', [{ port: 9090 }])], traefikFree())).toEqual([]);
    const same = [service('a', 'LoadBalancer', [{ port: 80 }]), service('b', 'LoadBalancer', [{ port: 80 }])];
    expect(portFindings(same, kubeadm())).toEqual([]);
    expect(portFindings(same, k3s({ k3s: { serviceLB: false } }))).toEqual([]);
    // Ports of ClusterIP and NodePort Services are not host ports.
    expect(portFindings([service('a', 'ClusterIP', [{ port: 80 }]), service('b', 'NodePort', [{ port: 80 }])], k3s())).toEqual([]);
  });

  it('binds host ports per protocol: TCP and UDP on one number pass, one Service may use its node port for both', () => {
    const dns = service('dns', 'LoadBalancer', [{ port: 53, nodePort: 30053 }, { port: 53, nodePort: 30053, protocol: 'UDP' }]);
    expect(portFindings([dns], traefikFree())).toEqual([]);
    // A second Service on the same node port, whatever its protocol, is refused.
    expect(portFindings([dns, service('other', 'NodePort', [{ port: 53, nodePort: 30053, protocol: 'UDP' }])], traefikFree())).toEqual([expect.objectContaining({ rule: 'node-port', index: 1 })]);
    expect(portFindings([dns, service('udp', 'LoadBalancer', [{ port: 53, protocol: 'UDP' }])], traefikFree())).toEqual([expect.objectContaining({ rule: 'load-balancer-port', index: 1 })]);
  });

  it('reports a LoadBalancer on 80 or 443 where k3s runs Traefik, naming the setting', () => {
    const findings = portFindings([service('iris-serving', 'LoadBalancer', [{ port: 80 }], 'mlops-serving')], k3s());
    expect(findings).toEqual([expect.objectContaining({ rule: 'load-balancer-port', index: 0, pointer: '/spec/ports/0/port', otherIndex: undefined })]);
    expect(findings[0].message).toContain('is also claimed by Traefik, which k3s runs as a LoadBalancer Service on 80 and 443 (cluster.k3s.traefik');
  });

  it('passes a LoadBalancer on 80 where Traefik is disabled, and on kubeadm', () => {
    const lb80 = [service('iris-serving', 'LoadBalancer', [{ port: 80 }])];
    expect(portFindings(lb80, traefikFree())).toEqual([]);
    expect(portFindings(lb80, kubeadm())).toEqual([]);
    expect(kubeadm().hostLoadBalancer).toBe(false);
    expect(kubeadm().reserved?.filter((r) => r.kind === 'load-balancer')).toEqual([]);
  });

  it("counts a chart's default LoadBalancer ports where its values set none (the Istio gateway: 15021, 80, 443)", () => {
    const findings = portFindings([application('istio-ingressgateway', 'gateway', {})], k3s());
    expect(findings.map((f) => f.message.split(' (')[0])).toEqual(['LoadBalancer port 80', 'LoadBalancer port 443']);
    expect(findings[0].pointer).toBe('/spec/source/helm/valuesObject');
    expect(portFindings([application('istio-ingressgateway', 'gateway', { service: { type: 'NodePort' } })], k3s())).toEqual([]);
    expect(portFindings([application('istio-ingressgateway', 'gateway', { service: { ports: [{ name: 'http2', port: 8080 }] } })], k3s())).toEqual([]);
  });
});

describe('cluster.k3s', () => {
  it('defaults to Traefik and ServiceLB, whose 80/443 it reserves on k3s only', () => {
    const facts = clusterPortFacts(parseEnvironment(dev).cluster);
    expect(facts.hostLoadBalancer).toBe(true);
    expect(facts.reserved?.filter((r) => r.kind === 'load-balancer').map((r) => r.port)).toEqual([80, 443]);
    expect(k3s({ k3s: { traefik: false } }).reserved?.filter((r) => r.kind === 'load-balancer')).toEqual([]);
  });

  it('rejects an unknown field, naming it', () => {
    expect(() => parseEnvironment(merge(dev, { cluster: { k3s: { trafik: false } } }))).toThrow(/cluster\.k3s\.trafik: unknown field/);
  });
});

describe('valuesAt', () => {
  it('follows dotted paths and every item of a [] list, skipping what is absent', () => {
    const values = { a: { b: [{ c: 1 }, {}, { c: 2 }], d: null } };
    expect(valuesAt(values, 'a.b[].c')).toEqual([
      { value: 1, at: ['a', 'b', '0', 'c'] },
      { value: 2, at: ['a', 'b', '2', 'c'] },
    ]);
    expect(valuesAt(values, 'a.d')).toEqual([]);
    expect(valuesAt(values, 'x.y')).toEqual([]);
  });
});

/** The port rule's issues only: a node port without an authentication story is also an 'edge-authentication' issue (security-exposure.test.ts). */
const portOnly = (issues: string[]) => issues.filter((i) => !i.endsWith('[edge-authentication]'));

describe('the port rule in the synth', () => {
  it("refuses dev's model API on the ingress controller's node port, naming both owners", () => {
    const issues = portOnly(synthIssues(() => synthEnvironment({ components: { mlops: { serving: { serviceType: 'NodePort', nodePort: 31302 } } } })));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toContain('node port 31302');
    expect(issues[0]).toContain("Application 'ingress-nginx' (chart ingress-nginx) value controller.service.nodePorts.http");
    expect(issues[0]).toContain('Service/mlops-serving/iris-serving-service /spec/ports/0/nodePort');
    // Both construct paths: the one reported and the other owner.
    expect(issues[0]).toContain('[Mlops/Serving/Api/Api/Service]');
    expect(issues[0]).toContain('[IngressNginx');
  });

  it("refuses the front end on the installed ingress-nginx chart's node port (the chart's table entry)", () => {
    const issues = synthIssues(() => synthEnvironment({ components: { chatbot: { frontend: { nodePort: 31084 } } } }));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toContain('node port 31084');
    expect(issues[0]).toContain("Application 'ingress-nginx' (chart ingress-nginx) value controller.service.nodePorts.https");
    expect(issues[0]).toContain('Service/chatbot/');
  });

  it("refuses the front end on the node port of an ingress controller the cluster already runs (formerly a copied config check)", () => {
    const issues = synthIssues(() => synthEnvironment({ cluster: { ingress: { install: false } }, components: { chatbot: { frontend: { nodePort: 31084 } } } }));
    expect(issues).toEqual([expect.stringContaining('node port 31084 (Service/chatbot/')]);
    expect(issues[0]).toContain('is also claimed by cluster.ingress.nodePorts.https (the ingress controller)');
  });

  it('refuses a LoadBalancer model API on 80 on k3s with Traefik, and compiles it on kubeadm', () => {
    const issues = portOnly(synthIssues(() => synthEnvironment({}, withLoadBalancerApi(dev))));
    expect(issues).toEqual([expect.stringMatching(/^\[Mlops\/Serving\/Api\/Api\/Service\] \/spec\/ports\/0\/port: LoadBalancer port 80 .*Traefik/)]);
    // On kubeadm only the missing authentication story is left.
    expect(portOnly(synthIssues(() => synthEnvironment({}, withLoadBalancerApi(prod))))).toEqual([]);
  });

  it("compiles dev's model API, reached through the serving gateway without a node port", () => {
    expect(parseEnvironment(dev).components.mlops.serving).toMatchObject({ serviceType: 'ClusterIP', route: true });
    expect(parseEnvironment(dev).components.mlops.serving?.nodePort).toBeUndefined();
    expect(() => synthEnvironment()).not.toThrow();
  });
});

describe('the port rule in the synth, with a rendered chart', () => {
  // Jenkins rendered (as when vendored) and only checked: its Service, not its values, is the claim.
  function platformWith(nodePort: number): Platform {
    const jenkins = CHARTS.get('jenkins');
    const values = { controller: { serviceType: 'NodePort', nodePort: 32080 } };
    const request = { component: 'jenkins', hydrate: false, chart: jenkins, releaseName: 'jenkins', namespace: 'jenkins', values, kubeVersion: '1.28.0', apiVersions: [], images: [] };
    const rendered = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'jenkins', namespace: 'jenkins' }, spec: { type: 'NodePort', ports: [{ name: 'http', port: 8080, nodePort: 32080 }] } };
    const platform = new Platform({ environment: 'site', gitops: GitOpsSchema.parse({ repoURL: 'https://git.example.com/gitops.git' }), chartLock: CHARTS, renderedCharts: new Map([['jenkins', { request, objects: [rendered] }]]) });
    new UpstreamChart(platform, 'Jenkins', { name: 'jenkins', namespace: 'jenkins', source: ChartSource.locked(jenkins), values });
    const own = new OutputChart(platform, 'Api', 'api/manifests.yaml');
    new ApiObject(own, 'svc', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'api', namespace: 'api' }, spec: { type: 'NodePort', ports: [{ port: 80, nodePort }] } });
    return platform;
  }

  it("refuses a Service on the rendered chart's node port, naming the rendered Service", () => {
    const issues = portOnly(synthIssues(() => synthPlatform(platformWith(32080))));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toContain('node port 32080');
    expect(issues[0]).toContain('Service/jenkins/jenkins /spec/ports/0/nodePort');
    expect(issues[0]).not.toContain('value controller.nodePort');
  });

  it('does not count the values of a rendered chart a second time', () => {
    expect(portOnly(synthIssues(() => synthPlatform(platformWith(32081))))).toEqual([]);
  });
});

describe("the port rule in 'kompile validate'", () => {
  const tree = (serviceNodePort: number) =>
    treeFromFiles(
      files({
        'dev/apps/jenkins.yaml': yamlDocs(application('jenkins', 'jenkins', { controller: { serviceType: 'NodePort', nodePort: 32080 } }) as never),
        'dev/api/manifests.yaml': yamlDocs(service('api', 'NodePort', [{ port: 80, nodePort: serviceNodePort }]) as never, service('lb', 'LoadBalancer', [{ port: 443 }]) as never),
      }),
    );
  const rules = (t: ReturnType<typeof tree>, facts?: PortFacts) =>
    validateTree(t, facts ? { ports: new Map([['dev', facts]]) } : {}).filter((f) => f.rule === 'node-port' || f.rule === 'load-balancer-port');

  it('reports the clash and the Traefik port with file, object and field, naming the other file', () => {
    const findings = rules(tree(32080), k3s());
    expect(findings).toEqual([
      expect.objectContaining({ severity: 'error', rule: 'load-balancer-port', file: 'dev/api/manifests.yaml', object: 'Service/web/lb', path: '/spec/ports/0/port' }),
      expect.objectContaining({ severity: 'error', rule: 'node-port', file: 'dev/apps/jenkins.yaml', object: 'Application/argocd/jenkins', path: '/spec/source/helm/valuesObject/controller/nodePort' }),
    ]);
    expect(findings[0].message).toContain('Traefik');
    expect(findings[1].message).toMatch(/value controller\.nodePort\) is also claimed by Service\/web\/api \/spec\/ports\/0\/nodePort: .* \(dev\/api\/manifests\.yaml\)$/);
  });

  it('passes distinct node ports, and the LoadBalancer where the facts say kubeadm', () => {
    expect(rules(tree(32081), k3s({ k3s: { traefik: false } }))).toEqual([]);
    expect(rules(tree(32081), kubeadm())).toEqual([]);
  });
});
