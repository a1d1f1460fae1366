/**
 * The real {@link ApiTransport}: the cluster, user and credentials of a kubeconfig (the current
 * context, or `--context`), through `@kubernetes/client-node`'s KubeConfig, which handles tokens,
 * client certificates, exec plugins (EKS, GKE, OIDC) and CA bundles.
 *
 * Which kubeconfig is decided here, not by `KubeConfig.loadFromDefault`: when it finds nothing, that
 * method silently falls back to `http://localhost:8080` (client-node 1.4.0, `dist/config.js`), and
 * every request then fails with a connection error that says nothing about the missing kubeconfig.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as path from 'node:path';
import type { ApiRequest, ApiResponse, ApiTransport } from './verify';

/** Where a pod's service-account token and CA are mounted (client-node's `SERVICEACCOUNT_ROOT`). */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface KubeClientOptions {
  /** kubeconfig file. @default - the files of $KUBECONFIG, else ~/.kube/config, else the in-cluster service account */
  readonly kubeconfig?: string;
  /** Context to use. @default - the kubeconfig's current context */
  readonly context?: string;
  /** Where KUBECONFIG, HOME and KUBERNETES_SERVICE_HOST/PORT are read. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/** Where the credentials come from: kubeconfig files (merged in order, as client-node merges $KUBECONFIG), or the pod's service account. */
export type KubeconfigSource = { readonly files: readonly string[] } | { readonly inCluster: true };

/**
 * The kubeconfig `verify` uses, looked up as client-node's `loadFromDefault` does — `--kubeconfig`,
 * else every file of `$KUBECONFIG`, else `~/.kube/config`, else the service account of the pod it
 * runs in — but failing with where it looked and what to pass instead of falling back to localhost.
 */
export function kubeconfigSource(options: KubeClientOptions = {}): KubeconfigSource {
  const env = options.env ?? process.env;
  const pass = 'pass --kubeconfig <file> (and --context <name> for a context other than its current one)';
  if (options.kubeconfig !== undefined) {
    if (!fs.existsSync(options.kubeconfig)) throw new Error(`--kubeconfig ${options.kubeconfig}: no such file`);
    return { files: [options.kubeconfig] };
  }
  if (env.KUBECONFIG) {
    const files = env.KUBECONFIG.split(path.delimiter).filter((f) => f);
    const missing = files.filter((f) => !fs.existsSync(f));
    if (missing.length > 0) throw new Error(`KUBECONFIG=${env.KUBECONFIG}: no such file ${missing.join(', ')}; fix KUBECONFIG or ${pass}`);
    return { files };
  }
  const home = env.HOME || env.USERPROFILE;
  const userConfig = home ? path.join(home, '.kube', 'config') : undefined;
  if (userConfig && fs.existsSync(userConfig)) return { files: [userConfig] };
  const token = `${SERVICE_ACCOUNT_DIR}/token`;
  if (fs.existsSync(token) && env.KUBERNETES_SERVICE_HOST && env.KUBERNETES_SERVICE_PORT) return { inCluster: true };
  throw new Error(
    `no kubeconfig found: KUBECONFIG is not set, ${userConfig ?? '~/.kube/config (HOME is not set)'} does not exist, and this is no pod with a service account (${token} and KUBERNETES_SERVICE_HOST/PORT); ${pass}, or set KUBECONFIG`,
  );
}

/** A transport to the cluster of a kubeconfig context. */
export async function kubeTransport(options: KubeClientOptions = {}): Promise<ApiTransport & { readonly server: string }> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const source = kubeconfigSource(options);
  const kc = new KubeConfig();
  let where = 'the in-cluster service account';
  if ('inCluster' in source) kc.loadFromCluster();
  else {
    where = source.files.join(', ');
    kc.loadFromFile(source.files[0]);
    for (const file of source.files.slice(1)) {
      const next = new KubeConfig();
      next.loadFromFile(file);
      kc.mergeConfig(next);
    }
  }
  const contexts = kc.getContexts().map((c) => c.name);
  const have = `(have: ${contexts.join(', ') || 'none'})`;
  if (options.context !== undefined) {
    if (!contexts.includes(options.context)) throw new Error(`--context ${options.context}: no such context in ${where} ${have}`);
    kc.setCurrentContext(options.context);
  }
  if (!kc.getCurrentContext()) throw new Error(`${where} sets no current context; pass --context <name> ${have}`);
  if (!contexts.includes(kc.getCurrentContext())) throw new Error(`the current context '${kc.getCurrentContext()}' of ${where} is not defined there; pass --context <name> ${have}`);
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error(`context '${kc.getCurrentContext()}' in ${where} names no cluster it defines; pass --context <name> ${have}`);
  const server = new URL(cluster.server);
  return {
    server: cluster.server,
    async request(req: ApiRequest): Promise<ApiResponse> {
      const opts: https.RequestOptions = {
        method: req.method,
        protocol: server.protocol,
        hostname: server.hostname,
        port: server.port,
        path: `${server.pathname.replace(/\/$/, '')}${req.path}`,
        headers: { Accept: 'application/json', ...(req.contentType ? { 'Content-Type': req.contentType } : {}) },
      };
      await kc.applyToHTTPSOptions(opts);
      return new Promise((resolve, reject) => {
        const send = server.protocol === 'http:' ? http.request : https.request;
        const r = send(opts, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let body: unknown = text;
            try {
              body = text ? JSON.parse(text) : {};
            } catch {
              // Not JSON (a proxy's error page): keep the text for the message.
              body = { message: text.slice(0, 500) };
            }
            resolve({ status: res.statusCode ?? 0, body });
          });
        });
        r.on('error', (e) => reject(new Error(`${req.method} ${cluster.server}${req.path}: ${e.message}`)));
        if (req.body !== undefined) r.write(req.body);
        r.end();
      });
    },
  };
}
