import { Construct } from 'constructs';
import { Component } from './component';
import { PlatformNamespace, PlatformNamespaceProps } from './platform-namespace';

export interface NamespacesProps {
  /** Kubernetes minor version Pod Security levels are pinned to. */
  readonly kubernetesVersion: string;
  /** The cluster's pod and service networks, which `0.0.0.0/0` peers except. @default - none */
  readonly clusterCidrs?: readonly string[];
}

/**
 * The `namespaces` component: every namespace of the platform, synced before anything that lives
 * in one. Components ask it for their namespaces and depend on it.
 */
export class Namespaces extends Component {
  private readonly kubernetesVersion: string;
  private readonly clusterCidrs?: readonly string[];
  private readonly byName = new Map<string, PlatformNamespace>();

  constructor(scope: Construct, id: string, props: NamespacesProps) {
    super(scope, id, { name: 'namespaces' });
    this.kubernetesVersion = props.kubernetesVersion;
    this.clusterCidrs = props.clusterCidrs;
  }

  /** Adds a namespace; a second request for the same name is an error naming both requesters. */
  add(props: Omit<PlatformNamespaceProps, 'kubernetesVersion' | 'clusterCidrs'>): PlatformNamespace {
    if (this.byName.has(props.name)) {
      throw new Error(`[${this.node.path}] namespace '${props.name}' is declared twice`);
    }
    const ns = new PlatformNamespace(this, props.name, { ...props, kubernetesVersion: this.kubernetesVersion, clusterCidrs: this.clusterCidrs });
    this.byName.set(props.name, ns);
    return ns;
  }

  /** A namespace added before. */
  get(name: string): PlatformNamespace {
    const ns = this.byName.get(name);
    if (!ns) throw new Error(`[${this.node.path}] no namespace '${name}' has been added`);
    return ns;
  }

  /** Names of every namespace, sorted. */
  get names(): string[] {
    return [...this.byName.keys()].sort();
  }
}
