import { Construct } from 'constructs';
import { McpServerV1Beta1, McpServerV1Beta1SpecTransport } from '../../../imports/toolhive.stacklok.dev';
import { declareImageField } from '../../core/image-field';
import { restrictedContainerSecurityContext } from '../../core/pod-security';

/** How a server speaks MCP; the CRD's enum values. */
export type McpTransport = `${McpServerV1Beta1SpecTransport}`;

export interface McpServerProps {
  /** Object name; the operator names the proxy Service `mcp-<name>-proxy`. */
  readonly name: string;
  readonly namespace: string;
  /** Image of the MCP server. */
  readonly image: string;
  /** How the server speaks MCP. @default 'stdio' */
  readonly transport?: McpTransport;
  /** Port of the server itself; only for `streamable-http` and `sse`. @default - none */
  readonly mcpPort?: number;
  /** Port the proxy serves clients on. @default 8080 */
  readonly proxyPort?: number;
  /** Arguments for the server. @default - none */
  readonly args?: readonly string[];
  /** Requests and limits of the MCP server container. @default 100m/128Mi requested, 500m/256Mi limit */
  readonly resources?: { readonly requests: { cpu: string; memory: string }; readonly limits: { cpu: string; memory: string } };
}

const DEFAULT_RESOURCES = { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } };

/**
 * A ToolHive `MCPServer` (toolhive.stacklok.dev/v1beta1): the operator runs the server behind its
 * proxy runner. The pod template makes the server's pod admissible under Pod Security "restricted"
 * (non-root, no privilege escalation, no capabilities, RuntimeDefault seccomp).
 */
export class McpServer extends Construct {
  readonly resource: McpServerV1Beta1;

  constructor(scope: Construct, id: string, props: McpServerProps) {
    super(scope, id);
    const transport = props.transport ?? 'stdio';
    if (transport === 'stdio' && props.mcpPort !== undefined) {
      throw new Error(`[${this.node.path}] mcpPort is set but transport is 'stdio', which has no port`);
    }
    this.resource = new McpServerV1Beta1(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace },
      spec: {
        image: props.image,
        transport: transport as McpServerV1Beta1SpecTransport,
        mcpPort: props.mcpPort,
        proxyPort: props.proxyPort ?? 8080,
        args: props.args?.length ? [...props.args] : undefined,
        resources: props.resources ?? DEFAULT_RESOURCES,
        podTemplateSpec: {
          spec: {
            securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [
              {
                name: 'mcp',
                securityContext: restrictedContainerSecurityContext(),
              },
            ],
          },
        },
      },
    });
    declareImageField(this.resource, '/spec/image');
  }
}
