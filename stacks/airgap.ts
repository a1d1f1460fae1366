import { merge } from './base';
import { prod } from './prod';

const MIRROR = 'registry.airgap.internal:35000';
const GIT = 'git.airgap.internal';
const JENKINS = 'jenkins.airgap.internal';
// The platform registry (base.ts PLATFORM_REGISTRY) runs inside the cluster: the images CI builds stay
// there, unrelocated (stacks/build.ts hands it to the registry policy); the rest comes from the mirror.

/**
 * Production behind an air gap: every image relocated to the site's registry, every chart source
 * served by the site's Git mirror, and no reference to anything outside.
 */
export const airgap = merge(prod, {
  name: 'airgap',
  gitops: {
    repoURL: `https://${GIT}/platform/kompile-gitops.git`,
    sourceMirrors: {
      'https://github.com/stacklok/toolhive.git': `https://${GIT}/mirrors/stacklok/toolhive.git`,
      'https://github.com/openkcloud/kcloud-cost-scheduler.git': `https://${GIT}/mirrors/openkcloud/kcloud-cost-scheduler.git`,
      // Helm repositories, served by the site's Git server's package registry.
      'https://charts.jenkins.io': `https://${GIT}/mirrors/charts/jenkins`,
      'https://argoproj.github.io/argo-helm': `https://${GIT}/mirrors/charts/argo`,
    },
  },
  components: {
    ci: {
      jenkins: {
        url: `http://${JENKINS}:32080/`,
        // The site's GitLab.
        gitlab: { url: `https://${GIT}` },
        // No update center behind the air gap: the site's controller image carries the plugins
        // (kubernetes, workflow-aggregator, git, configuration-as-code, gitlab-plugin).
        plugins: [],
        image: `${MIRROR}/platform/jenkins-with-plugins:2.516.3-jdk21`,
      },
    },
  },
  registry: {
    mirror: MIRROR,
    allowedRegistries: [MIRROR],
    // The site's Git server and Jenkins' own address (GitLab links and webhooks point at it).
    allowedHosts: [GIT, JENKINS],
  },
});
