/**
 * Checks the Kubernetes API server applies to built-in kinds that no OpenAPI schema carries: Kompile's
 * schema validator passes these objects, yet the API server (and so Argo CD's sync) refuses them.
 *
 * Each rule names the function of Kubernetes 1.28 it follows (kubernetes/kubernetes
 * `pkg/apis/*\/validation`, `staging/src/k8s.io/apimachinery/pkg/util/validation`), and its message is
 * the API server's. Names, labels, annotations and selectors are checked by the schema validator
 * (lib/tools/k8s-names.ts), not here.
 */
import { parseQuantity } from '../core/quantity';
import { dns1123SubdomainErrors } from '../tools/k8s-names';
import { escapePointer, groupKind, list, ManifestLike, rec, Rec } from './objects';
import { POD_TEMPLATE_PATHS } from './pods';

/**
 * One thing the API server would refuse (an error) or accept with a warning (the `Warning:` lines
 * kubectl and Argo CD print, from pkg/api/pod/warnings.go), at a JSON pointer inside the object.
 */
export interface ApiValidationFinding {
  readonly pointer: string;
  readonly message: string;
  /** 'warning' for what the API server accepts but warns about. @default - an error (the object is refused) */
  readonly severity?: 'warning';
}

type Push = (pointer: string, message: string) => void;
type Warn = Push;

// Job and CronJob pod templates: ValidateJobSpec / validateJobTemplateSpec in pkg/apis/batch/validation
// (`validRestartPolicies` OnFailure, Never); other workloads: ValidatePodTemplateSpecForReplicaSet,
// ValidatePodTemplateSpecForStatefulSet, ValidateDaemonSetSpec in pkg/apis/apps/validation (Always only).
const JOB_RESTART_POLICIES = ['OnFailure', 'Never'];
const WORKLOAD_RESTART_POLICIES = ['Always'];
// A bare Pod: validateRestartPolicy (pkg/apis/core/validation/validation.go) takes all three.
const POD_RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];

// The probe handler kinds validateHandler (pkg/apis/core/validation/validation.go) counts (handlerFromProbe).
const PROBE_HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'grpc'] as const;
const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;

/** Every check of this module that applies to the object. */
export function apiValidationFindings(obj: ManifestLike): ApiValidationFinding[] {
  const findings: ApiValidationFinding[] = [];
  const push: Push = (pointer, message) => findings.push({ pointer, message });
  const warn: Warn = (pointer, message) => findings.push({ pointer, message, severity: 'warning' });
  const gk = groupKind(obj);
  const path = POD_TEMPLATE_PATHS[gk];
  if (path) {
    let template: unknown = obj;
    for (const key of path) template = rec(template)[key];
    const pointer = path.map((k) => `/${k}`).join('');
    const spec = rec(rec(template).spec);
    // ValidatePodTemplateSpecForStatefulSet skips the pod spec (a TODO in 1.28); the pods the controller
    // creates are validated, with a volume per claim template, so those names count as declared.
    const claims = gk === 'apps/StatefulSet' ? list(rec(obj.spec).volumeClaimTemplates).map((t) => rec(t.metadata).name).filter((n): n is string => typeof n === 'string') : [];
    podSpecChecks(spec, `${pointer}/spec`, claims, push);
    podSpecWarnings(spec, `${pointer}/spec`, warn);
    const policies = gk === '/Pod' ? POD_RESTART_POLICIES : gk === 'batch/Job' || gk === 'batch/CronJob' ? JOB_RESTART_POLICIES : WORKLOAD_RESTART_POLICIES;
    restartPolicyCheck(spec, `${pointer}/spec`, policies, push);
  }
  if (gk === 'apps/Deployment') deploymentStrategyChecks(rec(obj.spec), push);
  if (gk === 'apps/DaemonSet') daemonSetStrategyChecks(rec(obj.spec), push);
  if (gk === 'autoscaling/HorizontalPodAutoscaler') hpaChecks(rec(obj.spec), push);
  if (gk === 'policy/PodDisruptionBudget') pdbChecks(rec(obj.spec), push);
  if (gk === 'networking.k8s.io/NetworkPolicy') networkPolicyChecks(rec(obj.spec), push);
  if (gk === 'batch/CronJob' && typeof rec(obj.spec).schedule === 'string') {
    for (const message of cronScheduleErrors(rec(obj.spec).schedule as string)) push('/spec/schedule', `Invalid value: "${rec(obj.spec).schedule as string}": ${message}`);
  }
  if (gk === 'networking.k8s.io/Ingress') ingressChecks(rec(obj.spec), push);
  if (gk === '/ConfigMap') for (const field of ['data', 'binaryData']) dataKeyChecks(obj[field], `/${field}`, push);
  if (gk === '/Secret') for (const field of ['data', 'stringData']) dataKeyChecks(obj[field], `/${field}`, push);
  return findings;
}

// The handler kinds validateHandler (pkg/apis/core/validation/validation.go) counts for a lifecycle hook
// (handlerFromLifecycle): exec, httpGet, tcpSocket. The `sleep` handler came with the
// PodLifecycleSleepAction gate, alpha in 1.29 (KEP-3960), so a 1.28 hook has none.
const LIFECYCLE_HANDLERS = ['exec', 'httpGet', 'tcpSocket'] as const;
const LIFECYCLE_HOOKS = ['postStart', 'preStop'] as const;

/** validatePodSpec → validateVolumes, validateContainers, validateInitContainers (pkg/apis/core/validation/validation.go). */
function podSpecChecks(spec: Rec, at: string, claims: readonly string[], push: Push): void {
  // validateVolumes: `field.Duplicate(idxPath.Child("name"), vol.Name)`.
  const volumes = new Set<string>(claims);
  list(spec.volumes).forEach((v, i) => {
    if (typeof v.name !== 'string') return;
    if (volumes.has(v.name)) push(`${at}/volumes/${i}/name`, `Duplicate value: "${v.name}"`);
    volumes.add(v.name);
  });
  // validateContainers: `field.Required(fldPath, "")` when there are none.
  if (list(spec.containers).length === 0) push(`${at}/containers`, 'Required value: a pod needs at least one container');
  // validateInitContainers and validateContainers share one set of names: `field.Duplicate(idxPath.Child("name"), ctr.Name)`.
  const names = new Set<string>();
  for (const listName of ['initContainers', 'containers'] as const) {
    list(spec[listName]).forEach((c, i) => {
      const cat = `${at}/${listName}/${i}`;
      if (typeof c.name === 'string') {
        if (names.has(c.name)) push(`${cat}/name`, `Duplicate value: "${c.name}"`);
        names.add(c.name);
      }
      containerChecks(c, cat, volumes, push);
      if (listName === 'initContainers') {
        initContainerChecks(c, cat, push);
        // validateInitContainers: `checkHostPortConflicts([]core.Container{ctr}, …)`, each init container
        // on its own, since they run one by one.
        hostPortChecks([[c, cat]], push);
      }
    });
  }
  // validateContainers → checkHostPortConflicts: the regular containers share the pod's host ports.
  hostPortChecks(list(spec.containers).map((c, i) => [c, `${at}/containers/${i}`]), push);
}

/**
 * AccumulateUniqueHostPorts (pkg/apis/core/validation/validation.go): a host port is taken once per
 * `protocol/hostIP/hostPort`; the protocol defaults to TCP (SetDefaults_ContainerPort).
 */
function hostPortChecks(containers: readonly (readonly [Rec, string])[], push: Push): void {
  const taken = new Set<string>();
  for (const [c, at] of containers) {
    list(c.ports).forEach((p, i) => {
      if (typeof p.hostPort !== 'number' || p.hostPort === 0) return;
      const key = `${typeof p.protocol === 'string' ? p.protocol : 'TCP'}/${typeof p.hostIP === 'string' ? p.hostIP : ''}/${p.hostPort}`;
      if (taken.has(key)) push(`${at}/ports/${i}/hostPort`, `Duplicate value: "${key}"`);
      taken.add(key);
    });
  }
}

/**
 * validateInitContainers: an init container without `restartPolicy: Always` (a sidecar, the
 * SidecarContainers gate, alpha and off by default in 1.28) may carry no lifecycle hook and no probe.
 */
function initContainerChecks(c: Rec, at: string, push: Push): void {
  if (c.restartPolicy === 'Always') return;
  for (const fieldName of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe']) {
    if (c[fieldName] !== undefined && c[fieldName] !== null) push(`${at}/${fieldName}`, 'Forbidden: may not be set for init containers without restartPolicy=Always');
  }
}

function containerChecks(c: Rec, at: string, volumes: ReadonlySet<string>, push: Push): void {
  // ValidateVolumeMounts: `field.NotFound(idxPath.Child("name"), mnt.Name)` for a mount of no declared volume.
  list(c.volumeMounts).forEach((m, i) => {
    if (typeof m.name === 'string' && !volumes.has(m.name)) push(`${at}/volumeMounts/${i}/name`, `Not found: "${m.name}"`);
  });
  // validateContainerPorts: containerPort in range (InclusiveRangeError), name IsValidPortName and
  // unique within the container (`field.Duplicate(idxPath.Child("name"), port.Name)`). The same
  // containerPort twice is no error: pkg/api/pod/warnings.go only warns (podSpecWarnings).
  const portNames = new Set<string>();
  list(c.ports).forEach((p, i) => {
    if (typeof p.containerPort === 'number' && (p.containerPort < 1 || p.containerPort > 65535)) {
      push(`${at}/ports/${i}/containerPort`, `Invalid value: ${p.containerPort}: must be between 1 and 65535, inclusive`);
    }
    if (typeof p.name === 'string' && p.name !== '') {
      const problems = portNameErrors(p.name);
      for (const message of problems) push(`${at}/ports/${i}/name`, `Invalid value: "${p.name}": ${message}`);
      if (problems.length === 0 && portNames.has(p.name)) push(`${at}/ports/${i}/name`, `Duplicate value: "${p.name}"`);
      portNames.add(p.name);
    }
  });
  // validateEnvVarValueFrom: exactly one source, and none beside a non-empty `value`. (Two entries of
  // one name are no error: pkg/api/pod/warnings.go only warns, see podSpecWarnings.)
  list(c.env).forEach((e, i) => {
    if (e.valueFrom === undefined || e.valueFrom === null) return;
    const sources = ENV_SOURCES.filter((s) => rec(e.valueFrom)[s] !== undefined && rec(e.valueFrom)[s] !== null);
    if (sources.length === 0) push(`${at}/env/${i}/valueFrom`, 'Invalid value: "": must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`');
    else if (typeof e.value === 'string' && e.value !== '') push(`${at}/env/${i}/valueFrom`, 'Invalid value: "": may not be specified when `value` is not empty');
    else if (sources.length > 1) push(`${at}/env/${i}/valueFrom`, 'Invalid value: "": may not have more than one field specified at a time');
  });
  // ValidateResourceRequirements: "must be less than or equal to %s limit" for each request with a limit.
  const resources = rec(c.resources);
  const limits = rec(resources.limits);
  for (const [name, request] of Object.entries(rec(resources.requests))) {
    const r = parseQuantity(request);
    const l = parseQuantity(limits[name]);
    if (r !== undefined && l !== undefined && r > l) {
      push(`${at}/resources/requests/${escapePointer(name)}`, `Invalid value: "${String(request)}": must be less than or equal to ${name} limit`);
    }
  }
  // validateProbe → validateHandler(handlerFromProbe): exactly one handler type.
  for (const probe of PROBES) handlerChecks(c[probe], `${at}/${probe}`, PROBE_HANDLERS, push);
  // validateLifecycle → validateHandler(handlerFromLifecycle): exactly one handler type per hook.
  const lifecycle = rec(c.lifecycle);
  for (const hook of LIFECYCLE_HOOKS) handlerChecks(lifecycle[hook], `${at}/lifecycle/${hook}`, LIFECYCLE_HANDLERS, push);
}

// The sources validateEnvVarValueFrom counts.
const ENV_SOURCES = ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef'] as const;

/** validateHandler: a probe or hook needs one handler; the API server reports each one after the first. */
function handlerChecks(value: unknown, at: string, kinds: readonly string[], push: Push): void {
  if (value === undefined || value === null) return;
  const handler = rec(value);
  const present = kinds.filter((h) => handler[h] !== undefined && handler[h] !== null);
  if (present.length === 0) push(at, 'Required value: must specify a handler type');
  // `field.Forbidden(fldPath.Child(h), "may not specify more than 1 handler type")`.
  for (const h of present.slice(1)) push(`${at}/${h}`, 'Forbidden: may not specify more than 1 handler type');
}

/**
 * What the API server accepts but warns about in a pod spec (warningsForPodSpecAndMeta,
 * pkg/api/pod/warnings.go); kubectl and Argo CD show these as `Warning:` lines.
 */
function podSpecWarnings(spec: Rec, at: string, warn: Warn): void {
  const containers = ['initContainers', 'containers'].flatMap((listName) => list(spec[listName]).map((c, i) => [c, `${at}/${listName}/${i}`] as const));
  // "duplicate containers[*].env": a later entry of the same name hides the earlier one unless its
  // value refers to it (`$(NAME)` inside a longer value).
  for (const [c, cat] of containers) {
    const seen = new Set<string>();
    list(c.env).forEach((e, i) => {
      if (typeof e.name !== 'string') return;
      if (!seen.has(e.name)) {
        seen.add(e.name);
        return;
      }
      const ref = `$(${e.name})`;
      const value = typeof e.value === 'string' ? e.value : '';
      if ((e.valueFrom !== undefined && e.valueFrom !== null) || value === ref || !value.includes(ref)) {
        warn(`${cat}/env/${i}`, `hides previous definition of "${e.name}", which may be dropped when using apply`);
      }
    });
  }
  // Ports of all containers, keyed by `containerPort/protocol` (protocol defaulted to TCP).
  const byPort = new Map<string, { pointer: string; hostIP: string; hostPort: number }[]>();
  for (const [c, cat] of containers) {
    list(c.ports).forEach((p, i) => {
      const pointer = `${cat}/ports/${i}`;
      const hostIP = typeof p.hostIP === 'string' ? p.hostIP : '';
      const hostPort = typeof p.hostPort === 'number' ? p.hostPort : 0;
      if (hostIP !== '' && hostPort === 0) warn(pointer, 'hostIP set without hostPort');
      const key = `${String(p.containerPort)}/${typeof p.protocol === 'string' ? p.protocol : 'TCP'}`;
      const others = byPort.get(key) ?? [];
      for (const other of others) {
        if (hostIP === other.hostIP && hostPort === other.hostPort) warn(pointer, `duplicate port definition with ${other.pointer}`);
        else if (hostPort === 0 || other.hostPort === 0) warn(pointer, `overlapping port definition with ${other.pointer}`);
        else if (hostPort === other.hostPort && (hostIP === '') !== (other.hostIP === '')) warn(pointer, `dangerously ambiguous port definition with ${other.pointer}`);
      }
      others.push({ pointer, hostIP, hostPort });
      byPort.set(key, others);
    });
  }
}

/**
 * IsValidPortName (apimachinery/pkg/util/validation): an IANA_SVC_NAME, at most 15 characters of
 * lowercase alphanumerics and '-', at least one letter, no leading, trailing or double hyphens.
 */
export function portNameErrors(port: string): string[] {
  const errors: string[] = [];
  if (port.length > 15) errors.push('must be no more than 15 characters');
  if (!/^[-a-z0-9]+$/.test(port)) errors.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(port)) errors.push('must contain at least one letter (a-z)');
  if (port.includes('--')) errors.push('must not contain consecutive hyphens');
  if (port.startsWith('-') || port.endsWith('-')) errors.push('must not begin or end with a hyphen');
  return errors;
}

/** `field.NotSupported(fldPath.Child("restartPolicy"), …)` of the workload kinds (see the constants). */
function restartPolicyCheck(spec: Rec, at: string, supported: readonly string[], push: Push): void {
  const policy = spec.restartPolicy;
  // Unset is defaulted to Always, which a Job refuses: batch's ValidateJobSpec checks the defaulted value.
  const effective = typeof policy === 'string' ? policy : 'Always';
  if (!supported.includes(effective)) {
    push(`${at}/restartPolicy`, `Unsupported value: "${effective}": supported values: ${supported.map((s) => `"${s}"`).join(', ')}`);
  }
}

/**
 * ValidateRollingUpdateDeployment (pkg/apis/apps/validation/validation.go): both fields
 * ValidatePositiveIntOrPercent, not both 0 (getIntOrPercentValue: `0` and `0%` are both 0),
 * maxUnavailable not above 100%. Unset fields default to 25% (SetDefaults_Deployment,
 * pkg/apis/apps/v1/defaults.go).
 */
function deploymentStrategyChecks(spec: Rec, push: Push): void {
  const strategy = rec(spec.strategy);
  if (strategy.type !== undefined && strategy.type !== 'RollingUpdate') return;
  const ru = rec(strategy.rollingUpdate);
  const at = '/spec/strategy/rollingUpdate';
  intOrPercentChecks(ru.maxUnavailable, `${at}/maxUnavailable`, push);
  intOrPercentChecks(ru.maxSurge, `${at}/maxSurge`, push);
  const unavailable = ru.maxUnavailable ?? '25%';
  const surge = ru.maxSurge ?? '25%';
  if (intOrPercentValue(unavailable) === 0 && intOrPercentValue(surge) === 0) {
    push(`${at}/maxUnavailable`, `Invalid value: ${JSON.stringify(unavailable)}: may not be 0 when \`maxSurge\` is 0`);
  }
  notMoreThan100Percent(ru.maxUnavailable, `${at}/maxUnavailable`, push);
}

/**
 * ValidateDaemonSetUpdateStrategy → ValidateRollingUpdateDaemonSet (pkg/apis/apps/validation/validation.go):
 * both fields ValidatePositiveIntOrPercent and not above 100%, and exactly one of them non-zero.
 * Unset fields are defaulted first (SetDefaults_DaemonSet, pkg/apis/apps/v1/defaults.go): type
 * RollingUpdate, maxUnavailable 1, maxSurge 0, so setting only maxSurge makes both non-zero.
 */
function daemonSetStrategyChecks(spec: Rec, push: Push): void {
  const strategy = rec(spec.updateStrategy);
  if (strategy.type !== undefined && strategy.type !== 'RollingUpdate') return;
  const ru = rec(strategy.rollingUpdate);
  const at = '/spec/updateStrategy/rollingUpdate';
  const unavailable = ru.maxUnavailable ?? 1;
  const surge = ru.maxSurge ?? 0;
  intOrPercentChecks(ru.maxUnavailable, `${at}/maxUnavailable`, push);
  intOrPercentChecks(ru.maxSurge, `${at}/maxSurge`, push);
  notMoreThan100Percent(ru.maxUnavailable, `${at}/maxUnavailable`, push);
  notMoreThan100Percent(ru.maxSurge, `${at}/maxSurge`, push);
  const hasUnavailable = intOrPercentValue(unavailable) !== 0;
  const hasSurge = intOrPercentValue(surge) !== 0;
  if (hasUnavailable && hasSurge) {
    const unset = ru.maxUnavailable === undefined ? ' (maxUnavailable defaults to 1)' : '';
    push(`${at}/maxSurge`, `Invalid value: ${JSON.stringify(surge)}: may not be set when maxUnavailable is non-zero${unset}`);
  } else if (!hasUnavailable && !hasSurge) {
    push(`${at}/maxUnavailable`, 'Required value: cannot be 0 when maxSurge is 0');
  }
}

// IsValidPercent (apimachinery/pkg/util/validation/validation.go): `[0-9]+%`, with its message.
const PERCENT = /^[0-9]+%$/;
const PERCENT_MESSAGE = "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";

/** ValidatePositiveIntOrPercent (pkg/apis/apps/validation/validation.go); undefined is not checked. */
function intOrPercentChecks(v: unknown, at: string, push: Push): void {
  if (typeof v === 'string' && !PERCENT.test(v)) push(at, `Invalid value: "${v}": ${PERCENT_MESSAGE}`);
  // ValidateNonnegativeField.
  if (typeof v === 'number' && v < 0) push(at, `Invalid value: ${v}: must be greater than or equal to 0`);
}

/** getIntOrPercentValue: a percent's number, an integer's value (a string that is neither counts as 0, as IntValue reads it). */
function intOrPercentValue(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return 0;
  if (PERCENT.test(v)) return Number(v.slice(0, -1));
  return /^-?\d+$/.test(v) ? Number(v) : 0;
}

/** IsNotMoreThan100Percent (pkg/apis/apps/validation/validation.go). */
function notMoreThan100Percent(v: unknown, at: string, push: Push): void {
  if (typeof v === 'string' && PERCENT.test(v) && Number(v.slice(0, -1)) > 100) push(at, `Invalid value: "${v}": must not be greater than 100%`);
}

/** validateHorizontalPodAutoscalerSpec (pkg/apis/autoscaling/validation): maxReplicas ≥ minReplicas. */
function hpaChecks(spec: Rec, push: Push): void {
  if (typeof spec.minReplicas === 'number' && typeof spec.maxReplicas === 'number' && spec.maxReplicas < spec.minReplicas) {
    push('/spec/maxReplicas', `Invalid value: ${spec.maxReplicas}: must be greater than or equal to \`minReplicas\``);
  }
}

/** ValidatePodDisruptionBudgetSpec (pkg/apis/policy/validation): not both minAvailable and maxUnavailable. */
function pdbChecks(spec: Rec, push: Push): void {
  if (spec.minAvailable !== undefined && spec.minAvailable !== null && spec.maxUnavailable !== undefined && spec.maxUnavailable !== null) {
    push('/spec', 'minAvailable and maxUnavailable cannot be both set');
  }
}

/** ValidateIPBlock (pkg/apis/networking/validation) on every peer of every rule. */
function networkPolicyChecks(spec: Rec, push: Push): void {
  for (const [direction, peers] of [['ingress', 'from'], ['egress', 'to']] as const) {
    list(spec[direction]).forEach((rule, i) => {
      list(rule[peers]).forEach((peer, j) => {
        if (peer.ipBlock === undefined) return;
        const ipb = rec(peer.ipBlock);
        const at = `/spec/${direction}/${i}/${peers}/${j}/ipBlock`;
        const cidr = typeof ipb.cidr === 'string' ? parseCidr(ipb.cidr) : undefined;
        if (!cidr) {
          push(`${at}/cidr`, `Invalid value: ${JSON.stringify(ipb.cidr ?? '')}: not a valid CIDR`);
          return;
        }
        (Array.isArray(ipb.except) ? ipb.except : []).forEach((e: unknown, k: number) => {
          const except = typeof e === 'string' ? parseCidr(e) : undefined;
          if (!except) push(`${at}/except/${k}`, `Invalid value: ${JSON.stringify(e)}: not a valid CIDR`);
          // `!cidrIPNet.Contains(exceptCIDR.IP) || cidrMaskLen >= exceptMaskLen`.
          else if (except.bits !== cidr.bits || !contains(cidr, except.address) || cidr.prefix >= except.prefix) {
            push(`${at}/except/${k}`, `Invalid value: "${String(e)}": must be a strict subset of \`cidr\``);
          }
        });
      });
    });
  }
}

// validateHTTPIngressPath (pkg/apis/networking/validation/validation.go): what an Exact or Prefix path
// may not contain or end with.
const INVALID_PATH_SEQUENCES = ['//', '/./', '/../', '%2f', '%2F'];
const INVALID_PATH_SUFFIXES = ['/..', '/.'];

/**
 * validateIngressRules, validateHTTPIngressPath and validateIngressTLS
 * (pkg/apis/networking/validation/validation.go): a rule's host is a DNS name, not an IP (`must be
 * a DNS name, not an IP address`), a DNS-1123 subdomain or, with a `*`, IsWildcardDNS1123Subdomain;
 * every path has a pathType; an Exact or Prefix path is absolute and holds none of
 * {@link INVALID_PATH_SEQUENCES} nor ends in {@link INVALID_PATH_SUFFIXES}; a non-empty
 * ImplementationSpecific path is absolute; each TLS host is a (wildcard) DNS-1123 subdomain.
 */
function ingressChecks(spec: Rec, push: Push): void {
  list(spec.rules).forEach((rule, i) => {
    const at = `/spec/rules/${i}`;
    if (typeof rule.host === 'string' && rule.host !== '') {
      for (const message of ingressHostErrors(rule.host)) push(`${at}/host`, `Invalid value: "${rule.host}": ${message}`);
    }
    list(rec(rule.http).paths).forEach((p, j) => {
      const pat = `${at}/http/paths/${j}`;
      const path = typeof p.path === 'string' ? p.path : '';
      if (typeof p.pathType !== 'string') {
        push(`${pat}/pathType`, 'Required value: pathType must be specified');
      } else if (p.pathType === 'Exact' || p.pathType === 'Prefix') {
        if (!path.startsWith('/')) push(`${pat}/path`, `Invalid value: "${path}": must be an absolute path`);
        for (const sequence of INVALID_PATH_SEQUENCES) if (path.includes(sequence)) push(`${pat}/path`, `Invalid value: "${path}": must not contain '${sequence}'`);
        for (const suffix of INVALID_PATH_SUFFIXES) if (path.endsWith(suffix)) push(`${pat}/path`, `Invalid value: "${path}": cannot end with '${suffix}'`);
      } else if (p.pathType === 'ImplementationSpecific' && path !== '' && !path.startsWith('/')) {
        push(`${pat}/path`, `Invalid value: "${path}": must be an absolute path`);
      }
    });
  });
  list(spec.tls).forEach((tls, i) => {
    (Array.isArray(tls.hosts) ? tls.hosts : []).forEach((host: unknown, j: number) => {
      if (typeof host !== 'string') return;
      for (const message of tlsHostErrors(host)) push(`/spec/tls/${i}/hosts/${j}`, `Invalid value: "${host}": ${message}`);
    });
  });
}

const WILDCARD_DNS1123_SUBDOMAIN = /^\*\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** What the API server says of an Ingress rule's host. */
export function ingressHostErrors(host: string): string[] {
  const ip = parseIpv4(host) !== undefined || (host.includes(':') && parseIpv6(host) !== undefined);
  return [...(ip ? ['must be a DNS name, not an IP address'] : []), ...tlsHostErrors(host)];
}

/** validateIngressTLS: a host with a `*` is IsWildcardDNS1123Subdomain, any other IsDNS1123Subdomain (an IP is not refused here). */
export function tlsHostErrors(host: string): string[] {
  const errors: string[] = [];
  if (!host.includes('*')) return dns1123SubdomainErrors(host);
  if (host.length > 253) errors.push('must be no more than 253 characters');
  if (!WILDCARD_DNS1123_SUBDOMAIN.test(host)) {
    errors.push("a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character");
  }
  return errors;
}

// The fields of github.com/robfig/cron/v3 `ParseStandard` (minute, hour, day of month, month, day of
// week) with their bounds and names, and the descriptors it accepts.
const CRON_FIELDS: readonly { readonly min: number; readonly max: number; readonly names?: readonly string[] }[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
  { min: 0, max: 6, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];
const CRON_DESCRIPTORS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];

/**
 * validateScheduleFormat (pkg/apis/batch/validation): `cron.ParseStandard(schedule)` must succeed, and
 * a new CronJob may not carry TZ or CRON_TZ in its schedule (the `timeZone` field replaces them).
 * Messages follow robfig/cron's parser where it has one.
 */
export function cronScheduleErrors(schedule: string): string[] {
  const errors: string[] = [];
  if (schedule.includes('TZ')) errors.push('cannot use TZ or CRON_TZ in schedule, use timeZone field instead');
  const spec = schedule.trim().replace(/^(CRON_)?TZ=\S+\s*/, '');
  if (spec.startsWith('@')) {
    if (CRON_DESCRIPTORS.includes(spec)) return errors;
    if (/^@every \S+$/.test(spec)) return errors;
    return [...errors, `unrecognized descriptor: ${spec}`];
  }
  const fields = spec.split(/\s+/).filter((f) => f !== '');
  if (fields.length !== 5) return [...errors, `expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`];
  fields.forEach((field, i) => {
    const problem = cronFieldError(field, CRON_FIELDS[i]);
    if (problem) errors.push(problem);
  });
  return errors;
}

function cronFieldError(field: string, bounds: (typeof CRON_FIELDS)[number]): string | undefined {
  const value = (text: string): number | undefined => {
    const named = bounds.names?.indexOf(text.toLowerCase()) ?? -1;
    if (named >= 0) return named + (bounds.min === 1 ? 1 : 0);
    return /^\d+$/.test(text) ? Number(text) : undefined;
  };
  for (const range of field.split(',')) {
    const [span, step, extra] = range.split('/');
    if (extra !== undefined || (step !== undefined && !/^\d+$/.test(step))) return `failed to parse int from ${step ?? range}`;
    if (span === '*' || span === '?') continue;
    const [lowText, highText, more] = span.split('-');
    if (more !== undefined) return `too many hyphens: ${span}`;
    const low = value(lowText);
    const high = highText === undefined ? low : value(highText);
    if (low === undefined) return `failed to parse int from ${lowText}`;
    if (high === undefined) return `failed to parse int from ${highText}`;
    if (low < bounds.min) return `beginning of range (${low}) below minimum (${bounds.min}): ${field}`;
    if (high > bounds.max) return `end of range (${high}) above maximum (${bounds.max}): ${field}`;
    if (low > high) return `beginning of range (${low}) beyond end of range (${high}): ${field}`;
  }
  return undefined;
}

interface Cidr {
  readonly address: bigint;
  readonly prefix: number;
  readonly bits: 32 | 128;
}

/** An IPv4 or IPv6 CIDR (net.ParseCIDR's syntax), with the address masked to the network. */
export function parseCidr(value: string): Cidr | undefined {
  const slash = value.indexOf('/');
  if (slash < 0) return undefined;
  const ip = value.slice(0, slash);
  const prefixText = value.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  const parsed = ip.includes(':') ? parseIpv6(ip) : parseIpv4(ip);
  if (parsed === undefined) return undefined;
  const bits = ip.includes(':') ? 128 : 32;
  if (prefix > bits) return undefined;
  const shift = BigInt(bits - prefix);
  return { address: (parsed >> shift) << shift, prefix, bits };
}

function contains(net: Cidr, address: bigint): boolean {
  const shift = BigInt(net.bits - net.prefix);
  return address >> shift === net.address >> shift;
}

function parseIpv4(ip: string): bigint | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((acc, p) => (acc << 8n) | BigInt(Number(p)), 0n);
}

function parseIpv6(ip: string): bigint | undefined {
  const halves = ip.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || (halves.length === 2 && missing < 1)) return undefined;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (all.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  return all.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/** IsConfigMapKey (apimachinery/pkg/util/validation), as ValidateConfigMap and ValidateSecret apply it. */
function dataKeyChecks(data: unknown, at: string, push: Push): void {
  for (const key of Object.keys(rec(data))) {
    for (const message of configKeyErrors(key)) push(`${at}/${escapePointer(key)}`, `Invalid value: "${key}": ${message}`);
  }
}

/** IsConfigMapKey: at most 253 characters of `[-._a-zA-Z0-9]`, not `.` or `..`. */
export function configKeyErrors(key: string): string[] {
  const errors: string[] = [];
  if (key.length > 253) errors.push('must be no more than 253 characters');
  if (!/^[-._a-zA-Z0-9]+$/.test(key)) errors.push("a valid config key must consist of alphanumeric characters, '-', '_' or '.'");
  if (key === '.') errors.push("must not be '.'");
  else if (key === '..') errors.push("must not be '..'");
  else if (key.startsWith('..')) errors.push("must not start with '..'");
  return errors;
}
