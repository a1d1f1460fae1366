import { describe, expect, it } from 'vitest';
import { hookFindings } from '../../lib/checks/argocd-hooks';
import { ManifestLike } from '../../lib/checks/objects';
import { allObjects, synthEnvironment } from '../helpers';

function job(annotations: Record<string, string>, named = true): ManifestLike {
  return { apiVersion: 'batch/v1', kind: 'Job', metadata: { ...(named ? { name: 'migrate' } : { name: '', generateName: 'migrate-' }), namespace: 'apps', annotations } };
}
const found = (o: ManifestLike) => hookFindings([o]).map((f) => `${f.severity} ${f.pointer}: ${f.message}`);

describe('Argo CD hooks', () => {
  it('accepts hooks that run on every sync: generateName, or BeforeHookCreation, or deleted whatever the result', () => {
    expect(found(job({ 'argocd.argoproj.io/hook': 'PreSync' }, false))).toEqual([]);
    expect(found(job({ 'argocd.argoproj.io/hook': 'Sync', 'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation' }))).toEqual([]);
    expect(found(job({ 'argocd.argoproj.io/hook': 'PostSync', 'argocd.argoproj.io/hook-delete-policy': 'HookSucceeded,HookFailed' }))).toEqual([]);
    expect(found(job({ 'argocd.argoproj.io/hook': 'Skip' }))).toEqual([]);
  });

  it('warns that a named hook left in place runs only once', () => {
    expect(found(job({ 'argocd.argoproj.io/hook': 'PreSync' }))).toEqual([
      'warning /metadata/annotations/argocd.argoproj.io~1hook: a named hook is created only once: later syncs do not run it again; give it generateName or the BeforeHookCreation deletion policy',
    ]);
    expect(found(job({ 'argocd.argoproj.io/hook': 'PreSync', 'argocd.argoproj.io/hook-delete-policy': 'HookFailed' }))[0]).toMatch(/^warning .* once a run leaves it in place \(HookFailed\)/);
  });

  it('refuses phases and policies Argo CD does not know, and a policy on no hook', () => {
    expect(found(job({ 'argocd.argoproj.io/hook': 'PreSync,Postsync', 'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation,hook-succeeded' }))).toEqual([
      "error /metadata/annotations/argocd.argoproj.io~1hook: 'Postsync' is no hook phase Argo CD knows (PreSync, Sync, Skip, PostSync, SyncFail, PostDelete)",
      "error /metadata/annotations/argocd.argoproj.io~1hook-delete-policy: 'hook-succeeded' is no hook deletion policy Argo CD knows (HookSucceeded, HookFailed, BeforeHookCreation)",
    ]);
    expect(found(job({ 'argocd.argoproj.io/hook-delete-policy': 'HookSucceeded' }))).toEqual([
      'error /metadata/annotations/argocd.argoproj.io~1hook-delete-policy: a hook deletion policy on an object that is no hook (no argocd.argoproj.io/hook) does nothing',
    ]);
  });

  it("finds nothing in Kompile's own hooks (the training Jobs are Sync hooks with BeforeHookCreation)", () => {
    const objects = allObjects(synthEnvironment({})) as ManifestLike[];
    expect(objects.filter((o) => o.metadata.annotations?.['argocd.argoproj.io/hook'] === 'Sync').length).toBeGreaterThan(0);
    expect(hookFindings(objects)).toEqual([]);
  });
});
