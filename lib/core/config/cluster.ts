import { z } from 'zod';
import type { PortFacts } from '../../checks/ports';
import { nodePort } from './common';

/** A Kubernetes quantity-free resource name such as `nvidia.com/gpu`. */
const extendedResourceName = z
  .string()
  .regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$/, {
    message: 'must be a resource name such as nvidia.com/gpu',
  });

/** DNS-1123 label: what Kubernetes requires of namespace, storage class and runtime class names. */
export const dnsLabel = z
  .string()
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, { message: 'must be a DNS-1123 label (lowercase letters, digits, -)' });


const ipv4Cidr = z.string().regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, { message: 'must be an IPv4 CIDR such as 10.0.0.0/24' });

/** Addresses outside the cluster, and optionally the ports reached there (TCP). */
export const OutsideSchema = z
  .object({
    cidrs: z.array(ipv4Cidr).min(1),
    /** @default - the ports of the purpose (see each) */
    ports: z.array(z.number().int().min(1).max(65535)).min(1).optional(),
  })
  .strict();
export type OutsideConfig = z.infer<typeof OutsideSchema>;

export const GpuSchema = z
  .object({
    /** Extended resource the device plugin advertises. */
    resourceName: extendedResourceName.default('nvidia.com/gpu'),
    /** RuntimeClass GPU pods need (k3s and containerd set-ups without the NVIDIA runtime as default). */
    runtimeClassName: dnsLabel.optional(),
    /**
     * Whether the cluster lacks the RuntimeClass `runtimeClassName` and the platform creates it
     * (component `gpu-runtime`: a node.k8s.io/v1 RuntimeClass with handler `runtimeHandler`). Where
     * false the cluster has it (k3s ships RuntimeClass `nvidia`, handler `nvidia`: k3s-io/k3s
     * manifests/runtimes.yaml; the NVIDIA GPU Operator creates its own) and `kompile verify` checks
     * that it exists: the API server refuses a pod whose RuntimeClass does not exist.
     * @default false
     */
    createRuntimeClass: z.boolean().optional(),
    /**
     * The containerd runtime handler the created RuntimeClass names: the `runtimes` entry of the
     * NVIDIA Container Runtime in the nodes' containerd configuration. @default 'nvidia' - the name
     * k3s configures (k3s-io/k3s manifests/runtimes.yaml)
     */
    runtimeHandler: dnsLabel.optional(),
    /** GPUs on each GPU node; requests above this can never be scheduled. */
    perNode: z.number().int().min(1),
    /** Nodes carrying GPUs. */
    nodes: z.number().int().min(1),
  })
  .strict()
  .superRefine((g, ctx) => {
    if (g.createRuntimeClass && !g.runtimeClassName) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['createRuntimeClass'], message: 'needs runtimeClassName: the name of the RuntimeClass to create' });
  });

export const ClusterSchema = z
  .object({
    /** Kubernetes minor version the manifests target, e.g. `1.28`. */
    kubernetesVersion: z.string().regex(/^1\.\d+$/, { message: 'must be a minor version such as 1.28' }),
    distribution: z.enum(['k3s', 'kubeadm']),
    /** Schedulable nodes. */
    nodes: z.number().int().min(1),
    storageClasses: z
      .object({
        /** For ReadWriteOnce volumes (databases, registries). */
        default: dnsLabel,
        /** For ReadWriteMany volumes shared between pods on several nodes; absent when the cluster has none. */
        shared: dnsLabel.optional(),
        /**
         * Classes whose `volumeBindingMode` is `WaitForFirstConsumer`: a claim of such a class stays
         * Pending until a pod using it is scheduled (the PV controller delays binding only for claims
         * without `volumeName`: kubernetes/kubernetes pkg/controller/volume/persistentvolume/pv_controller.go,
         * `syncUnboundClaim` / `shouldDelayBinding`), and Argo CD counts a Pending claim as Progressing
         * (argoproj/gitops-engine pkg/health/health_pvc.go), so such a claim must never sit in an earlier
         * sync wave than its first consumer (argoproj/argo-cd#12840). k3s' `local-path` is one
         * (k3s-io/k3s manifests/local-storage.yaml). @default []
         */
        waitForFirstConsumer: z.array(dnsLabel).default([]),
      })
      .strict(),
    ingress: z
      .object({
        className: dnsLabel.default('nginx'),
        /** NodePorts of the ingress controller, where the cluster has no load balancer. */
        nodePorts: z.object({ http: nodePort, https: nodePort }).strict().optional(),
        /**
         * Whether the cluster lacks an ingress controller and the platform installs ingress-nginx
         * (component `ingress-nginx`: the upstream chart at the version of charts.lock.json, its Service
         * a NodePort on `nodePorts`, its IngressClass named `className`), before every component with
         * an Ingress. Where false the cluster has one, and `kompile verify` checks that the
         * IngressClass the Ingresses name exists (an Ingress naming a class nobody serves is accepted
         * and never served). @default false
         */
        install: z.boolean().optional(),
        /** Namespace of the ingress controller: where `install` puts it. @default 'ingress-nginx' */
        namespace: dnsLabel.default('ingress-nginx'),
        /**
         * The ingress controller writes an address into every Ingress's `status.loadBalancer.ingress`.
         * Argo CD counts an Ingress without one as Progressing (argoproj/gitops-engine
         * pkg/health/health_ingress.go), so where this is false an Ingress in an Application with a
         * later-wave Application holds back every later wave, and the synth and `kompile validate`
         * refuse it (lib/checks/ingress-health.ts, rule 'ingress-health').
         *
         * ingress-nginx publishes by default: `--update-status` defaults to true (kubernetes/ingress-nginx
         * pkg/flags/flags.go); its Helm chart sets `--publish-service` (`controller.publishService.enabled:
         * true`, charts/ingress-nginx/values.yaml and templates/_params.tpl), and for a NodePort Service
         * without external IPs `statusAddressFromService` publishes the Service's ClusterIP; without
         * `--publish-service` (the bare-metal manifest) `runningAddresses` publishes the addresses of the
         * nodes running ready controller pods (internal/ingress/status/status.go). It publishes nothing
         * with `--update-status=false`, or with a LoadBalancer Service no load balancer has served yet.
         * Other controllers differ, and unless `install` is set Kompile does not install the controller:
         * @default false - the safe assumption until the environment states its controller's behaviour
         */
        publishesStatus: z.boolean().default(false),
      })
      .strict()
      .superRefine((i, ctx) => {
        if (i.install && !i.nodePorts) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['install'], message: "needs nodePorts: the installed controller's Service is a NodePort on them (seed 002: http 31302, https 31084)" });
      })
      .default({}),
    /**
     * What a k3s server runs besides Kubernetes, where it holds ports (read only with `distribution:
     * 'k3s'`). k3s deploys Traefik by default as a LoadBalancer Service on 80 and 443 (`--disable=traefik`
     * removes it), and its ServiceLB (klipper-lb) binds each LoadBalancer Service port as a host port on
     * the nodes (`--disable=servicelb`): docs.k3s.io, Networking Services. The port rule
     * (lib/checks/ports.ts) then keeps every LoadBalancer port unique and off Traefik's.
     */
    k3s: z
      .object({
        /** Traefik runs (the k3s default). @default true */
        traefik: z.boolean().default(true),
        /** ServiceLB answers LoadBalancer Services (the k3s default). @default true */
        serviceLB: z.boolean().default(true),
      })
      .strict()
      .default({}),
    /** Absent on clusters without GPUs. */
    gpu: GpuSchema.optional(),
    /**
     * Where the Kubernetes API server is, for NetworkPolicies of pods that call it (operators).
     * Narrow `cidrs` to the control-plane node addresses where they are known.
     */
    apiServer: z
      .object({
        cidrs: z.array(z.string().regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, { message: 'must be an IPv4 CIDR such as 10.0.0.0/24' })).min(1).default(['0.0.0.0/0']),
        ports: z.array(z.number().int().min(1).max(65535)).min(1).default([443, 6443]),
      })
      .strict()
      .default({}),
    /**
     * The cluster's pod and service networks, which NetworkPolicy address blocks for "outside the
     * cluster" except (rule 'netpol-open-peer', lib/checks/security-network.ts): pods are peers by
     * namespace, never by address. @default - the distribution's defaults: k3s `--cluster-cidr`
     * 10.42.0.0/16 and `--service-cidr` 10.43.0.0/16 (k3s-io/k3s pkg/cli/cmds/server.go); kubeadm
     * `networking.serviceSubnet` 10.96.0.0/12 (kubernetes/kubernetes cmd/kubeadm/app/apis/kubeadm
     * v1beta3 defaults.go `DefaultServicesSubnet`). kubeadm has no default pod subnet (the CNI or
     * `--pod-network-cidr` sets it), so a kubeadm cluster must state `podCidrs`.
     */
    network: z
      .object({
        podCidrs: z.array(ipv4Cidr).min(1).optional(),
        serviceCidrs: z.array(ipv4Cidr).min(1).optional(),
        /**
         * The nodes' addresses. Where stated, traffic that reaches a pod from the nodes (kubelets
         * pulling from the platform registry's NodePort) and build pods' traffic to that NodePort are
         * allowed from and to these blocks instead of `0.0.0.0/0`. @default - unknown: anywhere
         * outside the cluster, with the reasoned exception to 'netpol-open-peer'
         */
        nodeCidrs: z.array(ipv4Cidr).min(1).optional(),
        /**
         * What outside the cluster the platform's pods reach, by purpose; each its address blocks and,
         * optionally, ports (default: those the purpose needs, given with each). An absent purpose is
         * "anywhere outside the cluster" (`0.0.0.0/0` except the pod and service networks): state each
         * where the site's addresses are known. NFS is none of them: the nodes mount NFS volumes (the
         * CSI node plugin, on the host network), which NetworkPolicies do not govern.
         */
        egress: z
          .object({
            /** The Git server (GitLab, or the site's Git mirror): Jenkins and its build pods; HTTPS 443, HTTP 80, SSH 22. */
            git: OutsideSchema.optional(),
            /**
             * Container registries outside the cluster (upstream, or the site's mirror): base images of
             * build pods, Knative's tag resolution; HTTPS 443 and the mirror's port (`registry.mirror`).
             */
            registries: OutsideSchema.optional(),
            /** Jenkins' update center, where the controller downloads `ci.jenkins.plugins`; HTTPS 443, HTTP 80. */
            updateCenter: OutsideSchema.optional(),
            /** Object stores and model hubs the storage initializers of predictors download from; HTTPS 443, HTTP 80. */
            modelStorage: OutsideSchema.optional(),
          })
          .strict()
          .default({}),
      })
      .strict()
      .default({}),
    /**
     * The cluster runs the Prometheus Operator (its ServiceMonitor CRD is installed). Components emit
     * ServiceMonitors only then: a ServiceMonitor without its CRD fails the whole Application's sync.
     */
    prometheusOperator: z.boolean().default(false),
    /**
     * Namespace of the cluster's Prometheus (the monitoring stack of `prometheusOperator`), which
     * scrapes the platform's metrics. The cluster creates it, not the environment: stating it here is
     * what lets a NetworkPolicy name it (rule 'netpol-unknown-namespace' counts it as existing only
     * where `prometheusOperator` is set). @default 'monitoring' - kube-prometheus' namespace
     */
    monitoringNamespace: dnsLabel.default('monitoring'),
    /** Replicas for components that support high availability. */
    replicas: z.number().int().min(1).default(1),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.distribution === 'kubeadm' && !c.network.podCidrs) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['network', 'podCidrs'], message: "kubeadm has no default pod network: state the cluster's (kubeadm networking.podSubnet / --pod-network-cidr, or the CNI's pool)" });
  });

export type ClusterConfig = z.infer<typeof ClusterSchema>;
/** The cluster's storage classes as constructs take them (`waitForFirstConsumer` optional, default none). */
export type StorageClasses = z.input<typeof ClusterSchema>['storageClasses'];
export type GpuConfig = z.infer<typeof GpuSchema>;

/** A problem of a component slice that shows only against the cluster's facts; `path` is relative to the slice. */
export interface SliceIssue {
  readonly path: (string | number)[];
  readonly message: string;
}

/** GPU count against the cluster: none without `cluster.gpu`, never more than one node holds. */
export function gpuIssue(gpu: number, cluster: ClusterConfig): string | undefined {
  if (gpu === 0) return undefined;
  if (!cluster.gpu) return `requests ${gpu} GPU(s) but the cluster has no GPUs (cluster.gpu is not set); use 0`;
  if (gpu > cluster.gpu.perNode) return `requests ${gpu} GPUs but a node has ${cluster.gpu.perNode} (cluster.gpu.perNode); the pod could never be scheduled`;
  return undefined;
}

/**
 * The cluster's facts for the port rule (lib/checks/ports.ts): on k3s with ServiceLB, LoadBalancer
 * ports are host ports, and Traefik's 80/443 are taken; the ingress controller's node ports
 * (`cluster.ingress.nodePorts`) are taken unless the environment installs the controller itself.
 */
export function clusterPortFacts(cluster: ClusterConfig): PortFacts {
  const k3s = cluster.distribution === 'k3s' ? cluster.k3s : undefined;
  const ingress = cluster.ingress.nodePorts;
  return {
    hostLoadBalancer: k3s?.serviceLB ?? false,
    reserved: [
      ...(ingress ? (['http', 'https'] as const).map((k) => ({ kind: 'node-port' as const, port: ingress[k], owner: `cluster.ingress.nodePorts.${k} (the ingress controller)`, ingressController: true })) : []),
      ...(k3s?.serviceLB && k3s.traefik ? [80, 443].map((port) => ({ kind: 'load-balancer' as const, port, owner: 'Traefik, which k3s runs as a LoadBalancer Service on 80 and 443 (cluster.k3s.traefik; start k3s with --disable=traefik and set it false to free them)' })) : []),
    ],
  };
}

/**
 * Namespaces the cluster has without the environment creating them, besides Kubernetes' own: the
 * ingress controller's where the cluster runs it (`cluster.ingress.install` false), and the
 * monitoring stack's where it has one (`cluster.prometheusOperator`, `cluster.monitoringNamespace`).
 */
export function clusterNamespaces(cluster: Pick<ClusterConfig, 'ingress'> & Partial<Pick<ClusterConfig, 'prometheusOperator' | 'monitoringNamespace'>>): string[] {
  return [...(cluster.ingress.install ? [] : [cluster.ingress.namespace]), ...(cluster.prometheusOperator && cluster.monitoringNamespace ? [cluster.monitoringNamespace] : [])];
}

/** Defaults of the pod and service networks by distribution (see `cluster.network`). */
const DEFAULT_NETWORKS: Record<ClusterConfig['distribution'], { podCidrs?: string[]; serviceCidrs: string[] }> = {
  k3s: { podCidrs: ['10.42.0.0/16'], serviceCidrs: ['10.43.0.0/16'] },
  kubeadm: { serviceCidrs: ['10.96.0.0/12'] },
};

/** The cluster's pod network, stated or the distribution's default. */
export function clusterPodCidrs(cluster: Pick<ClusterConfig, 'distribution'> & { network?: ClusterConfig['network'] }): string[] {
  return [...(cluster.network?.podCidrs ?? DEFAULT_NETWORKS[cluster.distribution].podCidrs ?? [])];
}

/** The cluster's pod and service networks, stated or the distribution's defaults. */
export function clusterNetworkCidrs(cluster: Pick<ClusterConfig, 'distribution'> & { network?: ClusterConfig['network'] }): string[] {
  const d = DEFAULT_NETWORKS[cluster.distribution];
  return [...(cluster.network?.podCidrs ?? d.podCidrs ?? []), ...(cluster.network?.serviceCidrs ?? d.serviceCidrs)];
}
