import { describe, expect, it } from 'vitest';
import { environmentObjectFindings, INITIAL_NAMESPACES } from '../../lib/checks/environment-objects';

const cm = (name: string, namespace?: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...(namespace ? { namespace } : {}) } });
const ns = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });

describe('environmentObjectFindings', () => {
  it('names the first definition of a duplicate and tells the namespace problems apart', () => {
    const findings = environmentObjectFindings([ns('ml'), cm('x', 'ml'), cm('x', 'ml'), cm('loose'), cm('y', 'nowhere')]);
    expect(findings).toEqual([
      expect.objectContaining({ rule: 'duplicate', index: 2, otherIndex: 1, pointer: '' }),
      expect.objectContaining({ rule: 'namespace', problem: 'missing', index: 3, pointer: '/metadata/namespace' }),
      expect.objectContaining({ rule: 'namespace', problem: 'uncreated', index: 4, pointer: '/metadata/namespace' }),
    ]);
  });

  it('places a chart object without a namespace in its destination, and judges it only there', () => {
    const objects = [cm('from-chart')];
    expect(environmentObjectFindings(objects, { fromChart: () => true, destinationOf: () => 'ml' })).toEqual([expect.objectContaining({ problem: 'uncreated', message: expect.stringContaining("namespace 'ml'") })]);
    expect(environmentObjectFindings([ns('ml'), ...objects], { fromChart: (i) => i === 1, destinationOf: () => 'ml' })).toEqual([]);
  });

  it('exempts exactly the four initial namespaces and the Argo CD namespace given', () => {
    expect(INITIAL_NAMESPACES).toEqual(['default', 'kube-node-lease', 'kube-public', 'kube-system']);
    expect(environmentObjectFindings([cm('a', 'gitops')], { argocdNamespace: 'gitops' })).toEqual([]);
    expect(environmentObjectFindings([cm('a', 'argocd')], { argocdNamespace: 'gitops' })).toHaveLength(1);
  });
});
