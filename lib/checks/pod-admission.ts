/**
 * Pod Security admission, the way the cluster will apply it: every pod the environment runs (see
 * {@link runningPods}: pod templates, pods controllers make, containers the mesh and webhooks add)
 * against the level its namespace enforces, whatever that level is. The synth and
 * `kompile validate` both run this; a finding reads the same in both.
 */
import { ENFORCE_LABEL, parseLevel, PodSecurityLevel, podSecurityViolations, violationsAt } from './pod-security';
import { ManifestLike, rec } from './objects';
import { RunningPod, runningPods } from './pods';

/** A pod a namespace's Pod Security level will refuse. */
export interface AdmissionFinding {
  /** Index of the object that makes the pod, in the list given. */
  readonly index: number;
  /** JSON pointer inside that object. */
  readonly pointer: string;
  readonly message: string;
}

/** The level each namespace of the environment enforces (namespaces it creates without the label: none). */
export function enforcedLevels(objects: readonly ManifestLike[]): Map<string, PodSecurityLevel> {
  const levels = new Map<string, PodSecurityLevel>();
  for (const o of objects) {
    if (o.apiVersion !== 'v1' || o.kind !== 'Namespace') continue;
    const level = parseLevel(rec(o.metadata.labels)[ENFORCE_LABEL]);
    if (level) levels.set(o.metadata.name, level);
  }
  return levels;
}

/** `containers/2` out of a violation path `/spec/containers/2/securityContext/…`. */
function containerKey(path: string): string | undefined {
  const m = /^\/spec\/(containers|initContainers|ephemeralContainers)\/(\d+)/.exec(path);
  return m ? `${m[1]}/${m[2]}` : undefined;
}

function findingsFor(pod: RunningPod, level: PodSecurityLevel): AdmissionFinding[] {
  const violations = violationsAt(level, podSecurityViolations({ spec: pod.spec, annotations: pod.annotations }));
  return violations.map((v) => {
    const key = containerKey(v.path);
    const addedBy = key ? pod.added.get(key) : undefined;
    const inObject = !pod.derived && addedBy === undefined;
    const pointer = inObject ? `${pod.pointer}${v.path}` : pod.pointer;
    const origin = addedBy ? ` (added by ${addedBy})` : '';
    return { index: pod.index, pointer, message: `namespace '${pod.namespace}' enforces Pod Security '${level}'; the ${pod.description} is refused: ${v.message}${origin}` };
  });
}

/**
 * Every refusal Pod Security admission will give the environment's pods. Pods in namespaces the
 * environment does not label are not judged (the cluster's default applies there).
 */
export function podAdmissionFindings(objects: readonly ManifestLike[]): AdmissionFinding[] {
  const levels = enforcedLevels(objects);
  const out: AdmissionFinding[] = [];
  for (const pod of runningPods(objects)) {
    const level = levels.get(pod.namespace);
    if (level) out.push(...findingsFor(pod, level));
  }
  return out;
}
