import { expect } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { SynthError } from '../lib/core/errors';
import { RESERVED_FOLDERS } from '../lib/core/extra-files';
import { EnvironmentInput, GitOpsSchema, parseEnvironment } from '../lib/core/config';
import { Platform } from '../lib/core/platform';
import { RegistryPolicy } from '../lib/core/registry-policy';
import { EnvironmentOutput, synthesize } from '../lib/core/synthesize';
import { merge } from '../stacks/base';
import { buildEnvironment } from '../stacks/build';
import { dev } from '../stacks/dev';

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
