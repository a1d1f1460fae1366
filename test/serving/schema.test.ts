import { describe, expect, it } from 'vitest';
import { airgap } from '../../stacks/airgap';
import { dev } from '../../stacks/dev';
import { prod } from '../../stacks/prod';
import { allObjects, compiledEnvironment } from '../helpers';
import { declaredSchemaValidator } from '../schemas';

/** Components of the serving stack, by their `kompile.dev/component` label. */
const SERVING = new Set(['cert-manager', 'istio-base', 'istiod', 'istio-ingressgateway', 'knative-operator', 'knative-serving', 'kserve-crd', 'kserve', 'serving-security', 'models', 'namespaces']);

describe('serving objects against the Kubernetes 1.28 and CRD schemas', () => {
  const validator = declaredSchemaValidator();

  it.each([
    ['dev', dev],
    ['prod', prod],
    ['airgap', airgap],
  ])('%s: every object validates, unknown fields rejected', (_name, env) => {
    const objects = allObjects(compiledEnvironment(env)).filter((o) => SERVING.has(o.metadata.labels?.['kompile.dev/component'] ?? '') || o.kind === 'AppProject');
    expect(objects.length).toBeGreaterThan(20);
    expect(objects.flatMap((o) => validator.validate(o))).toEqual([]);
  }, 60_000);
});
