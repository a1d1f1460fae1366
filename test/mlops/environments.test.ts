import { describe, expect, it } from 'vitest';
import { podSecurityViolations, violationsAt } from '../../lib/checks/pod-security';
import { parseEnvironment } from '../../lib/core/config';
import { environments } from '../../stacks';
import { buildEnvironment } from '../../stacks/build';
import { synthesize } from '../../lib/core/synthesize';
import { K8sObject, objectsIn } from '../helpers';
import { list, maybe } from './support';
import { declaredSchemaValidator } from '../schemas';

const COMPONENTS = ['mlops-storage', 'mlops-training', 'mlops-experiments', 'mlops-serving', 'chatbot'];

const outputs = environments.map((input) => {
  const { platform, policy } = buildEnvironment(parseEnvironment(input));
  return synthesize(platform, policy);
});

/** The objects of the MLOps and chatbot components an environment runs (the demo's specifics: test/platform/demo.test.ts). */
function workloadObjects(env: string): K8sObject[] {
  const out = outputs.find((o) => o.environment === env)!;
  return COMPONENTS.filter((c) => out.files.has(`${c}/manifests.yaml`)).flatMap((c) => objectsIn(out, `${c}/manifests.yaml`));
}

/**
 * What Pod Security "restricted" refuses in a workload's pod template (the rule the synth and
 * validate run, lib/checks/pod-security.ts), plus the requests and limits every container needs.
 */
function restrictedProblems(o: K8sObject): string[] {
  const template = maybe(o, 'spec.template') as Record<string, unknown> | undefined;
  if (!template) return [];
  const spec = (template.spec ?? {}) as Record<string, unknown>;
  const annotations = ((template.metadata as Record<string, unknown> | undefined)?.annotations ?? {}) as Record<string, unknown>;
  const problems = violationsAt('restricted', podSecurityViolations({ spec, annotations })).map((v) => v.message);
  for (const c of list(o, 'spec.template.spec.containers')) {
    const res = c.resources as { requests?: Record<string, string>; limits?: Record<string, string> } | undefined;
    for (const k of ['cpu', 'memory']) {
      if (!res?.requests?.[k] || !res?.limits?.[k]) problems.push(`${String(c.name)}: ${k} request and limit`);
    }
  }
  return problems;
}

/** Every registered environment: its MLOps and chatbot workloads, whichever of them it runs. */
describe.each(outputs.map((o) => o.environment))('environment %s', (env) => {
  const objects = workloadObjects(env);

  it('passes the Kubernetes 1.28 schema with unknown fields rejected', () => {
    const validator = declaredSchemaValidator();
    const findings = objects.flatMap((o) => validator.validate(o));
    expect(findings).toEqual([]);
  });

  it('runs every workload admissible under Pod Security "restricted"', () => {
    const problems = objects.flatMap((o) => restrictedProblems(o).map((p) => `${o.kind}/${o.metadata.name}: ${p}`));
    expect(problems).toEqual([]);
  });

  it('writes no Secret', () => {
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
  });
});
