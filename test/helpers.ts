import { expect } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { SynthError } from '../lib/core/errors';
import { RESERVED_FOLDERS } from '../lib/core/extra-files';
import { EnvironmentInput, GitOpsSchema, parseEnvironment } from '../lib/core/config';
import { ApiObject } from 'cdk8s';
import { INITIAL_NAMESPACES } from '../lib/checks/environment-objects';
import { OutputChart } from '../lib/core/output-chart';
import { Platform } from '../lib/core/platform';
import { RegistryPolicy } from '../lib/core/registry-policy';
import { EnvironmentOutput, synthesize } from '../lib/core/synthesize';
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

/**
 * Adds a Namespace object (in `test/namespaces.yaml`, outside any component) for every namespace the
 * platform's objects and Applications use that it does not create: a test platform stands for a whole
 * environment, and the synth refuses a namespace nothing in the environment creates (the Applications
 * sync with CreateNamespace=false; lib/checks/environment-objects.ts).
 */
export function withCreatedNamespaces(platform: Platform): Platform {
  const objects = platform.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject).flatMap((o) => {
    try {
      return [o.toJson() as K8sObject];
    } catch {
      return []; // the synth reports it
    }
  });
  const created = new Set(objects.filter((o) => o.apiVersion === 'v1' && o.kind === 'Namespace').map((o) => o.metadata.name));
  const exempt = new Set([...INITIAL_NAMESPACES, platform.gitops.argocdNamespace]);
  const used = new Set<string>();
  for (const o of objects) {
    if (o.metadata.namespace) used.add(o.metadata.namespace);
    const destination = (o.spec as { destination?: { namespace?: unknown } } | undefined)?.destination?.namespace;
    if (o.kind === 'Application' && typeof destination === 'string') used.add(destination);
  }
  const missing = [...used].filter((ns) => !created.has(ns) && !exempt.has(ns)).sort();
  if (missing.length > 0) {
    const chart = new OutputChart(platform, 'TestNamespaces', 'test/namespaces.yaml');
    for (const name of missing) new ApiObject(chart, name, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
  return platform;
}

/**
 * Synthesizes a platform built by a test, with an open policy unless one is given, creating the
 * namespaces it uses ({@link withCreatedNamespaces}).
 */
export function synthPlatform(platform: Platform, policy = new RegistryPolicy({ allowedRegistries: [], allowedHosts: [] })): EnvironmentOutput {
  return synthesize(withCreatedNamespaces(platform), policy);
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

/** Every object of one output file. */
export function objectsIn(output: EnvironmentOutput, file: string): K8sObject[] {
  const content = output.files.get(file);
  if (content === undefined) throw new Error(`no file ${file}; files: ${[...output.files.keys()].join(', ')}`);
  return parseAllDocuments(content).map((d) => d.toJS() as K8sObject);
}

/** Every object of every YAML file of an output. */
export function allObjects(output: EnvironmentOutput): K8sObject[] {
  return [...output.files.keys()].filter((f) => f.endsWith('.yaml') && !RESERVED_FOLDERS.has(f.split('/')[0])).flatMap((f) => objectsIn(output, f));
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
