/**
 * The Pod Security Standards as the Kubernetes 1.28 admission controller checks a pod: every rule of
 * the "baseline" level and every rule "restricted" adds on top, each violation tagged with the lowest
 * level that forbids it, so one pass answers "is this pod admitted where the namespace enforces X?"
 * for every level.
 *
 * Sources: the Pod Security Standards page of the Kubernetes documentation
 * (kubernetes.io/docs/concepts/security/pod-security-standards/) and the checks of
 * `staging/src/k8s.io/pod-security-admission/policy/` in kubernetes/kubernetes (v1.28: the safe
 * sysctls are the 1.0 set plus `net.ipv4.ip_local_reserved_ports` from 1.27; the baseline
 * capabilities; the SELinux types before `container_engine_t` was added in 1.31).
 */

import { escapePointer, list, rec, Rec } from './objects';

/** Pod Security Standard levels, least to most strict. */
export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';

/** The levels in order of strictness. */
export const POD_SECURITY_LEVELS: readonly PodSecurityLevel[] = ['privileged', 'baseline', 'restricted'];

/** The namespace label the admission controller enforces. */
export const ENFORCE_LABEL = 'pod-security.kubernetes.io/enforce';

/** A rule a pod breaks, with a JSON pointer relative to the pod (template): `/spec/…` or `/metadata/annotations/…`. */
export interface PodSecurityViolation {
  /** The lowest level that forbids it (a baseline violation is also one of restricted). */
  readonly level: 'baseline' | 'restricted';
  readonly path: string;
  readonly message: string;
}

/** The parts of a pod the standards look at. */
export interface PodShape {
  /** The pod spec (`spec` of a Pod, `spec.template.spec` of a Deployment …). */
  readonly spec: Record<string, unknown>;
  /** Annotations of the pod (template) metadata, for the AppArmor rule. @default {} */
  readonly annotations?: Record<string, unknown>;
}


/** Capabilities baseline lets a container add. */
const BASELINE_CAPABILITIES = new Set(['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT']);
/** Volume sources the restricted level allows. */
const RESTRICTED_VOLUMES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);
/** Sysctls baseline allows in Kubernetes 1.28. */
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
]);
const SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t']);
const SECCOMP_OK = new Set(['RuntimeDefault', 'Localhost']);
const APPARMOR_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';
const CONTAINER_LISTS = ['containers', 'initContainers', 'ephemeralContainers'] as const;

/** Every rule one pod breaks, at any level. */
export function podSecurityViolations(pod: PodShape): PodSecurityViolation[] {
  const out: PodSecurityViolation[] = [];
  const spec = pod.spec;
  const baseline = (path: string, message: string) => out.push({ level: 'baseline', path: `/spec${path}`, message });
  const restricted = (path: string, message: string) => out.push({ level: 'restricted', path: `/spec${path}`, message });
  const podSc = rec(spec.securityContext);

  // --- baseline: the pod ---------------------------------------------------------------------
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
    if (spec[field] === true) baseline(`/${field}`, `${field} must not be true (host namespaces)`);
  }
  if (rec(podSc.windowsOptions).hostProcess === true) baseline('/securityContext/windowsOptions/hostProcess', 'hostProcess must not be true');
  seLinux(rec(podSc.seLinuxOptions), '/securityContext/seLinuxOptions', baseline);
  for (const [i, s] of list(podSc.sysctls).entries()) {
    if (!SAFE_SYSCTLS.has(String(s.name))) baseline(`/securityContext/sysctls/${i}/name`, `sysctl '${String(s.name)}' is not in the safe set`);
  }
  const podSeccomp = rec(podSc.seccompProfile).type;
  if (podSeccomp === 'Unconfined') baseline('/securityContext/seccompProfile/type', "seccompProfile.type must not be 'Unconfined'");
  for (const [i, v] of list(spec.volumes).entries()) {
    if (v.hostPath !== undefined) baseline(`/volumes/${i}/hostPath`, `volume '${String(v.name)}': hostPath volumes are forbidden`);
  }
  for (const [key, value] of Object.entries(rec(pod.annotations))) {
    if (key.startsWith(APPARMOR_PREFIX) && value !== 'runtime/default' && !String(value).startsWith('localhost/')) {
      out.push({ level: 'baseline', path: `/metadata/annotations/${escapePointer(key)}`, message: `AppArmor profile '${String(value)}' is not allowed` });
    }
  }
  // --- restricted: the pod ---------------------------------------------------------------------
  if (podSc.runAsUser === 0) restricted('/securityContext/runAsUser', 'runAsUser must not be 0 (root)');
  if (podSeccomp !== undefined && podSeccomp !== 'Unconfined' && !SECCOMP_OK.has(String(podSeccomp))) {
    restricted('/securityContext/seccompProfile/type', `seccompProfile.type must be RuntimeDefault or Localhost, not '${String(podSeccomp)}'`);
  }
  for (const [i, v] of list(spec.volumes).entries()) {
    for (const s of Object.keys(v).filter((k) => k !== 'name' && k !== 'hostPath')) {
      if (!RESTRICTED_VOLUMES.has(s)) restricted(`/volumes/${i}/${s}`, `volume '${String(v.name)}': type '${s}' is not allowed (restricted allows ${[...RESTRICTED_VOLUMES].join(', ')})`);
    }
  }

  for (const listName of CONTAINER_LISTS) {
    for (const [i, c] of list(spec[listName]).entries()) {
      const at = `/${listName}/${i}`;
      const sc = rec(c.securityContext);
      const name = typeof c.name === 'string' ? `container '${c.name}'` : `container ${i}`;
      // --- baseline: each container ---------------------------------------------------------
      if (sc.privileged === true) baseline(`${at}/securityContext/privileged`, `${name}: privileged must not be true`);
      if (rec(sc.windowsOptions).hostProcess === true) baseline(`${at}/securityContext/windowsOptions/hostProcess`, `${name}: hostProcess must not be true`);
      if (sc.procMount !== undefined && sc.procMount !== 'Default') baseline(`${at}/securityContext/procMount`, `${name}: procMount must be Default`);
      seLinux(rec(sc.seLinuxOptions), `${at}/securityContext/seLinuxOptions`, baseline, `${name}: `);
      for (const [j, p] of list(c.ports).entries()) {
        if (p.hostPort !== undefined && p.hostPort !== 0) baseline(`${at}/ports/${j}/hostPort`, `${name}: hostPort must not be set`);
      }
      const seccomp = rec(sc.seccompProfile).type;
      if (seccomp === 'Unconfined') baseline(`${at}/securityContext/seccompProfile/type`, `${name}: seccompProfile.type must not be 'Unconfined'`);
      const caps = rec(sc.capabilities);
      const added = Array.isArray(caps.add) ? caps.add.map(String) : [];
      for (const [j, cap] of added.entries()) {
        if (!BASELINE_CAPABILITIES.has(cap)) baseline(`${at}/securityContext/capabilities/add/${j}`, `${name}: capability '${cap}' may not be added (it is not one of the capabilities baseline allows)`);
        else if (cap !== 'NET_BIND_SERVICE') restricted(`${at}/securityContext/capabilities/add/${j}`, `${name}: only NET_BIND_SERVICE may be added, not '${cap}'`);
      }
      // --- restricted: each container -------------------------------------------------------
      if (sc.allowPrivilegeEscalation !== false) restricted(`${at}/securityContext/allowPrivilegeEscalation`, `${name}: allowPrivilegeEscalation must be false`);
      const nonRoot = sc.runAsNonRoot ?? podSc.runAsNonRoot;
      if (nonRoot !== true) restricted(`${at}/securityContext/runAsNonRoot`, `${name}: runAsNonRoot must be true (on the container or the pod)`);
      if (sc.runAsUser === 0) restricted(`${at}/securityContext/runAsUser`, `${name}: runAsUser must not be 0 (root)`);
      const effective = seccomp ?? podSeccomp;
      if (effective === undefined) restricted(`${at}/securityContext/seccompProfile`, `${name}: seccompProfile.type must be RuntimeDefault or Localhost (on the container or the pod)`);
      else if (effective !== 'Unconfined' && !SECCOMP_OK.has(String(effective))) restricted(`${at}/securityContext/seccompProfile/type`, `${name}: seccompProfile.type must be RuntimeDefault or Localhost, not '${String(effective)}'`);
      const drop = Array.isArray(caps.drop) ? caps.drop.map(String) : [];
      if (!drop.includes('ALL')) restricted(`${at}/securityContext/capabilities/drop`, `${name}: capabilities must drop ALL`);
    }
  }
  return out;
}

/** The violations that stop a pod where `level` is enforced (none where it is `privileged`). */
export function violationsAt(level: PodSecurityLevel, violations: readonly PodSecurityViolation[]): PodSecurityViolation[] {
  if (level === 'privileged') return [];
  return level === 'baseline' ? violations.filter((v) => v.level === 'baseline') : [...violations];
}

/** The level a namespace label names, or undefined for a missing or unknown value. */
export function parseLevel(value: unknown): PodSecurityLevel | undefined {
  return POD_SECURITY_LEVELS.find((l) => l === value);
}

function seLinux(options: Rec, path: string, add: (path: string, message: string) => void, who = ''): void {
  if (options.type !== undefined && !SELINUX_TYPES.has(String(options.type))) add(`${path}/type`, `${who}SELinux type '${String(options.type)}' is not allowed`);
  if (options.user !== undefined) add(`${path}/user`, `${who}SELinux user must not be set`);
  if (options.role !== undefined) add(`${path}/role`, `${who}SELinux role must not be set`);
}
