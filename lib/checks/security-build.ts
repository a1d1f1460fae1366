/**
 * Security rule on image builds (issue 15), over all the objects of one environment, Kompile's own
 * and what charts render; run by the synth and by `kompile validate`.
 *
 * - `build-credentials`: a container that runs build steps must not hold a registry credential,
 *   neither mounted nor through its environment. Dockerfile `RUN` steps execute inside the Kaniko
 *   executor's container, with its files and environment, so a credential there is readable by every
 *   build of every project; a stolen push credential lets anyone overwrite any image the platform
 *   runs. Containers that run build steps are:
 *   - every container running the Kaniko executor (an image of `…/kaniko-project/executor`, or a
 *     command `/kaniko/executor`), wherever it is;
 *   - every container of a Jenkins Kubernetes-cloud pod template (JCasC `jenkins.clouds[].kubernetes
 *     .templates[].yaml`, read from a Jenkins Application's `controller.JCasC.configScripts` or from a
 *     ConfigMap holding JCasC), since pipeline steps may run in any of them;
 *   - every container of a workload in a namespace such a cloud starts agents in.
 *
 *   A registry credential is: a Secret volume (or a projected volume's Secret source) mounted by the
 *   container that selects the key `.dockerconfigjson` or `.dockercfg`, or names a Secret of type
 *   `kubernetes.io/dockerconfigjson`/`kubernetes.io/dockercfg` that the environment holds; any Secret
 *   mounted where Docker clients look for credentials (a `.docker` folder, or the folder the
 *   container's `DOCKER_CONFIG` names); an environment variable from such a key or Secret
 *   (`valueFrom.secretKeyRef`, `envFrom.secretRef`). Secrets created out of band are known only by
 *   their keys and mount points.
 *
 * Exceptions are per object, reasoned, through the annotation
 * `kompile.dev/security-exception.build-credentials` (objects.ts `applySecurityException`): on a
 * workload, or, for a JCasC pod template, in the template's own pod `metadata.annotations`. A
 * container that runs the Kaniko executor cannot be excused: its build steps read whatever it holds
 * by construction, so no reason makes that safe.
 */
import { parse } from 'yaml';
import { groupOf } from '../core/kinds';
import { applySecurityException, escapePointer, list, ManifestLike, ObjectFinding, Rec, rec } from './objects';
import { POD_TEMPLATE_PATHS } from './pods';

export type BuildSecurityRule = 'build-credentials';
export const BUILD_SECURITY_RULES: readonly BuildSecurityRule[] = ['build-credentials'];

export type BuildSecurityFinding = ObjectFinding<BuildSecurityRule>;

export interface BuildSecurityOptions {
  /** The namespace of `objects[i]` when it has none of its own (a chart's object). @default - metadata.namespace only */
  readonly namespaceOf?: (index: number) => string | undefined;
}

const RULE: BuildSecurityRule = 'build-credentials';
/** Keys of the two Secret types that carry registry credentials (core/v1 SecretTypeDockerConfigJson, SecretTypeDockercfg). */
const REGISTRY_KEYS = new Set(['.dockerconfigjson', '.dockercfg']);
const REGISTRY_SECRET_TYPES = new Set(['kubernetes.io/dockerconfigjson', 'kubernetes.io/dockercfg']);
const KANIKO_IMAGE = /(^|\/)kaniko-project\/executor([:@]|$)/;

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** One pod spec whose containers run build steps (or may), with where it sits. */
interface BuildPod {
  readonly index: number;
  /** Pointer of the object (or the JCasC script) the findings point at. */
  readonly at: string;
  /** Pointer prefix of the pod spec's containers, when they are addressable by pointer. */
  readonly specPointer?: string;
  readonly spec: Rec;
  /** What the pod is, for messages. */
  readonly description: string;
  /** True when every container counts as running build steps (agent pods). */
  readonly agentPod: boolean;
  /** The object carrying the exception: the workload, or a synthetic object of the pod template. */
  readonly exceptionHolder: ManifestLike;
  /** `${VAR}` image references resolved (JCasC), by variable name. */
  readonly variables: ReadonlyMap<string, string>;
  /** Where the pod runs: the template's agents namespace, or the workload's. */
  readonly namespace?: string;
}

/** Every finding of the rule over one environment's objects, exceptions applied. */
export function buildSecurityFindings(objects: readonly ManifestLike[], options: BuildSecurityOptions = {}): BuildSecurityFinding[] {
  const registrySecrets = new Set(
    objects.flatMap((o, i) => (o.apiVersion === 'v1' && o.kind === 'Secret' && REGISTRY_SECRET_TYPES.has(String(o.type)) ? [`${o.metadata.namespace ?? options.namespaceOf?.(i) ?? ''}/${o.metadata.name}`] : [])),
  );
  const variables = controllerVariables(objects);
  const templates = objects.flatMap((o, index) => jcascPods(o, index, variables));
  const agentNamespaces = new Set(templates.map((t) => t.namespace).filter((n): n is string => n !== undefined));
  const pods: BuildPod[] = [...templates.map((t) => t.pod), ...workloadPods(objects, agentNamespaces, options)];

  const out: BuildSecurityFinding[] = [];
  for (const pod of pods) {
    const { unexcusable, excusable } = podFindings(pod, (name) => registrySecrets.has(`${pod.namespace ?? ''}/${name}`));
    out.push(...unexcusable);
    const { kept, problem } = applySecurityException(pod.exceptionHolder, RULE, excusable);
    out.push(...kept);
    if (problem) out.push({ rule: RULE, index: pod.index, pointer: pod.specPointer === undefined ? pod.at : problem.pointer, message: pod.specPointer === undefined ? `${pod.description}: ${problem.message}` : problem.message });
  }
  return out;
}

/** Literal `name: value` environment entries of Jenkins Applications' controllers (`controller.containerEnv`). */
function controllerVariables(objects: readonly ManifestLike[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const o of objects) {
    if (o.kind !== 'Application' || groupOf(o.apiVersion) !== 'argoproj.io') continue;
    const controller = rec(rec(rec(rec(rec(o.spec).source).helm).valuesObject).controller);
    for (const e of list(controller.containerEnv)) if (typeof e.name === 'string' && typeof e.value === 'string') out.set(e.name, e.value);
  }
  return out;
}

/** JCasC scripts an object carries, with their pointers: a Jenkins Application's values, or a ConfigMap's data. */
function jcascScripts(o: ManifestLike): Array<{ pointer: string; text: string }> {
  if (o.kind === 'Application' && groupOf(o.apiVersion) === 'argoproj.io') {
    const scripts = rec(rec(rec(rec(rec(rec(rec(o.spec).source).helm).valuesObject).controller).JCasC).configScripts);
    return Object.entries(scripts).flatMap(([k, v]) => (typeof v === 'string' ? [{ pointer: `/spec/source/helm/valuesObject/controller/JCasC/configScripts/${escapePointer(k)}`, text: v }] : []));
  }
  if (o.kind === 'ConfigMap' && o.apiVersion === 'v1') {
    return Object.entries(rec(o.data)).flatMap(([k, v]) => (typeof v === 'string' && v.includes('clouds') ? [{ pointer: `/data/${escapePointer(k)}`, text: v }] : []));
  }
  return [];
}

/** The agent pod templates of the Kubernetes clouds in an object's JCasC. */
function jcascPods(o: ManifestLike, index: number, variables: ReadonlyMap<string, string>): Array<{ namespace?: string; pod: BuildPod }> {
  const out: Array<{ namespace?: string; pod: BuildPod }> = [];
  for (const { pointer, text } of jcascScripts(o)) {
    let doc: unknown;
    try {
      doc = parse(text);
    } catch {
      continue; // not YAML: not JCasC
    }
    for (const cloud of list(rec(rec(doc).jenkins).clouds)) {
      const k8s = rec(cloud.kubernetes);
      for (const t of list(k8s.templates)) {
        let pod: Rec;
        try {
          pod = rec(typeof t.yaml === 'string' ? parse(t.yaml) : undefined);
        } catch {
          continue;
        }
        const name = String(t.name ?? t.label ?? 'unnamed');
        const namespace = typeof t.namespace === 'string' ? t.namespace : typeof k8s.namespace === 'string' ? k8s.namespace : undefined;
        const meta = rec(pod.metadata);
        out.push({
          namespace,
          pod: {
            index,
            at: pointer,
            spec: rec(pod.spec),
            description: `Jenkins pod template '${name}'${namespace ? ` (agents in '${namespace}')` : ''}`,
            agentPod: true,
            exceptionHolder: { apiVersion: 'v1', kind: 'Pod', metadata: { name, annotations: rec(meta.annotations) as Record<string, string> } },
            variables,
            namespace,
          },
        });
      }
    }
  }
  return out;
}

/** Pod templates of workloads; those in an agents' namespace run build steps in every container. */
function workloadPods(objects: readonly ManifestLike[], agentNamespaces: ReadonlySet<string>, options: BuildSecurityOptions): BuildPod[] {
  const out: BuildPod[] = [];
  objects.forEach((o, index) => {
    const path = POD_TEMPLATE_PATHS[`${groupOf(o.apiVersion)}/${o.kind}`];
    if (!path) return;
    let template: unknown = o;
    for (const key of path) template = rec(template)[key];
    const ns = o.metadata.namespace ?? options.namespaceOf?.(index);
    const at = path.map((k) => `/${k}`).join('');
    out.push({ index, at: '', specPointer: `${at}/spec`, spec: rec(rec(template).spec), description: `${o.kind} ${o.metadata.name}`, agentPod: ns !== undefined && agentNamespaces.has(ns), exceptionHolder: o, variables: new Map(), namespace: ns });
  });
  return out;
}

/** The image a container runs, `${VAR}` references resolved where known. */
function imageOf(c: Rec, variables: ReadonlyMap<string, string>): string {
  const image = typeof c.image === 'string' ? c.image : '';
  const ref = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(image);
  return ref ? (variables.get(ref[1]) ?? image) : image;
}

function runsKaniko(c: Rec, variables: ReadonlyMap<string, string>): boolean {
  return KANIKO_IMAGE.test(imageOf(c, variables)) || [...strings(c.command), ...strings(c.args)].some((a) => a === '/kaniko/executor' || a.startsWith('/kaniko/executor '));
}

/** The registry credentials a pod's containers hold, split into what an exception may excuse and what it may not. */
function podFindings(pod: BuildPod, isRegistrySecret: (name: string) => boolean): { unexcusable: BuildSecurityFinding[]; excusable: BuildSecurityFinding[] } {
  const unexcusable: BuildSecurityFinding[] = [];
  const excusable: BuildSecurityFinding[] = [];
  const volumes = new Map(list(pod.spec.volumes).map((v) => [String(v.name), v]));
  for (const listName of ['initContainers', 'containers', 'ephemeralContainers'] as const) {
    for (const [i, c] of list(pod.spec[listName]).entries()) {
      const kaniko = runsKaniko(c, pod.variables);
      if (!kaniko && !pod.agentPod) continue;
      const who = `${pod.description}, container '${String(c.name)}'${kaniko ? ' (the Kaniko executor: Dockerfile RUN steps run in it)' : ' (pipeline steps may run in any container of an agent pod)'}`;
      const add = (pointer: string, what: string) => {
        const f: BuildSecurityFinding = {
          rule: RULE,
          index: pod.index,
          pointer: pod.specPointer === undefined ? pod.at : `${pod.specPointer}/${listName}/${i}${pointer}`,
          message: `${who} ${what}: every build step there can read it; build without credentials and push from a container that runs no build step${kaniko ? ' (no exception can excuse this on the Kaniko executor)' : ''}`,
        };
        (kaniko ? unexcusable : excusable).push(f);
      };
      const dockerConfig = list(c.env).find((e) => e.name === 'DOCKER_CONFIG' && typeof e.value === 'string')?.value as string | undefined;
      for (const [j, m] of list(c.volumeMounts).entries()) {
        const v = volumes.get(String(m.name));
        if (!v) continue;
        const secrets = [rec(v.secret), ...list(rec(v.projected).sources).map((s) => rec(s.secret))].filter((s) => typeof (s.secretName ?? s.name) === 'string');
        if (secrets.length === 0) continue;
        const path = String(m.mountPath ?? '');
        const credential = secrets.find((s) => list(s.items).some((it) => REGISTRY_KEYS.has(String(it.key))) || isRegistrySecret(String(s.secretName ?? s.name)));
        const atDockerPath = /(^|\/)\.docker(\/|$)/.test(path) || (dockerConfig !== undefined && (path === dockerConfig || path.startsWith(`${dockerConfig.replace(/\/$/, '')}/`)));
        if (credential || atDockerPath) {
          const s = credential ?? secrets[0];
          add(`/volumeMounts/${j}`, `mounts Secret '${String(s.secretName ?? s.name)}' at ${path}${credential ? ' (a registry credential)' : ', where Docker clients read registry credentials'}`);
        }
      }
      for (const [j, e] of list(c.env).entries()) {
        const ref = rec(rec(e.valueFrom).secretKeyRef);
        if (typeof ref.name === 'string' && (REGISTRY_KEYS.has(String(ref.key)) || isRegistrySecret(ref.name))) add(`/env/${j}`, `gets registry credential Secret '${ref.name}' (key ${String(ref.key)}) as $${String(e.name)}`);
      }
      for (const [j, e] of list(c.envFrom).entries()) {
        const ref = rec(e.secretRef);
        if (typeof ref.name === 'string' && isRegistrySecret(ref.name)) add(`/envFrom/${j}`, `gets registry credential Secret '${ref.name}' as environment variables`);
      }
    }
  }
  return { unexcusable, excusable };
}
