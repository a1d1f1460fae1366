import { describe, expect, it } from 'vitest';
import { ManifestLike } from '../../lib/checks/objects';
import { istioHostMatches, securityExposureFindings } from '../../lib/checks/security-exposure';
import { allObjects, compiledEnvironments } from '../helpers';

const EXCEPTION = 'kompile.dev/security-exception.edge-authentication';

function service(name: string, type: string, annotations?: Record<string, string>, namespace = 'team'): ManifestLike {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace, ...(annotations ? { annotations } : {}) }, spec: { type, selector: { app: name }, ports: [{ port: 80 }] } };
}

function deployment(name: string, podLabels: Record<string, string> = {}, namespace = 'team'): ManifestLike {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace }, spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name, ...podLabels } }, spec: { containers: [{ name, image: `${name}:1` }] } } } };
}

function requestAuthentication(selector: Record<string, string>, namespace = 'team', jwtRules: unknown[] = [{ issuer: 'https://sso.example.com', jwksUri: 'https://sso.example.com/jwks.json' }]): ManifestLike {
  return { apiVersion: 'security.istio.io/v1', kind: 'RequestAuthentication', metadata: { name: 'jwt', namespace }, spec: { selector: { matchLabels: selector }, jwtRules } };
}

function denyWithoutJwt(selector: Record<string, string>, namespace = 'team', hosts?: string[]): ManifestLike {
  return {
    apiVersion: 'security.istio.io/v1',
    kind: 'AuthorizationPolicy',
    metadata: { name: 'require-jwt', namespace },
    spec: { selector: { matchLabels: selector }, action: 'DENY', rules: [{ from: [{ source: { notRequestPrincipals: ['*'] } }], ...(hosts ? { to: [{ operation: { hosts } }] } : {}) }] },
  };
}

function ingress(backend: string, annotations?: Record<string, string>): ManifestLike {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'web', namespace: 'team', ...(annotations ? { annotations } : {}) },
    spec: { rules: [{ host: 'web.example.com', http: { paths: [{ path: '/api', pathType: 'Prefix', backend: { service: { name: backend, port: { number: 80 } } } }] } }] },
  };
}

const gateway: ManifestLike = { apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: 'models', namespace: 'istio-system' }, spec: { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['*.models.example.com'] }] } };

function route(host: string, annotations?: Record<string, string>): ManifestLike {
  return { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'iris', namespace: 'models', ...(annotations ? { annotations } : {}) }, spec: { hosts: [host], gateways: ['istio-system/models'], http: [{ route: [{ destination: { host: 'iris.models.svc.cluster.local' } }] }] } };
}

const found = (objects: ManifestLike[]) => securityExposureFindings(objects).map((f) => `${f.rule} ${f.index} ${f.pointer}`);

describe('edge-authentication', () => {
  it('finds a NodePort or LoadBalancer Service without an authentication story, and leaves a ClusterIP one alone', () => {
    expect(found([service('api', 'NodePort'), service('lb', 'LoadBalancer'), service('inside', 'ClusterIP')])).toEqual(['edge-authentication 0 /spec/type', 'edge-authentication 1 /spec/type']);
    expect(securityExposureFindings([service('api', 'NodePort')])[0].message).toContain('reachable from outside the cluster without authentication');
  });

  it('accepts a Service whose injected pods require a JWT (RequestAuthentication and a DENY without request principal)', () => {
    const objects = [service('api', 'NodePort'), deployment('api', { 'sidecar.istio.io/inject': 'true' }), requestAuthentication({ app: 'api' }), denyWithoutJwt({ app: 'api' })];
    expect(found(objects)).toEqual([]);
  });

  it('accepts an ALLOW policy every rule of which names request principals, and refuses one that allows more', () => {
    const allow = (rules: unknown[]): ManifestLike => ({ apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'allow', namespace: 'team' }, spec: { selector: { matchLabels: { app: 'api' } }, rules } });
    const base = [service('api', 'NodePort'), deployment('api', { 'sidecar.istio.io/inject': 'true' }), requestAuthentication({ app: 'api' })];
    expect(found([...base, allow([{ from: [{ source: { requestPrincipals: ['*'] } }] }])])).toEqual([]);
    expect(found([...base, allow([{ from: [{ source: { requestPrincipals: ['*'] } }] }, { to: [{ operation: { paths: ['/health'] } }] }])])).toEqual(['edge-authentication 0 /spec/type']);
  });

  it('refuses half a story: a RequestAuthentication alone, a DENY alone, a JWT rule without issuer, pods without a proxy, a policy of another namespace', () => {
    const svc = service('api', 'NodePort');
    const injected = deployment('api', { 'sidecar.istio.io/inject': 'true' });
    expect(found([svc, injected, requestAuthentication({ app: 'api' })])).toHaveLength(1);
    expect(found([svc, injected, denyWithoutJwt({ app: 'api' })])).toHaveLength(1);
    expect(found([svc, injected, requestAuthentication({ app: 'api' }, 'team', [{ jwksUri: 'https://x/jwks' }]), denyWithoutJwt({ app: 'api' })])).toHaveLength(1);
    expect(found([svc, injected, requestAuthentication({ app: 'api' }, 'other'), denyWithoutJwt({ app: 'api' }, 'other')])).toHaveLength(1);
    const bare = securityExposureFindings([svc, deployment('api'), requestAuthentication({ app: 'api' }), denyWithoutJwt({ app: 'api' })]);
    expect(bare.map((f) => f.pointer)).toEqual(['/spec/type']);
    expect(bare[0].message).toContain('runs no Istio proxy');
    // The namespace's injection label puts a proxy in every pod.
    const ns: ManifestLike = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team', labels: { 'istio-injection': 'enabled' } } };
    expect(found([ns, svc, deployment('api'), requestAuthentication({ app: 'api' }), denyWithoutJwt({ app: 'api' })])).toEqual([]);
  });

  it('accepts an annotation naming a known mechanism, and refuses an unknown one', () => {
    expect(found([service('registry', 'NodePort', { 'kompile.dev/authentication': 'http-basic' })])).toEqual([]);
    const unknown = securityExposureFindings([service('registry', 'NodePort', { 'kompile.dev/authentication': 'magic' })]);
    expect(unknown.map((f) => f.pointer)).toEqual(['/metadata/annotations/kompile.dev~1authentication', '/spec/type']);
    expect(unknown[0].message).toContain("names 'magic', not a known mechanism");
  });

  it('judges the back end of each Ingress path: on the Service when the environment holds it, else on the path', () => {
    expect(found([ingress('api'), service('api', 'ClusterIP')])).toEqual(['edge-authentication 1 ']);
    expect(found([ingress('api'), service('api', 'ClusterIP', { 'kompile.dev/authentication': 'application-login' })])).toEqual([]);
    expect(found([ingress('elsewhere')])).toEqual(['edge-authentication 0 /spec/rules/0/http/paths/0']);
    expect(found([ingress('elsewhere', { 'kompile.dev/authentication': 'application-login' })])).toEqual([]);
  });

  it('judges each host routed through a Gateway: a DENY restricted to hosts must match the host with and without a port', () => {
    const gw = [gateway, requestAuthentication({ istio: 'ingressgateway' }, 'istio-system')];
    const host = 'iris.models.example.com';
    expect(found([...gw, route(host)])).toEqual(['edge-authentication 2 /spec/hosts/0']);
    expect(found([...gw, denyWithoutJwt({ istio: 'ingressgateway' }, 'istio-system', [host, `${host}:*`]), route(host)])).toEqual([]);
    // Istio keeps the port of the Host header: the bare host alone lets `iris.models.example.com:443` through.
    expect(found([...gw, denyWithoutJwt({ istio: 'ingressgateway' }, 'istio-system', [host]), route(host)])).toEqual(['edge-authentication 3 /spec/hosts/0']);
    expect(found([...gw, denyWithoutJwt({ istio: 'ingressgateway' }, 'istio-system', ['other.models.example.com', 'other.models.example.com:*']), route(host)])).toHaveLength(1);
    expect(found([...gw, denyWithoutJwt({ istio: 'ingressgateway' }, 'istio-system'), route(host)])).toEqual([]);
    // A route of the mesh only is not exposed; a route annotated with its mechanism is accepted.
    const meshOnly = { ...route(host), spec: { ...(route(host).spec as object), gateways: ['mesh'] } } as ManifestLike;
    expect(found([...gw, meshOnly])).toEqual([]);
    expect(found([...gw, route(host, { 'kompile.dev/authentication': 'application-login' })])).toEqual([]);
  });

  it("leaves an ingress gateway's own Service to its routes", () => {
    const svc: ManifestLike = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'istio-ingressgateway', namespace: 'istio-system' }, spec: { type: 'LoadBalancer', selector: { istio: 'ingressgateway', app: 'istio-ingressgateway' } } };
    expect(found([gateway, svc])).toEqual([]);
    expect(found([svc])).toEqual(['edge-authentication 0 /spec/type']);
  });

  it('takes a reasoned exception, refuses one without a reason or with nothing to excuse', () => {
    expect(found([service('api', 'NodePort', { [EXCEPTION]: 'the seed walkthrough on a laptop' })])).toEqual([]);
    const empty = securityExposureFindings([service('api', 'NodePort', { [EXCEPTION]: ' ' })]);
    expect(empty.map((f) => f.pointer)).toEqual(['/metadata/annotations/kompile.dev~1security-exception.edge-authentication', '/spec/type']);
    expect(empty[0].message).toContain('must give its reason');
    const stale = securityExposureFindings([service('api', 'ClusterIP', { [EXCEPTION]: 'no longer exposed' })]);
    expect(stale.map((f) => f.message)).toEqual([expect.stringContaining('matches nothing')]);
  });

  it("matches hosts as Istio's HostMatcher does: exact, *suffix, prefix*, *", () => {
    expect(istioHostMatches('*.example.com', 'a.EXAMPLE.com')).toBe(true);
    expect(istioHostMatches('a.example.com:*', 'a.example.com:443')).toBe(true);
    expect(istioHostMatches('a.example.com', 'a.example.com:443')).toBe(false);
    expect(istioHostMatches('*', 'anything')).toBe(true);
  });
});

describe('every environment', () => {
  it('has no finding; each exception names its object and a reason; without them the rule would find them', () => {
    for (const out of compiledEnvironments()) {
      const objects = allObjects(out);
      expect(securityExposureFindings(objects), out.environment).toEqual([]);
      const excepted = objects.filter((o) => EXCEPTION in (o.metadata.annotations ?? {}));
      expect(excepted.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`), out.environment).toEqual(['Service/chatbot/frontend']);
      const bare = objects.map((o) => (excepted.includes(o) ? { ...o, metadata: { ...o.metadata, annotations: {} } } : o));
      expect(securityExposureFindings(bare).map((f) => f.rule), out.environment).toContain('edge-authentication');
      // The model gateway requires a JWT for every routed host, the model API's among them.
      const deny = objects.find((o) => o.kind === 'AuthorizationPolicy' && o.metadata.name === 'model-gateway-require-jwt');
      expect(JSON.stringify(deny?.spec), out.environment).toContain('iris-serving.models.example.com:*');
    }
  });
});
