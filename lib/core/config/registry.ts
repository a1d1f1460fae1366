import { z } from 'zod';

/** `host[:port]` of an image registry, e.g. `registry.airgap.internal:35000`. */
export const registryHost = z
  .string()
  .regex(/^(localhost|[a-zA-Z0-9-]+(\.[a-zA-Z0-9-]+)*)(:\d{1,5})?$/, { message: 'must be a registry host such as registry.local:5000' });

export const RegistryPolicySchema = z
  .object({
    /**
     * Registry every image is relocated to at compile time. The repository path is kept:
     * `ghcr.io/stacklok/toolhive/operator:v0.44.0` becomes `<mirror>/stacklok/toolhive/operator:v0.44.0`.
     */
    mirror: registryHost.optional(),
    /**
     * Registries images may come from after relocation. Empty means any registry; with a mirror it must
     * contain the mirror.
     */
    allowedRegistries: z.array(registryHost).default([]),
    /**
     * Hosts outside the cluster that URLs in the output may name (Git servers, chart repositories,
     * object stores). Empty means any host.
     */
    allowedHosts: z.array(z.string().min(1)).default([]),
  })
  .strict();

export type RegistryPolicyConfig = z.infer<typeof RegistryPolicySchema>;
