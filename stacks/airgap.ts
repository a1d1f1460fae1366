import { base, deriveEnvironment, PYTORCH_CIFAR10 } from './base';
import { JETSTACK_CHARTS } from '../lib/serving/cert-manager';
import { INGRESS_NGINX_CHARTS } from '../lib/serving/ingress-nginx';
import { ISTIO_CHARTS } from '../lib/serving/istio';
import { KNATIVE_OPERATOR_CHARTS } from '../lib/serving/knative-operator';
import { prod } from './prod';

const MIRROR = 'registry.airgap.internal:35000';
const GIT = 'git.airgap.internal';
const JENKINS = 'jenkins.airgap.internal';
const SSO = 'sso.airgap.internal';
// The platform registry (base.ts PLATFORM_REGISTRY) runs inside the cluster: the images CI builds stay
// there, unrelocated (stacks/build.ts hands it to the registry policy); the rest comes from the mirror.

/**
 * Production behind an air gap: every image relocated to the site's registry, every chart source
 * served by the site's Git mirror, and no reference to anything outside.
 */
export const airgap = deriveEnvironment(prod, {
  name: 'airgap',
  gitops: {
    repoURL: `https://${GIT}/platform/kompile-gitops.git`,
    // Every chart source is mirrored: its mirror derived from the base of its kind (a Git repository
    // at <git>/<path>, an OCI chart at <oci>/<path>, a Helm repository at <helm>/<host>/<path>), unless
    // sourceMirrors names it (lib/core/config/gitops.ts chartMirrorURL).
    chartMirrors: {
      helm: `https://${GIT}/mirrors/helm`,
      // KServe's OCI charts are served by the registry.
      oci: MIRROR,
      git: `https://${GIT}/mirrors`,
    },
    // The site's chart mirror names its Helm repositories by project, not by host.
    sourceMirrors: {
      [JETSTACK_CHARTS]: `https://${GIT}/mirrors/helm/jetstack`,
      [ISTIO_CHARTS]: `https://${GIT}/mirrors/helm/istio`,
      [KNATIVE_OPERATOR_CHARTS]: `https://${GIT}/mirrors/helm/knative-operator`,
      [INGRESS_NGINX_CHARTS]: `https://${GIT}/mirrors/helm/ingress-nginx`,
      // Helm repositories served by the site's Git server's package registry.
      'https://charts.jenkins.io': `https://${GIT}/mirrors/charts/jenkins`,
      'https://argoproj.github.io/argo-helm': `https://${GIT}/mirrors/charts/argo`,
      'https://sigstore.github.io/helm-charts': `https://${GIT}/mirrors/charts/sigstore`,
    },
  },
  cluster: {
    // Behind the air gap nothing is "anywhere": the site's Git server and registry mirror are on its
    // server network (seed 003: the registry mirror at 10.61.3.31:35000). No update center (no
    // plugins are downloaded) and no model storage outside (models come from a PVC), so no egress
    // for those at all.
    network: {
      egress: {
        git: { cidrs: ['10.61.3.0/24'], ports: [443, 22] },
        registries: { cidrs: ['10.61.3.31/32'], ports: [35000] },
      },
    },
  },
  components: {
    ci: {
      jenkins: {
        // Through the ingress controller's HTTPS node port (prod's cluster.ingress.nodePorts.https).
        url: `https://${JENKINS}:31084/`,
        // The site's GitLab.
        gitlab: { url: `https://${GIT}` },
        // No update center behind the air gap: the site's controller image carries the plugins
        // (kubernetes, workflow-aggregator, git, configuration-as-code, gitlab-plugin, job-dsl: the build jobs need it).
        plugins: [],
        image: `${MIRROR}/platform/jenkins-with-plugins:2.528.1-jdk21`,
      },
    },
    serving: {
      // Outside buckets are unreachable: models are read from a PVC the site fills.
      storage: { allowedSchemes: ['pvc'], volumes: [{ name: 'models', size: '50Gi' }] },
      models: [
        { ...base.components.serving.models[0], storageUri: 'pvc://models/sklearn/iris' },
        { ...PYTORCH_CIFAR10, storageUri: 'pvc://models/torchserve/image_classifier/v1' },
      ],
    },
  },
  // The site's own OIDC provider, inside the air gap (istiod fetches its keys).
  auth: { oidc: { issuer: `https://${SSO}`, jwksUri: `https://${SSO}/jwks.json`, audiences: ['kompile-platform'] } },
  registry: {
    mirror: MIRROR,
    allowedRegistries: [MIRROR],
    // The site's Git server, the registry (it also serves KServe's OCI charts) and Jenkins' own
    // address (GitLab links and webhooks point at it), and the site's OIDC provider.
    allowedHosts: [GIT, MIRROR, JENKINS, SSO],
  },
});
