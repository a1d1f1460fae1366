import { z } from 'zod';
import { COMPONENTS } from '../../components';
import { AnyComponentDefinition, componentsShape } from '../component-definition';
import { ClusterSchema } from './cluster';
import { GitOpsSchema } from './gitops';
import { AuthSchema } from './auth';
import { admissionEnabled } from './ci';
import { RegistryPolicySchema } from './registry';
import { hostOf } from './host';

/**
 * Components an environment can switch on, each with its own slice of configuration: derived from
 * the registered components (lib/components.ts). A component reads another's slice only where it serves it (`ComponentContext.peers`).
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
    /** Authentication at the platform's edge (the site's OIDC issuer). */
    auth: AuthSchema.default({}),
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
    if (admissionEnabled(env.components.ci, env.tier) && env.components.ci.signing.publicKey === undefined) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['components', 'ci', 'signing', 'publicKey'],
        message: `admission verifies signatures${env.components.ci.signing.admission.enabled === undefined ? ' in a production tier' : ''}: set the public key CI signs with (cosign.pub), or signing.admission.enabled: false`,
      });
    }
    // Authentication at the edge: what the gateway exposes needs the site's OIDC issuer, which istiod must reach.
    const { serving, mlops, chatbot } = env.components;
    const exposed = [
      ...(serving.enabled && serving.models.some((m) => m.expose) ? ['components.serving.models (exposed through the gateway)'] : []),
      ...(mlops.enabled && mlops.serving?.route && serving.enabled ? ['components.mlops.serving.route'] : []),
      ...(chatbot.enabled ? ['components.chatbot (its /api)'] : []),
    ];
    if (exposed.length > 0 && !env.auth.oidc) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['auth', 'oidc'], message: `required: ${exposed.join(', ')} accept only requests with a JWT of the site's OIDC issuer` });
    }
    if (chatbot.enabled && serving.enabled && !serving.istioCni) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['components', 'serving', 'istioCni'], message: "the chatbot's back end joins the mesh for its /api authentication; without the CNI node agent its sidecar needs the privileged istio-init container, which its 'restricted' namespace refuses" });
    }
    if (chatbot.enabled && !serving.enabled) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['components', 'chatbot', 'enabled'], message: "the chatbot's /api is authenticated by Istio (its back end joins the mesh), which components.serving installs; enable serving" });
    }
    if (env.auth.oidc && env.registry.allowedHosts.length > 0) {
      const h = hostOf(env.auth.oidc.jwksUri);
      if (h && !env.registry.allowedHosts.includes(h)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['auth', 'oidc', 'jwksUri'], message: `host '${h}' is not in registry.allowedHosts; istiod could not fetch the keys` });
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
      for (const [kind, base] of Object.entries(env.gitops.chartMirrors)) {
        const h = base === undefined ? undefined : hostOf(base);
        if (h && !env.registry.allowedHosts.includes(h)) {
          ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['gitops', 'chartMirrors', kind], message: `mirror host '${h}' is not in registry.allowedHosts` });
        }
      }
      for (const [from, to] of Object.entries(env.gitops.sourceMirrors)) {
        const h = hostOf(to);
        if (h && !env.registry.allowedHosts.includes(h)) {
          ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['gitops', 'sourceMirrors', from], message: `mirror host '${h}' is not in registry.allowedHosts` });
        }
      }
      // Behind an air gap, no NetworkPolicy reaches "anywhere outside the cluster": each egress
      // purpose a component uses names the site's addresses (cluster.network.egress).
      const { ci, serving } = env.components;
      const used: [keyof typeof env.cluster.network.egress, boolean, string][] = [
        ['git', ci.enabled, 'Jenkins and its build pods reach the Git server'],
        ['registries', ci.enabled || (serving.enabled && serving.knative.enabled), 'build pods pull base images and Knative resolves tags at the registry mirror'],
        ['updateCenter', ci.enabled && ci.jenkins.plugins.length > 0, 'Jenkins downloads ci.jenkins.plugins from the update center'],
        ['modelStorage', serving.enabled && serving.storage.allowedSchemes.some((scheme) => scheme !== 'pvc'), 'storage initializers download models (serving.storage.allowedSchemes)'],
      ];
      for (const [purpose, inUse, why] of used) {
        if (inUse && !env.cluster.network.egress[purpose]) {
          ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['cluster', 'network', 'egress', purpose], message: `${why}: behind the air gap (registry.allowedHosts) state its addresses, or the NetworkPolicy would allow anywhere outside the cluster` });
        }
      }
    }
  });


/** What a stack file writes: defaults may be left out. */
export type EnvironmentInput = z.input<typeof EnvironmentSchema>;
/** What constructs receive: parsed, defaults filled, cross-field rules checked. */
export type EnvironmentConfig = z.infer<typeof EnvironmentSchema>;
