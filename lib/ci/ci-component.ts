import { defineComponent } from '../core/component-definition';
import { CiSchema } from '../core/config/ci';
import { Delivery } from './delivery';

/**
 * `components.ci`: seed 002's delivery chain (lib/ci/delivery.ts). Once every component exists, the
 * registry waits for cert-manager (its certificate), and Image Updater rolls out the images of the
 * components it names.
 */
export const ciComponent = defineComponent({
  key: 'ci',
  schema: CiSchema.default({}),
  build: (ci, { platform, cluster, gitops, charts, namespaces }) =>
    ci.enabled
      ? new Delivery(platform, 'Delivery', {
          config: ci,
          charts,
          namespaces,
          storageClass: cluster.storageClasses.default,
          waitForFirstConsumer: cluster.storageClasses.waitForFirstConsumer,
          ingressClassName: cluster.ingress.className,
          apiServer: cluster.apiServer,
          argocdNamespace: gitops.argocdNamespace,
        })
      : undefined,
  connect: (delivery, ci, ctx) => {
    const byName = ctx.componentsByName();
    const certManager = byName.get('cert-manager');
    if (certManager) delivery.registry.dependsOn(certManager);
    if (!ci.imageUpdater.enabled) return;
    ci.imageUpdater.applications.forEach((app, i) => {
      const target = byName.get(app.component);
      if (!target) throw new Error(`components.ci.imageUpdater.applications[${i}].component: no component named '${app.component}' in environment '${ctx.environment}'`);
      delivery.automate(target, app.images);
    });
  },
});
