import { describe, expect, it } from 'vitest';
import { checkIngressClasses, requiredIngressClasses } from '../../lib/tools/ingress-classes';
import type { ManifestObject } from '../../lib/tools/tree';
import { formatVerify, verifyExitCode, verifyObjects } from '../../lib/tools/verify';
import { dev } from '../../stacks/dev';
import { ClusterWith } from './fixtures';
import { allObjects, compiledEnvironment, synthEnvironment } from '../helpers';

const ingress = (name: string, ingressClassName?: string) =>
  ({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name, namespace: 'web' }, spec: { ingressClassName, rules: [{ host: `${name}.example.com` }] } }) as unknown as ManifestObject;
const ingressClass = (name: string) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name }, spec: { controller: 'k8s.io/ingress-nginx' } }) as unknown as ManifestObject;
const nginxChart = (ingressClassResource?: Record<string, unknown>) =>
  ({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: 'ingress-nginx', namespace: 'argocd' },
    spec: { source: { chart: 'ingress-nginx', targetRevision: '4.12.8', helm: { valuesObject: ingressClassResource ? { controller: { ingressClassResource } } : {} } } },
  }) as unknown as ManifestObject;

/** A cluster that has the IngressClasses given and nothing else. */
const Cluster = (names: readonly string[]) => new ClusterWith('/apis/networking.k8s.io/v1/ingressclasses', names);

describe('IngressClasses the cluster must have', () => {
  it('are those the Ingresses name that the tree does not create', () => {
    expect(requiredIngressClasses([ingress('a', 'nginx'), ingress('b', 'traefik'), ingress('c')])).toEqual(['nginx', 'traefik']);
    expect(requiredIngressClasses([ingress('a', 'nginx'), ingressClass('nginx')])).toEqual([]);
  });

  it('count the class an ingress-nginx chart Application creates (default nginx), unless its IngressClass is disabled', () => {
    expect(requiredIngressClasses([ingress('a', 'nginx'), nginxChart()])).toEqual([]);
    expect(requiredIngressClasses([ingress('a', 'edge'), nginxChart({ name: 'edge' })])).toEqual([]);
    expect(requiredIngressClasses([ingress('a', 'nginx'), nginxChart({ name: 'nginx', enabled: false })])).toEqual(['nginx']);
  });

  it('fail verify when the cluster lacks one, and pass when it has it', async () => {
    const missing = await verifyObjects(Cluster([]), [ingress('a', 'nginx')], { environment: 'dev', drift: false });
    expect(missing.dryRun).toContainEqual(expect.objectContaining({ object: 'IngressClass/nginx', outcome: 'failed' }));
    expect(formatVerify(missing)).toContain("ingressClassName 'nginx', which the cluster does not have and the tree does not create (set cluster.ingress.install");
    expect(verifyExitCode(missing)).toBe(1);
    expect(await checkIngressClasses(Cluster(['nginx']), [ingress('a', 'nginx')])).toEqual([{ object: 'IngressClass/nginx', outcome: 'ok' }]);
  });

  it('asks nothing of an environment that installs the controller, and asks for nginx of one whose cluster has it', async () => {
    const installs = Cluster([]);
    expect(await checkIngressClasses(installs, allObjects(compiledEnvironment(dev)) as unknown as ManifestObject[])).toEqual([]);
    expect(installs.requests).toEqual([]);
    const provided = allObjects(synthEnvironment({ cluster: { ingress: { install: false } } }, dev)) as unknown as ManifestObject[];
    expect(requiredIngressClasses(provided)).toEqual(['nginx']);
  });
});
