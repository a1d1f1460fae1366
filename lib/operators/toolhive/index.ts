import { defineComponent } from '../../core/component-definition';
import { ToolHiveSchema } from './config';
import { ToolHive } from './toolhive';

/** `components.toolhive`: the ToolHive operator and its MCP servers (toolhive.ts). */
export const toolhiveComponent = defineComponent({
  key: 'toolhive',
  schema: ToolHiveSchema.default({}),
  build: (toolhive, { platform, cluster, charts, namespaces }) =>
    toolhive.enabled ? new ToolHive(platform, 'ToolHive', { config: toolhive, charts, namespaces, apiServer: cluster.apiServer, replicas: cluster.replicas }) : undefined,
});
