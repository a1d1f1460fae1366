import { describe, expect, it } from 'vitest';
import { ingressHealthFindings } from '../../lib/checks/ingress-health';
import { ManifestLike } from '../../lib/checks/objects';
import { environments } from '../../stacks';
import { parseEnvironment } from '../../lib/core/config';
import { allObjects, synthEnvironment, synthIssues } from '../helpers';

const WAVE = 'argocd.argoproj.io/sync-wave';

function app(component: string, wave: number): ManifestLike {
  return { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: component, namespace: 'argocd', labels: { 'kompile.dev/component': component }, annotations: { [WAVE]: String(wave) } } };
}

function ingress(component: string | undefined, apiVersion = 'networking.k8s.io/v1'): ManifestLike {
  return { apiVersion, kind: 'Ingress', metadata: { name: 'web', namespace: 'web', ...(component ? { labels: { 'kompile.dev/component': component } } : {}) }, spec: {} };
}

describe('ingressHealthFindings', () => {
  it('reports an Ingress whose Application has a later-wave Application, naming the Ingress, its Application and the first one held back', () => {
    const objects = [app('late', 3), app('web', 1), app('next', 2), app('other', 2), ingress('web')];
    const findings = ingressHealthFindings(objects, false);
    expect(findings).toHaveLength(1);
    // The first later Application: the lowest later wave, then the name ('next' before 'other').
    expect(findings[0]).toMatchObject({ index: 4, heldBackIndex: 2 });
    expect(findings[0].message).toContain("Ingress 'web' (Application 'web', wave 1) stays Progressing");
    expect(findings[0].message).toContain("so wave 2 (Application 'next') never starts");
    expect(findings[0].message).toContain('cluster.ingress.publishesStatus is false');
  });

  it('passes an Ingress in the last wave, or in the same wave as every other Application', () => {
    expect(ingressHealthFindings([app('db', 0), app('web', 2), ingress('web')], false)).toEqual([]);
    expect(ingressHealthFindings([app('db', 2), app('web', 2), ingress('web')], false)).toEqual([]);
  });

  it('finds nothing where the controller publishes status', () => {
    expect(ingressHealthFindings([app('web', 0), app('next', 1), ingress('web')], true)).toEqual([]);
  });

  it('judges the older extensions group too, and nothing that is not an Ingress', () => {
    expect(ingressHealthFindings([app('web', 0), app('next', 1), ingress('web', 'extensions/v1beta1')], false)).toHaveLength(1);
    const other = { ...ingress('web'), apiVersion: 'example.com/v1' };
    expect(ingressHealthFindings([app('web', 0), app('next', 1), other], false)).toEqual([]);
  });

  it('ignores the root Application (no component label) as a later wave', () => {
    const root: ManifestLike = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'root', annotations: { [WAVE]: '9' } } };
    expect(ingressHealthFindings([root, app('web', 0), ingress('web')], false)).toEqual([]);
  });

  it('places an Ingress without the component label through componentOf, and skips it without one', () => {
    const objects = [app('chart', 0), app('next', 1), ingress(undefined)];
    expect(ingressHealthFindings(objects, false)).toEqual([]);
    const findings = ingressHealthFindings(objects, false, (i) => (i === 2 ? 'chart' : undefined));
    expect(findings).toHaveLength(1);
    expect(findings[0].message).toContain("Application 'chart', wave 0");
  });
});

describe('ingress-health in the synth', () => {
  it("refuses dev's chatbot Ingress where the controller does not publish status, naming the Application it holds back", () => {
    const issues = synthIssues(() => synthEnvironment({ cluster: { ingress: { publishesStatus: false } } }));
    // The chatbot's Ingress, and Jenkins' (component jenkins-ingress).
    const ingressIssues = issues.filter((i) => i.includes('stays Progressing'));
    expect(ingressIssues).toHaveLength(2);
    expect(ingressIssues[0]).toMatch(/^\[Chatbot\/.*\] Ingress 'chatbot' \(Application 'chatbot', wave \d+\) stays Progressing: .* so wave \d+ \(Application '[a-z-]+'\) never starts; .*\[.+\]$/);
  });

  it('passes every environment with its facts, and each states that its ingress-nginx publishes status', () => {
    for (const input of environments) {
      const config = parseEnvironment(input);
      expect(config.cluster.ingress.publishesStatus, config.name).toBe(true);
    }
    // The fact is what lets dev pass: its output, judged as if the controller did not publish, fails.
    const objects = allObjects(synthEnvironment()) as unknown as ManifestLike[];
    expect(ingressHealthFindings(objects, false).map((f) => objects[f.index].metadata.name)).toEqual(['chatbot', 'jenkins']);
  });
});
