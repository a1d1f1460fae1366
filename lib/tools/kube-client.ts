/**
 * The real {@link ApiTransport}: the cluster, user and credentials of a kubeconfig (the current
 * context, or `--context`), through `@kubernetes/client-node`'s KubeConfig, which handles tokens,
 * client certificates, exec plugins (EKS, GKE, OIDC) and CA bundles.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { ApiRequest, ApiResponse, ApiTransport } from './verify';

export interface KubeClientOptions {
  /** kubeconfig file. @default - $KUBECONFIG or ~/.kube/config (or the in-cluster service account) */
  readonly kubeconfig?: string;
  /** Context to use. @default - the kubeconfig's current context */
  readonly context?: string;
}

/** A transport to the cluster of a kubeconfig context. */
export async function kubeTransport(options: KubeClientOptions = {}): Promise<ApiTransport & { readonly server: string }> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  if (options.kubeconfig) kc.loadFromFile(options.kubeconfig);
  else kc.loadFromDefault();
  if (options.context) kc.setCurrentContext(options.context);
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error(`no cluster for context '${kc.getCurrentContext()}' in the kubeconfig`);
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
