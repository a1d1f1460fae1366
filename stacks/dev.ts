import { defineEnvironment } from './base';

/** A developer's single-node k3s: local-path storage, public registries, one replica of everything. */
export const dev = defineEnvironment({
  name: 'dev',
  tier: 'development',
  cluster: {
    kubernetesVersion: '1.28',
    distribution: 'k3s',
    nodes: 1,
    // k3s' bundled local-path StorageClass is `volumeBindingMode: WaitForFirstConsumer`
    // (k3s-io/k3s manifests/local-storage.yaml).
    storageClasses: { default: 'local-path', waitForFirstConsumer: ['local-path'] },
    // ingress-nginx publishes an Ingress address on a NodePort Service: with the chart's default
    // --publish-service the Service's ClusterIP, without it the nodes of its ready pods
    // (kubernetes/ingress-nginx internal/ingress/status/status.go, `statusAddressFromService` /
    // `runningAddresses`; --update-status defaults to true, pkg/flags/flags.go). So the chatbot's and
    // the registry's Ingresses become Healthy and hold back no later wave (rule 'ingress-health').
    // k3s ships Traefik (on the node's 80/443), no ingress-nginx; the seeds run ingress-nginx on
    // NodePorts: the platform installs it there, beside Traefik.
    ingress: { className: 'nginx', nodePorts: { http: 31302, https: 31084 }, publishesStatus: true, install: true },
    replicas: 1,
  },
  components: {
    // One k3s node without GPUs: KServe without Knative (plain Deployments, no scale to zero), and
    // the Istio gateway on a NodePort since k3s' own Traefik holds 80/443 of the node.
    serving: { deploymentMode: 'RawDeployment', knative: { enabled: false }, gateway: { serviceType: 'NodePort' } },
    // One k3s node with ReadWriteOnce local-path storage: training and serving share the model
    // directory on that node through two hostPath volumes (see ModelStorageSchema).
    // The model API through the serving gateway (TLS and a JWT, components.mlops.serving.route), on a
    // ClusterIP Service: no node port open to anyone. The Service keeps port 80, so the seed's
    // `kubectl port-forward` still works for a developer with access to the cluster.
    mlops: { storage: { backend: 'hostPath' } },
    // No GPU on a developer's k3s: the chatbot back end runs its model on CPU.
    chatbot: { backend: { gpu: 0 } },
  },
});
