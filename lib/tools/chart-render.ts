/**
 * Renders upstream charts at synth time, the way Argo CD's repo server renders them: the real
 * `helm template` on the vendored copy (`charts/<lock name>/`), or, for a plain manifest folder (no
 * `Chart.yaml`), its YAML files read as Argo CD's directory source reads them.
 *
 * The arguments mirror Argo CD's (argoproj/argo-cd `util/helm/cmd.go` `Cmd.template`, called from
 * `reposerver/repository/repository.go` `helmTemplate`): release name (the Application's
 * `helm.releaseName`, else its name), `--namespace` (the destination namespace), `--kube-version`
 * (the cluster's, parsed), one `--values` per values file plus the Application's `valuesObject`
 * written to a temporary file, one `--api-versions` per group/version the cluster serves, and
 * `--include-crds` unless the Application sets `helm.skipCrds`. Argo CD passes `--skip-tests` only
 * when the Application sets `helm.skipTests`; Kompile always skips them ({@link helmTemplateArgs}).
 *
 * Renders run in parallel (one helm process per core, each with an empty Helm home of its own, as
 * Argo CD gives each `helm` a temporary home) and are cached on disk by a content hash
 * ({@link renderKey}), so an unchanged platform runs helm zero times.
 *
 * I/O and subprocesses: run it before building constructs, never inside one.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseKubernetesYaml } from '../checks/yaml';
import { contentDigest } from '../core/chart-lock';
import type { ChartFacts, ChartRenderRequest, RenderedChart } from '../core/chart-render';
import { isClusterScoped } from '../core/kinds';
import type { RenderedObject } from '../core/chart-render';
import { helmEnv, helmTemplateArgs } from './helm';
import { listFiles, readManifests } from './tree';

/** What a call did: observable by tests and the bench. */
export interface RenderStats {
  /** helm processes started (`helm template`, and `helm version` for a binary not seen before). */
  helmRuns: number;
  /** Requests answered from the cache. */
  cacheHits: number;
}

export interface RenderChartsOptions {
  /** The helm binary ({@link helmBinary}). */
  readonly helm: string;
  /** The folder of vendored charts: request `r` is rendered from `<chartsDir>/<r.chart.name>`. */
  readonly chartsDir: string;
  /** The render cache: one `<hash>.json` per rendered request. Created when missing. */
  readonly cacheDir: string;
  /** helm processes at a time. @default os.availableParallelism() */
  readonly concurrency?: number;
  /** Counters, incremented by the call. @default - not counted */
  readonly stats?: RenderStats;
}

/** What a cache file holds. */
interface CacheEntry {
  readonly objects: RenderedObject[];
  readonly facts?: { readonly defaults: unknown; readonly schema?: unknown; readonly templates: Array<[string, string]> };
}

/** Version of the cache file format and of what goes into the key; bump it when either changes. */
const CACHE_FORMAT = 1;

/**
 * Renders every request, in parallel, from the cache where it can. Results are in request order.
 * @throws one error listing every request that failed (missing chart folder, helm's own message)
 */
export async function renderCharts(requests: readonly ChartRenderRequest[], options: RenderChartsOptions): Promise<RenderedChart[]> {
  const stats = options.stats ?? { helmRuns: 0, cacheHits: 0 };
  fs.mkdirSync(options.cacheDir, { recursive: true });
  const digests = new Map<string, string>();
  let helmVersion: Promise<string> | undefined;
  const version = () => (helmVersion ??= helmVersionOf(options.helm, options.cacheDir, stats));

  // The key of each request, then one render per distinct key.
  const errors: string[] = [];
  const keys: Array<string | undefined> = [];
  for (const r of requests) {
    const dir = path.join(options.chartsDir, r.chart.name);
    if (!fs.existsSync(dir)) {
      errors.push(`component '${r.component}': chart '${r.chart.name}' is not vendored (no ${dir}); run kompile charts pull`);
      keys.push(undefined);
      continue;
    }
    let digest = digests.get(dir);
    if (!digest) digests.set(dir, (digest = folderDigest(dir)));
    const isChart = fs.existsSync(path.join(dir, 'Chart.yaml'));
    keys.push(renderKey(r, digest, isChart ? await version() : undefined));
  }
  if (errors.length > 0) throw new Error(`cannot render charts:\n${errors.map((e) => `  - ${e}`).join('\n')}`);

  const byKey = new Map<string, ChartRenderRequest>();
  requests.forEach((r, i) => byKey.set(keys[i]!, byKey.get(keys[i]!) ?? r));
  const entries = new Map<string, CacheEntry>();
  const misses: Array<[string, ChartRenderRequest]> = [];
  for (const [key, r] of byKey) {
    const cached = readCache(options.cacheDir, key);
    if (cached) {
      entries.set(key, cached);
      stats.cacheHits++;
    } else misses.push([key, r]);
  }

  const concurrency = Math.max(1, options.concurrency ?? os.availableParallelism());
  let next = 0;
  const worker = async () => {
    while (next < misses.length) {
      const [key, r] = misses[next++];
      try {
        const entry = await renderOne(r, options, stats);
        writeCache(options.cacheDir, key, entry);
        entries.set(key, entry);
      } catch (e) {
        errors.push(`component '${r.component}' (chart '${r.chart.name}'): ${(e as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, misses.length) }, worker));
  if (errors.length > 0) throw new Error(`cannot render charts:\n${errors.map((e) => `  - ${e}`).join('\n')}`);

  return requests.map((request, i) => {
    const entry = entries.get(keys[i]!)!;
    const objects = entry.objects.map((o) => withNamespace(o, request.namespace));
    if (!entry.facts) return { request, objects };
    return { request, objects, facts: { defaults: entry.facts.defaults, schema: entry.facts.schema, templates: new Map(entry.facts.templates) } };
  });
}

/** {@link contentDigest} of a folder's files, computed from the files themselves (the lock is not trusted). */
export function folderDigest(dir: string): string {
  return contentDigest(listFiles(dir).map((rel) => [rel, fs.readFileSync(path.join(dir, rel))] as const));
}

/** JSON with object keys sorted at every level: equal data, equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

/**
 * The cache key of a request: sha256 over everything the output depends on — the chart folder's
 * content digest, the values (canonical JSON), kube version, API versions, release name, namespace,
 * include glob, and `helm version --short` (absent for plain folders, which helm never reads).
 */
export function renderKey(r: ChartRenderRequest, digest: string, helmVersion: string | undefined): string {
  const material = canonicalJson({
    format: CACHE_FORMAT,
    digest,
    values: r.values,
    kubeVersion: r.kubeVersion,
    apiVersions: r.apiVersions,
    releaseName: r.releaseName,
    namespace: r.namespace,
    include: r.include ?? null,
    helm: helmVersion ?? null,
  });
  return createHash('sha256').update(material).digest('hex');
}

function readCache(cacheDir: string, key: string): CacheEntry | undefined {
  try {
    const entry = JSON.parse(fs.readFileSync(path.join(cacheDir, `${key}.json`), 'utf8')) as CacheEntry;
    return Array.isArray(entry.objects) ? entry : undefined;
  } catch {
    return undefined; // missing or unreadable: render again
  }
}

/** Writes a file atomically: a temporary file beside it, then a rename. */
function writeAtomic(file: string, content: string): void {
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(temp, content);
  fs.renameSync(temp, file);
}

function writeCache(cacheDir: string, key: string, entry: CacheEntry): void {
  writeAtomic(path.join(cacheDir, `${key}.json`), JSON.stringify(entry));
}

function run(helm: string, args: readonly string[], home: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(helm, args, { encoding: 'utf8', maxBuffer: 1 << 30, env: helmEnv(home) }, (err, stdout, stderr) => {
      if (err) reject(new Error(`helm ${args.slice(0, 3).join(' ')} failed: ${stderr.trim() || err.message}`));
      else resolve(stdout);
    });
  });
}

/**
 * `helm version --short` of a binary, remembered in the cache folder under the binary's identity
 * (path, size, modification time, inode), so that a warm call starts no helm process at all.
 */
async function helmVersionOf(helm: string, cacheDir: string, stats: RenderStats): Promise<string> {
  const st = fs.statSync(helm);
  const id = createHash('sha256').update(`${path.resolve(helm)}\0${st.size}\0${st.mtimeMs}\0${st.ino}`).digest('hex');
  const file = path.join(cacheDir, `helm-version-${id}.txt`);
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8');
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'kompile-helm-'));
  try {
    stats.helmRuns++;
    const v = (await run(helm, ['version', '--short'], home)).trim();
    writeAtomic(file, v);
    return v;
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}

async function renderOne(r: ChartRenderRequest, options: RenderChartsOptions, stats: RenderStats): Promise<CacheEntry> {
  const dir = path.join(options.chartsDir, r.chart.name);
  if (!fs.existsSync(path.join(dir, 'Chart.yaml'))) return { objects: readManifestFolder(dir, r.include) };
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'kompile-helm-'));
  try {
    const valuesFile = path.join(home, 'values.json');
    // JSON is YAML: no quoting surprises for values like `on`, `1.10` or `0755`.
    fs.writeFileSync(valuesFile, JSON.stringify(r.values));
    const args = helmTemplateArgs({ chartDir: dir, releaseName: r.releaseName, namespace: r.namespace, kubeVersion: r.kubeVersion, apiVersions: r.apiVersions, includeCrds: true }, valuesFile);
    stats.helmRuns++;
    const output = await run(options.helm, args, home);
    const objects = readManifests(output, `helm template ${r.chart.name}`).map((m) => m.object as RenderedObject);
    const facts = readFacts(dir);
    return { objects, facts: { defaults: facts.defaults, schema: facts.schema, templates: [...facts.templates] } };
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}

function withNamespace(obj: RenderedObject, namespace: string): RenderedObject {
  if (isClusterScoped(obj.apiVersion, obj.kind) || obj.metadata.namespace) return obj;
  return { ...obj, metadata: { ...obj.metadata, namespace } };
}

function readYamlValue(file: string): unknown {
  if (!fs.existsSync(file)) return undefined;
  try {
    return parseKubernetesYaml(fs.readFileSync(file, 'utf8'))[0]?.value ?? undefined;
  } catch (e) {
    throw new Error(`${file}: ${(e as Error).message}`);
  }
}

/**
 * What a chart folder declares about its values: `values.yaml` (read as helm reads it, go-yaml v2),
 * `values.schema.json`, and every file under `templates/`. Unpacked subcharts (`charts/<name>/`)
 * count as helm counts them: their defaults under their name, their templates under
 * `charts/<name>/templates/…`. (Packed subcharts, `charts/*.tgz`, are not read.)
 */
export function readFacts(dir: string): ChartFacts {
  const defaults = (readYamlValue(path.join(dir, 'values.yaml')) ?? {}) as Record<string, unknown>;
  const schemaFile = path.join(dir, 'values.schema.json');
  let schema: unknown;
  if (fs.existsSync(schemaFile)) {
    try {
      schema = JSON.parse(fs.readFileSync(schemaFile, 'utf8'));
    } catch (e) {
      throw new Error(`${schemaFile}: ${(e as Error).message}`);
    }
  }
  const templates = new Map<string, string>();
  for (const rel of listFiles(path.join(dir, 'templates'))) templates.set(`templates/${rel}`, fs.readFileSync(path.join(dir, 'templates', rel), 'utf8'));
  const subcharts = path.join(dir, 'charts');
  if (fs.existsSync(subcharts)) {
    for (const sub of fs.readdirSync(subcharts).sort()) {
      const subDir = path.join(subcharts, sub);
      if (!fs.statSync(subDir).isDirectory() || !fs.existsSync(path.join(subDir, 'Chart.yaml'))) continue;
      const facts = readFacts(subDir);
      const own = defaults[sub];
      defaults[sub] = own === undefined ? facts.defaults : coalesce(own, facts.defaults);
      for (const [rel, text] of facts.templates) templates.set(`charts/${sub}/${rel}`, text);
    }
  }
  return schema === undefined ? { defaults, templates } : { defaults, schema, templates };
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The parent's values over a subchart's defaults, maps merged key by key (as helm coalesces them). */
function coalesce(parent: unknown, child: unknown): unknown {
  if (!isMap(parent) || !isMap(child)) return parent;
  const out: Record<string, unknown> = { ...child };
  for (const [k, v] of Object.entries(parent)) out[k] = k in child ? coalesce(v, child[k]) : v;
  return out;
}

/**
 * Argo CD's directory include glob (gobwas/glob without separators, as util/glob `Match` compiles
 * it) as a RegExp over a file's path relative to the folder: `*` any characters (`/` too), `?` one
 * character, `{a,b}` alternatives, `[abc]`/`[!abc]` classes; everything else literal.
 */
export function globRegExp(glob: string): RegExp {
  let re = '';
  let depth = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '{') {
      re += '(?:';
      depth++;
    } else if (c === '}' && depth > 0) {
      re += ')';
      depth--;
    } else if (c === ',' && depth > 0) re += '|';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) throw new Error(`include glob '${glob}': '[' without ']'`);
      const body = glob.slice(i + 1, end);
      re += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`;
      i = end;
    } else if (c === '\\' && i + 1 < glob.length) re += glob[++i].replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  if (depth > 0) throw new Error(`include glob '${glob}': '{' without '}'`);
  return new RegExp(`^${re}$`);
}

/** Argo CD reads files named like this in a directory source (repository.go `manifestFile`; jsonnet aside). */
const MANIFEST_FILE = /\.(yaml|yml|json)$/;
/** A file holding this text is skipped by Argo CD (repository.go `skipFileRenderingMarker`). */
const SKIP_MARKER = '+argocd:skip-file-rendering';

/**
 * The objects of a plain manifest folder, as Argo CD's directory source reads them without
 * `recurse`: the folder's own YAML and JSON files (not its subfolders), in path order, those
 * matching `include` when given, each read the Kubernetes way. As Argo CD does, a file that does
 * not parse or holds non-objects is skipped when it does not look like a manifest (no `apiVersion:`,
 * `kind:` and `metadata:`), and an error otherwise.
 */
export function readManifestFolder(dir: string, include?: string): RenderedObject[] {
  const match = include ? globRegExp(include) : undefined;
  const objects: RenderedObject[] = [];
  for (const rel of listFiles(dir)) {
    if (rel.includes('/') || !MANIFEST_FILE.test(rel)) continue;
    if (match && !match.test(rel)) continue;
    const text = fs.readFileSync(path.join(dir, rel), 'utf8');
    if (text.includes(SKIP_MARKER)) continue;
    try {
      objects.push(...readManifests(text, rel).map((m) => m.object as RenderedObject));
    } catch (e) {
      if (text.includes('apiVersion:') && text.includes('kind:') && text.includes('metadata:')) throw e;
    }
  }
  return objects;
}
