import { describe, expect, it } from 'vitest';
import { StatefulStore } from '../../lib/mlops/stateful-store';
import { findObject } from '../helpers';
import { at, container, fixture, list, maybe, render } from './support';

const BASE = {
  name: 'store',
  namespace: 'apps',
  image: 'redis:7.4.2',
  port: 6379,
  component: 'cache',
  partOf: 'demo',
  dataPath: '/data',
  storageClassName: 'local-path',
  storageSize: '2Gi',
  resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '200m', memory: '256Mi' } },
  uid: 999,
};

describe('StatefulStore', () => {
  it('is one restricted replica with a claim template on the given class, a Service and TCP probes', () => {
    const { platform, component } = fixture();
    new StatefulStore(component, 'Store', BASE);
    const objects = render(platform);
    const sts = findObject(objects, 'StatefulSet', 'store', 'apps');
    expect(at(sts, 'spec.replicas')).toBe(1);
    expect(at(sts, 'spec.serviceName')).toBe('store');
    expect(at(sts, 'spec.persistentVolumeClaimRetentionPolicy')).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
    expect(list(sts, 'spec.volumeClaimTemplates')).toEqual([
      { metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'local-path', resources: { requests: { storage: '2Gi' } } } },
    ]);
    expect(at(sts, 'spec.template.spec.securityContext')).toMatchObject({ runAsUser: 999, fsGroup: 999, runAsNonRoot: true });
    const c = container(sts);
    expect(list(c, 'volumeMounts')).toContainEqual({ name: 'data', mountPath: '/data' });
    expect(at(c, 'readinessProbe.tcpSocket')).toEqual({ port: 'data' });
    expect(maybe(c, 'command')).toBeUndefined();
    expect(at(findObject(objects, 'Service', 'store', 'apps'), 'spec.ports')).toEqual([{ name: 'data', port: 6379, targetPort: 'data', protocol: 'TCP' }]);
  });

  it('takes command, args, env, an exec or HTTP readiness check', () => {
    const { platform, component } = fixture();
    new StatefulStore(component, 'A', { ...BASE, name: 'a', command: ['redis-server'], args: ['--x'], env: [{ name: 'K', value: 'v' }], readiness: { exec: ['true'] } });
    new StatefulStore(component, 'B', { ...BASE, name: 'b', readiness: { httpPath: '/api/v2/heartbeat' } });
    const objects = render(platform);
    const a = container(findObject(objects, 'StatefulSet', 'a'));
    expect(a.command).toEqual(['redis-server']);
    expect(a.args).toEqual(['--x']);
    expect(a.env).toEqual([{ name: 'K', value: 'v' }]);
    expect(at(a, 'readinessProbe.exec')).toEqual({ command: ['true'] });
    expect(at(container(findObject(objects, 'StatefulSet', 'b')), 'readinessProbe.httpGet')).toEqual({ path: '/api/v2/heartbeat', port: 'data' });
  });
});
