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

/** One thing the API server would refuse, at a JSON pointer inside the object. */
export interface ApiValidationFinding {
  readonly pointer: string;
  readonly message: string;
}

type Push = (pointer: string, message: string) => void;

// Job and CronJob pod templates: ValidateJobSpec / validateJobTemplateSpec in pkg/apis/batch/validation
// (`validRestartPolicies` OnFailure, Never); other workloads: ValidatePodTemplateSpecForReplicaSet,
// ValidatePodTemplateSpecForStatefulSet, ValidateDaemonSetSpec in pkg/apis/apps/validation (Always only).
const JOB_RESTART_POLICIES = ['OnFailure', 'Never'];
const WORKLOAD_RESTART_POLICIES = ['Always'];

// The probe handler kinds validateHandler (pkg/apis/core/validation) counts.
const PROBE_HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'grpc'] as const;
const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;

/** Every check of this module that applies to the object. */
export function apiValidationFindings(obj: ManifestLike): ApiValidationFinding[] {
  const findings: ApiValidationFinding[] = [];
  const push: Push = (pointer, message) => findings.push({ pointer, message });
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
    if (gk !== '/Pod') restartPolicyCheck(spec, `${pointer}/spec`, gk === 'batch/Job' || gk === 'batch/CronJob' ? JOB_RESTART_POLICIES : WORKLOAD_RESTART_POLICIES, push);
  }
  if (gk === 'apps/Deployment') deploymentStrategyChecks(rec(obj.spec), push);
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

/** validatePodSpec → validateVolumes, validateContainers, validateInitContainers (pkg/apis/core/validation). */
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
    });
  }
}

function containerChecks(c: Rec, at: string, volumes: ReadonlySet<string>, push: Push): void {
  // ValidateVolumeMounts: `field.NotFound(idxPath.Child("name"), mnt.Name)` for a mount of no declared volume.
  list(c.volumeMounts).forEach((m, i) => {
    if (typeof m.name === 'string' && !volumes.has(m.name)) push(`${at}/volumeMounts/${i}/name`, `Not found: "${m.name}"`);
  });
  // validateContainerPorts: containerPort in range (InclusiveRangeError), name IsValidPortName.
  list(c.ports).forEach((p, i) => {
    if (typeof p.containerPort === 'number' && (p.containerPort < 1 || p.containerPort > 65535)) {
      push(`${at}/ports/${i}/containerPort`, `Invalid value: ${p.containerPort}: must be between 1 and 65535, inclusive`);
    }
    if (typeof p.name === 'string' && p.name !== '') {
      for (const message of portNameErrors(p.name)) push(`${at}/ports/${i}/name`, `Invalid value: "${p.name}": ${message}`);
    }
  });
  // validateEnvVarValueFrom: "may not be specified when `value` is not empty".
  list(c.env).forEach((e, i) => {
    if (typeof e.value === 'string' && e.value !== '' && e.valueFrom !== undefined) {
      push(`${at}/env/${i}/valueFrom`, 'Invalid value: "": may not be specified when `value` is not empty');
    }
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
  // validateProbe → validateHandler: exactly one handler type.
  for (const probe of PROBES) {
    if (c[probe] === undefined || c[probe] === null) continue;
    const p = rec(c[probe]);
    const handlers = PROBE_HANDLERS.filter((h) => p[h] !== undefined && p[h] !== null);
    if (handlers.length === 0) push(`${at}/${probe}`, 'Required value: must specify a handler type');
    // The API server reports the second handler it meets: `field.Forbidden(fldPath.Child(h), "may not specify more than 1 handler type")`.
    for (const h of handlers.slice(1)) push(`${at}/${probe}/${h}`, 'Forbidden: may not specify more than 1 handler type');
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
 * ValidateRollingUpdateDeployment (pkg/apis/apps/validation): maxUnavailable and maxSurge not both 0
 * (`getIntOrPercentValue`: `0` and `0%` are both 0). Unset fields default to 25%.
 */
function deploymentStrategyChecks(spec: Rec, push: Push): void {
  const strategy = rec(spec.strategy);
  if (strategy.type !== undefined && strategy.type !== 'RollingUpdate') return;
  const ru = rec(strategy.rollingUpdate);
  if (isZero(ru.maxUnavailable) && isZero(ru.maxSurge)) {
    push('/spec/strategy/rollingUpdate/maxUnavailable', `Invalid value: ${JSON.stringify(ru.maxUnavailable)}: may not be 0 when \`maxSurge\` is 0`);
  }
}

function isZero(v: unknown): boolean {
  return v === 0 || v === '0%' || v === '0';
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

/**
 * validateIngressRules and validateHTTPIngressPath (pkg/apis/networking/validation): a host is a DNS
 * name, not an IP (`must be a DNS name, not an IP address`), a DNS-1123 subdomain or, with a `*`,
 * IsWildcardDNS1123Subdomain; an Exact or Prefix path is absolute; every path has a pathType.
 */
function ingressChecks(spec: Rec, push: Push): void {
  list(spec.rules).forEach((rule, i) => {
    const at = `/spec/rules/${i}`;
    if (typeof rule.host === 'string' && rule.host !== '') {
      for (const message of ingressHostErrors(rule.host)) push(`${at}/host`, `Invalid value: "${rule.host}": ${message}`);
    }
    list(rec(rule.http).paths).forEach((p, j) => {
      const pat = `${at}/http/paths/${j}`;
      if (typeof p.pathType !== 'string') push(`${pat}/pathType`, 'Required value: pathType must be specified');
      else if ((p.pathType === 'Exact' || p.pathType === 'Prefix') && !(typeof p.path === 'string' && p.path.startsWith('/'))) {
        push(`${pat}/path`, `Invalid value: "${String(p.path ?? '')}": must be an absolute path`);
      }
    });
  });
}

const WILDCARD_DNS1123_SUBDOMAIN = /^\*\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** What the API server says of an Ingress rule's host. */
export function ingressHostErrors(host: string): string[] {
  const errors: string[] = [];
  if (parseIpv4(host) !== undefined || (host.includes(':') && parseIpv6(host) !== undefined)) errors.push('must be a DNS name, not an IP address');
  if (!host.includes('*')) return [...errors, ...dns1123SubdomainErrors(host)];
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
