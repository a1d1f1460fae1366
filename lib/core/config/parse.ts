import { z } from 'zod';
import { EnvironmentConfig, EnvironmentSchema } from './environment';

/** One configuration problem: where (a dotted path from the environment's root) and what. */
export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
}

/** Thrown with every problem of an environment's configuration at once. */
export class ConfigError extends Error {
  constructor(
    readonly environment: string,
    readonly issues: readonly ConfigIssue[],
  ) {
    super(`invalid configuration for environment '${environment}':\n${issues.map((i) => `  - ${i.path || '(root)'}: ${i.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function formatPath(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function toIssues(error: z.ZodError): ConfigIssue[] {
  return error.issues.flatMap((issue): ConfigIssue[] => {
    if (issue.code === z.ZodIssueCode.unrecognized_keys) {
      return issue.keys.map((k) => ({ path: formatPath([...issue.path, k]), message: 'unknown field (typo?)' }));
    }
    return [{ path: formatPath(issue.path), message: issue.message }];
  });
}

/**
 * Parses one environment's raw configuration: the only place configuration is validated.
 * Every problem is reported at once, each with its path; nothing is built from a bad config.
 */
export function parseEnvironment(input: unknown): EnvironmentConfig {
  const result = EnvironmentSchema.safeParse(input);
  if (!result.success) {
    const name = typeof input === 'object' && input !== null && typeof (input as { name?: unknown }).name === 'string' ? (input as { name: string }).name : '?';
    throw new ConfigError(name, toIssues(result.error));
  }
  return result.data;
}
