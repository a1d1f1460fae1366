import { k8s } from 'cdk8s-plus-28';
import { describe, expect, it } from 'vitest';
import { Component } from '../../lib/core/component';
import { GitOpsSchema } from '../../lib/core/config';
import { orderClaimForConsumer, waitsForFirstConsumer } from '../../lib/core/first-consumer';
import { Platform } from '../../lib/core/platform';
import { SYNC_WAVE } from '../../lib/core/synthesize';
import { findObject, objectsIn, synthIssues, synthPlatform } from '../helpers';

function platform(waitForFirstConsumer?: string[]): Platform {
  return new Platform({ environment: 'test', gitops: GitOpsSchema.parse({ repoURL: 'https://git.example.com/gitops.git' }), waitForFirstConsumer });
}

/** A component with a ConfigMap, a claim of `local-path` and a Deployment that needs both. */
function app(p: Platform, name = 'app') {
  const c = new Component(p, `C-${name}`, { name, namespace: 'ml' });
  const config = new k8s.KubeConfigMap(c, 'Config', { metadata: { name: 'config', namespace: 'ml' }, data: {} });
  const claim = new k8s.KubePersistentVolumeClaim(c, 'Data', {
    metadata: { name: 'data', namespace: 'ml' },
    spec: { storageClassName: 'local-path', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: k8s.Quantity.fromString('1Gi') } } },
  });
  const deployment = new k8s.KubeDeployment(c, 'Api', {
    metadata: { name: 'api', namespace: 'ml' },
    spec: {
      selector: { matchLabels: { app: 'api' } },
      template: { metadata: { labels: { app: 'api' } }, spec: { containers: [{ name: 'api', image: 'ghcr.io/acme/api:1.0' }], volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }] } },
    },
  });
  deployment.addDependency(config);
  return { c, claim, deployment };
}

const wave = (out: ReturnType<typeof synthPlatform>, kind: string, name: string) => findObject(objectsIn(out, 'app/manifests.yaml'), kind, name).metadata.annotations![SYNC_WAVE];

describe('waitsForFirstConsumer', () => {
  it('is true only for a class in the list', () => {
    expect(waitsForFirstConsumer('local-path', ['local-path'])).toBe(true);
    expect(waitsForFirstConsumer('nfs-csi', ['local-path'])).toBe(false);
    expect(waitsForFirstConsumer(undefined, ['local-path'])).toBe(false);
    expect(waitsForFirstConsumer('local-path', undefined)).toBe(false);
  });
});

describe('orderClaimForConsumer', () => {
  it('puts a WaitForFirstConsumer claim in its consumer\'s wave, after what the consumer needs', () => {
    const p = platform(['local-path']);
    const { claim, deployment } = app(p);
    orderClaimForConsumer(claim, deployment, true);
    const out = synthPlatform(p);
    expect(wave(out, 'ConfigMap', 'config')).toBe('0');
    expect(wave(out, 'PersistentVolumeClaim', 'data')).toBe('1');
    expect(wave(out, 'Deployment', 'api')).toBe('1');
  });

  it('puts an immediately bound claim before its consumer', () => {
    const p = platform();
    const { claim, deployment } = app(p);
    orderClaimForConsumer(claim, deployment, false);
    const out = synthPlatform(p);
    expect(wave(out, 'PersistentVolumeClaim', 'data')).toBe('0');
    expect(wave(out, 'Deployment', 'api')).toBe('1');
  });

  it('is refused when the consumer is in another component', () => {
    const p = platform(['local-path']);
    const { claim } = app(p);
    const other = app(p, 'other');
    orderClaimForConsumer(claim, other.deployment, true);
    const issues = synthIssues(() => synthPlatform(p));
    expect(issues).toContainEqual(expect.stringMatching(/\[C-app\/Data\] its first consumer \[C-other\/Api\] is not in the same component/));
  });
});

describe('synthesize: sync-wave rule', () => {
  it('refuses a WaitForFirstConsumer claim in an earlier wave than its consumer, naming both', () => {
    const p = platform(['local-path']);
    const { claim, deployment } = app(p);
    deployment.addDependency(claim);
    const issues = synthIssues(() => synthPlatform(p));
    expect(issues).toContainEqual(expect.stringMatching(/^\[C-app\/Data\] PersistentVolumeClaim 'data' \(storage class 'local-path', WaitForFirstConsumer\) syncs in component 'app' wave 0, object wave 0, before its first consumer Deployment 'api' .*\[C-app\/Api\]$/));
  });

  it('accepts the same claim when the class binds immediately', () => {
    const p = platform([]);
    const { claim, deployment } = app(p);
    deployment.addDependency(claim);
    expect(() => synthPlatform(p)).not.toThrow();
  });
});
