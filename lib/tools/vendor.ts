/**
 * Vendored charts: `kompile vendor` pulls a chart into the repository with `helm pull` (when the network
 * allows); at synth time each environment's vendored charts are rendered with the real helm, before any
 * construct is built, and handed to `buildEnvironment` as plain objects.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runHelm } from './helm';

/** Where a chart is pulled from. */
export interface PullOptions {
  /** A Helm repository URL (`https://charts.bitnami.com/bitnami`) or an OCI registry path (`oci://ghcr.io/org/charts`). */
  readonly repo: string;
  readonly chart: string;
  readonly version: string;
  /** Folder the chart folder is put in. @default 'charts' */
  readonly into?: string;
}

/** The arguments of `helm pull` for `options`, untarring into `untarDir`. Pure. */
export function helmPullArgs(options: PullOptions, untarDir: string): string[] {
  const ref = options.repo.startsWith('oci://') ? `${options.repo.replace(/\/+$/, '')}/${options.chart}` : options.chart;
  const repo = options.repo.startsWith('oci://') ? [] : ['--repo', options.repo];
  return ['pull', ref, ...repo, '--version', options.version, '--untar', '--untardir', untarDir];
}

/**
 * Pulls a chart into `<into>/<chart>/` (replacing an older copy only once the new one is complete).
 * @returns the chart folder
 */
export function pullChart(helm: string, options: PullOptions): string {
  const into = options.into ?? 'charts';
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'kompile-pull-'));
  try {
    runHelm(helm, helmPullArgs(options, staging));
    const pulled = path.join(staging, options.chart);
    if (!fs.existsSync(path.join(pulled, 'Chart.yaml'))) throw new Error(`helm pull produced no chart folder '${options.chart}'`);
    const target = path.join(into, options.chart);
    fs.mkdirSync(into, { recursive: true });
    fs.rmSync(target, { recursive: true, force: true });
    fs.cpSync(pulled, target, { recursive: true });
    return target;
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}
