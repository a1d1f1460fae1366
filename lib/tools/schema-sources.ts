/**
 * Where the schemas of a repository's custom resources come from, declared once in `cdk8s.yaml`:
 *
 * ```yaml
 * kompile:
 *   schemas:
 *     crds: [../shared/crds]          # CRD files, or folders of them (searched for *.yaml / *.yml)
 *     kubernetes: ../shared/crds/kubernetes/v1.28.0/_definitions.json
 * ```
 *
 * Paths are relative to the folder of `cdk8s.yaml`. `npm run import` (scripts/import-crds.ts) generates
 * `imports/` from `crds`; `kompile validate` checks objects against `crds` and `kubernetes` unless
 * `--crds` / `--kubernetes-schema` say otherwise; the tests and the CI pipelines read the same entry.
 *
 * Not cdk8s.yaml's own `imports` list: `cdk8s import` names its output after the API group, so
 * importing the files one by one (what it does with that list) keeps only the last file of each group,
 * and it cannot take a folder. cdk8s-cli ignores keys it does not know, so `kompile:` is safe there.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';

/** The project file holding the declaration, in the repository root (where cdk8s reads it). */
export const PROJECT_FILE = 'cdk8s.yaml';

/** The Kubernetes definitions inside a CRD folder given with `--crds` alone (cdk8s's own layout). */
const DEFINITIONS_IN_CRDS = 'kubernetes/v1.28.0/_definitions.json';

const localPath = z
  .string()
  .min(1)
  .refine((p) => !/^[a-z][a-z0-9+.-]*:\/\//i.test(p), { message: 'must be a path in or beside the repository, not a URL: download the file and commit it (validate and the tests read schemas offline)' });

const SchemasSchema = z
  .object({
    /** CRD files or folders of them. */
    crds: z.array(localPath).min(1),
    /** The Kubernetes OpenAPI definitions (`_definitions.json` of cdk8s's kubernetes-schemas). */
    kubernetes: localPath,
  })
  .strict();

const ProjectSchema = z.object({ kompile: z.object({ schemas: SchemasSchema }).passthrough() }).passthrough();

/** The declared schema locations, as absolute paths. */
export interface SchemaSources {
  readonly crds: readonly string[];
  readonly kubernetes: string;
}

/**
 * Reads the declaration from `<root>/cdk8s.yaml`.
 * @throws naming the file and the field when the file or the entry is missing or malformed
 */
export function readSchemaSources(root: string): SchemaSources {
  const file = path.join(root, PROJECT_FILE);
  if (!fs.existsSync(file)) throw new Error(`${file} does not exist: it declares where the CRD schemas come from (kompile.schemas)`);
  const parsed = ProjectSchema.safeParse(parse(fs.readFileSync(file, 'utf8')) ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`);
    throw new Error(`${file}: ${issues.join('; ')} (declare kompile.schemas.crds: [<CRD files or folders>] and kompile.schemas.kubernetes: <_definitions.json>)`);
  }
  const { crds, kubernetes } = parsed.data.kompile.schemas;
  return { crds: crds.map((p) => path.resolve(root, p)), kubernetes: path.resolve(root, kubernetes) };
}

/**
 * The schemas `kompile validate` uses, run in `cwd`: `--crds` and `--kubernetes-schema` when given
 * (`--crds` alone keeps its old meaning: the definitions inside that folder), else the declaration.
 */
export function validateSchemaSources(cwd: string, flags: { readonly crds?: string; readonly kubernetesSchema?: string }): SchemaSources {
  if (flags.crds !== undefined) {
    const crds = path.resolve(cwd, flags.crds);
    return { crds: [crds], kubernetes: path.resolve(cwd, flags.kubernetesSchema ?? path.join(crds, DEFINITIONS_IN_CRDS)) };
  }
  const declared = readSchemaSources(cwd);
  return flags.kubernetesSchema === undefined ? declared : { ...declared, kubernetes: path.resolve(cwd, flags.kubernetesSchema) };
}

/** Paths of a declaration that do not exist, for one clear error instead of a schema loader's. */
export function missingSchemaPaths(sources: SchemaSources): string[] {
  return [...sources.crds, sources.kubernetes].filter((p) => !fs.existsSync(p));
}
