import { z } from 'zod';
import { dnsLabel } from './cluster';

/** A Helm chart kept in the repository (`kompile vendor`) and rendered to plain YAML at synth time. */
export const VendoredChartSchema = z
  .object({
    /** Component name (its folder under `dist/<env>/`) and Helm release name. */
    name: dnsLabel,
    /** Chart folder, relative to the repository root, e.g. `charts/redis`. */
    chart: z.string().min(1).refine((p) => !p.startsWith('/') && !p.split('/').includes('..'), { message: 'must be a path inside the repository, e.g. charts/redis' }),
    /** Release namespace; Kompile declares it (Pod Security labels, default-deny NetworkPolicy). */
    namespace: dnsLabel,
    /** Helm values. Images the chart runs are relocated after rendering like any other. */
    values: z.record(z.unknown()).default({}),
    /** API versions the chart may test for with `.Capabilities.APIVersions.Has`. */
    apiVersions: z.array(z.string().min(1)).default([]),
    /** Pod Security level of the namespace. */
    podSecurity: z.enum(['restricted', 'baseline', 'privileged']).default('restricted'),
    /** Why the chart's pods cannot run under `restricted`; required for any other level. */
    podSecurityReason: z.string().min(1).optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.podSecurity !== 'restricted' && !c.podSecurityReason) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['podSecurityReason'], message: `podSecurity '${c.podSecurity}' needs a reason` });
    }
  });

export const VendoredChartsSchema = z
  .object({
    charts: z.array(VendoredChartSchema).default([]),
  })
  .strict()
  .superRefine((v, ctx) => {
    const seen = new Set<string>();
    v.charts.forEach((c, i) => {
      if (seen.has(c.name)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['charts', i, 'name'], message: `duplicate vendored chart name '${c.name}'` });
      seen.add(c.name);
    });
  });

export type VendoredChartConfig = z.infer<typeof VendoredChartSchema>;
export type VendoredChartsConfig = z.infer<typeof VendoredChartsSchema>;
