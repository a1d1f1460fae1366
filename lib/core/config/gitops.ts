import { z } from 'zod';

/** An OCI mirror base as Argo CD takes it: a registry host (with port) and an optional path, no scheme. */
const OCI_BASE = /^[a-zA-Z0-9.-]+(?::\d+)?(?:\/[a-z0-9._-]+)*$/;

export const GitOpsSchema = z
  .object({
    /** The Git repository Argo CD syncs `dist/` from. */
    repoURL: z.string().url(),
    /** Branch, tag or commit Argo CD follows. */
    targetRevision: z.string().min(1).default('main'),
    /** Folder of the synthesized output inside that repository. */
    path: z
      .string()
      .regex(/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/, { message: 'must be a relative path without leading or trailing /' })
      .default('dist'),
    /** Namespace Argo CD runs in. */
    argocdNamespace: z.string().min(1).default('argocd'),
    /** The AppProject every Application of this environment belongs to. */
    project: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/)
      .optional(),
    /**
     * Upstream source URL → mirror URL, for Git repositories, Helm repositories and OCI registries of
     * charts. Airgapped environments mirror every source they use.
     */
    sourceMirrors: z.record(z.string().min(1), z.string().min(1)).default({}),
    /**
     * One mirror base per kind of chart source, from which every chart's mirror is derived
     * ({@link chartMirrorURL}); an entry of `sourceMirrors` overrides it for one URL. A source of a
     * kind without a base and without an entry is used as it is.
     * @default - none
     */
    chartMirrors: z
      .object({
        /** Helm repositories: `https://charts.jetstack.io` is served at `<helm>/charts.jetstack.io`. */
        helm: z.string().url().regex(/^https?:\/\//, { message: 'must be an http(s) URL' }).optional(),
        /** OCI registries, without `oci://` as Argo CD takes them: `ghcr.io/kserve/charts` is at `<oci>/kserve/charts`. */
        oci: z.string().regex(OCI_BASE, { message: 'must be a registry and path without a scheme, such as registry.local:5000/charts' }).optional(),
        /** Git repositories: `https://github.com/org/repo.git` is mirrored at `<git>/org/repo.git`. */
        git: z.string().url().regex(/^https?:\/\//, { message: 'must be an http(s) URL' }).optional(),
      })
      .strict()
      .default({}),
    /**
     * How upstream charts reach Argo CD. `referenced`: Helm-source Applications (Argo CD renders the
     * chart; Kompile checks the objects whenever the chart is vendored under charts/). `hydrated`:
     * Kompile renders every chart with helm at synth time and writes its objects to
     * `dist/<env>/<component>/`, synced as a plain folder: no chart repository needed, every object in
     * the pull request. Hydrated needs every chart vendored (`kompile charts pull`).
     */
    chartsMode: z.enum(['referenced', 'hydrated']).default('referenced'),
  })
  .strict();

export type GitOpsConfig = z.infer<typeof GitOpsSchema>;

/** The kinds of chart source a mirror base is given for. */
export type ChartSourceKind = keyof GitOpsConfig['chartMirrors'];

/** What a chart's source kind is called in messages. */
export const CHART_SOURCE_KIND_NAMES: Readonly<Record<ChartSourceKind, string>> = { helm: 'Helm repository', oci: 'OCI registry', git: 'Git repository' };

/**
 * Where an environment mirrors one chart source: its `sourceMirrors` entry, else the URL derived
 * from the `chartMirrors` base of its kind, else undefined (the source is used as it is).
 * - Helm repository: `<helm>/<host>[/<path>]` (a Helm repository is often a bare host);
 * - OCI registry: `<oci>/<path>`, the repository path kept as image relocation keeps it;
 * - Git repository: `<git>/<path>`, the upstream path kept as a Git server's mirror group keeps it.
 */
export function chartMirrorURL(gitops: Pick<GitOpsConfig, 'sourceMirrors' | 'chartMirrors'>, kind: ChartSourceKind, url: string): string | undefined {
  const explicit = gitops.sourceMirrors[url];
  if (explicit !== undefined) return explicit;
  const base = gitops.chartMirrors[kind]?.replace(/\/+$/, '');
  if (base === undefined) return undefined;
  if (kind === 'oci') {
    const path = url.replace(/^oci:\/\//, '').split('/').slice(1).join('/');
    return path === '' ? base : `${base}/${path}`;
  }
  const parsed = new URL(url);
  const path = parsed.pathname.replace(/^\/+|\/+$/g, '');
  const rest = kind === 'helm' ? [parsed.host, path] : [path];
  return [base, ...rest.filter((p) => p !== '')].join('/');
}
