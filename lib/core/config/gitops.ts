import { z } from 'zod';

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
