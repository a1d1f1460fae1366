import { beforeAll, describe, expect, it } from 'vitest';
import { SchemaValidator } from '../../lib/tools/schema-validator';
import { environments } from '../../stacks';
import { compileAll } from '../../stacks/compile';
import { allObjects } from '../helpers';
import { declaredSchemaValidator } from '../schemas';


/**
 * The check `kompile validate` grew from: every object of every environment against the Kubernetes
 * 1.28 schema and the real CRD schemas, unknown fields rejected, names and labels as the API server
 * wants them. Kinds whose CRD only a chart brings (trust-manager's Bundle, the ClusterImagePolicy)
 * are held, as by `kompile validate`, to the schemas Kompile writes for them (schemas/crds).
 */
describe('every synthesized object', () => {
  let validator: SchemaValidator;
  beforeAll(() => {
    validator = declaredSchemaValidator();
  });

  for (const output of compileAll(environments)) {
    it(`in ${output.environment} is valid against the Kubernetes 1.28 and CRD schemas`, () => {
      const objects = allObjects(output);
      expect(objects.length).toBeGreaterThan(0);
      const findings = objects.flatMap((o) => validator.validate(o as Record<string, unknown>).map((f) => `${f.object} ${f.path}: ${f.message}`));
      expect(findings).toEqual([]);
    });
  }

  it('would catch an unknown field (the check can fail)', () => {
    const [dev] = compileAll(environments);
    const ns = allObjects(dev).find((o) => o.kind === 'Namespace')!;
    expect(validator.validate({ ...ns, spec: { finalizers: ['kubernetes'], extra: 1 } } as Record<string, unknown>)).toEqual([
      expect.objectContaining({ path: '/spec', message: 'unknown field "extra"' }),
    ]);
  });
});
