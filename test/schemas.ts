import * as fs from 'node:fs';
import * as path from 'node:path';
import { readSchemaSources } from '../lib/tools/schema-sources';
import { SchemaValidator } from '../lib/tools/schema-validator';

/**
 * The schemas this repository declares in cdk8s.yaml (`kompile.schemas`): every test that checks
 * objects against the Kubernetes or CRD schemas finds them here, the way `kompile validate` and
 * `npm run import` do. Kept apart from helpers.ts so schema tests load no stacks.
 */
export const SCHEMAS = readSchemaSources(path.join(__dirname, '..'));

let validator: SchemaValidator | undefined;

/**
 * A validator over the declared schemas, loaded once per test worker. Loading and compiling these
 * schemas is the most expensive fixture of the suite; validation keeps no state beyond the compiled
 * schemas, so sharing one validator changes no result.
 */
export function declaredSchemaValidator(): SchemaValidator {
  validator ??= SchemaValidator.load({ kubernetesDefinitions: SCHEMAS.kubernetes, crdPaths: SCHEMAS.crds });
  return validator;
}

/** A file inside one of the declared CRD folders, e.g. `argocd/application-crd.yaml`. */
export function declaredCrdFile(relative: string): string {
  const found = SCHEMAS.crds.map((dir) => path.join(dir, relative)).find((f) => fs.existsSync(f));
  if (!found) throw new Error(`no ${relative} under the declared CRD paths ${SCHEMAS.crds.join(', ')} (cdk8s.yaml kompile.schemas.crds)`);
  return found;
}
