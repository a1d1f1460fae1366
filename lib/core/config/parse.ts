import { z } from 'zod';
import { EnvironmentConfig, EnvironmentSchema } from './environment';
import { layersOf, sourceOf } from './source';
import { editDistance } from '../edit-distance';

/** One configuration problem: where (a dotted path from the environment's root) and what. */
export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
  /** The stack file that wrote the value (`stacks/prod.ts`), when the environment records its files. */
  readonly source?: string;
}

function located(issue: ConfigIssue): string {
  return `${issue.source ? `${issue.source}: ` : ''}${issue.path || '(root)'}: ${issue.message}`;
}

/** Thrown with every problem of an environment's configuration at once. */
export class ConfigError extends Error {
  constructor(
    readonly environment: string,
    readonly issues: readonly ConfigIssue[],
  ) {
    super(`invalid configuration for environment '${environment}':\n${issues.map((i) => `  - ${located(i)}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * The problems of several environments, each reported once: a problem of a file several
 * environments share (the base, an environment another derives from) names all it affects.
 */
export function formatConfigErrors(errors: readonly ConfigError[]): string {
  const groups = new Map<string, { issue: ConfigIssue; environments: string[] }>();
  for (const error of errors) {
    for (const issue of error.issues) {
      // Without a file, a problem is the environment's own.
      const key = JSON.stringify([issue.source ?? `environment ${error.environment}`, issue.path, issue.message]);
      const group = groups.get(key) ?? { issue, environments: [] };
      if (!group.environments.includes(error.environment)) group.environments.push(error.environment);
      groups.set(key, group);
    }
  }
  const lines = [...groups.values()].map(({ issue, environments }) =>
    issue.source ? `  - ${located(issue)} (${environments.length > 1 ? 'environments' : 'environment'} ${environments.join(', ')})` : `  - environment '${environments[0]}': ${located(issue)}`,
  );
  return `invalid configuration:\n${lines.join('\n')}`;
}

function formatPath(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** The object schemas a value at `path` of `schema` may be checked by (wrappers, arrays and records seen through). */
function objectsAt(schema: z.ZodTypeAny, path: readonly (string | number)[]): z.AnyZodObject[] {
  const def = schema._def as { typeName?: z.ZodFirstPartyTypeKind } & Record<string, unknown>;
  switch (def.typeName) {
    case z.ZodFirstPartyTypeKind.ZodDefault:
    case z.ZodFirstPartyTypeKind.ZodOptional:
    case z.ZodFirstPartyTypeKind.ZodNullable:
      return objectsAt(def.innerType as z.ZodTypeAny, path);
    case z.ZodFirstPartyTypeKind.ZodEffects:
      return objectsAt(def.schema as z.ZodTypeAny, path);
    case z.ZodFirstPartyTypeKind.ZodLazy:
      return objectsAt((def.getter as () => z.ZodTypeAny)(), path);
    case z.ZodFirstPartyTypeKind.ZodUnion:
    case z.ZodFirstPartyTypeKind.ZodDiscriminatedUnion:
      return (def.options as z.ZodTypeAny[]).flatMap((o) => objectsAt(o, path));
    case z.ZodFirstPartyTypeKind.ZodIntersection:
      return [...objectsAt(def.left as z.ZodTypeAny, path), ...objectsAt(def.right as z.ZodTypeAny, path)];
  }
  if (path.length === 0) return schema instanceof z.ZodObject ? [schema] : [];
  const [head, ...rest] = path;
  if (schema instanceof z.ZodObject) {
    const field = (schema.shape as Record<string, z.ZodTypeAny>)[String(head)];
    return field ? objectsAt(field, rest) : [];
  }
  if (schema instanceof z.ZodArray) return objectsAt(schema.element as z.ZodTypeAny, rest);
  if (schema instanceof z.ZodRecord) return objectsAt(schema.valueSchema as z.ZodTypeAny, rest);
  return [];
}

export { editDistance };

/**
 * The known field nearest to an unknown one, if near enough to be a typo: at most a third of the
 * longer name changed (and at least one edit allowed); ties go to the first field declared.
 */
export function nearestField(unknown: string, known: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const distance = editDistance(unknown.toLowerCase(), name.toLowerCase());
    if (distance <= Math.max(1, Math.floor(Math.max(unknown.length, name.length) / 3)) && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

function unknownFieldMessage(key: string, at: readonly (string | number)[]): string {
  const known = [...new Set(objectsAt(EnvironmentSchema, at).flatMap((o) => Object.keys(o.shape as object)))];
  const nearest = nearestField(key, known);
  return nearest ? `unknown field — did you mean '${nearest}'?` : `unknown field${known.length > 0 ? ` (known: ${known.join(', ')})` : ''}`;
}

function toIssues(error: z.ZodError, input: unknown): ConfigIssue[] {
  const layers = layersOf(input);
  const source = (path: readonly (string | number)[]) => (layers.length > 0 ? { source: sourceOf(layers, path) } : {});
  return error.issues.flatMap((issue): ConfigIssue[] => {
    if (issue.code === z.ZodIssueCode.unrecognized_keys) {
      return issue.keys.map((k) => ({ path: formatPath([...issue.path, k]), message: unknownFieldMessage(k, issue.path), ...source([...issue.path, k]) }));
    }
    return [{ path: formatPath(issue.path), message: issue.message, ...source(issue.path) }];
  });
}

/**
 * Parses one environment's raw configuration: the only place configuration is validated.
 * Every problem is reported at once, each with its path (and, for an environment a stack file
 * defined, the file that wrote the value); nothing is built from a bad config.
 */
export function parseEnvironment(input: unknown): EnvironmentConfig {
  const result = EnvironmentSchema.safeParse(input);
  if (!result.success) {
    const name = typeof input === 'object' && input !== null && typeof (input as { name?: unknown }).name === 'string' ? (input as { name: string }).name : '?';
    throw new ConfigError(name, toIssues(result.error, input));
  }
  return result.data;
}
