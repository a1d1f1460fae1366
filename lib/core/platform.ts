import { App } from 'cdk8s';
import { IConstruct } from 'constructs';
import type { ChartLock } from './chart-lock';
import { GitOpsConfig } from './config';

export interface PlatformProps {
  /** Environment name: the folder under `dist/` and the `kompile.dev/environment` label. */
  readonly environment: string;
  /** Where Argo CD finds this environment's output, and how sources are mirrored. */
  readonly gitops: GitOpsConfig;
  /**
   * The chart lock every upstream source must be in. @default - none: sources are not checked against
   * a lock (construct tests)
   */
  readonly chartLock?: ChartLock;
}

/**
 * The root of one environment's construct tree: one cdk8s App per environment, never synthesized
 * with `App.synth()` (Kompile renders each component once, see `synthesize`).
 *
 * It carries only what Argo CD objects need to point back at the GitOps repository; component
 * configuration is handed to each construct by the stack, never read from here.
 */
export class Platform extends App {
  /** The Platform a construct belongs to. */
  static of(c: IConstruct): Platform {
    const root = c.node.root;
    if (!(root instanceof Platform)) {
      throw new Error(`[${c.node.path}] is not inside a Kompile Platform; create it under 'new Platform(...)'`);
    }
    return root;
  }

  readonly environment: string;
  readonly gitops: GitOpsConfig;
  /** The Argo CD AppProject every component Application belongs to. */
  readonly project: string;
  /** The chart lock upstream sources are held to, if any. */
  readonly chartLock?: ChartLock;

  constructor(props: PlatformProps) {
    // outdir is never used: Kompile writes its own output atomically.
    super({ outdir: '.' });
    this.environment = props.environment;
    this.gitops = props.gitops;
    this.project = props.gitops.project ?? `kompile-${props.environment}`;
    this.chartLock = props.chartLock;
  }

  /** Path inside the GitOps repository of a folder of this environment's output. */
  repoPath(...segments: string[]): string {
    return [this.gitops.path, this.environment, ...segments].join('/');
  }

  /** The mirror configured for an upstream source URL, or the URL itself. */
  sourceFor(url: string): string {
    return this.gitops.sourceMirrors[url] ?? url;
  }
}
