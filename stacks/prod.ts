import { base, defineEnvironment, IRIS_SERVING_IMAGE, PYTORCH_CIFAR10 } from './base';

/** Production on kubeadm 1.28: three nodes with four GPUs each, NFS CSI for shared volumes, HA replicas. */
export const prod = defineEnvironment({
  name: 'prod',
  tier: 'production',
  cluster: {
    kubernetesVersion: '1.28',
    distribution: 'kubeadm',
    nodes: 3,
    storageClasses: { default: 'nfs-csi', shared: 'nfs-csi' },
    // ingress-nginx publishes an Ingress address on a NodePort Service: with the chart's default
    // --publish-service the Service's ClusterIP, without it the nodes of its ready pods
    // (kubernetes/ingress-nginx internal/ingress/status/status.go, `statusAddressFromService` /
    // `runningAddresses`; --update-status defaults to true, pkg/flags/flags.go). So the chatbot's and
    // the registry's Ingresses become Healthy and hold back no later wave (rule 'ingress-health').
    // kubeadm brings no ingress controller; seed 002 installs ingress-nginx on these NodePorts: the
    // platform installs it.
    ingress: { className: 'nginx', nodePorts: { http: 31302, https: 31084 }, publishesStatus: true, install: true },
    // The nodes' containerd has the NVIDIA runtime added by hand (seed 002), no RuntimeClass: the platform creates it.
    gpu: { resourceName: 'nvidia.com/gpu', runtimeClassName: 'nvidia', createRuntimeClass: true, perNode: 4, nodes: 3 },
    apiServer: { cidrs: ['10.61.3.0/24'], ports: [6443] },
    // kubeadm has no default pod network; the seeds do not name prod's CNI. 10.244.0.0/16 is the
    // network of Flannel's manifest (kube-flannel.yml net-conf.json) and what kubeadm guides pass as
    // --pod-network-cidr; confirm with `kubectl get nodes -o jsonpath='{..podCIDR}'`. The service
    // network is kubeadm's default 10.96.0.0/12.
    // The nodes are on the site's server network, the API server's (seed 003's hosts, e.g. its
    // registry 10.61.3.31, are there): kubelets pull from the platform registry's NodePort from it.
    // Git, registries, the update center and model storage stay "anywhere outside the cluster": this
    // site pulls from public registries (gcr.io, docker.io), models from gs://, plugins from the
    // Jenkins update center, none of which has addresses to state.
    network: { podCidrs: ['10.244.0.0/16'], nodeCidrs: ['10.61.3.0/24'] },
    // The production cluster's monitoring stack (kube-prometheus) scrapes ServiceMonitors.
    prometheusOperator: true,
    replicas: 2,
  },
  components: {
    // Serverless KServe on Knative; the iris model of every environment plus the GPU model.
    serving: { deploymentMode: 'Serverless', models: [...base.components.serving.models, PYTORCH_CIFAR10] },
    mlops: {
      // One NFS export, seen read-write by training and read-only by serving (NFS CSI static volumes).
      storage: { backend: 'nfs', size: '200Gi', nfs: { server: 'nfs.platform.internal', share: '/exports/mlops', subDir: 'models' } },
      quotas: {
        training: { requests: { cpu: '16', memory: '64Gi' }, limits: { cpu: '32', memory: '128Gi' }, gpu: 4 },
      },
      // The API through the serving gateway (TLS and a JWT, components.mlops.serving.route) on a
      // ClusterIP Service, instead of a plain-HTTP node port open to anyone.
      serving: { image: IRIS_SERVING_IMAGE },
    },
    chatbot: { host: 'chatbot.platform.internal', backend: { replicas: 2 } },
  },
});
