import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_GROUPS, isBuiltIn } from '../../lib/core/kinds';
import { SCHEMAS } from '../schemas';

const DEFINITIONS = SCHEMAS.kubernetes;

describe('BUILT_IN_GROUPS', () => {
  it("is exactly the groups of the kinds in Kubernetes 1.28's OpenAPI definitions", () => {
    const doc = JSON.parse(fs.readFileSync(DEFINITIONS, 'utf8')) as { definitions?: Record<string, { 'x-kubernetes-group-version-kind'?: { group: string }[] }> };
    const groups = new Set<string>();
    for (const d of Object.values(doc.definitions ?? doc)) for (const gvk of (d as { 'x-kubernetes-group-version-kind'?: { group: string }[] })['x-kubernetes-group-version-kind'] ?? []) groups.add(gvk.group);
    expect([...BUILT_IN_GROUPS].sort()).toEqual([...groups].sort());
  });

  it('tells built-in kinds from custom resources', () => {
    expect(isBuiltIn('v1')).toBe(true);
    expect(isBuiltIn('apps/v1')).toBe(true);
    expect(isBuiltIn('networking.k8s.io/v1')).toBe(true);
    expect(isBuiltIn('cert-manager.io/v1')).toBe(false);
    expect(isBuiltIn('serving.kserve.io/v1beta1')).toBe(false);
    // A *.k8s.io group is not built in by its name alone: the Gateway API is CRDs.
    expect(isBuiltIn('gateway.networking.k8s.io/v1')).toBe(false);
  });
});
