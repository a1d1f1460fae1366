import { describe, expect, it } from 'vitest';
import { parseLevel, podSecurityViolations, violationsAt } from '../../lib/checks/pod-security';

const RESTRICTED_CONTAINER = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };

describe('podSecurityViolations', () => {
  it('finds nothing in a pod that meets restricted', () => {
    expect(podSecurityViolations({ spec: { containers: [{ name: 'c', securityContext: RESTRICTED_CONTAINER }], volumes: [{ name: 'v', emptyDir: {} }] } })).toEqual([]);
  });

  it('tags every baseline rule on the pod, its containers, init and ephemeral containers', () => {
    const violations = podSecurityViolations({
      spec: {
        hostPID: true,
        hostNetwork: true,
        securityContext: { sysctls: [{ name: 'kernel.msgmax', value: '1' }], seLinuxOptions: { user: 'root', type: 'spc_t' }, seccompProfile: { type: 'Unconfined' } },
        volumes: [{ name: 'host', hostPath: { path: '/' } }],
        initContainers: [{ name: 'init', securityContext: { ...RESTRICTED_CONTAINER, privileged: true, capabilities: { drop: ['ALL'], add: ['SYS_ADMIN'] } } }],
        containers: [{ name: 'c', ports: [{ containerPort: 80, hostPort: 80 }], securityContext: { ...RESTRICTED_CONTAINER, procMount: 'Unmasked', seccompProfile: { type: 'Unconfined' } } }],
        ephemeralContainers: [{ name: 'debug', securityContext: { ...RESTRICTED_CONTAINER, windowsOptions: { hostProcess: true } } }],
      },
      annotations: { 'container.apparmor.security.beta.kubernetes.io/c': 'unconfined' },
    });
    expect(violations.filter((v) => v.level === 'baseline').map((v) => v.path)).toEqual([
      '/spec/hostNetwork',
      '/spec/hostPID',
      '/spec/securityContext/seLinuxOptions/type',
      '/spec/securityContext/seLinuxOptions/user',
      '/spec/securityContext/sysctls/0/name',
      '/spec/securityContext/seccompProfile/type',
      '/spec/volumes/0/hostPath',
      '/metadata/annotations/container.apparmor.security.beta.kubernetes.io~1c',
      '/spec/containers/0/securityContext/procMount',
      '/spec/containers/0/ports/0/hostPort',
      '/spec/containers/0/securityContext/seccompProfile/type',
      '/spec/initContainers/0/securityContext/privileged',
      '/spec/initContainers/0/securityContext/capabilities/add/0',
      '/spec/ephemeralContainers/0/securityContext/windowsOptions/hostProcess',
    ]);
    // Nothing baseline forbids is also reported as a restricted violation.
    expect(violations.filter((v) => v.level === 'restricted')).toEqual([]);
  });

  it('tags every restricted rule, and only those, as restricted', () => {
    const violations = podSecurityViolations({
      spec: {
        securityContext: { runAsUser: 0 },
        volumes: [{ name: 'nfs', nfs: { server: 'x', path: '/' } }],
        containers: [{ name: 'c', securityContext: { runAsUser: 0, capabilities: { add: ['CHOWN'] } } }],
      },
    });
    expect(violations.every((v) => v.level === 'restricted')).toBe(true);
    expect(violations.map((v) => v.path)).toEqual([
      '/spec/securityContext/runAsUser',
      '/spec/volumes/0/nfs',
      '/spec/containers/0/securityContext/capabilities/add/0',
      '/spec/containers/0/securityContext/allowPrivilegeEscalation',
      '/spec/containers/0/securityContext/runAsNonRoot',
      '/spec/containers/0/securityContext/runAsUser',
      '/spec/containers/0/securityContext/seccompProfile',
      '/spec/containers/0/securityContext/capabilities/drop',
    ]);
  });

  it('lets the pod-level seccomp profile and runAsNonRoot cover every container, and a container override them', () => {
    const spec = { securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } }, containers: [{ name: 'c', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }] };
    expect(podSecurityViolations({ spec })).toEqual([]);
    const overridden = { ...spec, containers: [{ name: 'c', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: false } }] };
    expect(podSecurityViolations({ spec: overridden }).map((v) => v.path)).toEqual(['/spec/containers/0/securityContext/runAsNonRoot']);
  });

  it("accepts NET_BIND_SERVICE at every level, and baseline's own capabilities at baseline only", () => {
    const add = (caps: string[]) => podSecurityViolations({ spec: { containers: [{ name: 'c', securityContext: { ...RESTRICTED_CONTAINER, capabilities: { drop: ['ALL'], add: caps } } }] } });
    expect(add(['NET_BIND_SERVICE'])).toEqual([]);
    expect(add(['CHOWN']).map((v) => v.level)).toEqual(['restricted']);
    expect(add(['NET_RAW']).map((v) => v.level)).toEqual(['baseline']);
  });
});

describe('levels', () => {
  const both = podSecurityViolations({ spec: { hostIPC: true, containers: [{ name: 'c' }] } });

  it('enforces nothing at privileged, baseline rules at baseline, all at restricted', () => {
    expect(violationsAt('privileged', both)).toEqual([]);
    expect(violationsAt('baseline', both).map((v) => v.path)).toEqual(['/spec/hostIPC']);
    expect(violationsAt('restricted', both)).toHaveLength(both.length);
  });

  it('reads the namespace label values the admission controller knows, and nothing else', () => {
    expect(parseLevel('baseline')).toBe('baseline');
    expect(parseLevel('Baseline')).toBeUndefined();
    expect(parseLevel(undefined)).toBeUndefined();
  });
});
