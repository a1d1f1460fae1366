/**
 * Argo CD's resource hooks, as its documentation defines them (argo-cd docs/user-guide/resource_hooks.md,
 * "Usage", "Generate Name", "Hook Deletion Policies"): an object annotated
 * `argocd.argoproj.io/hook` runs in a phase (PreSync, Sync, Skip, PostSync, SyncFail; PostDelete from
 * v2.10) instead of being synced as part of the Application, and `argocd.argoproj.io/hook-delete-policy`
 * (HookSucceeded, HookFailed, BeforeHookCreation) says when Argo CD deletes it. "Named hooks (i.e.
 * ones with /metadata/name) will only be created once": a hook meant to run on every sync needs
 * `generateName` or the BeforeHookCreation policy.
 *
 * Run by the synth and by `kompile validate` over every object of an environment.
 */
import { escapePointer, ManifestLike, rec } from './objects';

export const HOOK_ANNOTATION = 'argocd.argoproj.io/hook';
export const HOOK_DELETE_POLICY_ANNOTATION = 'argocd.argoproj.io/hook-delete-policy';

const PHASES = new Set(['PreSync', 'Sync', 'Skip', 'PostSync', 'SyncFail', 'PostDelete']);
const DELETE_POLICIES = new Set(['HookSucceeded', 'HookFailed', 'BeforeHookCreation']);

export interface HookFinding {
  /**
   * `error`: Argo CD would not read the annotation as written; `warning`: it would, but the hook
   * would not run again (which may be meant).
   */
  readonly severity: 'error' | 'warning';
  readonly index: number;
  readonly pointer: string;
  readonly message: string;
}

/** Every hook annotation Argo CD would not read as meant. */
export function hookFindings(objects: readonly ManifestLike[]): HookFinding[] {
  const out: HookFinding[] = [];
  objects.forEach((o, index) => {
    const annotations = rec(o.metadata.annotations);
    const hook = annotations[HOOK_ANNOTATION];
    const policy = annotations[HOOK_DELETE_POLICY_ANNOTATION];
    const at = (key: string) => `/metadata/annotations/${escapePointer(key)}`;
    const split = (v: unknown) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter((s) => s !== '') : []);
    for (const phase of split(hook)) {
      if (!PHASES.has(phase)) out.push({ severity: 'error', index, pointer: at(HOOK_ANNOTATION), message: `'${phase}' is no hook phase Argo CD knows (${[...PHASES].join(', ')})` });
    }
    const policies = split(policy);
    for (const p of policies) {
      if (!DELETE_POLICIES.has(p)) out.push({ severity: 'error', index, pointer: at(HOOK_DELETE_POLICY_ANNOTATION), message: `'${p}' is no hook deletion policy Argo CD knows (${[...DELETE_POLICIES].join(', ')})` });
    }
    if (policy !== undefined && hook === undefined) {
      out.push({ severity: 'error', index, pointer: at(HOOK_DELETE_POLICY_ANNOTATION), message: `a hook deletion policy on an object that is no hook (no ${HOOK_ANNOTATION}) does nothing` });
    }
    const phases = split(hook);
    const runs = phases.length > 0 && !phases.every((p) => p === 'Skip');
    const generated = typeof o.metadata.generateName === 'string' && o.metadata.generateName !== '';
    // Deleted after every run, whatever its result: re-created on the next sync too.
    const alwaysDeleted = policies.includes('BeforeHookCreation') || (policies.includes('HookSucceeded') && policies.includes('HookFailed'));
    if (runs && !generated && !alwaysDeleted) {
      out.push({
        severity: 'warning',
        index,
        pointer: at(HOOK_ANNOTATION),
        message: `a named hook is created only once: later syncs do not run it again${policies.length > 0 ? ` once a run leaves it in place (${policies.join(',')})` : ''}; give it generateName or the BeforeHookCreation deletion policy`,
      });
    }
  });
  return out;
}
