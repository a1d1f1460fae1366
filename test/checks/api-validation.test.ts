import { describe, expect, it } from 'vitest';
import { apiValidationFindings } from '../../lib/checks/api-validation';
import { ManifestLike } from '../../lib/checks/objects';

const container = (extra: Record<string, unknown> = {}) => ({ name: 'app', image: 'r/app:1', ...extra });
const deployment = (spec: Record<string, unknown>, top: Record<string, unknown> = {}): ManifestLike => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'd' },
  spec: { template: { spec: { containers: [container()], ...spec } }, ...top },
});
const obj = (apiVersion: string, kind: string, rest: Record<string, unknown>): ManifestLike => ({ apiVersion, kind, metadata: { name: 'x' }, ...rest });
const T = '/spec/template/spec';

describe('apiValidationFindings: pod templates', () => {
  it('accepts a valid Deployment', () => {
    expect(apiValidationFindings(deployment({ volumes: [{ name: 'v', emptyDir: {} }], containers: [container({ volumeMounts: [{ name: 'v', mountPath: '/v' }], ports: [{ name: 'http', containerPort: 8080 }], env: [{ name: 'A', value: 'x' }], resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '1', memory: '1024Mi' } }, livenessProbe: { httpGet: { path: '/', port: 8080 } } })] }))).toEqual([]);
  });
  it('requires a container', () => {
    expect(apiValidationFindings(deployment({ containers: [] }))).toEqual([{ pointer: `${T}/containers`, message: 'Required value: a pod needs at least one container' }]);
  });
  it('refuses a container name used twice across init and regular containers', () => {
    expect(apiValidationFindings(deployment({ initContainers: [container()] }))).toEqual([{ pointer: `${T}/containers/0/name`, message: 'Duplicate value: "app"' }]);
  });
  it('refuses a volume name used twice', () => {
    expect(apiValidationFindings(deployment({ volumes: [{ name: 'v' }, { name: 'v' }] }))).toEqual([{ pointer: `${T}/volumes/1/name`, message: 'Duplicate value: "v"' }]);
  });
  it('refuses a mount of an undeclared volume, in init containers too', () => {
    expect(apiValidationFindings(deployment({ initContainers: [container({ name: 'init', volumeMounts: [{ name: 'data', mountPath: '/d' }] })] }))).toEqual([{ pointer: `${T}/initContainers/0/volumeMounts/0/name`, message: 'Not found: "data"' }]);
  });
  it("counts a StatefulSet's claim templates as volumes", () => {
    const sts = obj('apps/v1', 'StatefulSet', { spec: { volumeClaimTemplates: [{ metadata: { name: 'data' } }], template: { spec: { containers: [container({ volumeMounts: [{ name: 'data', mountPath: '/d' }] })] } } } });
    expect(apiValidationFindings(sts)).toEqual([]);
  });
  it('refuses container ports out of range and bad port names', () => {
    const f = apiValidationFindings(deployment({ containers: [container({ ports: [{ containerPort: 0 }, { name: 'a-very-long-port-name', containerPort: 80 }, { name: '8080', containerPort: 81 }, { name: 'my--port', containerPort: 82 }, { name: '-http', containerPort: 83 }, { name: 'HTTP', containerPort: 84 }] })] }));
    expect(f).toEqual([
      { pointer: `${T}/containers/0/ports/0/containerPort`, message: 'Invalid value: 0: must be between 1 and 65535, inclusive' },
      { pointer: `${T}/containers/0/ports/1/name`, message: 'Invalid value: "a-very-long-port-name": must be no more than 15 characters' },
      { pointer: `${T}/containers/0/ports/2/name`, message: 'Invalid value: "8080": must contain at least one letter (a-z)' },
      { pointer: `${T}/containers/0/ports/3/name`, message: 'Invalid value: "my--port": must not contain consecutive hyphens' },
      { pointer: `${T}/containers/0/ports/4/name`, message: 'Invalid value: "-http": must not begin or end with a hyphen' },
      { pointer: `${T}/containers/0/ports/5/name`, message: 'Invalid value: "HTTP": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)' },
      { pointer: `${T}/containers/0/ports/5/name`, message: 'Invalid value: "HTTP": must contain at least one letter (a-z)' },
    ]);
  });
  it('refuses an env entry with both value and valueFrom, not an empty value with valueFrom', () => {
    const f = apiValidationFindings(deployment({ containers: [container({ env: [{ name: 'A', value: 'x', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }, { name: 'B', value: '', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }] })] }));
    expect(f).toEqual([{ pointer: `${T}/containers/0/env/0/valueFrom`, message: 'Invalid value: "": may not be specified when `value` is not empty' }]);
  });
  it('refuses a request above its limit, comparing quantities', () => {
    const f = apiValidationFindings(deployment({ containers: [container({ resources: { requests: { cpu: '1500m', memory: '2Gi' }, limits: { cpu: '1', memory: '3Gi' } } })] }));
    expect(f).toEqual([{ pointer: `${T}/containers/0/resources/requests/cpu`, message: 'Invalid value: "1500m": must be less than or equal to cpu limit' }]);
  });
  it('refuses a probe with no handler or with two', () => {
    const f = apiValidationFindings(deployment({ containers: [container({ readinessProbe: { periodSeconds: 5 }, startupProbe: { exec: { command: ['true'] }, tcpSocket: { port: 80 } } })] }));
    expect(f).toEqual([
      { pointer: `${T}/containers/0/readinessProbe`, message: 'Required value: must specify a handler type' },
      { pointer: `${T}/containers/0/startupProbe/tcpSocket`, message: 'Forbidden: may not specify more than 1 handler type' },
    ]);
  });
});

describe('apiValidationFindings: restart policies', () => {
  const job = (restartPolicy?: string) => obj('batch/v1', 'Job', { spec: { template: { spec: { containers: [container()], ...(restartPolicy ? { restartPolicy } : {}) } } } });
  it('accepts OnFailure and Never for a Job', () => {
    expect(apiValidationFindings(job('OnFailure'))).toEqual([]);
    expect(apiValidationFindings(job('Never'))).toEqual([]);
  });
  it('refuses a Job left to the default Always', () => {
    expect(apiValidationFindings(job())).toEqual([{ pointer: `${T}/restartPolicy`, message: 'Unsupported value: "Always": supported values: "OnFailure", "Never"' }]);
  });
  it("checks a CronJob's job template", () => {
    const cj = obj('batch/v1', 'CronJob', { spec: { schedule: '@hourly', jobTemplate: { spec: { template: { spec: { containers: [container()], restartPolicy: 'Always' } } } } } });
    expect(apiValidationFindings(cj)).toEqual([{ pointer: '/spec/jobTemplate/spec/template/spec/restartPolicy', message: 'Unsupported value: "Always": supported values: "OnFailure", "Never"' }]);
  });
  it('refuses Never for a Deployment', () => {
    expect(apiValidationFindings(deployment({ restartPolicy: 'Never' }))).toEqual([{ pointer: `${T}/restartPolicy`, message: 'Unsupported value: "Never": supported values: "Always"' }]);
  });
});

describe('apiValidationFindings: controllers', () => {
  it('refuses maxSurge and maxUnavailable both 0, in either spelling', () => {
    expect(apiValidationFindings(deployment({}, { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '0%', maxUnavailable: 0 } } }))).toEqual([{ pointer: '/spec/strategy/rollingUpdate/maxUnavailable', message: 'Invalid value: 0: may not be 0 when `maxSurge` is 0' }]);
  });
  it('accepts maxUnavailable 0 with the default maxSurge, and Recreate', () => {
    expect(apiValidationFindings(deployment({}, { strategy: { rollingUpdate: { maxUnavailable: 0 } } }))).toEqual([]);
    expect(apiValidationFindings(deployment({}, { strategy: { type: 'Recreate' } }))).toEqual([]);
  });
  it('refuses an HPA whose maxReplicas is below minReplicas', () => {
    expect(apiValidationFindings(obj('autoscaling/v2', 'HorizontalPodAutoscaler', { spec: { minReplicas: 3, maxReplicas: 2 } }))).toEqual([{ pointer: '/spec/maxReplicas', message: 'Invalid value: 2: must be greater than or equal to `minReplicas`' }]);
    expect(apiValidationFindings(obj('autoscaling/v2', 'HorizontalPodAutoscaler', { spec: { minReplicas: 2, maxReplicas: 2 } }))).toEqual([]);
  });
  it('refuses a PDB with both minAvailable and maxUnavailable', () => {
    expect(apiValidationFindings(obj('policy/v1', 'PodDisruptionBudget', { spec: { minAvailable: 1, maxUnavailable: 1 } }))).toEqual([{ pointer: '/spec', message: 'minAvailable and maxUnavailable cannot be both set' }]);
    expect(apiValidationFindings(obj('policy/v1', 'PodDisruptionBudget', { spec: { maxUnavailable: 1 } }))).toEqual([]);
  });
});

describe('apiValidationFindings: NetworkPolicy ipBlock', () => {
  const np = (ipBlock: Record<string, unknown>) => obj('networking.k8s.io/v1', 'NetworkPolicy', { spec: { podSelector: {}, egress: [{ to: [{ ipBlock }] }] } });
  const at = '/spec/egress/0/to/0/ipBlock';
  it('accepts IPv4 and IPv6 blocks with excepts inside them', () => {
    expect(apiValidationFindings(np({ cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] }))).toEqual([]);
    expect(apiValidationFindings(np({ cidr: 'fd00::/8', except: ['fd00:1::/32'] }))).toEqual([]);
  });
  it('refuses an invalid CIDR', () => {
    expect(apiValidationFindings(np({ cidr: '10.0.0.300/8' }))).toEqual([{ pointer: `${at}/cidr`, message: 'Invalid value: "10.0.0.300/8": not a valid CIDR' }]);
    expect(apiValidationFindings(np({ cidr: '10.0.0.1' }))).toEqual([{ pointer: `${at}/cidr`, message: 'Invalid value: "10.0.0.1": not a valid CIDR' }]);
  });
  it('refuses an except outside the cidr, or not smaller than it', () => {
    expect(apiValidationFindings(np({ cidr: '10.0.0.0/16', except: ['192.168.0.0/24', '10.0.0.0/16', 'nope'] }))).toEqual([
      { pointer: `${at}/except/0`, message: 'Invalid value: "192.168.0.0/24": must be a strict subset of `cidr`' },
      { pointer: `${at}/except/1`, message: 'Invalid value: "10.0.0.0/16": must be a strict subset of `cidr`' },
      { pointer: `${at}/except/2`, message: 'Invalid value: "nope": not a valid CIDR' },
    ]);
  });
});

describe('apiValidationFindings: ConfigMap and Secret keys', () => {
  it('accepts keys of [-._a-zA-Z0-9]', () => {
    expect(apiValidationFindings(obj('v1', 'ConfigMap', { data: { 'app.yaml': '', KEY_NAME: '', 'key-name': '' } }))).toEqual([]);
  });
  it('refuses a key with a slash, and . or ..', () => {
    expect(apiValidationFindings(obj('v1', 'ConfigMap', { data: { 'conf/app.yaml': '' }, binaryData: { '..': '' } }))).toEqual([
      { pointer: '/data/conf~1app.yaml', message: `Invalid value: "conf/app.yaml": a valid config key must consist of alphanumeric characters, '-', '_' or '.'` },
      { pointer: '/binaryData/..', message: `Invalid value: "..": must not be '..'` },
    ]);
  });
  it('checks Secret data and stringData, and the 253 character limit', () => {
    const long = 'k'.repeat(254);
    expect(apiValidationFindings(obj('v1', 'Secret', { data: { [long]: '' }, stringData: { 'a b': '' } }))).toEqual([
      { pointer: `/data/${long}`, message: `Invalid value: "${long}": must be no more than 253 characters` },
      { pointer: '/stringData/a b', message: `Invalid value: "a b": a valid config key must consist of alphanumeric characters, '-', '_' or '.'` },
    ]);
  });
});

describe('apiValidationFindings: Ingress', () => {
  const ing = (host: string | undefined, path: Record<string, unknown>) => obj('networking.k8s.io/v1', 'Ingress', { spec: { rules: [{ ...(host ? { host } : {}), http: { paths: [{ backend: { service: { name: 's', port: { number: 80 } } }, ...path }] } }] } });
  it('accepts DNS and wildcard hosts, absolute paths and empty or absolute ImplementationSpecific paths', () => {
    expect(apiValidationFindings(ing('app.example.com', { path: '/', pathType: 'Prefix' }))).toEqual([]);
    expect(apiValidationFindings(ing('*.example.com', { path: '/x', pathType: 'Exact' }))).toEqual([]);
    expect(apiValidationFindings(ing(undefined, { pathType: 'ImplementationSpecific' }))).toEqual([]);
    expect(apiValidationFindings(ing(undefined, { path: '/x/(.*)', pathType: 'ImplementationSpecific' }))).toEqual([]);
  });
  it('refuses a relative ImplementationSpecific path, and in Exact or Prefix paths what validateHTTPIngressPath refuses', () => {
    const P = '/spec/rules/0/http/paths/0/path';
    expect(apiValidationFindings(ing(undefined, { path: 'x', pathType: 'ImplementationSpecific' }))).toEqual([{ pointer: P, message: 'Invalid value: "x": must be an absolute path' }]);
    expect(apiValidationFindings(ing('a.example.com', { path: '/a//b/./c/../d%2fe%2F', pathType: 'Prefix' }))).toEqual([
      { pointer: P, message: `Invalid value: "/a//b/./c/../d%2fe%2F": must not contain '//'` },
      { pointer: P, message: `Invalid value: "/a//b/./c/../d%2fe%2F": must not contain '/./'` },
      { pointer: P, message: `Invalid value: "/a//b/./c/../d%2fe%2F": must not contain '/../'` },
      { pointer: P, message: `Invalid value: "/a//b/./c/../d%2fe%2F": must not contain '%2f'` },
      { pointer: P, message: `Invalid value: "/a//b/./c/../d%2fe%2F": must not contain '%2F'` },
    ]);
    expect(apiValidationFindings(ing('a.example.com', { path: '/a/..', pathType: 'Exact' }))).toEqual([{ pointer: P, message: `Invalid value: "/a/..": cannot end with '/..'` }]);
    expect(apiValidationFindings(ing('a.example.com', { path: '/a/.', pathType: 'Exact' }))).toEqual([{ pointer: P, message: `Invalid value: "/a/.": cannot end with '/.'` }]);
    // ImplementationSpecific paths are the controller's business (regular expressions included).
    expect(apiValidationFindings(ing('a.example.com', { path: '/a//b', pathType: 'ImplementationSpecific' }))).toEqual([]);
  });
  it('checks TLS hosts: DNS-1123 subdomains or wildcards, no IP check', () => {
    const tls = (hosts: string[]) => obj('networking.k8s.io/v1', 'Ingress', { spec: { tls: [{ hosts, secretName: 't' }], rules: [{ host: 'a.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 's', port: { number: 80 } } } }] } }] } });
    expect(apiValidationFindings(tls(['a.example.com', '*.example.com']))).toEqual([]);
    const f = apiValidationFindings(tls(['A.example.com', 'a.*.com']));
    expect(f.map((x) => x.pointer)).toEqual(['/spec/tls/0/hosts/0', '/spec/tls/0/hosts/1']);
    expect(f[0].message).toContain('a lowercase RFC 1123 subdomain');
    expect(f[1].message).toContain("a wildcard DNS-1123 subdomain must start with '*.'");
  });
  it('refuses an IP host, a bad wildcard, a host with capitals', () => {
    expect(apiValidationFindings(ing('10.0.0.1', { path: '/', pathType: 'Prefix' }))).toEqual([{ pointer: '/spec/rules/0/host', message: 'Invalid value: "10.0.0.1": must be a DNS name, not an IP address' }]);
    expect(apiValidationFindings(ing('foo.*.com', { path: '/', pathType: 'Prefix' })).map((f) => f.message)).toEqual([expect.stringContaining("a wildcard DNS-1123 subdomain must start with '*.'")]);
    expect(apiValidationFindings(ing('App.example.com', { path: '/', pathType: 'Prefix' })).map((f) => f.message)).toEqual([expect.stringContaining('a lowercase RFC 1123 subdomain')]);
  });
  it('refuses a relative Prefix or Exact path and a path with no pathType', () => {
    expect(apiValidationFindings(ing('a.example.com', { path: 'api', pathType: 'Prefix' }))).toEqual([{ pointer: '/spec/rules/0/http/paths/0/path', message: 'Invalid value: "api": must be an absolute path' }]);
    expect(apiValidationFindings(ing('a.example.com', { path: '/' }))).toEqual([{ pointer: '/spec/rules/0/http/paths/0/pathType', message: 'Required value: pathType must be specified' }]);
  });
});

describe('apiValidationFindings: CronJob schedule', () => {
  const cron = (schedule: string) => obj('batch/v1', 'CronJob', { spec: { schedule, jobTemplate: { spec: { template: { spec: { containers: [container()], restartPolicy: 'OnFailure' } } } } } });
  it('accepts five fields, names, ranges, steps and descriptors', () => {
    for (const s of ['*/5 * * * *', '0 3 * * mon-fri', '15 2 1,15 jan-jun ?', '@hourly', '@daily', '@every 2h']) expect(apiValidationFindings(cron(s))).toEqual([]);
  });
  it('refuses the wrong number of fields, values out of range, unknown descriptors and TZ', () => {
    const messages = (s: string) => apiValidationFindings(cron(s)).map((f) => f.message);
    expect(messages('* * * *')).toEqual(['Invalid value: "* * * *": expected exactly 5 fields, found 4: [* * * *]']);
    expect(messages('60 * * * *')).toEqual(['Invalid value: "60 * * * *": end of range (60) above maximum (59): 60']);
    expect(messages('0 0 0 * *')).toEqual(['Invalid value: "0 0 0 * *": beginning of range (0) below minimum (1): 0']);
    expect(messages('0 5-2 * * *')).toEqual(['Invalid value: "0 5-2 * * *": beginning of range (5) beyond end of range (2): 5-2']);
    expect(messages('0 0 * * funday')).toEqual(['Invalid value: "0 0 * * funday": failed to parse int from funday']);
    expect(messages('@fortnightly')).toEqual(['Invalid value: "@fortnightly": unrecognized descriptor: @fortnightly']);
    expect(messages('CRON_TZ=UTC 0 0 * * *')).toEqual(['Invalid value: "CRON_TZ=UTC 0 0 * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead']);
  });
});

describe('apiValidationFindings: uniqueness within lists', () => {
  it('refuses a port name used twice in one container, not in two containers', () => {
    expect(apiValidationFindings(deployment({ containers: [container({ ports: [{ name: 'http', containerPort: 80 }, { name: 'http', containerPort: 81 }] })] }))).toEqual([
      { pointer: `${T}/containers/0/ports/1/name`, message: 'Duplicate value: "http"' },
    ]);
    expect(apiValidationFindings(deployment({ containers: [container({ ports: [{ name: 'http', containerPort: 80 }] }), container({ name: 'b', ports: [{ name: 'http', containerPort: 81 }] })] }))).toEqual([]);
  });
  it('refuses a host port taken twice by the regular containers, per protocol and host IP', () => {
    const f = apiValidationFindings(deployment({ containers: [container({ ports: [{ containerPort: 80, hostPort: 8080 }] }), container({ name: 'b', ports: [{ containerPort: 81, hostPort: 8080, protocol: 'TCP' }, { containerPort: 82, hostPort: 8080, protocol: 'UDP' }] })] }));
    expect(f).toEqual([{ pointer: `${T}/containers/1/ports/0/hostPort`, message: 'Duplicate value: "TCP//8080"' }]);
  });
  it('lets an init container take a host port a regular container also takes (they run one after the other)', () => {
    expect(apiValidationFindings(deployment({ initContainers: [container({ name: 'init', ports: [{ containerPort: 81, hostPort: 8080 }] })], containers: [container({ ports: [{ containerPort: 80, hostPort: 8080 }] })] }))).toEqual([]);
  });
  it('only warns about the same containerPort and protocol twice (pkg/api/pod/warnings.go), across containers too', () => {
    const f = apiValidationFindings(deployment({ containers: [container({ ports: [{ containerPort: 80 }, { containerPort: 80, protocol: 'UDP' }] }), container({ name: 'b', ports: [{ containerPort: 80, protocol: 'TCP' }] })] }));
    expect(f).toEqual([{ pointer: `${T}/containers/1/ports/0`, message: `duplicate port definition with ${T}/containers/0/ports/0`, severity: 'warning' }]);
  });
  it('warns about overlapping and ambiguous host port definitions of one containerPort', () => {
    const f = apiValidationFindings(deployment({ containers: [container({ ports: [{ containerPort: 80, hostPort: 8080 }, { containerPort: 80 }, { containerPort: 80, hostPort: 8080, hostIP: '10.0.0.1' }] })] }));
    expect(f).toEqual([
      { pointer: `${T}/containers/0/ports/1`, message: `overlapping port definition with ${T}/containers/0/ports/0`, severity: 'warning' },
      { pointer: `${T}/containers/0/ports/2`, message: `dangerously ambiguous port definition with ${T}/containers/0/ports/0`, severity: 'warning' },
      { pointer: `${T}/containers/0/ports/2`, message: `overlapping port definition with ${T}/containers/0/ports/1`, severity: 'warning' },
    ]);
  });
  it('only warns about an env name defined twice, and not when the later value builds on the earlier one', () => {
    const f = apiValidationFindings(deployment({ containers: [container({ env: [{ name: 'A', value: '1' }, { name: 'A', value: '2' }, { name: 'P', value: '/a' }, { name: 'P', value: '$(P):/b' }] })] }));
    expect(f).toEqual([{ pointer: `${T}/containers/0/env/1`, message: 'hides previous definition of "A", which may be dropped when using apply', severity: 'warning' }]);
  });
});

describe('apiValidationFindings: env sources, handlers, init containers', () => {
  it('refuses a valueFrom with no source or with two', () => {
    const f = apiValidationFindings(deployment({ containers: [container({ env: [{ name: 'A', valueFrom: {} }, { name: 'B', valueFrom: { fieldRef: { fieldPath: 'metadata.name' }, secretKeyRef: { name: 's', key: 'k' } } }] })] }));
    expect(f).toEqual([
      { pointer: `${T}/containers/0/env/0/valueFrom`, message: 'Invalid value: "": must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`' },
      { pointer: `${T}/containers/0/env/1/valueFrom`, message: 'Invalid value: "": may not have more than one field specified at a time' },
    ]);
  });
  it('refuses a lifecycle hook with no handler or two; sleep is no 1.28 handler', () => {
    const ok = apiValidationFindings(deployment({ containers: [container({ lifecycle: { preStop: { exec: { command: ['sleep', '5'] } }, postStart: { httpGet: { path: '/', port: 80 } } } })] }));
    expect(ok).toEqual([]);
    const f = apiValidationFindings(deployment({ containers: [container({ lifecycle: { preStop: { sleep: { seconds: 5 } }, postStart: { exec: { command: ['true'] }, tcpSocket: { port: 80 } } } })] }));
    expect(f).toEqual([
      { pointer: `${T}/containers/0/lifecycle/postStart/tcpSocket`, message: 'Forbidden: may not specify more than 1 handler type' },
      { pointer: `${T}/containers/0/lifecycle/preStop`, message: 'Required value: must specify a handler type' },
    ]);
  });
  it('refuses probes and hooks on an init container that is not a sidecar (restartPolicy: Always)', () => {
    const probe = { exec: { command: ['true'] } };
    const f = apiValidationFindings(deployment({ initContainers: [container({ name: 'init', readinessProbe: probe, lifecycle: { preStop: probe } })] }));
    expect(f).toEqual([
      { pointer: `${T}/initContainers/0/lifecycle`, message: 'Forbidden: may not be set for init containers without restartPolicy=Always' },
      { pointer: `${T}/initContainers/0/readinessProbe`, message: 'Forbidden: may not be set for init containers without restartPolicy=Always' },
    ]);
    expect(apiValidationFindings(deployment({ initContainers: [container({ name: 'init', restartPolicy: 'Always', readinessProbe: probe })] }))).toEqual([]);
  });
});

describe('apiValidationFindings: a bare Pod', () => {
  const pod = (spec: Record<string, unknown>) => obj('v1', 'Pod', { spec: { containers: [container()], ...spec } });
  it('takes Always, OnFailure and Never and refuses anything else', () => {
    for (const restartPolicy of ['Always', 'OnFailure', 'Never']) expect(apiValidationFindings(pod({ restartPolicy }))).toEqual([]);
    expect(apiValidationFindings(pod({}))).toEqual([]);
    expect(apiValidationFindings(pod({ restartPolicy: 'Sometimes' }))).toEqual([{ pointer: '/spec/restartPolicy', message: 'Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"' }]);
  });
  it('is checked like a template: containers, volumes, mounts', () => {
    expect(apiValidationFindings(pod({ containers: [container({ volumeMounts: [{ name: 'x', mountPath: '/x' }] })] }))).toEqual([{ pointer: '/spec/containers/0/volumeMounts/0/name', message: 'Not found: "x"' }]);
  });
});

describe('apiValidationFindings: rolling updates', () => {
  const RU = '/spec/strategy/rollingUpdate';
  const dep = (rollingUpdate: Record<string, unknown>) => deployment({}, { strategy: { type: 'RollingUpdate', rollingUpdate } });
  it('accepts Deployment bounds that can make progress', () => {
    expect(apiValidationFindings(dep({ maxUnavailable: 0, maxSurge: 1 }))).toEqual([]);
    expect(apiValidationFindings(dep({ maxUnavailable: '100%', maxSurge: '200%' }))).toEqual([]);
    expect(apiValidationFindings(dep({ maxSurge: 0 }))).toEqual([]);
  });
  it('refuses Deployment bounds that are not percents or integers ≥ 0, or maxUnavailable above 100%', () => {
    expect(apiValidationFindings(dep({ maxUnavailable: '10 percent', maxSurge: -1 }))).toEqual([
      { pointer: `${RU}/maxUnavailable`, message: `Invalid value: "10 percent": a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')` },
      { pointer: `${RU}/maxSurge`, message: 'Invalid value: -1: must be greater than or equal to 0' },
    ]);
    expect(apiValidationFindings(dep({ maxUnavailable: '150%' }))).toEqual([{ pointer: `${RU}/maxUnavailable`, message: 'Invalid value: "150%": must not be greater than 100%' }]);
  });
  const DRU = '/spec/updateStrategy/rollingUpdate';
  const ds = (updateStrategy?: Record<string, unknown>) => obj('apps/v1', 'DaemonSet', { spec: { template: { spec: { containers: [container()] } }, ...(updateStrategy ? { updateStrategy } : {}) } });
  it('accepts DaemonSet updates with exactly one of maxUnavailable and maxSurge non-zero, or OnDelete', () => {
    expect(apiValidationFindings(ds())).toEqual([]);
    expect(apiValidationFindings(ds({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '10%' } }))).toEqual([]);
    expect(apiValidationFindings(ds({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '20%' } }))).toEqual([]);
    expect(apiValidationFindings(ds({ type: 'OnDelete' }))).toEqual([]);
  });
  it('refuses a DaemonSet surge beside the defaulted maxUnavailable of 1, both zero, and bounds above 100%', () => {
    expect(apiValidationFindings(ds({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } }))).toEqual([{ pointer: `${DRU}/maxSurge`, message: 'Invalid value: 1: may not be set when maxUnavailable is non-zero (maxUnavailable defaults to 1)' }]);
    expect(apiValidationFindings(ds({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '0%', maxSurge: 0 } }))).toEqual([{ pointer: `${DRU}/maxUnavailable`, message: 'Required value: cannot be 0 when maxSurge is 0' }]);
    expect(apiValidationFindings(ds({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '101%' } }))).toEqual([{ pointer: `${DRU}/maxSurge`, message: 'Invalid value: "101%": must not be greater than 100%' }]);
  });
});
