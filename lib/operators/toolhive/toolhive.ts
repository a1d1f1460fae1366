import { Construct } from 'constructs';
import { Component } from '../../core/component';
import { ChartLock, stripV } from '../../core/chart-lock';
import type { ClusterConfig } from '../../core/config/cluster';
import type { ToolHiveConfig } from './config';
import { Namespaces } from '../../core/namespaces';
import { McpServer } from './mcp-server';
import { ToolHiveOperator } from './toolhive-operator';

export interface ToolHiveProps {
  /** This component's slice of the environment configuration. */
  readonly config: ToolHiveConfig;
  /** The chart lock: the operator's version (`toolhive-operator`, a Git tag `v<version>`). */
  readonly charts: ChartLock;
  /** Where the operator's namespace is declared. */
  readonly namespaces: Namespaces;
  /** The API server's addresses, for the operator's egress policy. */
  readonly apiServer: ClusterConfig['apiServer'];
  /** Operator replicas. */
  readonly replicas: number;
}

/**
 * ToolHive on the platform (seed 000): its namespace with the traffic the operator and its MCP
 * servers need, the operator (CRDs chart, then operator chart), and the environment's MCP servers
 * in a component of their own, synced after the operator.
 */
export class ToolHive extends Construct {
  readonly operator: ToolHiveOperator;
  readonly servers: Component;

  constructor(scope: Construct, id: string, props: ToolHiveProps) {
    super(scope, id);
    const { config } = props;
    const ns = props.namespaces.add({ name: config.namespace });
    // The operator and every proxy runner watch and manage objects through the API server.
    ns.allowEgress({
      name: 'kube-apiserver',
      peers: [{ cidrs: props.apiServer.cidrs }],
      ports: props.apiServer.ports.map((port) => ({ port })),
    });
    // Proxy runner ↔ MCP server pods, and the operator's own probes and webhooks.
    ns.allowIngress({ name: 'same-namespace', peers: [{ namespaces: [config.namespace] }] });
    ns.allowEgress({ name: 'same-namespace', peers: [{ namespaces: [config.namespace] }] });

    this.operator = new ToolHiveOperator(this, 'Operator', {
      version: stripV(props.charts.version('toolhive-operator')),
      namespace: config.namespace,
      replicas: props.replicas,
      updateCheck: config.updateCheck,
      resources: config.operatorResources,
      watchNamespaces: [config.namespace],
    });
    this.operator.operator.dependsOn(props.namespaces);

    this.servers = new Component(this, 'Servers', { name: 'mcp-servers', namespace: config.namespace });
    this.servers.dependsOn(this.operator.operator);
    for (const server of config.servers) {
      new McpServer(this.servers, server.name, { ...server, namespace: config.namespace });
      if (server.allowFrom.length > 0) {
        ns.allowIngress({
          name: `mcp-${server.name}`,
          // The operator labels a server's proxy pods `toolhive-name: <server>`.
          podSelector: { 'toolhive-name': server.name },
          peers: [{ namespaces: server.allowFrom }],
          ports: [{ port: server.proxyPort }],
        });
      }
    }
  }
}
