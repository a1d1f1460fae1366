/**
 * The benchmark's workload unit as plain data: 5 objects (ServiceAccount, ConfigMap, Deployment, Service,
 * PodDisruptionBudget), 10 units per component, as Kompile writes them. No cdk8s here: the lower bound's
 * process loads only this and `yaml`.
 */
export const UNITS_PER_COMPONENT = 10;
export const NAMESPACE = 'bench';

export const labels = (u: number) => ({ 'app.kubernetes.io/name': `unit-${u}` });

/** The labels and annotation Kompile's synth adds to every object of a component. */
function kompileMetadata(component: string) {
  return {
    labels: { 'app.kubernetes.io/managed-by': 'kompile', 'kompile.dev/component': component, 'kompile.dev/environment': 'bench' },
    annotations: { 'argocd.argoproj.io/sync-wave': '0' },
  };
}

/** The plain objects of unit `u` as Kompile writes them in `component`. */
export function unitObjects(u: number, component: string): Record<string, unknown>[] {
  const name = `unit-${u}`;
  const k = kompileMetadata(component);
  const meta = { annotations: k.annotations, labels: { ...k.labels, ...labels(u) }, name, namespace: NAMESPACE };
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta, automountServiceAccountToken: false },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta, data: { 'config.yaml': `unit: ${u}\nlogLevel: info\n` } },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta,
      spec: {
        replicas: 2,
        selector: { matchLabels: labels(u) },
        template: {
          metadata: { labels: labels(u) },
          spec: {
            serviceAccountName: name,
            securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [
              {
                name: 'app',
                image: `ghcr.io/acme/unit-${u % 50}:1.0.${u % 7}`,
                ports: [{ name: 'http', containerPort: 8080 }],
                resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
                readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
                livenessProbe: { httpGet: { path: '/live', port: 8080 } },
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
                volumeMounts: [{ name: 'config', mountPath: '/etc/unit' }],
              },
            ],
            volumes: [{ name: 'config', configMap: { name } }],
          },
        },
      },
    },
    { apiVersion: 'v1', kind: 'Service', metadata: meta, spec: { selector: labels(u), ports: [{ name: 'http', port: 80, targetPort: 8080 }] } },
    { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: meta, spec: { minAvailable: 1, selector: { matchLabels: labels(u) } } },
  ];
}

/** The Argo CD Application Kompile writes for a component (`apps/<component>.yaml`). */
export function applicationObject(component: string): Record<string, unknown> {
  const k = kompileMetadata(component);
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { annotations: { 'argocd.argoproj.io/sync-wave': '1' }, labels: k.labels, name: component, namespace: 'argocd' },
    spec: {
      destination: { namespace: NAMESPACE, server: 'https://kubernetes.default.svc' },
      project: 'kompile-bench',
      source: { path: `dist/bench/${component}`, repoURL: 'https://git.example.com/gitops.git', targetRevision: 'HEAD' },
      syncPolicy: {
        automated: { prune: true, selfHeal: true },
        retry: { backoff: { duration: '10s', factor: 2, maxDuration: '3m' }, limit: 5 },
        syncOptions: ['CreateNamespace=false', 'PruneLast=true'],
      },
    },
  };
}
