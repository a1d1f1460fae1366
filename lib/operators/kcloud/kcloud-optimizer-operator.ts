import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Certificate, Issuer } from '../../../imports/cert-manager.io';
import { ServiceMonitor, ServiceMonitorSpecEndpointsScheme } from '../../../imports/monitoring.coreos.com';
import { SECURITY_EXCEPTION_PREFIX } from '../../checks/objects';
import { Component } from '../../core/component';

/** Ports of the controller-runtime manager (upstream `cmd/main.go` flags, set explicitly below). */
export const WEBHOOK_PORT = 9443;
export const METRICS_PORT = 8443;
export const PROBE_PORT = 8081;
/** Webhook paths the manager registers (upstream `cmd/main.go`). */
export const VALIDATE_PATH = '/validate-kcloud-io-v1alpha1-workloadoptimizer';
export const MUTATE_PATH = '/mutate-v1-pod';
/** Where the manager reads its webhook serving certificate. */
const CERT_DIR = '/tmp/k8s-webhook-server/serving-certs';

export interface KCloudOptimizerOperatorProps {
  readonly namespace: string;
  /** The operator image (built by the platform's CI: upstream publishes none). */
  readonly image: string;
  /** @default 1 (more use leader election) */
  readonly replicas?: number;
  /**
   * Namespaces whose pods the mutating webhook sees. Pods elsewhere never reach it.
   * @default - no mutating webhook
   */
  readonly optimizedNamespaces?: readonly string[];
  /** @default 100m/128Mi requested, 500m/512Mi limit */
  readonly resources?: { readonly requests: { cpu: string; memory: string }; readonly limits: { cpu: string; memory: string } };
  /**
   * Have Prometheus scrape the metrics through a ServiceMonitor; needs the Prometheus Operator's CRDs.
   * @default false - the metrics Service only
   */
  readonly serviceMonitor?: boolean;
  /**
   * The operator's environment (seed 001): `WATCH_NAMESPACE` ('' = every namespace), `OPERATOR_NAME`
   * and, when given, `CORE_SCHEDULER_URL`; `POD_NAME` is always the pod's own name (downward API).
   * @default - every namespace watched, `kcloud-operator`, no Core Scheduler
   */
  readonly env?: { readonly watchNamespace?: string; readonly operatorName?: string; readonly coreSchedulerUrl?: string };
}

const NAME = 'kcloud-operator';

/**
 * The KCloud Workload Optimizer operator (seed 001) rendered from its upstream layout, since the
 * project publishes no chart: the manager Deployment, its RBAC (what the manager at the pinned release
 * calls, not the seed's wider list: reads, and writes to its own WorkloadOptimizers only), the admission webhooks with their serving certificate from cert-manager
 * (the CA injected by cert-manager's CA injector), and a ServiceMonitor for its metrics, served over
 * HTTPS behind Kubernetes authentication and authorization (controller-runtime's secure metrics).
 *
 * Ordering: the CRDs component first, then this component; inside it the certificate before the
 * Deployment, the Deployment before the webhook configurations (an API server calling a webhook that
 * is not up yet would refuse every WorkloadOptimizer).
 */
export class KCloudOptimizerOperator extends Component {
  readonly serviceAccount: string;

  constructor(scope: Construct, id: string, props: KCloudOptimizerOperatorProps) {
    super(scope, id, { name: 'kcloud-optimizer', namespace: props.namespace });
    const ns = props.namespace;
    const labels = { 'app.kubernetes.io/name': NAME, 'app.kubernetes.io/component': 'manager' };
    this.serviceAccount = NAME;
    const subject = { kind: 'ServiceAccount', name: NAME, namespace: ns };

    const sa = new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: { name: NAME, namespace: ns } });

    // What the manager at the pinned release really calls (openkcloud/kcloud-cost-scheduler v0.1.0),
    // not what the seed lists: it reads pods (the reconciler lists a WorkloadOptimizer's namespace,
    // pkg/metrics/collector.go `CollectPodMetrics` lists every pod), nodes, namespaces and resource
    // quotas (the validator), and writes only its own WorkloadOptimizers (finalizer, status). Nothing in
    // cmd/main.go or what it starts creates, updates or deletes a pod, Service, Deployment or ReplicaSet
    // (`pkg/optimizer/policy_applier.go` and `pkg/webhook/webhook_config.go` would, but main.go never
    // builds them), and the mutating webhook changes pods through its admission response, which needs
    // no RBAC. So no write verb on any workload: the operator cannot create pods anywhere.
    //
    // Reads stay cluster-wide, by a documented exception (docs/security.md, "Operators"): the manager
    // gives controller-runtime no namespaces to cache (`ctrl.Options` without `Cache.DefaultNamespaces`),
    // and `WATCH_NAMESPACE`, though the upstream README and docs/DEPLOYMENT_GUIDE.md describe it, is read
    // nowhere in its code (no `os.Getenv` in the tree at v0.1.0), so every informer lists and watches
    // at cluster scope; Roles in the optimized namespaces alone would leave its caches unsynced.
    const manager = new k8s.KubeClusterRole(this, 'ManagerRole', {
      metadata: { name: `${NAME}-manager` },
      rules: [
        { apiGroups: [''], resources: ['pods', 'nodes', 'namespaces', 'resourcequotas'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
        { apiGroups: ['kcloud.io'], resources: ['workloadoptimizers'], verbs: ['get', 'list', 'watch', 'update', 'patch'] },
        { apiGroups: ['kcloud.io'], resources: ['costpolicies', 'powerpolicies'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['kcloud.io'], resources: ['workloadoptimizers/status', 'costpolicies/status', 'powerpolicies/status'], verbs: ['get', 'update', 'patch'] },
        { apiGroups: ['kcloud.io'], resources: ['workloadoptimizers/finalizers'], verbs: ['update'] },
      ],
    });
    new k8s.KubeClusterRoleBinding(this, 'ManagerRoleBinding', {
      metadata: { name: `${NAME}-manager` },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: `${NAME}-manager` },
      subjects: [subject],
    }).addDependency(manager, sa);

    // Secure metrics: the manager checks every scrape's token and its right to GET /metrics.
    const metricsAuth = new k8s.KubeClusterRole(this, 'MetricsAuthRole', {
      metadata: { name: `${NAME}-metrics-auth` },
      rules: [
        { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
        { apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'], verbs: ['create'] },
      ],
    });
    new k8s.KubeClusterRoleBinding(this, 'MetricsAuthRoleBinding', {
      metadata: { name: `${NAME}-metrics-auth` },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: `${NAME}-metrics-auth` },
      subjects: [subject],
    }).addDependency(metricsAuth, sa);
    // For the monitoring stack to bind to its Prometheus service account.
    new k8s.KubeClusterRole(this, 'MetricsReaderRole', {
      metadata: { name: `${NAME}-metrics-reader` },
      rules: [{ nonResourceUrLs: ['/metrics'], verbs: ['get'] }],
    });

    const leader = new k8s.KubeRole(this, 'LeaderElectionRole', {
      metadata: { name: `${NAME}-leader-election`, namespace: ns },
      rules: [
        { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] },
        { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
      ],
    });
    new k8s.KubeRoleBinding(this, 'LeaderElectionRoleBinding', {
      metadata: { name: `${NAME}-leader-election`, namespace: ns },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: `${NAME}-leader-election` },
      subjects: [subject],
    }).addDependency(leader, sa);

    // Webhook serving certificate: a namespace-local self-signed issuer is enough, the API server
    // trusts it through the caBundle cert-manager injects.
    const issuer = new Issuer(this, 'WebhookIssuer', { metadata: { name: `${NAME}-selfsigned`, namespace: ns }, spec: { selfSigned: {} } });
    const webhookService = `${NAME}-webhook`;
    const cert = new Certificate(this, 'WebhookCertificate', {
      metadata: { name: `${NAME}-webhook`, namespace: ns },
      spec: {
        secretName: `${NAME}-webhook-cert`,
        dnsNames: [`${webhookService}.${ns}.svc`, `${webhookService}.${ns}.svc.cluster.local`],
        issuerRef: { kind: 'Issuer', name: `${NAME}-selfsigned`, group: 'cert-manager.io' },
      },
    });
    cert.addDependency(issuer);
    const injectCa = { 'cert-manager.io/inject-ca-from': `${ns}/${NAME}-webhook` };

    const env: k8s.EnvVar[] = [
      { name: 'WATCH_NAMESPACE', value: props.env?.watchNamespace ?? '' },
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'OPERATOR_NAME', value: props.env?.operatorName ?? NAME },
    ];
    if (props.env?.coreSchedulerUrl) env.push({ name: 'CORE_SCHEDULER_URL', value: props.env.coreSchedulerUrl });

    const res = props.resources ?? { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } };
    const deployment = new k8s.KubeDeployment(this, 'Resource', {
      metadata: { name: NAME, namespace: ns, labels },
      spec: {
        replicas: props.replicas ?? 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels, annotations: { 'kubectl.kubernetes.io/default-container': 'manager' } },
          spec: {
            serviceAccountName: NAME,
            securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
            terminationGracePeriodSeconds: 10,
            containers: [
              {
                name: 'manager',
                image: props.image,
                args: [
                  '--leader-elect',
                  `--health-probe-bind-address=:${PROBE_PORT}`,
                  `--metrics-bind-address=:${METRICS_PORT}`,
                  `--webhook-cert-path=${CERT_DIR}`,
                ],
                env,
                ports: [
                  { name: 'webhook', containerPort: WEBHOOK_PORT },
                  { name: 'metrics', containerPort: METRICS_PORT },
                  { name: 'probes', containerPort: PROBE_PORT },
                ],
                livenessProbe: { httpGet: { path: '/healthz', port: k8s.IntOrString.fromNumber(PROBE_PORT) }, initialDelaySeconds: 15, periodSeconds: 20 },
                readinessProbe: { httpGet: { path: '/readyz', port: k8s.IntOrString.fromNumber(PROBE_PORT) }, initialDelaySeconds: 5, periodSeconds: 10 },
                resources: {
                  requests: { cpu: k8s.Quantity.fromString(res.requests.cpu), memory: k8s.Quantity.fromString(res.requests.memory) },
                  limits: { cpu: k8s.Quantity.fromString(res.limits.cpu), memory: k8s.Quantity.fromString(res.limits.memory) },
                },
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } },
                volumeMounts: [{ name: 'webhook-cert', mountPath: CERT_DIR, readOnly: true }],
              },
            ],
            volumes: [{ name: 'webhook-cert', secret: { secretName: `${NAME}-webhook-cert` } }],
          },
        },
      },
    });
    deployment.addDependency(cert, sa);

    new k8s.KubeService(this, 'WebhookService', {
      metadata: { name: webhookService, namespace: ns, labels },
      spec: { selector: labels, ports: [{ name: 'webhook', port: 443, targetPort: k8s.IntOrString.fromString('webhook') }] },
    });
    const metricsLabels = { ...labels, 'kompile.dev/metrics': NAME };
    new k8s.KubeService(this, 'MetricsService', {
      metadata: { name: `${NAME}-metrics`, namespace: ns, labels: metricsLabels },
      spec: { selector: labels, ports: [{ name: 'https', port: METRICS_PORT, targetPort: k8s.IntOrString.fromString('metrics') }] },
    });

    const clientConfig = (path: string) => ({ service: { name: webhookService, namespace: ns, path, port: 443 } });
    const validating = new k8s.KubeValidatingWebhookConfiguration(this, 'ValidatingWebhook', {
      metadata: {
        name: 'kcloud-workloadoptimizer-validator',
        annotations: {
          ...injectCa,
          // lib/checks/security-rbac.ts: fail-closed with one replica (a development cluster's) and no
          // PodDisruptionBudget; scoped away from kube-system and its own namespace below.
          ...((props.replicas ?? 1) < 2
            ? {
                [`${SECURITY_EXCEPTION_PREFIX}webhook-fail-closed`]:
                  "one replica where the environment runs one (cluster.replicas): the webhook matches only kcloud.io WorkloadOptimizers, the operator's own kind, so while the operator restarts only they wait (nothing of Kubernetes or another component), and one it cannot check must not be admitted",
              }
            : {}),
        },
      },
      webhooks: [
        {
          name: 'vworkloadoptimizer.kcloud.io',
          admissionReviewVersions: ['v1'],
          sideEffects: 'None',
          // An optimizer the webhook cannot check is not admitted.
          failurePolicy: 'Fail',
          timeoutSeconds: 10,
          clientConfig: clientConfig(VALIDATE_PATH),
          // Never kube-system nor the operator's own namespace: a fail-closed webhook must not hold
          // back the cluster's components or what would bring it back.
          namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', ns] }] },
          rules: [{ apiGroups: ['kcloud.io'], apiVersions: ['v1alpha1'], resources: ['workloadoptimizers'], operations: ['CREATE', 'UPDATE'], scope: 'Namespaced' }],
        },
      ],
    });
    validating.addDependency(deployment, cert);

    const optimized = props.optimizedNamespaces ?? [];
    if (optimized.length > 0) {
      const mutating = new k8s.KubeMutatingWebhookConfiguration(this, 'MutatingWebhook', {
        metadata: { name: 'kcloud-pod-mutator', annotations: injectCa },
        webhooks: [
          {
            name: 'mpod.kcloud.io',
            admissionReviewVersions: ['v1'],
            sideEffects: 'None',
            // Optimization is best effort: a pod is never blocked because the operator is down.
            failurePolicy: 'Ignore',
            reinvocationPolicy: 'Never',
            timeoutSeconds: 5,
            clientConfig: clientConfig(MUTATE_PATH),
            // Only the workload namespaces: never kube-system, never the operator's own pods.
            namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [...optimized] }] },
            rules: [{ apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], operations: ['CREATE'], scope: 'Namespaced' }],
          },
        ],
      });
      mutating.addDependency(deployment, cert);
    }

    if (!props.serviceMonitor) return;
    new ServiceMonitor(this, 'ServiceMonitor', {
      metadata: { name: NAME, namespace: ns, labels },
      spec: {
        selector: { matchLabels: { 'kompile.dev/metrics': NAME } },
        namespaceSelector: { matchNames: [ns] },
        endpoints: [
          {
            port: 'https',
            path: '/metrics',
            scheme: ServiceMonitorSpecEndpointsScheme.HTTPS,
            interval: '30s',
            // The manager authenticates Prometheus by its service-account token; its serving
            // certificate is self-generated by controller-runtime, hence no verification.
            bearerTokenFile: '/var/run/secrets/kubernetes.io/serviceaccount/token',
            tlsConfig: { insecureSkipVerify: true },
          },
        ],
      },
    });
  }
}
