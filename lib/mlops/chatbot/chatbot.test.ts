import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ChatbotSchema } from './config';
import { Namespaces } from '../../core/namespaces';
import { Chatbot } from './chatbot';
import { prod } from '../../../stacks/prod';
import { allObjects, compiledEnvironment, findObject, K8sObject, objectsIn, synthEnvironment, synthPlatform, testPlatform } from '../../../test/helpers';
import { mayConnect } from '../../../test/mlops/netpol';
import { at, container, envOf, list, maybe } from '../../../test/mlops/support';

/** The site's OIDC issuer and istiod's namespace, for the back end's /api authentication. */
const AUTH = { oidc: { issuer: 'https://sso.example.com', jwksUri: 'https://sso.example.com/jwks.json', audiences: ['kompile-platform'] }, istioNamespace: 'istio-system' };

function podOf(objects: readonly K8sObject[], kind: string, name: string, namespace = 'chatbot'): { namespace: string; labels: Record<string, string> } {
  return { namespace, labels: at(findObject(objects, kind, name, namespace), 'spec.template.metadata.labels') as Record<string, string> };
}

const GPU = { resourceName: 'nvidia.com/gpu', runtimeClassName: 'nvidia', perNode: 4, nodes: 3 };

describe("Redis' start command", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('hands redis-server the password as configuration on stdin, escaped, never in its argv', () => {
    const rc = container(findObject(objectsIn(compiledEnvironment(prod), 'chatbot/manifests.yaml'), 'StatefulSet', 'redis', 'chatbot'));
    const [shell, flag, script] = rc.command as string[];
    expect([shell, flag]).toEqual(['sh', '-c']);
    // A stand-in redis-server that prints its arguments and its stdin.
    const bin = mkdtempSync(join(tmpdir(), 'kompile-redis-'));
    dirs.push(bin);
    writeFileSync(join(bin, 'redis-server'), '#!/bin/sh\necho "argv: $*"\ncat\n', { mode: 0o755 });
    const password = 'a b"c\\d$x';
    // The kubelet reduces `$$` to `$` in command and args before the container starts.
    const out = execFileSync('sh', ['-c', script.replace(/\$\$/g, '$')], { env: { PATH: `${bin}:${process.env.PATH}`, REDIS_PASSWORD: password }, encoding: 'utf8' });
    expect(out).toBe('argv: --appendonly yes --dir /data -\nrequirepass "a b\\"c\\\\d$x"\n');
    expect(out.split('\n')[0]).not.toContain('a b');
  });
});

describe('Chatbot in prod (GPUs, shared storage)', () => {
  const out = compiledEnvironment(prod);
  const objects = objectsIn(out, 'chatbot/manifests.yaml');
  const everything = allObjects(out);

  it('runs the back end on a GPU with the runtime class, the model volume read-only and Redis/Chroma wired in', () => {
    const d = findObject(objects, 'Deployment', 'backend', 'chatbot');
    expect(at(d, 'spec.replicas')).toBe(2);
    expect(at(d, 'spec.template.spec.runtimeClassName')).toBe('nvidia');
    const c = container(d);
    expect(at(c, 'resources.limits')).toMatchObject({ 'nvidia.com/gpu': 1 });
    expect(list(c, 'ports')).toEqual([{ name: 'http', containerPort: 8000, protocol: 'TCP' }]);
    expect(list(c, 'volumeMounts')).toContainEqual({ name: 'models', mountPath: '/models', readOnly: true });
    const env = envOf(c);
    expect(env.get('REDIS_HOST')?.value).toBe('redis');
    expect(env.get('CHROMA_HOST')?.value).toBe('chroma');
    expect(env.get('REDIS_PASSWORD')?.valueFrom).toEqual({ secretKeyRef: { name: 'chatbot-redis', key: 'password' } });
    expect(env.get('HF_HUB_OFFLINE')?.value).toBe('1');
    const pvc = findObject(objects, 'PersistentVolumeClaim', 'chatbot-models', 'chatbot');
    expect(at(pvc, 'spec')).toMatchObject({ accessModes: ['ReadWriteMany'], storageClassName: 'nfs-csi', resources: { requests: { storage: '50Gi' } } });
    expect(everything.some((o) => o.kind === 'Secret')).toBe(false);
    expect(at(findObject(objects, 'PodDisruptionBudget', 'backend', 'chatbot'), 'spec')).toEqual({ maxUnavailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': 'backend' } } });
  });

  it('keeps Redis and Chroma in StatefulSets with volumes on the default class, Redis password by reference', () => {
    const redis = findObject(objects, 'StatefulSet', 'redis', 'chatbot');
    expect(at(list(redis, 'spec.volumeClaimTemplates')[0], 'spec.storageClassName')).toBe('nfs-csi');
    const rc = container(redis);
    expect(rc.args).toBeUndefined();
    expect(JSON.stringify(rc.command)).not.toContain('$(REDIS_PASSWORD)');
    expect(envOf(rc).get('REDIS_PASSWORD')?.valueFrom).toEqual({ secretKeyRef: { name: 'chatbot-redis', key: 'password' } });
    expect(envOf(rc).get('REDISCLI_AUTH')?.valueFrom).toEqual({ secretKeyRef: { name: 'chatbot-redis', key: 'password' } });
    expect(at(rc, 'readinessProbe.exec.command')).toEqual(['sh', '-c', 'redis-cli ping | grep -q PONG']);
    expect(at(redis, 'spec.template.spec.securityContext.runAsUser')).toBe(999);
    const chroma = findObject(objects, 'StatefulSet', 'chroma', 'chatbot');
    expect(at(container(chroma), 'readinessProbe.httpGet.path')).toBe('/api/v2/heartbeat');
    expect(list(container(chroma), 'volumeMounts')).toContainEqual({ name: 'data', mountPath: '/data' });
  });

  it('routes /api to the back end and / to the front end through ingress-nginx with TLS', () => {
    const ing = findObject(objects, 'Ingress', 'chatbot', 'chatbot');
    expect(at(ing, 'spec.ingressClassName')).toBe('nginx');
    expect(at(ing, 'spec.tls')).toEqual([{ hosts: ['chatbot.platform.internal'], secretName: 'chatbot-tls' }]);
    expect(list(ing, 'spec.rules')[0]).toEqual({
      host: 'chatbot.platform.internal',
      http: {
        paths: [
          { path: '/api', pathType: 'Prefix', backend: { service: { name: 'backend', port: { number: 8000 } } } },
          { path: '/', pathType: 'Prefix', backend: { service: { name: 'frontend', port: { number: 8080 } } } },
        ],
      },
    });
  });

  it('runs the front end as nginx-unprivileged on 8080 behind a ClusterIP Service', () => {
    const d = findObject(objects, 'Deployment', 'frontend', 'chatbot');
    expect(at(d, 'spec.template.spec.securityContext.runAsUser')).toBe(101);
    expect(at(findObject(objects, 'Service', 'frontend', 'chatbot'), 'spec.type')).toBe('ClusterIP');
  });

  it('lets only the ingress controller reach the front and back end, and only the back end reach Redis and Chroma', () => {
    // The pod labels of ingress-nginx's controller (chart 4.12.8), installed in this environment.
    const controller = { namespace: 'ingress-nginx', labels: { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' } };
    const frontend = podOf(everything, 'Deployment', 'frontend');
    const backend = podOf(everything, 'Deployment', 'backend');
    const redis = podOf(everything, 'StatefulSet', 'redis');
    const chroma = podOf(everything, 'StatefulSet', 'chroma');
    expect(mayConnect(everything, controller, frontend, 8080)).toBe(true);
    expect(mayConnect(everything, controller, backend, 8000)).toBe(true);
    expect(mayConnect(everything, controller, redis, 6379)).toBe(false);
    expect(mayConnect(everything, controller, chroma, 8000)).toBe(false);
    expect(mayConnect(everything, backend, redis, 6379)).toBe(true);
    expect(mayConnect(everything, backend, chroma, 8000)).toBe(true);
    expect(mayConnect(everything, frontend, redis, 6379)).toBe(false);
    expect(mayConnect(everything, frontend, backend, 8000)).toBe(false);
    expect(mayConnect(everything, { namespace: 'mlops-serving', labels: {} }, backend, 8000)).toBe(false);
    expect(mayConnect(everything, { ip: '203.0.113.7' }, frontend, 8080)).toBe(false);
    expect(mayConnect(everything, backend, { ip: '203.0.113.7' }, 443)).toBe(false);
  });

  it('writes the ingress-controller and back-end policies with exact selectors and ports', () => {
    expect(at(findObject(everything, 'NetworkPolicy', 'allow-from-ingress-to-backend', 'chatbot'), 'spec')).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'backend' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }], ports: [{ port: 8000, protocol: 'TCP' }] }],
    });
    expect(at(findObject(everything, 'NetworkPolicy', 'allow-to-redis-from-backend', 'chatbot'), 'spec')).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'backend' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'redis' } } }], ports: [{ port: 6379, protocol: 'TCP' }] }],
    });
    expect(at(findObject(everything, 'NetworkPolicy', 'allow-from-backend-to-chroma', 'chatbot'), 'spec')).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'chroma' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'backend' } } }], ports: [{ port: 8000, protocol: 'TCP' }] }],
    });
  });

  it('is restricted', () => {
    expect(findObject(everything, 'Namespace', 'chatbot').metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });
});

describe('Chatbot in dev (no GPU, ReadWriteOnce)', () => {
  const out = compiledEnvironment();
  const objects = objectsIn(out, 'chatbot/manifests.yaml');

  it('runs the back end on CPU, without a runtime class, and the model volume ReadWriteOnce', () => {
    const d = findObject(objects, 'Deployment', 'backend', 'chatbot');
    expect(maybe(d, 'spec.template.spec.runtimeClassName')).toBeUndefined();
    expect(Object.keys(at(container(d), 'resources.limits') as object).sort()).toEqual(['cpu', 'memory']);
    expect(objects.filter((o) => o.kind === 'PodDisruptionBudget')).toEqual([]);
    expect(at(findObject(objects, 'PersistentVolumeClaim', 'chatbot-models'), 'spec')).toMatchObject({ accessModes: ['ReadWriteOnce'], storageClassName: 'local-path' });
  });
});

describe('Chatbot options', () => {
  it('exposes the front end on a node port when asked, and opens it to outside clients', () => {
    const out = synthEnvironment({ components: { chatbot: { frontend: { nodePort: 30080 } } } });
    const everything = allObjects(out);
    const svc = findObject(everything, 'Service', 'frontend', 'chatbot');
    expect(at(svc, 'spec.type')).toBe('NodePort');
    expect(list(svc, 'spec.ports')[0]).toMatchObject({ nodePort: 30080 });
    const frontend = podOf(everything, 'Deployment', 'frontend');
    expect(mayConnect(everything, { ip: '203.0.113.7' }, frontend, 8080)).toBe(true);
    expect(mayConnect(everything, { ip: '203.0.113.7' }, podOf(everything, 'Deployment', 'backend'), 8000)).toBe(false);
  });

  it('takes its namespace, host, TLS secret, ingress namespace, images and sizes from config', () => {
    const out = synthEnvironment({
      // The cluster runs its own controller there.
      cluster: { ingress: { install: false, namespace: 'nginx-system' } },
      components: {
        // Images of another registry than the ones the base environment's Image Updater rules watch.
        ci: { imageUpdater: { applications: [] } },
        chatbot: {
          namespace: 'bot',
          host: 'bot.example.com',
          tlsSecretName: 'bot-tls',
          backend: { image: 'registry.local:5000/bot/api:2.0.0', port: 9000, modelStorageSize: '80Gi', modelMountPath: '/llm' },
          redis: { passwordSecret: { name: 'redis-auth', key: 'pw' }, storageSize: '4Gi' },
          chroma: { storageSize: '20Gi' },
        },
      },
    });
    const everything = allObjects(out);
    const backend = findObject(everything, 'Deployment', 'backend', 'bot');
    expect(container(backend).image).toBe('registry.local:5000/bot/api:2.0.0');
    expect(envOf(container(backend)).get('REDIS_PASSWORD')?.valueFrom).toEqual({ secretKeyRef: { name: 'redis-auth', key: 'pw' } });
    expect(list(container(backend), 'volumeMounts')).toContainEqual({ name: 'models', mountPath: '/llm', readOnly: true });
    expect(at(findObject(everything, 'PersistentVolumeClaim', 'chatbot-models', 'bot'), 'spec.resources.requests.storage')).toBe('80Gi');
    expect(at(list(findObject(everything, 'StatefulSet', 'redis', 'bot'), 'spec.volumeClaimTemplates')[0], 'spec.resources.requests.storage')).toBe('4Gi');
    expect(at(list(findObject(everything, 'StatefulSet', 'chroma', 'bot'), 'spec.volumeClaimTemplates')[0], 'spec.resources.requests.storage')).toBe('20Gi');
    const ing = findObject(everything, 'Ingress', 'chatbot', 'bot');
    expect(at(ing, 'spec.tls')).toEqual([{ hosts: ['bot.example.com'], secretName: 'bot-tls' }]);
    const controller = { namespace: 'nginx-system', labels: {} };
    expect(mayConnect(everything, controller, podOf(everything, 'Deployment', 'backend', 'bot'), 9000)).toBe(true);
    expect(mayConnect(everything, { namespace: 'ingress-nginx', labels: {} }, podOf(everything, 'Deployment', 'backend', 'bot'), 9000)).toBe(false);
  });

  it('takes images, ports, replicas, probes and resources of every part', () => {
    const r = (cpu: string) => ({ requests: { cpu, memory: '1Gi' }, limits: { cpu, memory: '1Gi' } });
    const out = synthEnvironment({
      components: {
        // Images of another registry than the ones the base environment's Image Updater rules watch.
        ci: { imageUpdater: { applications: [] } },
        chatbot: {
          backend: { healthPath: '/api/health', resources: r('3') },
          frontend: { image: 'registry.local:5000/bot/web:2.0.0', port: 8081, replicas: 2, resources: r('200m') },
          redis: { image: 'redis:7.4.3', resources: r('300m') },
          chroma: { image: 'chromadb/chroma:1.0.21', resources: r('400m') },
        },
      },
    });
    const objects = objectsIn(out, 'chatbot/manifests.yaml');
    const backend = container(findObject(objects, 'Deployment', 'backend'));
    expect(at(backend, 'readinessProbe.httpGet.path')).toBe('/api/health');
    expect(at(backend, 'resources.limits.cpu')).toBe('3');
    const frontend = findObject(objects, 'Deployment', 'frontend');
    expect(at(frontend, 'spec.replicas')).toBe(2);
    expect(container(frontend).image).toBe('registry.local:5000/bot/web:2.0.0');
    expect(list(container(frontend), 'ports')[0].containerPort).toBe(8081);
    expect(at(container(frontend), 'resources.requests.cpu')).toBe('200m');
    const redis = container(findObject(objects, 'StatefulSet', 'redis'));
    expect(redis.image).toBe('docker.io/library/redis:7.4.3');
    expect(at(redis, 'resources.requests.cpu')).toBe('300m');
    const chroma = container(findObject(objects, 'StatefulSet', 'chroma'));
    expect(chroma.image).toBe('docker.io/chromadb/chroma:1.0.21');
    expect(at(chroma, 'resources.requests.cpu')).toBe('400m');
    const ingressPaths = list(list(findObject(objects, 'Ingress', 'chatbot'), 'spec.rules')[0], 'http.paths');
    expect(ingressPaths[1]).toMatchObject({ path: '/', backend: { service: { name: 'frontend', port: { number: 8081 } } } });
  });

  it('refuses a GPU back end on a cluster without GPUs or with fewer per node, and replicas without shared storage', () => {
    const make = (config: object, gpu?: typeof GPU, shared?: string) => () => {
      const platform = testPlatform();
      const namespaces = new Namespaces(platform, 'Namespaces', { kubernetesVersion: '1.28' });
      new Chatbot(platform, 'Chatbot', { config: ChatbotSchema.parse(config), namespaces, storageClasses: { default: 'local-path', shared }, ingressClassName: 'nginx', ingressNamespace: 'ingress-nginx', gpu, auth: AUTH });
      synthPlatform(platform);
    };
    expect(make({})).toThrow(/prop 'config.backend.gpu' requests 1 GPU\(s\) but the cluster has no GPUs/);
    expect(make({ backend: { gpu: 8 } }, GPU)).toThrow(/prop 'config.backend.gpu' requests 8 GPUs but a node has 4/);
    expect(make({ backend: { gpu: 0, replicas: 2 } })).toThrow(/prop 'config.backend.replicas' is 2/);
    expect(make({ backend: { gpu: 0, replicas: 2 } }, undefined, 'nfs-csi')).not.toThrow();
  });

  it('syncs the model claim with the back end on a WaitForFirstConsumer class, before it otherwise', () => {
    const waves = (waitForFirstConsumer?: string[]) => {
      const platform = testPlatform();
      const namespaces = new Namespaces(platform, 'Namespaces', { kubernetesVersion: '1.28' });
      new Chatbot(platform, 'Chatbot', { config: ChatbotSchema.parse({ backend: { gpu: 0 } }), namespaces, storageClasses: { default: 'local-path', waitForFirstConsumer }, ingressClassName: 'nginx', ingressNamespace: 'ingress-nginx', auth: AUTH });
      const objects = objectsIn(synthPlatform(platform), 'chatbot/manifests.yaml');
      const wave = (kind: string, name: string) => Number(findObject(objects, kind, name).metadata.annotations?.['argocd.argoproj.io/sync-wave']);
      return { claim: wave('PersistentVolumeClaim', 'chatbot-models'), backend: wave('Deployment', 'backend'), redis: wave('StatefulSet', 'redis') };
    };
    const late = waves(['local-path']);
    expect(late.claim).toBe(late.backend);
    expect(late.claim).toBeGreaterThan(late.redis);
    const immediate = waves();
    expect(immediate.claim).toBeLessThan(immediate.backend);
  });
});
