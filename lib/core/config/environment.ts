import { z } from 'zod';
import { COMPONENTS } from '../../components';
import { AnyComponentDefinition, componentsShape } from '../component-definition';
import { ClusterSchema } from './cluster';
import { GitOpsSchema } from './gitops';
import { RegistryPolicySchema } from './registry';

/**
 * Components an environment can switch on, each with its own slice of configuration: derived from
 * the registered components (lib/components.ts). A component's constructs never see another slice.
 */
function makeComponentsSchema() {
  return z.object(componentsShape(COMPONENTS)).strict();
}
let componentsSchemaOnce: ReturnType<typeof makeComponentsSchema> | undefined;
/**
 * Built on first use, not when this module loads: the registry imports the components' constructs,
 * some of which import this folder, so reading it at load time would see it half-loaded.
 */
export function componentsSchema(): ReturnType<typeof makeComponentsSchema> {
  return (componentsSchemaOnce ??= makeComponentsSchema());
}

/** The whole description of one environment: the only input of a synth. */
export const EnvironmentSchema = z
  .object({
    /** Folder name under `dist/` and value of the `kompile.dev/environment` label. */
    name: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, { message: 'must be a DNS-1123 label' }),
    /** `production` turns on the checks a production platform needs (replicas ≥ 2). */
    tier: z.enum(['development', 'production']),
    gitops: GitOpsSchema,
    cluster: ClusterSchema,
    registry: RegistryPolicySchema.default({}),
    components: z.lazy(componentsSchema).default({}),
  })
  .strict()
  .superRefine((env, ctx) => {
    if (env.tier === 'production' && env.cluster.replicas < 2) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['cluster', 'replicas'], message: 'a production environment needs replicas ≥ 2' });
    }
    if (env.cluster.replicas > env.cluster.nodes) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['cluster', 'replicas'],
        message: `replicas (${env.cluster.replicas}) exceed the cluster's ${env.cluster.nodes} node(s); anti-affinity could never place them`,
      });
    }
    if (env.cluster.gpu && env.cluster.gpu.nodes > env.cluster.nodes) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['cluster', 'gpu', 'nodes'], message: `more GPU nodes (${env.cluster.gpu.nodes}) than nodes (${env.cluster.nodes})` });
    }
    // Component rules that need the cluster's facts (GPUs, storage classes, node ports).
    for (const component of COMPONENTS as readonly AnyComponentDefinition[]) {
      const slice = (env.components as Record<string, unknown>)[component.key];
      for (const issue of component.clusterIssues?.(slice, env.cluster) ?? []) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['components', component.key, ...issue.path], message: issue.message });
      }
    }
    const { mirror, allowedRegistries } = env.registry;
    if (mirror && allowedRegistries.length > 0 && !allowedRegistries.includes(mirror)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['registry', 'allowedRegistries'], message: `must include the mirror '${mirror}' that every image is relocated to` });
    }
    if (env.registry.allowedHosts.length > 0) {
      const gitHost = hostOf(env.gitops.repoURL);
      if (gitHost && !env.registry.allowedHosts.includes(gitHost)) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['gitops', 'repoURL'], message: `host '${gitHost}' is not in registry.allowedHosts; Argo CD could not reach it` });
      }
      for (const [from, to] of Object.entries(env.gitops.sourceMirrors)) {
        const h = hostOf(to);
        if (h && !env.registry.allowedHosts.includes(h)) {
          ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['gitops', 'sourceMirrors', from], message: `mirror host '${h}' is not in registry.allowedHosts` });
        }
      }
    }
  });

/** Host of a URL, or of an OCI reference without scheme (`ghcr.io/org/charts`). */
export function hostOf(url: string): string | undefined {
  const m = /^(?:[a-z][a-z0-9+.-]*:\/\/)?(?:[^@/]+@)?([^/:?#]+(?::\d+)?)/i.exec(url);
  return m?.[1]?.toLowerCase();
}

/** What a stack file writes: defaults may be left out. */
export type EnvironmentInput = z.input<typeof EnvironmentSchema>;
/** What constructs receive: parsed, defaults filled, cross-field rules checked. */
export type EnvironmentConfig = z.infer<typeof EnvironmentSchema>;
