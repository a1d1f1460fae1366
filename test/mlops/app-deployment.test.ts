import { describe, expect, it } from 'vitest';
import { AppDeployment } from '../../lib/mlops/app-deployment';
import { findObject } from '../helpers';
import { at, container, fixture, list, maybe, render } from './support';

const BASE = {
  name: 'web',
  namespace: 'apps',
  image: 'registry.local:5000/web:1.0.0',
  port: 8080,
  component: 'web',
  partOf: 'demo',
  resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '100m', memory: '128Mi' } },
};

describe('AppDeployment', () => {
  it('runs a restricted pod with requests, limits, TCP probes and a ClusterIP Service by default', () => {
    const { platform, component } = fixture();
    new AppDeployment(component, 'Web', BASE);
    const objects = render(platform);
    const d = findObject(objects, 'Deployment', 'web', 'apps');
    expect(at(d, 'spec.replicas')).toBe(1);
    expect(at(d, 'spec.selector.matchLabels')).toEqual({ 'app.kubernetes.io/name': 'web' });
    expect(at(d, 'spec.template.metadata.labels')).toEqual({ 'app.kubernetes.io/name': 'web', 'app.kubernetes.io/component': 'web', 'app.kubernetes.io/part-of': 'demo' });
    const pod = at(d, 'spec.template.spec');
    expect(at(pod, 'securityContext')).toEqual({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } });
    expect(at(pod, 'automountServiceAccountToken')).toBe(false);
    expect(maybe(pod, 'runtimeClassName')).toBeUndefined();
    const c = container(d);
    expect(at(c, 'securityContext')).toEqual({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true, runAsNonRoot: true });
    expect(at(c, 'readinessProbe.tcpSocket')).toEqual({ port: 'http' });
    expect(at(c, 'livenessProbe')).toMatchObject({ tcpSocket: { port: 'http' }, initialDelaySeconds: 10 });
    expect(at(c, 'resources')).toEqual({ requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '100m', memory: '128Mi' } });
    expect(list(c, 'volumeMounts')).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    const svc = findObject(objects, 'Service', 'web', 'apps');
    expect(at(svc, 'spec')).toEqual({ type: 'ClusterIP', selector: { 'app.kubernetes.io/name': 'web' }, ports: [{ name: 'http', port: 8080, targetPort: 'http', protocol: 'TCP' }] });
  });

  it('takes GPUs with a runtime class, claims, command, args, env, uid, replicas, strategy and a NodePort', () => {
    const { platform, component } = fixture();
    const web = new AppDeployment(component, 'Web', {
      ...BASE,
      podLabels: { tier: 'gpu' },
      replicas: 3,
      uid: 101,
      gpu: { count: 1, resourceName: 'nvidia.com/gpu', runtimeClassName: 'nvidia' },
      command: ['serve'],
      args: ['--fast'],
      env: [{ name: 'A', value: 'b' }],
      claims: [{ name: 'm', claimName: 'models', mountPath: '/m', readOnly: true }],
      healthPath: '/healthz',
      livenessDelaySeconds: 99,
      strategy: 'Recreate',
      service: { type: 'NodePort', port: 80, nodePort: 31000 },
    });
    // A node port needs an authentication story (rule 'edge-authentication'): this app claims its own.
    web.service.metadata.addAnnotation('kompile.dev/authentication', 'application-login');
    const objects = render(platform);
    const d = findObject(objects, 'Deployment', 'web');
    expect(at(d, 'spec.template.metadata.labels.tier')).toBe('gpu');
    expect(maybe(d, 'spec.selector.matchLabels.tier')).toBeUndefined();
    expect(at(d, 'spec.replicas')).toBe(3);
    expect(at(d, 'spec.strategy')).toEqual({ type: 'Recreate' });
    expect(at(d, 'spec.template.spec.runtimeClassName')).toBe('nvidia');
    expect(at(d, 'spec.template.spec.securityContext.runAsUser')).toBe(101);
    const c = container(d);
    expect(at(c, 'resources.limits')).toEqual({ cpu: '100m', memory: '128Mi', 'nvidia.com/gpu': 1 });
    expect(c.command).toEqual(['serve']);
    expect(c.args).toEqual(['--fast']);
    expect(c.env).toEqual([{ name: 'A', value: 'b' }]);
    expect(at(c, 'readinessProbe.httpGet')).toEqual({ path: '/healthz', port: 'http' });
    expect(at(c, 'livenessProbe.initialDelaySeconds')).toBe(99);
    expect(list(c, 'volumeMounts')).toContainEqual({ name: 'm', mountPath: '/m', readOnly: true });
    expect(list(d, 'spec.template.spec.volumes')).toContainEqual({ name: 'm', persistentVolumeClaim: { claimName: 'models', readOnly: true } });
    const svc = findObject(objects, 'Service', 'web');
    expect(at(svc, 'spec.type')).toBe('NodePort');
    expect(at(svc, 'spec.ports')).toEqual([{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP', nodePort: 31000 }]);
  });

  it("leaves replicas to an autoscaler with 'autoscaled'", () => {
    const { platform, component } = fixture();
    new AppDeployment(component, 'Web', { ...BASE, replicas: 'autoscaled' });
    expect(maybe(findObject(render(platform), 'Deployment', 'web'), 'spec.replicas')).toBeUndefined();
  });

  it('asks for no GPU and no runtime class when the GPU count is 0', () => {
    const { platform, component } = fixture();
    new AppDeployment(component, 'Web', { ...BASE, gpu: { count: 0, resourceName: 'nvidia.com/gpu', runtimeClassName: 'nvidia' } });
    const d = findObject(render(platform), 'Deployment', 'web');
    expect(maybe(d, 'spec.template.spec.runtimeClassName')).toBeUndefined();
    expect(at(container(d), 'resources.limits')).toEqual({ cpu: '100m', memory: '128Mi' });
  });
});
