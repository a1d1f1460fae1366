/** The benchmark's workload unit through Kompile's constructs: typed cdk8s-plus-28 L1 classes (see plain.ts for the same unit as data). */
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';

import { labels, NAMESPACE } from './plain';

export { NAMESPACE };

/** The same unit through the typed cdk8s-plus-28 classes, under `scope` (a Component). */
export function addUnit(scope: Construct, u: number): void {
  const name = `unit-${u}`;
  const metadata = { name, namespace: NAMESPACE, labels: labels(u) };
  new k8s.KubeServiceAccount(scope, `${name}-sa`, { metadata, automountServiceAccountToken: false });
  new k8s.KubeConfigMap(scope, `${name}-cm`, { metadata, data: { 'config.yaml': `unit: ${u}\nlogLevel: info\n` } });
  new k8s.KubeDeployment(scope, `${name}-deploy`, {
    metadata,
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
              resources: {
                requests: { cpu: k8s.Quantity.fromString('100m'), memory: k8s.Quantity.fromString('128Mi') },
                limits: { cpu: k8s.Quantity.fromString('500m'), memory: k8s.Quantity.fromString('256Mi') },
              },
              readinessProbe: { httpGet: { path: '/ready', port: k8s.IntOrString.fromNumber(8080) } },
              livenessProbe: { httpGet: { path: '/live', port: k8s.IntOrString.fromNumber(8080) } },
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
              volumeMounts: [{ name: 'config', mountPath: '/etc/unit' }],
            },
          ],
          volumes: [{ name: 'config', configMap: { name } }],
        },
      },
    },
  });
  new k8s.KubeService(scope, `${name}-svc`, { metadata, spec: { selector: labels(u), ports: [{ name: 'http', port: 80, targetPort: k8s.IntOrString.fromNumber(8080) }] } });
  new k8s.KubePodDisruptionBudget(scope, `${name}-pdb`, { metadata, spec: { minAvailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: labels(u) } } });
}
