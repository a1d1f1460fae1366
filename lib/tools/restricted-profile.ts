/**
 * The pod-spec rules of the Kubernetes Pod Security Standards, "restricted" profile (which includes
 * "baseline"), as the 1.28 admission controller checks them. Source: the Pod Security Standards page
 * of the Kubernetes documentation (kubernetes.io/docs/concepts/security/pod-security-standards/).
 */

/** A violation, with a JSON pointer relative to the pod (template): `/spec/…` or `/metadata/annotations/…`. */
export interface PodSecurityProblem {
  readonly path: string;
  readonly message: string;
}

type Rec = Record<string, unknown>;

function rec(v: unknown): Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Rec) : {};
}

function list(v: unknown): Rec[] {
  return Array.isArray(v) ? v.map(rec) : [];
}

/** Volume sources the restricted profile allows. */
const RESTRICTED_VOLUMES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);
/** Sysctls the baseline profile allows in Kubernetes 1.28. */
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

/**
 * Every restricted-profile violation of one pod spec.
 * @param podSpec the pod spec (`spec` of a Pod, `spec.template.spec` of a Deployment …)
 * @param templateAnnotations annotations of the pod (template) metadata, for the AppArmor rule
 */
export function restrictedProblems(podSpec: Rec, templateAnnotations: Rec = {}): PodSecurityProblem[] {
  const problems: PodSecurityProblem[] = [];
  const add = (path: string, message: string) => problems.push({ path: `/spec${path}`, message });
  const podSc = rec(podSpec.securityContext);

  for (const field of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
    if (podSpec[field] === true) add(`/${field}`, `${field} must not be true (baseline: host namespaces)`);
  }
  if (rec(podSc.windowsOptions).hostProcess === true) add('/securityContext/windowsOptions/hostProcess', 'hostProcess must not be true');
  seLinuxProblems(rec(podSc.seLinuxOptions), '/securityContext/seLinuxOptions', add);
  for (const [i, s] of list(podSc.sysctls).entries()) {
    if (!SAFE_SYSCTLS.has(String(s.name))) add(`/securityContext/sysctls/${i}/name`, `sysctl '${String(s.name)}' is not in the safe set`);
  }
  if (podSc.runAsUser === 0) add('/securityContext/runAsUser', 'runAsUser must not be 0 (root)');
  const podSeccomp = rec(podSc.seccompProfile).type;
  if (podSeccomp !== undefined && !SECCOMP_OK.has(String(podSeccomp))) add('/securityContext/seccompProfile/type', `seccompProfile.type must be RuntimeDefault or Localhost, not '${String(podSeccomp)}'`);

  for (const [i, v] of list(podSpec.volumes).entries()) {
    const sources = Object.keys(v).filter((k) => k !== 'name');
    for (const s of sources) if (!RESTRICTED_VOLUMES.has(s)) add(`/volumes/${i}/${s}`, `volume type '${s}' is not allowed (restricted allows ${[...RESTRICTED_VOLUMES].join(', ')})`);
  }
  for (const [key, value] of Object.entries(templateAnnotations)) {
    if (key.startsWith(APPARMOR_PREFIX) && value !== 'runtime/default' && !String(value).startsWith('localhost/')) {
      const path = `/metadata/annotations/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      problems.push({ path, message: `AppArmor profile '${String(value)}' is not allowed` });
    }
  }

  for (const listName of CONTAINER_LISTS) {
    for (const [i, c] of list(podSpec[listName]).entries()) {
      const at = `/${listName}/${i}`;
      const sc = rec(c.securityContext);
      const name = typeof c.name === 'string' ? `container '${c.name}'` : `container ${i}`;
      if (sc.privileged === true) add(`${at}/securityContext/privileged`, `${name}: privileged must not be true`);
      if (rec(sc.windowsOptions).hostProcess === true) add(`${at}/securityContext/windowsOptions/hostProcess`, `${name}: hostProcess must not be true`);
      if (sc.procMount !== undefined && sc.procMount !== 'Default') add(`${at}/securityContext/procMount`, `${name}: procMount must be Default`);
      seLinuxProblems(rec(sc.seLinuxOptions), `${at}/securityContext/seLinuxOptions`, add);
      for (const [j, p] of list(c.ports).entries()) {
        if (p.hostPort !== undefined && p.hostPort !== 0) add(`${at}/ports/${j}/hostPort`, `${name}: hostPort must not be set`);
      }
      if (sc.allowPrivilegeEscalation !== false) add(`${at}/securityContext/allowPrivilegeEscalation`, `${name}: allowPrivilegeEscalation must be false`);
      const nonRoot = sc.runAsNonRoot ?? podSc.runAsNonRoot;
      if (nonRoot !== true) add(`${at}/securityContext/runAsNonRoot`, `${name}: runAsNonRoot must be true (on the container or the pod)`);
      if (sc.runAsUser === 0) add(`${at}/securityContext/runAsUser`, `${name}: runAsUser must not be 0 (root)`);
      const seccomp = rec(sc.seccompProfile).type ?? podSeccomp;
      if (seccomp === undefined) add(`${at}/securityContext/seccompProfile`, `${name}: seccompProfile.type must be RuntimeDefault or Localhost (on the container or the pod)`);
      else if (!SECCOMP_OK.has(String(seccomp))) add(`${at}/securityContext/seccompProfile/type`, `${name}: seccompProfile.type must be RuntimeDefault or Localhost, not '${String(seccomp)}'`);
      const caps = rec(sc.capabilities);
      const drop = Array.isArray(caps.drop) ? caps.drop.map(String) : [];
      if (!drop.includes('ALL')) add(`${at}/securityContext/capabilities/drop`, `${name}: capabilities must drop ALL`);
      for (const [j, cap] of (Array.isArray(caps.add) ? caps.add : []).entries()) {
        if (cap !== 'NET_BIND_SERVICE') add(`${at}/securityContext/capabilities/add/${j}`, `${name}: only NET_BIND_SERVICE may be added, not '${String(cap)}'`);
      }
    }
  }
  return problems;
}

function seLinuxProblems(options: Rec, path: string, add: (path: string, message: string) => void): void {
  if (options.type !== undefined && !SELINUX_TYPES.has(String(options.type))) add(`${path}/type`, `SELinux type '${String(options.type)}' is not allowed`);
  if (options.user !== undefined) add(`${path}/user`, 'SELinux user must not be set');
  if (options.role !== undefined) add(`${path}/role`, 'SELinux role must not be set');
}
