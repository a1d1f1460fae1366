import * as path from 'node:path';
import { expect } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { SynthError } from '../lib/core/errors';
import { EnvironmentInput, GitOpsSchema, parseEnvironment } from '../lib/core/config';
import { Platform } from '../lib/core/platform';
import { RegistryPolicy } from '../lib/core/registry-policy';
import { EnvironmentOutput, synthesize } from '../lib/core/synthesize';
import { SchemaValidator } from '../lib/tools/schema-validator';
import { merge } from '../stacks/base';
import { buildEnvironment } from '../stacks/build';
import { compileAll } from '../stacks/compile';
import { dev } from '../stacks/dev';
import { environments } from '../stacks/index';

/** A rendered Kubernetes object as tests read it. */
export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
};

/** An empty environment root for construct tests. */
export function testPlatform(environment = 'test', gitops: Partial<Parameters<typeof GitOpsSchema.parse>[0]> = {}): Platform {
  return new Platform({ environment, gitops: GitOpsSchema.parse({ repoURL: 'https://git.example.com/gitops.git', ...gitops }) });
}

/** Synthesizes a platform built by a test, with an open policy unless one is given. */
export function synthPlatform(platform: Platform, policy = new RegistryPolicy({ allowedRegistries: [], allowedHosts: [] })): EnvironmentOutput {
  return synthesize(platform, policy);
}

/** The dev environment with `overrides` merged in, parsed, built and synthesized in memory. */
export function synthEnvironment(overrides: Record<string, unknown> = {}, baseEnv: EnvironmentInput = dev): EnvironmentOutput {
  const { platform, policy } = buildEnvironment(parseEnvironment(merge(baseEnv, overrides)));
  return synthesize(platform, policy);
}

/*
 * Shared fixtures. Vitest runs the test files of a worker in one module graph (`isolate: false` in
 * vitest.config.ts), so these are computed once per worker, not once per file. They are shared: read
 * them, never change them (parse a file again with objectsIn/allObjects to get objects of your own).
 */
const compiled = new Map<EnvironmentInput, EnvironmentOutput>();

/** An environment of stacks/ (dev by default) compiled as `npm run synth` does, once per worker. */
export function compiledEnvironment(input: EnvironmentInput = dev): EnvironmentOutput {
  let output = compiled.get(input);
  if (!output) compiled.set(input, (output = compileAll([input])[0]));
  return output;
}

/** Every environment of stacks/, compiled once per worker (see {@link compiledEnvironment}). */
export function compiledEnvironments(): EnvironmentOutput[] {
  return environments.map((e) => compiledEnvironment(e));
}

/** The shared CRD schemas (`../shared/crds`) and the Kubernetes 1.28 definitions among them. */
export const SHARED_CRDS = path.resolve(__dirname, '../../shared/crds');
let kubernetes: SchemaValidator | undefined;

/**
 * A schema validator of the Kubernetes 1.28 definitions and every shared CRD, loaded once per worker.
 * Loading and compiling these schemas is the most expensive fixture of the suite; validation itself
 * keeps no state beyond the compiled schemas, so sharing one validator changes no result.
 */
export function kubernetesSchema(): SchemaValidator {
  kubernetes ??= SchemaValidator.load({ kubernetesDefinitions: path.join(SHARED_CRDS, 'kubernetes/v1.28.0/_definitions.json'), crdPaths: [SHARED_CRDS] });
  return kubernetes;
}

/** Every object of one output file. */
export function objectsIn(output: EnvironmentOutput, file: string): K8sObject[] {
  const content = output.files.get(file);
  if (content === undefined) throw new Error(`no file ${file}; files: ${[...output.files.keys()].join(', ')}`);
  return parseAllDocuments(content).map((d) => d.toJS() as K8sObject);
}

/** Every object of every YAML file of an output. */
export function allObjects(output: EnvironmentOutput): K8sObject[] {
  return [...output.files.keys()].filter((f) => f.endsWith('.yaml')).flatMap((f) => objectsIn(output, f));
}

/** The one object of a kind and name (and namespace, if given); throws when absent or ambiguous. */
export function findObject(objects: readonly K8sObject[], kind: string, name: string, namespace?: string): K8sObject {
  const found = objects.filter((o) => o.kind === kind && o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace));
  if (found.length !== 1) throw new Error(`expected one ${kind} '${name}', found ${found.length}`);
  return found[0];
}

/** The issues of a synth that must fail, as `[construct path] message`. */
export function synthIssues(run: () => unknown): string[] {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(SynthError);
    return (e as SynthError).issues.map((i) => `[${i.path}] ${i.message}`);
  }
  throw new Error('expected the synth to fail');
}
