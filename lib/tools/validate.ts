/**
 * `kompile validate`: every object of a rendered tree against the Kubernetes and CRD schemas (through
 * {@link SchemaValidator}) and against Kompile's policies: Pod Security at the level each namespace
 * enforces (for every pod the environment runs, controller-made and mesh-injected containers
 * included; lib/checks/pod-admission.ts, the same rule the synth runs), requests and limits,
 * probes, pinned images, a NetworkPolicy in every workload namespace, no Secret values, no scalar
 * that Kubernetes (YAML 1.1) reads differently from YAML 1.2, and, for environments that restrict
 * registries and hosts, no reference outside them; no field a CRD defaults inside a list item left
 * unset (Argo CD would never see the object in sync; lib/checks/crd-list-defaults.ts); no claim of
 * a WaitForFirstConsumer storage class in an earlier sync wave than its first pod
 * (lib/checks/sync-waves.ts); no Ingress the ingress controller publishes no address for in an
 * Application with a later-wave Application (lib/checks/ingress-health.ts); Argo CD's project
 * permissions and CRD order (lib/checks/argocd-*.ts); no object defined twice, none namespaced
 * without a namespace, none in a namespace the environment does not create
 * (lib/checks/environment-objects.ts); no wildcard or cluster-wide RBAC on secrets, pods/exec or RBAC
 * objects, no fail-closed webhook without selector or HA, no Secret value on a command line
 * (lib/checks/security-rbac.ts, with reasoned per-object exceptions); Image Updater's write-back
 * files (`.argocd-source-<app>.yaml`) moving only the images their ImageUpdater follows, to digests
 * in the image lock and the allowed registries (lib/checks/write-back.ts); no CA key mounted and no
 * trust material distributed from a Secret's private key (lib/checks/security-trust.ts); no registry
 * credential in a container that runs build steps (lib/checks/security-build.ts); nothing reachable from outside the cluster without an
 * authentication story (lib/checks/security-exposure.ts).
 */
import { auditObject } from '../checks/audit';
import { hookFindings } from '../checks/argocd-hooks';
import { crdOrderFindings } from '../checks/argocd-order';
import { projectBoundaryFindings, projectFindings } from '../checks/argocd-project';
import { unlockedImages } from '../checks/chart-images';
import { crdListDefaultFindings } from '../checks/crd-list-defaults';
import { environmentObjectFindings } from '../checks/environment-objects';
import { ingressHealthFindings } from '../checks/ingress-health';
import { KUBERNETES_NAMESPACES, networkSecurityFindings } from '../checks/security-network';
import { kubernetesVersionFindings } from '../checks/kubernetes-versions';
import { syncWaveFindings } from '../checks/sync-waves';
import { apiValidationFindings } from '../checks/api-validation';
import { podAdmissionFindings } from '../checks/pod-admission';
import { securityExposureFindings } from '../checks/security-exposure';
import { securityRbacFindings } from '../checks/security-rbac';
import { supplyChainFindings } from '../checks/security-supply-chain';
import { securityTrustFindings } from '../checks/security-trust';
import { buildSecurityFindings } from '../checks/security-build';
import { PortFacts, portFindings } from '../checks/ports';
import { POD_TEMPLATE_PATHS } from '../checks/pods';
import { followedImages, writeBackFindings } from '../checks/write-back';
import { describeDifference } from '../checks/yaml';
import { Image, ImageReferenceError } from '../core/image';
import { canonicalReference } from '../core/image-reference';
import { groupOf } from '../core/kinds';
import { RegistryPolicy } from '../core/registry-policy';
import { imageKeyReferences } from './images';
import type { SchemaFinding } from './schema-validator';
import { displayName, environmentsOf, ManifestObject, namespaceOf, RenderedTree, TreeObject } from './tree';

export type Severity = 'error' | 'warning';

/** What a finding is about; each rule has one severity. */
export type Rule = 'schema' | 'api' | 'yaml-1.1' | 'pod-security' | 'resources' | 'probes' | 'image-tag' | 'network-policy' | 'secret-value' | 'airgap' | 'chart-image' | 'chart-values' | 'chart-unchecked' | 'argocd-project' | 'argocd-order' | 'argocd-hook' | 'argocd-diff' | 'sync-wave' | 'ingress-health' | 'duplicate' | 'namespace' | 'kubernetes-version' | 'node-port' | 'load-balancer-port' | 'rbac-wildcard' | 'webhook-fail-closed' | 'secret-on-command-line' | 'trust-private-key' | 'netpol-open-peer' | 'netpol-unknown-namespace' | 'build-credentials' | 'edge-authentication' | 'security-exception' | 'write-back' | 'mutable-image' | 'unpinned-git-source';

export const SEVERITY: Readonly<Record<Rule, Severity>> = {
  schema: 'error',
  // The API server refuses the object on checks no OpenAPI schema carries (lib/checks/api-validation.ts);
  // what it accepts with a warning (pkg/api/pod/warnings.go) is a warning (severity per finding).
  api: 'error',
  // kubectl and Argo CD read YAML 1.1: a plain `yes` where a string is meant reaches the API server as true.
  'yaml-1.1': 'error',
  'pod-security': 'error',
  resources: 'error',
  // Missing probes degrade rollouts and restarts but the workload runs.
  probes: 'warning',
  'image-tag': 'error',
  'network-policy': 'error',
  'secret-value': 'error',
  airgap: 'error',
  // An image a chart runs that no value sets is neither mirrored nor relocated.
  'chart-image': 'error',
  // A value key the chart does not declare is ignored by it.
  'chart-values': 'error',
  // A chart that is not vendored could not be rendered, so nothing it runs was checked.
  'chart-unchecked': 'warning',
  // Argo CD refuses the Application or fails its whole sync.
  'argocd-project': 'error',
  // The first sync fails until the CRD exists.
  'argocd-order': 'error',
  // Errors: annotations Argo CD would not read as written; a run-once named hook is a warning (severity per finding).
  'argocd-hook': 'error',
  // A field the CRD defaults inside a list item keeps Argo CD's diff OutOfSync for ever (lib/checks/crd-list-defaults.ts).
  'argocd-diff': 'error',
  // A WaitForFirstConsumer claim before its first pod: the environment never finishes syncing.
  'sync-wave': 'error',
  // An Ingress the controller publishes no address for stays Progressing: later waves never start.
  'ingress-health': 'error',
  'netpol-open-peer': 'error',
  'netpol-unknown-namespace': 'error',
  'security-exception': 'error',
  // A write-back file changes what Argo CD renders without the synth: only followed images, to digests (lib/checks/write-back.ts).
  'write-back': 'error',
  // Two definitions of one object: Argo CD applies one and reports the other as a shared resource.
  duplicate: 'error',
  // No namespace, or one nothing creates (the Applications sync with CreateNamespace=false): the sync fails.
  namespace: 'error',
  // Errors: below a minimum the component enforces; warnings: outside its published support window (severity per finding).
  'kubernetes-version': 'error',
  // A node port claimed twice or outside the range: the API server refuses the Service (lib/checks/ports.ts).
  'node-port': 'error',
  // On k3s, a LoadBalancer port claimed twice or Traefik's: ServiceLB never gives the Service an address.
  'load-balancer-port': 'error',
  // Security rules (lib/checks/security-rbac.ts): a path to more privilege, admission stopped by one pod, a secret in ps.
  'rbac-wildcard': 'error',
  'webhook-fail-closed': 'error',
  'secret-on-command-line': 'error',
  // Supply-chain rules (lib/checks/security-supply-chain.ts). A tag in a production tier is a warning
  // until images.digests.json holds the pinned images' digests (resolvable only against a registry
  // serving them: kompile images resolve); a Git source synced at a movable tag is an error.
  'mutable-image': 'warning',
  'unpinned-git-source': 'error',
  // A private key where trust material is distributed (lib/checks/security-trust.ts).
  'trust-private-key': 'error',
  // A registry credential where build steps run (lib/checks/security-build.ts): any build can push anything.
  'build-credentials': 'error',
  // lib/checks/security-exposure.ts: reachable from outside the cluster without an authentication story.
  'edge-authentication': 'error',
};

export interface ValidationFinding {
  readonly severity: Severity;
  readonly rule: Rule;
  readonly environment: string;
  /** File relative to the tree root. */
  readonly file: string;
  /** `Kind/namespace/name`. */
  readonly object: string;
  /** JSON pointer inside the object; '' for the object itself. */
  readonly path: string;
  readonly message: string;
}

/** The part of the schema validator `validate` uses. */
export interface ObjectSchemaValidator {
  validate(obj: Record<string, unknown>): SchemaFinding[];
  /** The same validator knowing the CRDs among `objects` too. */
  withCrds(objects: readonly unknown[]): ObjectSchemaValidator;
  /** The `openAPIV3Schema` of a CRD kind it knows. @default - no CRD schemas (no `argocd-diff` checks) */
  crdSchema?(apiVersion: string, kind: string): Record<string, unknown> | undefined;
}

export interface ValidateOptions {
  /** Schema checks. @default - no schema checks */
  readonly schema?: ObjectSchemaValidator;
  /**
   * Registry policies of environments whose references are restricted (airgap), by environment name.
   * @default - no environment is restricted
   */
  readonly policies?: ReadonlyMap<string, RegistryPolicy>;
  /**
   * The storage classes of each environment's cluster that wait for the first consumer
   * (`cluster.storageClasses.waitForFirstConsumer`), by environment name: the 'sync-wave' rule.
   * @default - none: the rule finds nothing
   */
  readonly waitForFirstConsumer?: ReadonlyMap<string, readonly string[]>;
  /**
   * Whether each environment's ingress controller writes an address into Ingress status
   * (`cluster.ingress.publishesStatus`), by environment name: the 'ingress-health' rule judges the
   * environments given false. @default - none: the rule finds nothing (an environment's controller is
   * unknown)
   */
  readonly ingressPublishesStatus?: ReadonlyMap<string, boolean>;
  /**
   * The namespace of Argo CD and its Applications (`gitops.argocdNamespace`), by environment name:
   * created with Argo CD, so the 'namespace' rule does not ask the environment to create it.
   * @default - 'argocd' for every environment
   */
  readonly argocdNamespaces?: ReadonlyMap<string, string>;
  /**
   * Each environment's Kubernetes version (`cluster.kubernetesVersion`), by environment name: the
   * 'kubernetes-version' rule (lib/checks/kubernetes-versions.ts). @default - none: the rule finds nothing
   */
  readonly kubernetesVersions?: ReadonlyMap<string, string>;
  /**
   * Each environment's cluster facts for the 'node-port' and 'load-balancer-port' rules
   * (`clusterPortFacts`), by environment name. @default - node-port range 30000-32767, nothing reserved
   */
  readonly ports?: ReadonlyMap<string, PortFacts>;
  /** The cluster's pod and service networks by environment name, for the 'netpol-open-peer' rule. @default - unknown: an open block needs some except */
  readonly clusterCidrs?: ReadonlyMap<string, readonly string[]>;
  /** Environment → its tier (`EnvironmentConfig.tier`): `production` judges mutable images. @default - development */
  readonly tiers?: ReadonlyMap<string, 'development' | 'production'>;
  /** Environment → its own GitOps repository (`gitops.repoURL`), whose branch its Applications follow. @default - none */
  readonly gitopsRepos?: ReadonlyMap<string, string>;
  /** Namespaces each environment's cluster has without creating them (`clusterNamespaces`), for the 'netpol-unknown-namespace' rule. @default - Kubernetes' own and Argo CD's */
  readonly clusterNamespaces?: ReadonlyMap<string, readonly string[]>;
}

type Rec = Record<string, unknown>;

function rec(v: unknown): Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Rec) : {};
}

/** Workloads that run indefinitely and so need probes. */
const LONG_RUNNING = new Set(['apps/Deployment', 'apps/StatefulSet', 'apps/DaemonSet', 'apps/ReplicaSet', '/ReplicationController']);

/**
 * Env variable names that hold a credential: ending in the credential word (`DB_PASSWORD`,
 * `GITHUB_TOKEN`, `AWS_SECRET_ACCESS_KEY`), not merely containing it (`REGISTRY_AUTH_HTPASSWD_REALM`,
 * `TOKEN_FILE`, `SKIP_TOKEN_CHECK`, `AWS_ACCESS_KEY_ID` name no secret).
 */
const CREDENTIAL_NAME = /(^|_)(PASSWORD|PASSWD|PASS|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|SECRET_?KEY|PRIVATE_?KEY|CREDENTIALS?|HTPASSWD)$/i;
/** Values that are credentials whatever their name: PEM private keys and well-known token formats. */
const CREDENTIAL_VALUE = /^-----BEGIN [A-Z ]*PRIVATE KEY-----|^AKIA[0-9A-Z]{16}$|^gh[pousr]_[A-Za-z0-9]{36,}$|^glpat-[A-Za-z0-9_-]{20,}$|^xox[baprs]-|^sk-[A-Za-z0-9]{20,}$/;

interface PodTemplate {
  readonly spec: Rec;
  readonly annotations: Rec;
  /** Pointer of the pod template (or Pod) the spec belongs to. */
  readonly pointer: string;
}

/** The pod template of a built-in workload, or undefined. */
function podTemplateOf(obj: ManifestObject): PodTemplate | undefined {
  const path = POD_TEMPLATE_PATHS[`${groupOf(obj.apiVersion)}/${obj.kind}`];
  if (!path) return undefined;
  let template: unknown = obj;
  for (const key of path) template = rec(template)[key];
  const t = rec(template);
  return { spec: rec(t.spec), annotations: rec(rec(t.metadata).annotations), pointer: path.map((k) => `/${k}`).join('') };
}

function escape(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Calls `visit` for every value in `node`, with its pointer and the key it is held under. */
function walk(node: unknown, visit: (value: unknown, pointer: string, key: string) => void, pointer = '', key = ''): void {
  visit(node, pointer, key);
  if (Array.isArray(node)) node.forEach((v, i) => walk(v, visit, `${pointer}/${i}`, key));
  else if (typeof node === 'object' && node !== null) for (const [k, v] of Object.entries(node)) walk(v, visit, `${pointer}/${escape(k)}`, k);
}

type Add = (rule: Rule, path: string, message: string) => void;

function resourceChecks(template: PodTemplate, add: Add): void {
  for (const listName of ['initContainers', 'containers'] as const) {
    const containers = Array.isArray(template.spec[listName]) ? (template.spec[listName] as unknown[]).map(rec) : [];
    containers.forEach((c, i) => {
      const at = `${template.pointer}/spec/${listName}/${i}/resources`;
      const name = String(c.name ?? i);
      const resources = rec(c.resources);
      const requests = rec(resources.requests);
      const limits = rec(resources.limits);
      for (const r of ['cpu', 'memory']) if (requests[r] === undefined) add('resources', `${at}/requests/${r}`, `container '${name}' has no ${r} request`);
      if (limits.memory === undefined) add('resources', `${at}/limits/memory`, `container '${name}' has no memory limit`);
      if (limits.cpu === undefined) add('resources', `${at}/limits/cpu`, `container '${name}' has no cpu limit`);
    });
  }
}

function probeChecks(template: PodTemplate, add: Add): void {
  const containers = Array.isArray(template.spec.containers) ? (template.spec.containers as unknown[]).map(rec) : [];
  containers.forEach((c, i) => {
    for (const probe of ['readinessProbe', 'livenessProbe']) {
      if (c[probe] === undefined) add('probes', `${template.pointer}/spec/containers/${i}/${probe}`, `container '${String(c.name ?? i)}' of a long-running workload has no ${probe}`);
    }
  });
}

/** Every string under an `image` key (container images included): none may be `latest` or unpinned. */
function imageChecks(obj: ManifestObject, add: Add): void {
  for (const { pointer, value } of imageKeyReferences(obj)) {
    try {
      const image = Image.parse(value);
      if (image.tag === 'latest') add('image-tag', pointer, `image '${value}' uses the mutable tag 'latest'; pin a version`);
      else if (image.isUnpinned) add('image-tag', pointer, `image '${value}' has no tag or digest (an implicit 'latest'); pin a version`);
    } catch (e) {
      if (e instanceof ImageReferenceError) add('image-tag', pointer, e.message);
      else throw e;
    }
  }
}

function secretChecks(obj: ManifestObject, add: Add): void {
  if (obj.apiVersion === 'v1' && obj.kind === 'Secret') {
    for (const field of ['data', 'stringData']) {
      if (Object.keys(rec(obj[field])).length > 0) add('secret-value', `/${field}`, `Secret carries values in '${field}'; reference a Secret created out of band (secretKeyRef, existingSecret) instead`);
    }
  }
  walk(obj, (value, pointer, key) => {
    if (key !== 'env' || !Array.isArray(value)) return;
    value.map(rec).forEach((entry, i) => {
      const name = typeof entry.name === 'string' ? entry.name : '';
      const v = entry.value;
      if (typeof v !== 'string' || v === '') return;
      const namedLikeSecret = CREDENTIAL_NAME.test(name) && !/^(true|false)$/i.test(v);
      if (namedLikeSecret || CREDENTIAL_VALUE.test(v)) {
        add('secret-value', `${pointer}/${i}/value`, `env '${name}' holds a literal credential; use valueFrom.secretKeyRef`);
      }
    });
  });
}

/**
 * Validates every object of a rendered tree. Pure apart from what `options.schema` does.
 * Findings are sorted by environment, file, object and path.
 */
export function validateTree(tree: RenderedTree, options: ValidateOptions = {}): ValidationFinding[] {
  const findings: ValidationFinding[] = [];
  for (const env of environmentsOf(tree)) {
    const objects = tree.objects.filter((o) => o.environment === env);
    const lockTargets = new Set(Object.values(tree.images.get(env)?.lock ?? {}).map(canonicalReference));
    // The CRDs the environment's charts render (a vendored chart's own CRD wins over the schema
    // Kompile writes for a kind only a chart brings, schemas/crds).
    const schema = options.schema?.withCrds(objects.filter((o) => o.chart).map((o) => o.object));
    const withPolicy = new Set(objects.filter((o) => o.object.kind === 'NetworkPolicy' && groupOf(o.object.apiVersion) === 'networking.k8s.io').map((o) => namespaceOf(o.object)));
    const workloadNamespaces = new Map<string, TreeObject>();
    // Namespaces the environment creates, with their policies; others (Argo CD's, where the Image
    // Updater chart installs) belong to whoever created them.
    const created = new Set(objects.filter((o) => o.object.apiVersion === 'v1' && o.object.kind === 'Namespace').map((o) => o.object.metadata.name));
    const policy = options.policies?.get(env);

    for (const o of objects) {
      const add: Add = (rule, path, message) =>
        findings.push({ severity: SEVERITY[rule], rule, environment: env, file: o.file, object: displayName(o.object), path, message });
      for (const d of o.yamlDifferences ?? []) add('yaml-1.1', d.pointer, describeDifference(d));
      for (const f of schema?.validate(o.object) ?? []) add('schema', f.path, f.message);
      for (const f of apiValidationFindings(o.object)) {
        if (f.severity === 'warning') findings.push({ severity: 'warning', rule: 'api', environment: env, file: o.file, object: displayName(o.object), path: f.pointer, message: f.message });
        else add('api', f.pointer, f.message);
      }
      const crd = schema?.crdSchema?.(o.object.apiVersion, o.object.kind);
      if (crd) for (const f of crdListDefaultFindings(o.object, crd)) add('argocd-diff', f.pointer, f.message);
      const template = podTemplateOf(o.object);
      const ns = namespaceOf(o.object);
      if (template) {
        if (ns && created.has(ns) && !workloadNamespaces.has(ns)) workloadNamespaces.set(ns, o);
        // Requests, limits and probes are Kompile's own rules for what it writes; an upstream
        // chart's workloads are held to the cluster's rules (schema, Pod Security) and the audit.
        if (!o.chart) {
          resourceChecks(template, add);
          if (LONG_RUNNING.has(`${groupOf(o.object.apiVersion)}/${o.object.kind}`)) probeChecks(template, add);
        }
      }
      imageChecks(o.object, add);
      if (o.chart) for (const u of unlockedImages(o.object, lockTargets, o.chart)) add('chart-image', u.pointer, u.message);
      secretChecks(o.object, add);
      if (policy) for (const f of auditObject(o.object, new Set(), policy)) add('airgap', f.pointer, f.inner === undefined ? f.message : `in its text at ${f.inner}: ${f.message}`);
    }
    const projects = objects.filter((o) => o.object.kind === 'AppProject');
    const applications = objects.filter((o) => o.object.kind === 'Application' && (o.component === 'apps' || o.component === 'bootstrap'));
    const synced = applications.map((a) => ({
      application: a.object,
      // Its folder's objects, or (an upstream chart) what was rendered from it.
      objects: objects.filter((o) => o !== a && (o.component === a.object.metadata.name || (o.chart !== undefined && o.file === a.file))).map((o) => o.object),
    }));
    const argocd: [Rule, { application: string; object?: string; message: string }][] = [
      ...projectFindings(projects.map((p) => p.object), synced).map((f): [Rule, typeof f] => ['argocd-project', f]),
      ...crdOrderFindings(synced).map((f): [Rule, typeof f] => ['argocd-order', f]),
    ];
    for (const [rule, f] of argocd) {
      const a = applications.find((x) => x.object.metadata.name === f.application)!;
      findings.push({ severity: SEVERITY[rule], rule, environment: env, file: a.file, object: f.object ?? displayName(a.object), path: f.object ? '' : '/spec', message: f.message });
    }
    for (const f of projectBoundaryFindings(projects.map((p) => p.object))) findings.push({ severity: SEVERITY['argocd-project'], rule: 'argocd-project', environment: env, file: projects[f.index].file, object: displayName(projects[f.index].object), path: '/spec', message: f.message });
    for (const f of hookFindings(objects.map((o) => o.object))) {
      const o = objects[f.index];
      findings.push({ severity: f.severity, rule: 'argocd-hook', environment: env, file: o.file, object: displayName(o.object), path: f.pointer, message: f.message });
    }
    for (const f of podAdmissionFindings(objects.map((o) => o.object))) {
      const o = objects[f.index];
      findings.push({ severity: SEVERITY['pod-security'], rule: 'pod-security', environment: env, file: o.file, object: displayName(o.object), path: f.pointer, message: f.message });
    }
    // A chart's objects carry no component label: their component is their folder, `<env>/<component>/…`.
    const folderOf = (i: number) => {
      const parts = objects[i].file.split('/');
      return parts.length >= 3 && parts[1] !== 'apps' ? parts[1] : undefined;
    };
    for (const f of syncWaveFindings(objects.map((o) => o.object), new Set(options.waitForFirstConsumer?.get(env) ?? []), folderOf)) {
      const o = objects[f.index];
      findings.push({ severity: SEVERITY['sync-wave'], rule: 'sync-wave', environment: env, file: o.file, object: displayName(o.object), path: '', message: `${f.message} (${objects[f.consumerIndex].file})` });
    }
    for (const f of ingressHealthFindings(objects.map((o) => o.object), options.ingressPublishesStatus?.get(env) ?? true, folderOf)) {
      const o = objects[f.index];
      findings.push({ severity: SEVERITY['ingress-health'], rule: 'ingress-health', environment: env, file: o.file, object: displayName(o.object), path: '', message: `${f.message} (${objects[f.heldBackIndex].file})` });
    }
    // Objects rendered from a chart without a namespace go to their Application's destination.
    const destinationOf = (i: number): string | undefined => {
      const o = objects[i];
      const app = applications.find((a) => a.file === o.file || a.object.metadata.name === o.component)?.object as { spec?: { destination?: { namespace?: unknown } } } | undefined;
      const ns = app?.spec?.destination?.namespace;
      return typeof ns === 'string' ? ns : undefined;
    };
    for (const f of environmentObjectFindings(objects.map((o) => o.object), { fromChart: (i) => objects[i].chart !== undefined, destinationOf, argocdNamespace: options.argocdNamespaces?.get(env) })) {
      const o = objects[f.index];
      const also = f.otherIndex === undefined ? '' : ` (also in ${objects[f.otherIndex].file}${objects[f.otherIndex].chart ? `, rendered from chart ${objects[f.otherIndex].chart}` : ''})`;
      findings.push({ severity: SEVERITY[f.rule], rule: f.rule, environment: env, file: o.file, object: displayName(o.object), path: f.pointer, message: `${f.message}${also}` });
    }
    // Security rules: as in the synth (lib/core/synthesize.ts, 5k), what an upstream chart renders is a
    // warning naming the chart; Kompile's own objects must pass.
    const security = (f: { index: number; rule: Rule; pointer: string; message: string }): ValidationFinding => {
      const o = objects[f.index];
      const fromChart = o.chart !== undefined;
      return { severity: fromChart ? 'warning' : SEVERITY[f.rule], rule: f.rule, environment: env, file: o.file, object: displayName(o.object), path: f.pointer, message: fromChart ? `${f.message} (rendered from chart ${o.chart})` : f.message };
    };
    // The environment's own GitOps repository: as configured, else the one its root Application
    // (bootstrap/, applied by hand) syncs from.
    const gitopsRepo = options.gitopsRepos?.get(env);
    const rootRepos = objects
      .filter((o) => o.component === 'bootstrap' && o.object.kind === 'Application')
      .map((o) => (o.object.spec as { source?: { repoURL?: unknown } } | undefined)?.source?.repoURL)
      .filter((r): r is string => typeof r === 'string');
    const manifests = objects.map((o) => o.object);
    for (const f of supplyChainFindings(manifests, { tier: options.tiers?.get(env) ?? 'development', ownRepos: gitopsRepo ? [gitopsRepo] : rootRepos })) findings.push(security(f));
    // The object rules that judge a chart's objects in its Application's namespace.
    const chartNamespaceOf = (i: number) => (objects[i].chart !== undefined ? destinationOf(i) : undefined);
    for (const f of [
      ...securityRbacFindings(manifests, { namespaceOf: chartNamespaceOf }),
      ...securityTrustFindings(manifests, { namespaceOf: chartNamespaceOf }),
      ...buildSecurityFindings(manifests, { namespaceOf: chartNamespaceOf }),
      ...securityExposureFindings(manifests, { namespaceOf: chartNamespaceOf }),
    ]) {
      findings.push(security(f));
    }
    // A chart rendered from an Application's values (same file) stands for those values.
    const renderedBy = (i: number) => {
      const o = objects[i];
      const a = o.chart === undefined ? undefined : applications.find((x) => x.file === o.file);
      return a ? objects.indexOf(a) : undefined;
    };
    for (const f of portFindings(objects.map((o) => o.object), options.ports?.get(env), { renderedBy })) {
      const o = objects[f.index];
      const also = f.otherIndex === undefined ? '' : ` (${objects[f.otherIndex].file})`;
      findings.push({ severity: SEVERITY[f.rule], rule: f.rule, environment: env, file: o.file, object: displayName(o.object), path: f.pointer, message: `${f.message}${also}` });
    }
    for (const f of networkSecurityFindings(objects.map((o) => o.object), { clusterCidrs: options.clusterCidrs?.get(env), existingNamespaces: [...KUBERNETES_NAMESPACES, ...(options.argocdNamespaces?.has(env) ? [options.argocdNamespaces.get(env)!] : []), ...(options.clusterNamespaces?.get(env) ?? [])] })) findings.push(security(f));
    const kubernetesVersion = options.kubernetesVersions?.get(env);
    for (const f of kubernetesVersion ? kubernetesVersionFindings(objects.map((o) => o.object), kubernetesVersion) : []) {
      const o = objects[f.index];
      findings.push({ severity: f.severity, rule: 'kubernetes-version', environment: env, file: o.file, object: displayName(o.object), path: f.pointer, message: f.message });
    }
    // Image Updater's write-back files (and any other source override): what Argo CD merges into an
    // Application's source is held to the followed images, digests, the image lock and the airgap policy.
    const imageUpdaters = objects.filter((o) => o.object.kind === 'ImageUpdater' && groupOf(o.object.apiVersion) === 'argocd-image-updater.argoproj.io').map((o) => o.object);
    const lockedNames = new Set<string>();
    for (const ref of [...Object.keys(tree.images.get(env)?.lock ?? {}), ...lockTargets]) {
      try {
        lockedNames.add(Image.parse(ref).name);
      } catch (e) {
        if (!(e instanceof ImageReferenceError)) throw e;
      }
    }
    for (const w of (tree.sourceOverrides ?? []).filter((f) => f.environment === env)) {
      const name = w.file.slice(w.file.lastIndexOf('/') + 1);
      for (const f of writeBackFindings(name, w.content, { folder: w.component, followed: followedImages(imageUpdaters, w.component), lockedNames, policy })) {
        findings.push({ severity: SEVERITY['write-back'], rule: 'write-back', environment: env, file: w.file, object: `write-back file ${name}`, path: f.pointer, message: f.message });
      }
    }
    for (const [ns, first] of workloadNamespaces) {
      if (!withPolicy.has(ns)) {
        findings.push({ severity: SEVERITY['network-policy'], rule: 'network-policy', environment: env, file: first.file, object: `Namespace/${ns}`, path: '', message: `namespace '${ns}' runs workloads (first: ${displayName(first.object)}) but has no NetworkPolicy` });
      }
    }
  }
  return sortFindings(findings);
}

/** Findings sorted by environment, file, object, path and message. */
export function sortFindings(findings: readonly ValidationFinding[]): ValidationFinding[] {
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...findings].sort((a, b) => cmp(a.environment, b.environment) || cmp(a.file, b.file) || cmp(a.object, b.object) || cmp(a.path, b.path) || cmp(a.message, b.message));
}

/** Exit code: 1 on any error (or on any warning with `strict`), else 0. */
export function validateExitCode(findings: readonly ValidationFinding[], strict = false): number {
  return findings.some((f) => f.severity === 'error' || strict) ? 1 : 0;
}

/** One line per finding (`error file object path: message [rule]`) and a count. */
export function formatFindings(findings: readonly ValidationFinding[]): string {
  const lines = findings.map((f) => `${f.severity.padEnd(7)} ${f.file} ${f.object}${f.path ? ` ${f.path}` : ''}: ${f.message} [${f.rule}]`);
  const errors = findings.filter((f) => f.severity === 'error').length;
  lines.push(`${errors} error(s), ${findings.length - errors} warning(s)`);
  return `${lines.join('\n')}\n`;
}
