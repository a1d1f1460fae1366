import { z } from 'zod';
import { dnsLabel } from '../../core/config/cluster';
import { ContainerResourcesSchema } from '../../core/config/common';

export const McpServerSchema = z
  .object({
    name: dnsLabel,
    /** Image of the MCP server itself; the operator adds its proxy runner beside it. */
    image: z.string().min(1),
    transport: z.enum(['stdio', 'streamable-http', 'sse']).default('stdio'),
    /** Port the MCP server listens on (streamable-http and sse transports only). */
    mcpPort: z.number().int().min(1).max(65535).optional(),
    /** Port the proxy serves clients on. */
    proxyPort: z.number().int().min(1).max(65535).default(8080),
    args: z.array(z.string()).default([]),
    /** Namespaces whose pods may call this server. */
    allowFrom: z.array(dnsLabel).default([]),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.transport === 'stdio' && s.mcpPort !== undefined) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['mcpPort'], message: 'a stdio MCP server has no port; remove mcpPort or pick streamable-http/sse' });
    }
  });

export const ToolHiveSchema = z
  .object({
    enabled: z.boolean().default(true),
    /**
     * Let the operator call ToolHive's update-check API (which also sends usage metrics). Off by
     * default: on-premise platforms do not phone home, and airgapped ones cannot.
     */
    updateCheck: z.boolean().default(false),
    /**
     * Requests and limits of the operator container (the chart's `operator.resources`; its own
     * default is 10m/64Mi requested, 500m/128Mi limit). Seed 000 raises them: 500m/512Mi requested,
     * 1000m/1Gi limit.
     */
    operatorResources: ContainerResourcesSchema.default({ requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '1000m', memory: '1Gi' } }),
    /** Namespace of the operator and of the MCP servers. */
    namespace: dnsLabel.default('toolhive'),
    servers: z.array(McpServerSchema).default([]),
  })
  .strict()
  .superRefine((t, ctx) => {
    const seen = new Set<string>();
    t.servers.forEach((s, i) => {
      if (seen.has(s.name)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['servers', i, 'name'], message: `duplicate MCP server name '${s.name}'` });
      seen.add(s.name);
    });
  });

export type ToolHiveConfig = z.infer<typeof ToolHiveSchema>;
export type McpServerConfig = z.infer<typeof McpServerSchema>;
