import { defineComponent } from '../core/component-definition';
import { MlopsSchema, mlopsClusterIssues } from '../core/config/mlops';
import { Mlops } from './mlops';

/** `components.mlops`: MLflow training and the model API (lib/mlops/mlops.ts). */
export const mlopsComponent = defineComponent({
  key: 'mlops',
  schema: MlopsSchema.default({}),
  clusterIssues: mlopsClusterIssues,
  build: (mlops, { platform, cluster, namespaces }) =>
    mlops.enabled ? new Mlops(platform, 'Mlops', { config: mlops, namespaces, storageClasses: cluster.storageClasses, gpu: cluster.gpu }) : undefined,
});
