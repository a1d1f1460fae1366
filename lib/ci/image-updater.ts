import { Construct } from 'constructs';
import { ChartSource, UpstreamChart } from '../core/upstream-chart';

/** The Argo project's Helm repository. */
export const ARGO_HELM_REPO = 'https://argoproj.github.io/argo-helm';

export interface ImageUpdaterProps {
  /** Argo CD's namespace: Image Updater reads Applications (and ImageUpdater resources) there. */
  readonly namespace: string;
  /** Version of the `argocd-image-updater` chart. */
  readonly chartVersion: string;
  readonly image: string;
  /** The platform registry, `host:port`, as image names spell it. */
  readonly registryHost: string;
  /** In-cluster address of the registry's API, `host:port`. */
  readonly registryApi: string;
  /** Secret (dockerconfigjson, in `namespace`) with pull credentials for the registry. */
  readonly pullSecret: string;
  /** ConfigMap (in `namespace`) with the registry's CA under `ca.crt`. */
  readonly caConfigMap: string;
}

/**
 * Argo CD Image Updater from its chart (the CRD-based 1.x line, `ImageUpdater` resources), set up for
 * the platform registry: tags are listed through the registry's in-cluster address with pull
 * credentials from a Secret, and the registry's CA is added to the trusted roots (Go reads every
 * file of /etc/ssl/certs). Git write-back uses the Image Updater's own credential, named by each
 * ImageUpdater resource (lib/ci/image-automation.ts), never Argo CD's repository credentials.
 *
 * RBAC is the chart's: its Role reads every Secret and ConfigMap of Argo CD's namespace, and the
 * chart has no value that narrows it, only `rbac.enabled` for all of its RBAC (argo-helm
 * charts/argocd-image-updater/templates/rbac.yaml at 1.2.4, the last version readable here; the
 * pinned 1.3.0 was not). docs/security.md says why Kompile does not replace it.
 */
export class ImageUpdater extends UpstreamChart {
  constructor(scope: Construct, id: string, props: ImageUpdaterProps) {
    super(scope, id, {
      name: 'argocd-image-updater',
      namespace: props.namespace,
      source: ChartSource.helmRepo(ARGO_HELM_REPO, 'argocd-image-updater', props.chartVersion),
      values: {
        // Keep the CRD (and every ImageUpdater) if the release is removed.
        crds: { install: true, keep: true },
        config: {
          'git.user': 'kompile-image-updater',
          'git.email': 'image-updater@kompile.invalid',
          'git.commit-message-template': 'build: roll out {{ range .AppChanges }}{{ .Image }}:{{ .NewTag }} {{ end }}',
          'log.level': 'info',
          registries: [
            {
              name: 'platform',
              prefix: props.registryHost,
              api_url: `https://${props.registryApi}`,
              credentials: `pullsecret:${props.namespace}/${props.pullSecret}`,
              insecure: false,
              default: false,
            },
          ],
        },
        volumes: [{ name: 'registry-ca', configMap: { name: props.caConfigMap, items: [{ key: 'ca.crt', path: 'ca.crt' }] } }],
        volumeMounts: [{ name: 'registry-ca', mountPath: '/etc/ssl/certs/platform-registry-ca.crt', subPath: 'ca.crt', readOnly: true }],
        resources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
      },
      images: [{ image: props.image, valuePath: 'image', format: { kind: 'split', repositoryKey: 'repository', tagKey: 'tag' } }],
      includesCrds: true,
      // What the chart's templates create in Argo CD's namespace with these values (argo-helm
      // charts/argocd-image-updater/templates: configmap, configmap-sshconfig, deployment,
      // rbac-leader-election, rbac, serviceaccount; the Secret, Service, Ingress, NetworkPolicy and
      // ServiceMonitor are off by default). Its project permits these kinds and no others there.
      // Cluster-wide: the ImageUpdater CRD (crd-imageupdaters) and the ClusterRole and binding of rbac
      // (createClusterRoles); no admission webhooks.
      clusterResources: [
        { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' },
        { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' },
        { group: 'rbac.authorization.k8s.io', kind: 'ClusterRoleBinding' },
      ],
      namespaceResources: [
        { group: '', kind: 'ConfigMap' },
        { group: '', kind: 'ServiceAccount' },
        { group: 'apps', kind: 'Deployment' },
        { group: 'rbac.authorization.k8s.io', kind: 'Role' },
        { group: 'rbac.authorization.k8s.io', kind: 'RoleBinding' },
      ],
    });
  }
}
