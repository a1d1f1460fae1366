import { describe, expect, it } from 'vitest';
import { podSecurityViolations, violationsAt } from '../../lib/checks/pod-security';
import { parseEnvironment } from '../../lib/core/config';
import { environments } from '../../stacks';
import { buildEnvironment } from '../../stacks/build';
import { synthesize } from '../../lib/core/synthesize';
import { K8sObject, objectsIn } from '../helpers';
import { at, list, maybe } from './support';
import { declaredSchemaValidator } from '../schemas';

const COMPONENTS = ['mlops-storage', 'mlops-training', 'mlops-experiments', 'mlops-serving', 'chatbot'];

const outputs = environments.map((input) => {
  const { platform, policy } = buildEnvironment(parseEnvironment(input));
  return synthesize(platform, policy);
});

function workloadObjects(env: string): K8sObject[] {
  const out = outputs.find((o) => o.environment === env)!;
  return COMPONENTS.flatMap((c) => objectsIn(out, `${c}/manifests.yaml`));
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

describe.each(['dev', 'prod', 'airgap'])('environment %s', (env) => {
  const objects = workloadObjects(env);

  it('has every MLOps and chatbot component', () => {
    const out = outputs.find((o) => o.environment === env)!;
    for (const c of COMPONENTS) expect(out.files.has(`apps/${c}.yaml`)).toBe(true);
  });

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

describe('airgap', () => {
  it('pulls every workload image from the mirror', () => {
    const images = workloadObjects('airgap').flatMap((o) => {
      const pod = maybe(o, 'spec.template.spec');
      return pod ? list(pod, 'containers').map((c) => String(c.image)) : [];
    });
    expect(images.length).toBeGreaterThan(0);
    // Third-party images come from the site's mirror; the images the platform's CI builds stay in
    // the platform registry inside the site, where CI pushes them.
    for (const image of images) expect(image).toMatch(/^(registry\.airgap\.internal:35000|registry\.local:30500)\//);
    expect(images).toContain('registry.airgap.internal:35000/mlflow/mlflow:v2.22.0');
    expect(images).toContain('registry.airgap.internal:35000/chromadb/chroma:1.0.20');
  });

  it('lists the workload images to mirror', () => {
    const out = outputs.find((o) => o.environment === 'airgap')!;
    expect(out.images.get('ghcr.io/mlflow/mlflow:v2.22.0')).toBe('registry.airgap.internal:35000/mlflow/mlflow:v2.22.0');
    expect(out.images.get('registry.local:30500/chatbot/backend:1.0.0')).toBe('registry.local:30500/chatbot/backend:1.0.0');
  });

  it('keeps the in-cluster tracking URI', () => {
    const job = workloadObjects('airgap').find((o) => o.kind === 'Job')!;
    const env = list(list(job, 'spec.template.spec.containers')[0], 'env');
    expect(env).toContainEqual({ name: 'MLFLOW_TRACKING_URI', value: 'http://mlflow.mlops-training.svc.cluster.local:5000' });
    expect(at(job, 'metadata.namespace')).toBe('mlops-training');
  });
});
