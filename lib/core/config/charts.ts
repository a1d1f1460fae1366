import { z } from 'zod';
import { dnsLabel } from './cluster';

/** An image the chart runs and the value that sets it, so that it is relocated, locked and listed. */
const ChartImageSchema = z
  .object({
    /** The upstream reference, e.g. `ghcr.io/acme/app:1.2.3`. */
    image: z.string().regex(/^[a-zA-Z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)+(:[\w][\w.-]{0,127})?(@sha256:[a-f0-9]{64})?$/, { message: 'must be a fully qualified image reference such as ghcr.io/acme/app:1.2.3' }),
    /** Dotted path of the value, e.g. `image` or `controller.image`. */
    value: z.string().regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, { message: 'must be a dotted value path such as controller.image' }),
    /** The chart spells the image as a map of parts (keys under `value`) instead of one string. @default - one string */
    split: z
      .object({ repository: z.string().min(1).default('repository'), tag: z.string().min(1).default('tag'), registry: z.string().min(1).optional() })
      .strict()
      .optional(),
  })
  .strict();

/**
 * An upstream chart an environment installs by configuration alone (one a team adds without writing
 * a construct): any chart of the lock, with its values, in a namespace Kompile declares. It is an
 * Application like every upstream chart: referenced, or hydrated into `dist/<env>/<name>/` with
 * `gitops.chartsMode: hydrated`.
 */
export const ChartComponentSchema = z
  .object({
    /** Component name (its Application, and folder when hydrated) and Helm release name. */
    name: dnsLabel,
    /** The chart's name in charts.lock.json. */
    chart: dnsLabel,
    /** Release namespace; Kompile declares it (Pod Security labels, default-deny NetworkPolicy). */
    namespace: dnsLabel,
    /** Helm values (images go in `images`). */
    values: z.record(z.unknown()).default({}),
    /**
     * Every image the chart runs, with the value that sets it: relocated, locked and listed. Where the
     * chart is vendored, an image it runs that no entry names fails the synth.
     */
    images: z.array(ChartImageSchema).default([]),
    /** Hydrate this chart even where the environment references charts (it must be vendored). @default - gitops.chartsMode */
    hydrate: z.boolean().optional(),
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

export const ChartComponentsSchema = z.array(ChartComponentSchema).superRefine((charts, ctx) => {
  const seen = new Set<string>();
  charts.forEach((c, i) => {
    if (seen.has(c.name)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [i, 'name'], message: `duplicate chart component name '${c.name}'` });
    seen.add(c.name);
  });
});

export type ChartComponentConfig = z.infer<typeof ChartComponentSchema>;
