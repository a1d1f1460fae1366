import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { apiValidationFindings } from '../checks/api-validation';
import { auditImage, auditObject, findingLocation } from '../checks/audit';
import { undeclaredValueFindings } from '../checks/chart-values';
import { hookFindings } from '../checks/argocd-hooks';
import { crdOrderFindings } from '../checks/argocd-order';
import { projectBoundaryFindings, projectFindings } from '../checks/argocd-project';
import { unlockedImages } from '../checks/chart-images';
import { crdApiVersions, SYNC_WAVE_ANNOTATION } from '../checks/objects';
import { podAdmissionFindings } from '../checks/pod-admission';
import { securityExposureFindings } from '../checks/security-exposure';
import { securityRbacFindings } from '../checks/security-rbac';
import { supplyChainFindings } from '../checks/security-supply-chain';
import { securityTrustFindings } from '../checks/security-trust';
import { buildSecurityFindings } from '../checks/security-build';
import { portFindings } from '../checks/ports';
import { crdListDefaultFindings, crdSchemasAmong } from '../checks/crd-list-defaults';
import { environmentObjectFindings } from '../checks/environment-objects';
import { ingressHealthFindings } from '../checks/ingress-health';
import { kubernetesVersionFindings } from '../checks/kubernetes-versions';
import { KUBERNETES_NAMESPACES, networkSecurityFindings } from '../checks/security-network';
import { syncWaveFindings } from '../checks/sync-waves';
import type { ChartRenderRequest } from './chart-render';
import { Component } from './component';
import { SynthError, SynthIssue } from './errors';
import { RESERVED_FOLDERS } from './extra-files';
import { Image, ImageReferenceError } from './image';
import { carriedImagesOf, DERIVED_IMAGES_ANNOTATION, imageFieldsOf } from './image-field';
import { isCheckOnly, isRendered } from './rendered-objects';
import { firstConsumerOf } from './first-consumer';
import { groupOf, isBuiltIn, isClusterScoped } from './kinds';
import { OutputChart } from './output-chart';
import { isPartial } from './partial-object';
import { UpstreamChart } from './upstream-chart';
import { Platform } from './platform';
import { RegistryPolicy } from './registry-policy';
import { ImageUse, relocateImages } from './relocate';
import { computeWaves } from './waves';
import { FileSource, RenderedFiles, toYamlDocuments } from './yaml-output';

/** Argo CD's ordering annotation. */
export const SYNC_WAVE = SYNC_WAVE_ANNOTATION;
/** Argo CD's per-resource sync options annotation. */
export const SYNC_OPTIONS = 'argocd.argoproj.io/sync-options';
/**
 * Kubernetes caps the total size of an object's annotations at 256 KiB; client-side apply stores
 * the whole object in `kubectl.kubernetes.io/last-applied-configuration`, so an object near that
 * size can only be applied server-side.
 */
export const CLIENT_SIDE_APPLY_LIMIT = 256 * 1024;
/**
 * Kinds whose deletion loses data or takes everything inside with it (a StatefulSet's pods own their
 * volume claims' data; a PersistentVolume may be Retain-bound). Kompile marks every such object it
 * writes `argocd.argoproj.io/sync-options: Prune=false,Delete=false`: a sync never prunes it (the
 * Application shows it OutOfSync instead), and the cascade deletion of its Application (the
 * `resources-finalizer.argocd.argoproj.io` finalizer, when the component is removed) leaves it in the
 * cluster, unmanaged (https://argo-cd.readthedocs.io/en/stable/user-guide/sync-options/, "No Prune
 * Resources" and "No Resource Deletion"; Delete=false is honoured from Argo CD 2.7). Argo CD's cascade
 * never deletes CRDs in any case; Delete=false on them states the intent.
 */
export const NEVER_PRUNED = new Set([
  '/Namespace',
  '/PersistentVolumeClaim',
  '/PersistentVolume',
  'apps/StatefulSet',
  'apiextensions.k8s.io/CustomResourceDefinition',
]);

/** What one environment compiles to, before anything is written. */
export interface EnvironmentOutput {
  readonly environment: string;
  /** File path under `dist/<env>/` → content. */
  readonly files: ReadonlyMap<string, string>;
  /** Source image → the reference the environment pulls, sorted by source. */
  readonly images: ReadonlyMap<string, string>;
  /**
   * The upstream charts of the environment that Argo CD renders from a Helm (or Git) source, as it
   * will render them, sorted by component: what to render with helm to check them (or hydrate
   * them). Empty unless the platform knows its Kubernetes version and chart lock.
   */
  readonly charts: readonly ChartRenderRequest[];
  /** How the environment's upstream charts reach Argo CD (`gitops.chartsMode`). */
  readonly chartsMode: 'referenced' | 'hydrated';
  /** In a plan ({@link SynthesizeOptions.plan}) that found problems: them; there are no files then. */
  readonly issues?: readonly SynthIssue[];
  /** Problems that do not fail the synth (a component outside its published support window): printed, never written. */
  readonly warnings?: readonly SynthIssue[];
}

export interface SynthesizeOptions {
  /**
   * Plan only: report problems in the output instead of throwing, so that what the charts are
   * rendered from is known even where problems (some only until the charts are rendered: a hydrated
   * chart's Helm source) remain; a second synth with the renderings decides. @default false
   */
  readonly plan?: boolean;
}

type Json = Record<string, unknown> & { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> } };

interface Rendered {
  readonly obj: ApiObject;
  readonly json: Json;
  wave: number;
}

/** Kind order inside one wave, the way Argo CD applies them; only used to sort files for reading. */
const KIND_ORDER = ['Namespace', 'CustomResourceDefinition', 'ResourceQuota', 'LimitRange', 'NetworkPolicy', 'ServiceAccount', 'Secret', 'ConfigMap', 'StorageClass', 'PersistentVolumeClaim', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'Service'];

function kindRank(kind: string): number {
  const i = KIND_ORDER.indexOf(kind);
  return i < 0 ? KIND_ORDER.length : i;
}

function nearestChart(c: IConstruct): Chart | undefined {
  for (let s = c.node.scope; s; s = s.node.scope) if (s instanceof Chart) return s;
  return undefined;
}

function annotate(j: Json, key: string, value: string): void {
  j.metadata.annotations = { ...(j.metadata.annotations ?? {}), [key]: value };
}

function addSyncOption(j: Json, option: string): void {
  const existing = j.metadata.annotations?.[SYNC_OPTIONS];
  const options = existing ? existing.split(',') : [];
  if (!options.includes(option)) annotate(j, SYNC_OPTIONS, [...options, option].join(','));
}

/** ApiObjects under a construct (the construct itself if it is one). */
function apiObjectsUnder(c: IConstruct): ApiObject[] {
  return c instanceof ApiObject ? [c] : c.node.findAll().filter((x): x is ApiObject => x instanceof ApiObject);
}

/**
 * Compiles one environment: validates every construct, renders every object once, then in one
 * pass adds labels and sync waves, relocates every image, selects server-side apply, protects
 * stateful kinds from pruning, and audits references. Every problem is collected, with its
 * construct path, and thrown together as a {@link SynthError}; nothing is returned then.
 *
 * Linear in the number of objects: unlike `App.synth()`, nothing is recomputed per chart.
 */
export function synthesize(platform: Platform, policy: RegistryPolicy, options: SynthesizeOptions = {}): EnvironmentOutput {
  const issues: SynthIssue[] = [];
  const env = platform.environment;

  // One walk of the construct tree serves every step below.
  const constructs = platform.node.findAll();

  // 1. Construct validation (cdk8s-plus and Kompile constructs register validations).
  for (const c of constructs) {
    for (const message of c.node.validate()) issues.push({ path: c.node.path, message });
  }

  // 2. Render each object once, grouped by chart.
  const components = constructs.filter(Component.isComponent);
  const outputCharts = constructs.filter((c): c is OutputChart => c instanceof OutputChart);
  const byChart = new Map<Chart, Rendered[]>();
  const renderedOf = new Map<ApiObject, Rendered>();
  for (const obj of constructs.filter((c): c is ApiObject => c instanceof ApiObject)) {
    const chart = nearestChart(obj);
    if (!(chart instanceof Component) && !(chart instanceof OutputChart)) {
      issues.push({ path: obj.node.path, message: 'object is not inside a Component or output chart; it would never be written' });
      continue;
    }
    let json: Json;
    try {
      json = obj.toJson() as Json;
    } catch (e) {
      issues.push({ path: obj.node.path, message: (e as Error).message });
      continue;
    }
    // A chart's default namespace is stamped on every object, cluster-scoped ones included, where the
    // API server rejects it (and Argo CD would track the object under a namespace it lacks).
    if (isClusterScoped(json.apiVersion, json.kind)) delete json.metadata.namespace;
    const r: Rendered = { obj, json, wave: 0 };
    renderedOf.set(obj, r);
    const list = byChart.get(chart) ?? [];
    list.push(r);
    byChart.set(chart, list);
  }

  const names = new Map<string, string>();
  for (const c of components) {
    const other = names.get(c.name);
    if (other) issues.push({ path: c.node.path, message: `component name '${c.name}' is also used by [${other}]` });
    names.set(c.name, c.node.path);
    if (RESERVED_FOLDERS.has(c.name)) issues.push({ path: c.node.path, message: `component name '${c.name}' is reserved: dist/<env>/${c.name}/ holds files no Application syncs` });
  }

  // 3. Component waves, from declared dependencies between components or their objects.
  // From the one walk above: a construct's dependencies count for every component it is inside (a
  // component inside another counts for both), as a walk of each component's subtree would find them.
  const depsOf = new Map<Component, Set<string>>(components.map((c) => [c, new Set<string>()]));
  for (const owner of constructs) {
    const targets = owner.node.dependencies;
    if (targets.length === 0) continue;
    for (let s: IConstruct | undefined = owner; s; s = s.node.scope) {
      const deps = Component.isComponent(s) ? depsOf.get(s) : undefined;
      if (!deps) continue;
      for (const target of targets) {
        const tc = safeComponentOf(target);
        if (tc && tc !== s) deps.add(tc.name);
      }
    }
  }
  const componentDeps = new Map<string, string[]>();
  for (const c of components) componentDeps.set(c.name, [...depsOf.get(c)!].sort());
  let componentWaves = new Map<string, number>();
  try {
    componentWaves = computeWaves(
      components.map((c) => c.name),
      componentDeps,
    );
  } catch (e) {
    issues.push({ path: '', message: `components: ${(e as Error).message}` });
  }

  // 4. Object waves inside each chart, from object dependencies and CRDs before their instances.
  for (const [chart, rendered] of byChart) {
    const inChart = new Set(rendered.map((r) => r.obj));
    const crdByKind = new Map<string, string>();
    for (const r of rendered) {
      if (r.json.kind === 'CustomResourceDefinition') {
        const spec = r.json.spec as { group: string; names: { kind: string } };
        crdByKind.set(`${spec.group}/${spec.names.kind}`, r.obj.node.path);
      }
    }
    const deps = new Map<string, string[]>();
    for (const r of rendered) {
      const d = new Set<string>();
      for (const target of r.obj.node.dependencies) {
        for (const o of apiObjectsUnder(target)) if (inChart.has(o) && o !== r.obj) d.add(o.node.path);
      }
      const crd = crdByKind.get(`${groupOf(r.json.apiVersion)}/${r.json.kind}`);
      if (crd) d.add(crd);
      deps.set(r.obj.node.path, [...d]);
    }
    // A claim of a WaitForFirstConsumer class takes its consumer's wave: the consumer's dependencies,
    // never the claim itself (lib/core/first-consumer.ts).
    for (const r of rendered) {
      const consumer = firstConsumerOf(r.obj);
      if (!consumer) continue;
      if (!inChart.has(consumer)) {
        issues.push({ path: r.obj.node.path, message: `its first consumer [${consumer.node.path}] is not in the same component; a WaitForFirstConsumer claim must share its consumer's wave` });
        continue;
      }
      const claim = r.obj.node.path;
      const consumerDeps = (deps.get(consumer.node.path) ?? []).filter((p) => p !== claim);
      deps.set(consumer.node.path, consumerDeps);
      deps.set(claim, [...new Set([...(deps.get(claim) ?? []), ...consumerDeps])]);
    }
    try {
      const waves = computeWaves(
        rendered.map((r) => r.obj.node.path),
        deps,
      );
      for (const r of rendered) r.wave = waves.get(r.obj.node.path) ?? 0;
    } catch (e) {
      issues.push({ path: chart.node.path, message: (e as Error).message });
    }
  }

  // 5. Labels, waves, prune protection, images, audit: one pass over every object.
  const lock = new Map<string, string>();
  const targets = new Map<string, string>();
  const checkOnly: Rendered[] = [];
  const usesOf = new Map<ApiObject, ImageUse[]>();
  const lockImage = (path: string, pointer: string, source: string, target: string) => {
    const outside = auditImage(pointer, target, policy);
    if (outside) issues.push({ path, message: `${outside.pointer}: ${outside.message}` });
    const prior = targets.get(target);
    // A reference already relocated (a hydrated chart rendered from relocated values) is its own
    // source; the real source, where known, is what the lock keeps.
    if (source === target && prior !== undefined) return;
    if (prior === target) lock.delete(prior);
    else if (prior && prior !== source) issues.push({ path, message: `images '${prior}' and '${source}' both relocate to '${target}'` });
    targets.set(target, source);
    lock.set(source, target);
  };
  // Images of hydrated charts, relocated in the values before the chart was rendered.
  for (const c of components) for (const img of carriedImagesOf(c)) lockImage(c.node.path, '', img.source, img.target);
  for (const [chart, rendered] of byChart) {
    const component = chart instanceof Component ? chart : undefined;
    const crdsHere = new Set(rendered.filter((r) => r.json.kind === 'CustomResourceDefinition').map((r) => crdGroupKind(r.json)));
    for (const r of rendered) {
      const j = r.json;
      const isApplication = component !== undefined && r.obj === component.application;
      // A partial of someone else's object (lib/core/partial-object.ts) is written exactly as built.
      if (!isPartial(r.obj)) {
        j.metadata.labels = {
          'app.kubernetes.io/managed-by': 'kompile',
          'kompile.dev/environment': env,
          ...(component ? { 'kompile.dev/component': component.name } : {}),
          ...(j.metadata.labels ?? {}),
        };
        if (isApplication) annotate(j, SYNC_WAVE, String(componentWaves.get(component.name) ?? 0));
        else if (!j.metadata.annotations?.[SYNC_WAVE]) annotate(j, SYNC_WAVE, String(r.wave));
        if (NEVER_PRUNED.has(`${groupOf(j.apiVersion)}/${j.kind}`)) {
          addSyncOption(j, 'Prune=false');
          addSyncOption(j, 'Delete=false');
        }
      }
      if (needsCrdFromElsewhere(j, crdsHere, platform.clusterApiVersions)) addSyncOption(j, 'SkipDryRunOnMissingResource=true');

      if (isCheckOnly(r.obj)) {
        // What Argo CD will render from a Helm source: Kompile cannot change it, only judge it.
        checkOnly.push(r);
        continue;
      }

      let uses;
      try {
        // A hydrated chart's Application carries no values: the images its values set were relocated
        // before rendering and are carried (declareCarriedImages), not read from the Application.
        const hydratedApp = component instanceof UpstreamChart && component.hydrated && r.obj === component.application;
        uses = relocateImages(j, hydratedApp ? [] : imageFieldsOf(r.obj), policy);
      } catch (e) {
        const message = e instanceof ImageReferenceError ? e.message : `image: ${(e as Error).message}`;
        issues.push({ path: r.obj.node.path, message });
        continue;
      }
      usesOf.set(r.obj, uses);
      const derived = uses.filter((u) => u.derived).map((u) => u.target.toString());
      if (derived.length > 0) annotate(j, DERIVED_IMAGES_ANNOTATION, [...new Set(derived)].sort().join(','));
      for (const u of uses) lockImage(r.obj.node.path, u.pointer, u.source.toString(), u.target.toString());
      for (const f of auditObject(j, new Set(uses.map((u) => u.pointer)), policy)) {
        issues.push({ path: r.obj.node.path, message: `${findingLocation(f)}: ${f.message}` });
      }
    }
  }

  const all = [...byChart.values()].flat();

  // 5a. Objects a chart renders that Argo CD, not Kompile, will apply: every image they pull must be
  // one the environment locks (so it is mirrored and relocated through the values), and every
  // reference is audited like Kompile's own.
  const lockTargets = new Set(targets.keys());
  for (const r of checkOnly) {
    const chart = r.obj.node.scope instanceof UpstreamChart ? (r.obj.node.scope.locked?.name ?? r.obj.node.scope.name) : '';
    for (const u of unlockedImages(r.json, lockTargets, chart)) issues.push({ path: r.obj.node.path, message: `${u.pointer}: ${u.message}` });
    for (const f of auditObject(r.json, new Set(), policy)) issues.push({ path: r.obj.node.path, message: `${findingLocation(f)}: ${f.message}` });
  }

  // 5b. Value keys Kompile sets that a rendered chart does not declare (typos, keys of another
  // chart version): the chart would silently ignore them.
  for (const c of components) {
    if (!(c instanceof UpstreamChart) || !c.rendered?.facts) continue;
    for (const f of undeclaredValueFindings(c.rendered.request.values, c.rendered.facts, c.locked?.undeclaredValues ?? [])) {
      issues.push({ path: c.node.path, message: `chart '${c.rendered.request.chart.name}': ${f.message}` });
    }
  }

  // 5c. Argo CD's project permissions for every Application and every object it syncs (Kompile's
  // own and what its chart renders): a refusal stops the whole sync.
  const projects = all.filter((r) => r.json.kind === 'AppProject');
  for (const f of projectBoundaryFindings(projects.map((r) => r.json))) issues.push({ path: projects[f.index].obj.node.path, message: f.message });
  if (projects.length > 0) {
    const projectJson = projects.map((r) => r.json);
    const apps = components.map((c) => ({ application: renderedOf.get(c.application)!.json, objects: (byChart.get(c) ?? []).filter((r) => r.obj !== c.application).map((r) => r.json) }));
    for (const f of [...projectFindings(projectJson, apps), ...crdOrderFindings(apps)]) {
      const c = components.find((x) => x.name === f.application)!;
      issues.push({ path: c.node.path, message: `Application '${f.application}'${f.object ? `, ${f.object}` : ''}: ${f.message}` });
    }
  }

  // 5d. Pod Security admission of every pod the environment runs, at its namespace's level: pod
  // templates, pods controllers make from custom resources, containers the mesh injects.
  for (const f of podAdmissionFindings(all.map((r) => r.json))) {
    issues.push({ path: all[f.index].obj.node.path, message: `${f.pointer}: ${f.message}` });
  }

  // 5e. Fields the CRDs the environment renders default inside list items, left unset: Argo CD would
  // show the object OutOfSync for ever (`kompile validate` checks against every known CRD).
  const crdSchemas = crdSchemasAmong(all.map((r) => r.json));
  for (const r of all) {
    const crd = crdSchemas.get(`${r.json.apiVersion} ${r.json.kind}`);
    if (crd) for (const f of crdListDefaultFindings(r.json, crd)) issues.push({ path: r.obj.node.path, message: `${f.pointer}: ${f.message}` });
  }

  // 5f. Claims of WaitForFirstConsumer storage classes never in an earlier wave than their first pod.
  for (const f of syncWaveFindings(all.map((r) => r.json), new Set(platform.waitForFirstConsumer))) {
    issues.push({ path: all[f.index].obj.node.path, message: `${f.message} [${all[f.consumerIndex].obj.node.path}]` });
  }

  // 5g. Ingresses that stay Progressing (the controller publishes no address) never in an
  // Application with a later-wave Application: they would hold back every later wave.
  const componentOf = new Map<Rendered, Component>();
  for (const c of components) for (const r of byChart.get(c) ?? []) componentOf.set(r, c);
  for (const f of ingressHealthFindings(all.map((r) => r.json), platform.ingressPublishesStatus, (i) => componentOf.get(all[i])?.name)) {
    issues.push({ path: all[f.index].obj.node.path, message: `${f.message} [${all[f.heldBackIndex].obj.node.path}]` });
  }

  // 5h. Argo CD hook annotations it would not read as written (a run-once hook is only a warning of validate).
  for (const f of hookFindings(all.map((r) => r.json))) {
    if (f.severity === 'error') issues.push({ path: all[f.index].obj.node.path, message: `${f.pointer}: ${f.message}` });
  }

  // 5i. What the API server refuses on checks no OpenAPI schema carries (container names, volume
  // mounts, probe handlers, restart policies, rolling-update bounds, CIDRs, config keys …).
  for (const r of all) {
    for (const f of apiValidationFindings(r.json)) if (f.severity !== 'warning') issues.push({ path: r.obj.node.path, message: `${f.pointer}: ${f.message}` });
  }

  // 5j. The environment's objects together (lib/checks/environment-objects.ts, the rule `kompile
  // validate` runs): no object defined twice, every namespaced object in a namespace, every namespace
  // created by a Namespace of the environment (the Applications sync with CreateNamespace=false).
  // What a chart renders without a namespace goes to its Application's destination.
  const destinationOf = (i: number): string | undefined => {
    const c = componentOf.get(all[i]);
    const app = c ? (renderedOf.get(c.application)?.json.spec as { destination?: { namespace?: unknown } } | undefined) : undefined;
    return typeof app?.destination?.namespace === 'string' ? app.destination.namespace : undefined;
  };
  for (const f of environmentObjectFindings(all.map((r) => r.json), { fromChart: (i) => isRendered(all[i].obj), destinationOf, argocdNamespace: platform.gitops.argocdNamespace })) {
    const also = f.otherIndex === undefined ? '' : ` (also defined at [${all[f.otherIndex].obj.node.path}])`;
    issues.push({ path: all[f.index].obj.node.path, message: `${f.pointer ? `${f.pointer}: ` : ''}${f.message}${also}` });
  }

  // 5k. Security rules on RBAC, webhooks and secrets on command lines (lib/checks/security-rbac.ts),
  // and on NetworkPolicies wider than needed (lib/checks/security-network.ts, 5m), charts' objects included; exceptions are annotations on the object, each with its reason.
  // Kompile's own objects must pass. What a vendored upstream chart renders is a warning: the charts at
  // their locked versions carry such findings (the Knative operator's Eventing role, ToolHive's
  // cluster-wide role, KServe's single-replica fail-closed webhooks) that only chart values or a
  // newer chart can change, and vendoring a chart must not stop every synth until they do.
  const warnings: SynthIssue[] = [];
  // The same for trust material distributed from Secrets that hold private keys
  // (lib/checks/security-trust.ts) and registry credentials in containers that run build steps
  // (lib/checks/security-build.ts).
  const jsons = all.map((r) => r.json);
  for (const f of [
    ...securityRbacFindings(jsons, { namespaceOf: destinationOf }),
    ...securityTrustFindings(jsons, { namespaceOf: destinationOf }),
    ...buildSecurityFindings(jsons, { namespaceOf: destinationOf }),
  ]) {
    (isRendered(all[f.index].obj) ? warnings : issues).push({ path: all[f.index].obj.node.path, message: `${f.pointer}: ${f.message} [${f.rule}]` });
  }
  // Exposure outside the cluster without an authentication story (lib/checks/security-exposure.ts), likewise.
  for (const f of securityExposureFindings(all.map((r) => r.json), { namespaceOf: destinationOf })) {
    (isRendered(all[f.index].obj) ? warnings : issues).push({ path: all[f.index].obj.node.path, message: `${f.pointer}: ${f.message} [${f.rule}]` });
  }

  // 5l. Node ports and (k3s ServiceLB) LoadBalancer ports across the environment, charts included
  // (lib/checks/ports.ts): a chart rendered here stands for its Application's values.
  const indexOf = new Map(all.map((r, i) => [r, i]));
  const renderedBy = (i: number) => {
    const c = isRendered(all[i].obj) ? componentOf.get(all[i]) : undefined;
    const app = c ? renderedOf.get(c.application) : undefined;
    return app ? indexOf.get(app) : undefined;
  };
  for (const f of portFindings(all.map((r) => r.json), platform.ports, { renderedBy })) {
    issues.push({ path: all[f.index].obj.node.path, message: `${f.pointer}: ${f.message}${f.otherIndex === undefined ? '' : ` [${all[f.otherIndex].obj.node.path}]`}` });
  }

  // 5m. NetworkPolicies wider than needed (lib/checks/security-network.ts), exceptions included; a
  // chart's a warning, as in 5k.
  for (const f of networkSecurityFindings(all.map((r) => r.json), { clusterCidrs: platform.clusterCidrs, existingNamespaces: platform.clusterNamespaces && [...KUBERNETES_NAMESPACES, platform.gitops.argocdNamespace, ...platform.clusterNamespaces] })) {
    (isRendered(all[f.index].obj) ? warnings : issues).push({ path: all[f.index].obj.node.path, message: `${f.pointer}: [${f.rule}] ${f.message}` });
  }

  // 5o. Supply-chain rules (lib/checks/security-supply-chain.ts): Git sources pinned to commits
  // (Kompile's own Applications must pass where the platform has a chart lock to record the commit
  // in — a construct test's platform has none; a chart's objects are warnings, as in 5k) and, in a
  // production tier, images pinned by digest: a warning everywhere until images.digests.json holds
  // the digests of the pinned images (they can only be resolved against a registry that serves them).
  for (const f of supplyChainFindings(all.map((r) => r.json), { tier: platform.tier, ownRepos: [platform.gitops.repoURL] })) {
    const warning = f.rule === 'mutable-image' || isRendered(all[f.index].obj) || platform.chartLock === undefined;
    (warning ? warnings : issues).push({ path: all[f.index].obj.node.path, message: `${f.pointer}: ${f.message} [${f.rule}]` });
  }

  // 5n. Component versions against the cluster's Kubernetes version: enforced minimums fail the
  // synth, published support windows are warnings.
  if (platform.kubernetesVersion) {
    for (const f of kubernetesVersionFindings(all.map((r) => r.json), platform.kubernetesVersion)) {
      (f.severity === 'error' ? issues : warnings).push({ path: all[f.index].obj.node.path, message: `${f.pointer}: ${f.message}` });
    }
  }

  // 6. Server-side apply where client-side apply cannot carry an object.
  for (const c of components) {
    const rendered = byChart.get(c) ?? [];
    const tooBig = rendered.filter((r) => r.obj !== c.application && jsonBytesOver(r.json, CLIENT_SIDE_APPLY_LIMIT - annotationBytes(r.json)));
    const app = renderedOf.get(c.application);
    if (tooBig.length > 0 && app) {
      const policyJson = (app.json.spec as { syncPolicy: { syncOptions: string[] } }).syncPolicy;
      if (!policyJson.syncOptions.includes('ServerSideApply=true')) policyJson.syncOptions.push('ServerSideApply=true');
    }
    if (!c.isUpstream && rendered.filter((r) => !isCheckOnly(r.obj)).length <= 1) {
      issues.push({ path: c.node.path, message: `component '${c.name}' has no objects; its Application would sync an empty folder` });
    }
  }

  const charts = chartRequests(platform, components, renderedOf, usesOf, [...byChart.values()].flat());
  if (issues.length > 0) {
    if (options.plan) return { environment: env, files: new Map(), images: new Map(), charts, chartsMode: platform.gitops.chartsMode, issues, warnings };
    throw new SynthError(issues);
  }

  // 7. Files: one per component, one per child Application, the output charts, the image list.
  // That each file reads back as its objects under YAML 1.1 (kubectl, Argo CD) is guaranteed by the
  // writer's quoting and asserted by the tests and `kompile validate` (lib/checks/yaml.ts), not here:
  // re-reading every file costs several times the synth itself (bench, 10,000 units).
  // Each YAML file is rendered when the writer reads it (RenderedFiles), so that no more than one
  // file's text is held at a time.
  const files = new Map<string, FileSource>();
  for (const c of components) {
    const rendered = byChart.get(c) ?? [];
    files.set(`apps/${c.name}.yaml`, yamlFile(env, [renderedOf.get(c.application)!.json], `Application ${c.name}`));
    const objects = sortForReading(rendered.filter((r) => r.obj !== c.application && !isCheckOnly(r.obj)));
    if (objects.length > 0) files.set(`${c.name}/manifests.yaml`, yamlFile(env, objects.map((r) => r.json), `component ${c.name}`));
    for (const [fileName, content] of c.outputFiles) files.set(`${c.name}/${fileName}`, content);
  }
  for (const oc of outputCharts) {
    const objects = sortForReading(byChart.get(oc) ?? []);
    if (objects.length > 0) files.set(oc.outputFile, yamlFile(env, objects.map((r) => r.json), oc.node.id));
  }
  // images.txt is the mirror list in the convention mirroring tools read: the upstream SOURCES to
  // pull, one reference per line (kubespray-offline's imagelists/*.txt, pulled one by one by its
  // download-additional-containers.sh; Hauler's `store sync --image-txt`, "one image per line",
  // hauler-dev/hauler#538; the `images:` of a Zarf component, https://docs.zarf.dev/examples/manifests).
  // Images in a registry the
  // environment holds (its mirror, the platform registry CI pushes to) have nothing upstream and are
  // left out. The lock maps every image the manifests pull, held ones included (to themselves), to
  // the reference the environment pulls.
  const images = new Map([...lock.entries()].sort(([a], [b]) => compare(a, b)));
  const toMirror = [...images.keys()].filter((source) => !policy.holds(Image.parse(source)));
  files.set('images.txt', toMirror.map((i) => `${i}\n`).join(''));
  files.set('images.lock.json', `${JSON.stringify(Object.fromEntries(images), null, 2)}\n`);
  // The same list split by component (seed 003's airgap procedure mirrors component by component).
  for (const [file, content] of componentImageLists(components, byChart, usesOf, targets, policy)) files.set(file, content);
  return { environment: env, files: new RenderedFiles([...files.entries()].sort(([a], [b]) => compare(a, b))), images, charts, chartsMode: platform.gitops.chartsMode, ...(warnings.length > 0 ? { warnings } : {}) };
}

/**
 * A YAML file rendered when it is read. Made here, not inside {@link synthesize}: a closure made there
 * would share that function's scope, and so keep every map and list of the whole synth (the checks'
 * indexes, the image uses, every construct) alive until the last file is written. This one holds its
 * objects and nothing else.
 */
function yamlFile(env: string, objects: readonly unknown[], what: string): () => string {
  return () => toYamlDocuments(objects, `Generated by Kompile for environment '${env}' (${what}). Do not edit: change the code and synthesize.`);
}

/**
 * `images/<component>.txt`: the upstream sources to mirror of each component's objects (its
 * Application's chart values included), in the convention of images.txt, for tools that take one
 * list per component: kubespray-offline reads every `imagelists/*.txt`, the folder seed 003 fills
 * with one list per component, so `images/` is copied there as it is. An image two components pull
 * is in both lists; the lists together are images.txt. Components with nothing to mirror have none.
 */
function componentImageLists(components: readonly Component[], byChart: ReadonlyMap<Chart, Rendered[]>, usesOf: ReadonlyMap<ApiObject, ImageUse[]>, sourceOf: ReadonlyMap<string, string>, policy: RegistryPolicy): Map<string, string> {
  const files = new Map<string, string>();
  for (const c of components) {
    const pulled = new Set<string>();
    for (const r of byChart.get(c) ?? []) for (const u of usesOf.get(r.obj) ?? []) pulled.add(u.target.toString());
    for (const img of carriedImagesOf(c)) pulled.add(img.target);
    const sources = [...new Set([...pulled].map((t) => sourceOf.get(t) ?? t))].filter((s) => !policy.holds(Image.parse(s))).sort(compare);
    if (sources.length > 0) files.set(`images/${c.name}.txt`, sources.map((i) => `${i}\n`).join(''));
  }
  return files;
}

/**
 * Argo CD's own kinds: wherever Argo CD syncs them, it runs, and so do its CRDs.
 */
const ARGO_CD_KINDS = new Set(['argoproj.io/Application', 'argoproj.io/AppProject']);

function crdGroupKind(crd: Json): string {
  const spec = crd.spec as { group?: string; names?: { kind?: string } };
  return `${spec.group ?? ''}/${spec.names?.kind ?? ''}`;
}

/**
 * A custom resource whose CRD comes from elsewhere: not a built-in kind, not Argo CD's own, not a
 * kind the cluster already serves (`clusterApiVersions`), and its CRD is not among its component's
 * objects. Argo CD dry-runs every object before a sync applies any; when one commit brings both a new
 * CRD (in an earlier Application: `kserve-crd`, cert-manager, ToolHive's CRD chart, the Knative
 * Operator, Istio's base) and its first instance, the instance's dry run fails with "the server could
 * not find the requested resource", and the whole sync with it. Argo CD skips the dry run
 * automatically only when the CRD is part of the same sync; `SkipDryRunOnMissingResource=true` skips
 * it for a missing kind, and "the dry run will still be executed if the CRD is already present in the
 * cluster" (https://argo-cd.readthedocs.io/en/stable/user-guide/sync-options/, "Skip Dry Run for new
 * custom resources types").
 */
function needsCrdFromElsewhere(j: Json, crdsHere: ReadonlySet<string>, clusterApiVersions: readonly string[]): boolean {
  const gk = `${groupOf(j.apiVersion)}/${j.kind}`;
  if (isBuiltIn(j.apiVersion) || ARGO_CD_KINDS.has(gk) || clusterApiVersions.includes(j.apiVersion)) return false;
  return !crdsHere.has(gk);
}

/** What each referenced upstream chart of the environment is rendered from: its Application, as written. */
function chartRequests(platform: Platform, components: readonly Component[], renderedOf: ReadonlyMap<ApiObject, Rendered>, usesOf: ReadonlyMap<ApiObject, ImageUse[]>, all: readonly Rendered[]): ChartRenderRequest[] {
  if (!platform.kubernetesVersion) return [];
  const apiVersions = [...new Set([...crdApiVersions(all.map((r) => r.json)), ...platform.clusterApiVersions])].sort();
  const out: ChartRenderRequest[] = [];
  for (const c of components) {
    if (!(c instanceof UpstreamChart) || !c.isUpstream || !c.locked) continue;
    const app = renderedOf.get(c.application)!.json as unknown as { spec: { source: { helm?: { releaseName?: string; valuesObject?: Record<string, unknown> }; directory?: { include?: string } }; destination: { namespace?: string } } };
    const source = app.spec.source;
    out.push({
      component: c.name,
      hydrate: c.wantsHydrated,
      chart: c.locked,
      releaseName: source.helm?.releaseName ?? c.name,
      namespace: app.spec.destination.namespace ?? c.defaultNamespace ?? 'default',
      values: structuredClone(source.helm?.valuesObject ?? {}),
      kubeVersion: `${platform.kubernetesVersion}.0`,
      apiVersions,
      include: source.directory?.include,
      images: (usesOf.get(c.application) ?? []).map((u) => ({ source: u.source.toString(), target: u.target.toString() })),
    });
  }
  return out.sort((a, b) => compare(a.component, b.component));
}

/**
 * Whether `value` as JSON takes more than `limit` bytes, without serializing it: a walk adds up a
 * bound (a string's UTF-16 units times 6, the widest escape `\uXXXX`, and its quotes; 24 bytes a
 * number; punctuation) in a quarter of the time `JSON.stringify` takes, and only an object whose
 * bound passes the limit (few: CRDs, large ConfigMaps) is serialized to count exactly.
 */
function jsonBytesOver(value: unknown, limit: number): boolean {
  return jsonBytesBound(value) > limit && Buffer.byteLength(JSON.stringify(value)) > limit;
}

function jsonBytesBound(value: unknown): number {
  if (typeof value === 'string') return 6 * value.length + 2;
  if (typeof value !== 'object' || value === null) return 24;
  // A value that serializes itself (a Date) is counted exactly.
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return Infinity;
  let n = 2;
  if (Array.isArray(value)) {
    for (const item of value) n += jsonBytesBound(item) + 1;
    return n;
  }
  const record = value as Record<string, unknown>;
  for (const k in record) if (Object.hasOwn(record, k)) n += 6 * k.length + 4 + jsonBytesBound(record[k]);
  return n;
}

function annotationBytes(j: Json): number {
  return Object.entries(j.metadata.annotations ?? {}).reduce((n, [k, v]) => n + k.length + v.length, 0);
}

function sortForReading(rendered: readonly Rendered[]): Rendered[] {
  return [...rendered].sort(
    (a, b) =>
      a.wave - b.wave ||
      kindRank(a.json.kind) - kindRank(b.json.kind) ||
      compare(a.json.kind, b.json.kind) ||
      compare(a.json.metadata.namespace ?? '', b.json.metadata.namespace ?? '') ||
      compare(a.json.metadata.name, b.json.metadata.name),
  );
}

/** Code-unit order: the same on every machine, unlike `localeCompare`. */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function safeComponentOf(c: IConstruct): Component | undefined {
  try {
    return Component.of(c);
  } catch {
    return undefined;
  }
}
