/**
 * The chart lock: every upstream chart (or plain manifest folder) the environments install, with its
 * source, version and — once vendored — the digest of its content. One file, `charts.lock.json` at
 * the repository root: the single place chart versions are written (stacks take them from here), the
 * file update bots edit, and what `kompile charts pull` vendors and `kompile charts verify` checks.
 *
 * Pure: parsing and digests of given bytes; reading and writing files is the tools' job.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { dataFileIssues } from './errors';
import { ChartSource } from './upstream-chart';

/** File name of the lock, at the repository root. */
export const CHART_LOCK_FILE = 'charts.lock.json';

const name = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, { message: 'must be a lowercase name such as istiod (it names the folder under charts/)' });
const digest = z.string().regex(/^sha256:[a-f0-9]{64}$/, { message: 'must be sha256:<64 hex digits>' });
/** A full Git commit id (SHA-1, 40 hex digits). */
export const GIT_COMMIT = /^[0-9a-f]{40}$/;

/** A key Kompile may set although the chart's values.yaml and values.schema.json do not declare it. */
const UndeclaredValueSchema = z
  .object({
    /** Dotted path of the value, e.g. `knative_operator.knative_operator.securityContext`. */
    key: z.string().min(1),
    /** The chart template that reads it, e.g. `templates/operator.yaml`: checked when the chart is vendored. */
    template: z.string().min(1),
  })
  .strict();

export const LockedChartSchema = z
  .object({
    /** Lock name: the folder `charts/<name>/` the chart is vendored into. */
    name,
    /** `helm`: a Helm repository; `oci`: an OCI registry; `git`: a folder of a Git repository (a chart, or plain manifests). */
    source: z.enum(['helm', 'oci', 'git']),
    /** Helm repository URL, OCI registry path without `oci://`, or Git repository URL. */
    repoURL: z.string().min(1),
    /** Chart name (helm, oci). */
    chart: z.string().min(1).optional(),
    /** Folder inside the Git repository (git). */
    path: z.string().min(1).optional(),
    /** Chart version (helm, oci) or Git tag or commit (git). */
    version: z.string().min(1),
    /** Digest of the vendored content ({@link contentDigest}); absent until the chart is vendored. */
    digest: digest.optional(),
    /**
     * The commit `version` resolves to (git): a tag can be moved, a commit cannot. `charts pull`
     * records it and refuses a checkout at another commit; Argo CD's Application is pinned to it.
     */
    commit: z.string().regex(GIT_COMMIT, { message: 'must be a full Git commit id (40 lowercase hex digits)' }).optional(),
    /** Values Kompile sets that the chart reads without declaring them. @default [] */
    undeclaredValues: z.array(UndeclaredValueSchema).default([]),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.source === 'git') {
      if (!c.path) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['path'], message: "a 'git' source needs the folder inside the repository" });
      if (c.chart) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['chart'], message: "a 'git' source names a folder (path), not a chart" });
      if (c.commit && GIT_COMMIT.test(c.version) && c.commit !== c.version) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['commit'], message: `the version is commit ${c.version}; commit must be the same or left out` });
    } else {
      if (c.commit) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['commit'], message: `source '${c.source}' has no commit (only a 'git' source is pinned to one)` });
      if (!c.chart) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['chart'], message: `source '${c.source}' needs the chart name` });
      if (c.path) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['path'], message: `source '${c.source}' has no path` });
    }
    if (c.source === 'oci' && c.repoURL.startsWith('oci://')) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['repoURL'], message: 'write the OCI registry path without oci:// (as Argo CD expects it)' });
  });

export const ChartLockSchema = z
  .object({
    charts: z.array(LockedChartSchema),
  })
  .strict()
  .superRefine((l, ctx) => {
    const names = new Set<string>();
    const sources = new Map<string, string>();
    l.charts.forEach((c, i) => {
      if (names.has(c.name)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['charts', i, 'name'], message: `'${c.name}' is locked twice` });
      names.add(c.name);
      const key = sourceKey(c.source, c.repoURL, c.chart ?? c.path ?? '');
      const other = sources.get(key);
      if (other) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['charts', i], message: `the same source as '${other}': one chart, one version` });
      sources.set(key, c.name);
    });
  });

export type LockedChart = z.infer<typeof LockedChartSchema>;

function sourceKey(kind: string, repoURL: string, chartOrPath: string): string {
  return `${kind} ${repoURL.replace(/\/+$/, '')} ${chartOrPath}`;
}

/** The lock's kind of a construct's source (a Git chart folder and a Git manifest folder are both `git`). */
function lockKind(source: ChartSource): LockedChart['source'] {
  return source.type === 'git-directory' ? 'git' : source.type;
}

/** A lock that does not parse: every problem, each with its path in the file. */
export class ChartLockError extends Error {
  constructor(readonly issues: readonly string[]) {
    super(`${CHART_LOCK_FILE} is invalid:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'ChartLockError';
  }
}

/** The parsed lock. */
export class ChartLock {
  /** Parses a lock's JSON data; every problem is reported with its path (`charts[3].version: …`). */
  static parse(data: unknown): ChartLock {
    const r = ChartLockSchema.safeParse(data);
    if (!r.success) throw new ChartLockError(dataFileIssues(r.error.issues));
    return new ChartLock(r.data.charts);
  }

  private readonly byName: ReadonlyMap<string, LockedChart>;

  private constructor(readonly charts: readonly LockedChart[]) {
    this.byName = new Map(charts.map((c) => [c.name, c]));
  }

  /** A locked chart by name; throws naming the lock file when absent. */
  get(chartName: string): LockedChart {
    const c = this.byName.get(chartName);
    if (!c) throw new Error(`chart '${chartName}' is not in ${CHART_LOCK_FILE} (locked: ${[...this.byName.keys()].join(', ')})`);
    return c;
  }

  /** The locked version (chart version or Git ref) of a chart. */
  version(chartName: string): string {
    return this.get(chartName).version;
  }

  /** The entry a construct's source refers to, matched by kind, repository, chart or folder, and version. */
  find(source: ChartSource): LockedChart | undefined {
    const key = sourceKey(lockKind(source), source.repoURL, source.chart ?? source.path ?? '');
    return this.charts.find((c) => sourceKey(c.source, c.repoURL, c.chart ?? c.path ?? '') === key && c.version === source.revision);
  }

  /** Why a construct's source is not locked: the source is unknown, or locked at another version. */
  explainMissing(source: ChartSource): string {
    const key = sourceKey(lockKind(source), source.repoURL, source.chart ?? source.path ?? '');
    const other = this.charts.find((c) => sourceKey(c.source, c.repoURL, c.chart ?? c.path ?? '') === key);
    const what = `${source.chart ?? source.path} from ${source.repoURL}`;
    return other
      ? `${what} at ${source.revision} is not locked: ${CHART_LOCK_FILE} locks '${other.name}' at ${other.version}; change the lock, not the code`
      : `${what} is not in ${CHART_LOCK_FILE}; add it there (name, source, repoURL, chart or path, version)`;
  }

  /** The lock as its file holds it: stable key order, one chart per entry, a final newline. */
  toJson(): string {
    const ordered = this.charts.map((c) => {
      const out: Record<string, unknown> = { name: c.name, source: c.source, repoURL: c.repoURL };
      if (c.chart) out.chart = c.chart;
      if (c.path) out.path = c.path;
      out.version = c.version;
      if (c.commit) out.commit = c.commit;
      if (c.digest) out.digest = c.digest;
      if (c.undeclaredValues.length > 0) out.undeclaredValues = c.undeclaredValues.map((u) => ({ key: u.key, template: u.template }));
      return out;
    });
    return `${JSON.stringify({ charts: ordered }, null, 2)}\n`;
  }

  /** The same lock with one Git source's resolved commit set. */
  withCommit(chartName: string, value: string): ChartLock {
    this.get(chartName);
    return ChartLock.parse({ charts: this.charts.map((c) => (c.name === chartName ? { ...c, commit: value } : c)) });
  }

  /** The same lock with one chart's digest set. */
  withDigest(chartName: string, value: string): ChartLock {
    this.get(chartName);
    return ChartLock.parse({ charts: this.charts.map((c) => (c.name === chartName ? { ...c, digest: value } : c)) });
  }
}

/**
 * The commit a Git entry is pinned to: `commit`, or `version` when it is itself a full commit id;
 * undefined for a Git entry pinned only by a tag or branch name (movable) and for chart sources.
 */
export function pinnedCommit(chart: LockedChart): string | undefined {
  if (chart.source !== 'git') return undefined;
  return chart.commit ?? (GIT_COMMIT.test(chart.version) ? chart.version : undefined);
}

/**
 * Digest of a vendored chart's content, independent of archive metadata (timestamps, owners, order):
 * sha256 over the sorted list of `<relative path>\0<sha256 of the file>\n`. Paths use `/`.
 */
export function contentDigest(files: Iterable<readonly [string, Uint8Array]>): string {
  const lines = [...files].map(([p, data]) => `${p}\u0000${createHash('sha256').update(data).digest('hex')}\n`).sort();
  const h = createHash('sha256');
  for (const l of lines) h.update(l);
  return `sha256:${h.digest('hex')}`;
}

/** A version without its leading `v` (`v1.18.6` → `1.18.6`), as constructs take it. */
export function stripV(version: string): string {
  return version.replace(/^v(?=\d)/, '');
}
