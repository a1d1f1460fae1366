import { describe, expect, it } from 'vitest';
import { ModelServing } from '../../lib/mlops/model-serving';
import { findObject } from '../helpers';
import { at, container, fixture, list, maybe, render } from './support';

const BASE = { namespace: 'mlops-serving', image: 'registry.local:5000/ops-demo/serving:1.0.0', modelClaim: 'models' };

describe('ModelServing', () => {
  it('runs the API as the seed does: load balancer, HPA 2-10 at 70% CPU, PDB, rolling update, model read-only', () => {
    const { platform, component } = fixture();
    new ModelServing(component, 'Api', BASE);
    const objects = render(platform);
    const d = findObject(objects, 'Deployment', 'model-api', 'mlops-serving');
    // The HPA owns the replica count.
    expect(maybe(d, 'spec.replicas')).toBeUndefined();
    expect(at(d, 'spec.strategy')).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
    expect(at(d, 'spec.revisionHistoryLimit')).toBe(10);
    const c = container(d);
    expect(list(c, 'volumeMounts')).toContainEqual({ name: 'models', mountPath: '/models', readOnly: true });
    expect(list(d, 'spec.template.spec.volumes')).toContainEqual({ name: 'models', persistentVolumeClaim: { claimName: 'models', readOnly: true } });
    expect(at(c, 'readinessProbe.httpGet')).toEqual({ path: '/health', port: 'http' });
    expect(at(c, 'livenessProbe.httpGet.path')).toBe('/health');
    expect(list(c, 'ports')).toEqual([{ name: 'http', containerPort: 8000, protocol: 'TCP' }]);

    const svc = findObject(objects, 'Service', 'model-api-service');
    // Reached through the serving gateway (JWT, TLS), not a load balancer open to anyone.
    expect(at(svc, 'spec.type')).toBe('ClusterIP');
    expect(at(svc, 'spec.ports')).toEqual([{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }]);

    const hpa = findObject(objects, 'HorizontalPodAutoscaler', 'model-api');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(at(hpa, 'spec')).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'model-api' },
      minReplicas: 2,
      maxReplicas: 10,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
    });
    const pdb = findObject(objects, 'PodDisruptionBudget', 'model-api');
    expect(at(pdb, 'spec')).toEqual({ maxUnavailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': 'model-api' } } });
  });

  it('takes every non-default prop', () => {
    const { platform, component } = fixture();
    const api = new ModelServing(component, 'Api', {
      ...BASE,
      name: 'iris-serving',
      serviceName: 'iris-api',
      modelMountPath: '/mnt/models',
      containerPort: 9000,
      servicePort: 8080,
      healthPath: '/ready',
      minReplicas: 3,
      maxReplicas: 6,
      targetCpuUtilization: 50,
      resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '2Gi' } },
      serviceType: 'NodePort',
      nodePort: 30800,
    });
    // A node port needs an authentication story (rule 'edge-authentication').
    api.app.service.metadata.addAnnotation('kompile.dev/authentication', 'http-basic');
    const objects = render(platform);
    const c = container(findObject(objects, 'Deployment', 'iris-serving'));
    expect(list(c, 'volumeMounts')).toContainEqual({ name: 'models', mountPath: '/mnt/models', readOnly: true });
    expect(list(c, 'ports')[0].containerPort).toBe(9000);
    expect(at(c, 'readinessProbe.httpGet.path')).toBe('/ready');
    expect(at(c, 'resources')).toEqual({ requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '2Gi' } });
    const svc = findObject(objects, 'Service', 'iris-api');
    expect(at(svc, 'spec.type')).toBe('NodePort');
    expect(at(svc, 'spec.ports')).toEqual([{ name: 'http', port: 8080, targetPort: 'http', protocol: 'TCP', nodePort: 30800 }]);
    const hpa = findObject(objects, 'HorizontalPodAutoscaler', 'iris-serving');
    expect(at(hpa, 'spec')).toMatchObject({ minReplicas: 3, maxReplicas: 6, metrics: [{ resource: { target: { averageUtilization: 50 } } }] });
  });

  it('refuses fewer than two replicas, an inverted range and an impossible target', () => {
    const { component } = fixture();
    expect(() => new ModelServing(component, 'A', { ...BASE, minReplicas: 1 })).toThrow(/prop 'minReplicas' is 1/);
    expect(() => new ModelServing(component, 'B', { ...BASE, minReplicas: 4, maxReplicas: 3 })).toThrow(/prop 'maxReplicas' \(3\) is below minReplicas \(4\)/);
    expect(() => new ModelServing(component, 'C', { ...BASE, targetCpuUtilization: 0 })).toThrow(/prop 'targetCpuUtilization'/);
  });

  it('refuses a node port on a ClusterIP Service', () => {
    const { component } = fixture();
    expect(() => new ModelServing(component, 'A', { ...BASE, serviceType: 'ClusterIP', nodePort: 30800 })).toThrow(/prop 'service.nodePort'/);
  });
});
