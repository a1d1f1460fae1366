import { stringify } from 'yaml';
import { YAML_OPTIONS } from '../../lib/core/yaml-emit';
import { RenderedTree, treeFromFiles } from '../../lib/tools/tree';
import type { ApiRequest, ApiResponse, ApiTransport } from '../../lib/tools/verify';
import { compiledEnvironments } from '../helpers';

/** Test helpers for rendered trees: objects in, YAML files out. */
export type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; [k: string]: unknown };

/** Objects as a multi-document file, written the way Kompile writes (strings YAML 1.1 would misread are quoted). */
export function yamlDocs(...objects: readonly unknown[]): string {
  return objects.map((o) => stringify(o, YAML_OPTIONS)).join('---\n');
}

export function deployment(name: string, namespace: string, image: string, extra: Record<string, unknown> = {}): Obj {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: 'app',
              image,
              resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
              readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
              livenessProbe: { httpGet: { path: '/live', port: 8080 } },
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true, runAsNonRoot: true },
            },
          ],
        },
      },
      ...extra,
    },
  };
}

export function pvc(name: string, namespace: string, size: string, storageClassName = 'nfs-csi'): Obj {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace },
    spec: { accessModes: ['ReadWriteMany'], storageClassName, resources: { requests: { storage: size } } },
  };
}

export function namespace(name: string, enforce = 'restricted'): Obj {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'pod-security.kubernetes.io/enforce': enforce } } };
}

export function networkPolicy(name: string, ns: string): Obj {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } };
}

export function files(entries: Record<string, string>): Map<string, string> {
  return new Map(Object.entries(entries));
}

/** Every environment of the repository, synthesized in memory, as a rendered tree (what dist/ would hold). */
export function compiledTree(): RenderedTree {
  const entries = new Map<string, string>();
  for (const out of compiledEnvironments()) for (const [file, content] of out.files) entries.set(`${out.environment}/${file}`, content);
  return treeFromFiles(entries);
}

/** A cluster whose only objects are the named ones of one cluster-scoped collection (e.g. `/apis/node.k8s.io/v1/runtimeclasses`). */
export class ClusterWith implements ApiTransport {
  readonly requests: ApiRequest[] = [];
  constructor(
    private readonly collection: string,
    private readonly names: readonly string[],
  ) {}
  async request(req: ApiRequest): Promise<ApiResponse> {
    this.requests.push(req);
    const name = req.path.startsWith(`${this.collection}/`) ? decodeURIComponent(req.path.slice(this.collection.length + 1)) : undefined;
    if (name !== undefined && this.names.includes(name)) return { status: 200, body: { metadata: { name } } };
    return { status: 404, body: { kind: 'Status', message: 'not found' } };
  }
}
