import { defineEnvironment } from './base';

/** A developer's single-node k3s: local-path storage, public registries, one replica of everything. */
export const dev = defineEnvironment({
  name: 'dev',
  tier: 'development',
  gitops: { repoURL: 'https://git.example.com/platform/kompile-gitops.git', targetRevision: 'main' },
  cluster: {
    kubernetesVersion: '1.28',
    distribution: 'k3s',
    nodes: 1,
    storageClasses: { default: 'local-path' },
    // k3s ships Traefik; the seeds run ingress-nginx on NodePorts.
    ingress: { className: 'nginx', nodePorts: { http: 31302, https: 31084 } },
    replicas: 1,
  },
});
