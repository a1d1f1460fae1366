import { merge } from './base';
import { prod } from './prod';

const MIRROR = 'registry.airgap.internal:35000';
const GIT = 'git.airgap.internal';

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
    },
  },
  registry: {
    mirror: MIRROR,
    allowedRegistries: [MIRROR],
    allowedHosts: [GIT],
  },
});
