/**
 * Vendoring the locked charts (`charts.lock.json`) into `charts/<name>/`: `kompile charts pull` fetches
 * them with the real helm and git (from the source or a site's mirror) or imports them from archives
 * carried in on a disk (`--from`), records each folder's content digest in the lock and refuses content
 * that differs from a recorded digest; `kompile charts verify` checks the folders against the lock
 * offline.
 *
 * The pure parts (arguments, file names, digests of given bytes, findings) are separate from the few
 * functions that run helm, git or tar and touch the file system; the CLI only parses and prints.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { IConstruct } from 'constructs';
import { parse } from 'yaml';
import { CHART_LOCK_FILE, ChartLock, contentDigest, GIT_COMMIT, LockedChart, pinnedCommit } from '../core/chart-lock';
import { chartMirrorURL, GitOpsConfig } from '../core/config';
import { UpstreamChart } from '../core/upstream-chart';
import { runHelm } from './helm';

/** Upstream source URL → mirror URL, as `gitops.sourceMirrors` holds it. */
export type SourceMirrors = Readonly<Record<string, string>>;

/** Where a locked chart is fetched from: its mirror when one is configured, else the lock's `repoURL`. Pure. */
export function sourceURL(chart: LockedChart, mirrors: SourceMirrors = {}): string {
  return mirrors[chart.repoURL] ?? chart.repoURL;
}

/**
 * The arguments of `helm pull` for a helm or OCI chart of the lock, fetched from `repoURL` (the lock's
 * or a mirror's) and untarred into `untarDir`. Pure.
 * @param plainHttp talk plain HTTP to an OCI registry (a site mirror without TLS)
 */
export function helmPullArgs(chart: LockedChart, repoURL: string, untarDir: string, plainHttp = false): string[] {
  if (chart.source === 'git' || !chart.chart) throw new Error(`'${chart.name}' is a ${chart.source} source, not a chart helm pulls`);
  const base = repoURL.replace(/\/+$/, '');
  const ref = chart.source === 'oci' ? `oci://${base.replace(/^oci:\/\//, '')}/${chart.chart}` : chart.chart;
  const repo = chart.source === 'oci' ? [] : ['--repo', base];
  const http = chart.source === 'oci' && plainHttp ? ['--plain-http'] : [];
  return ['pull', ref, ...repo, '--version', chart.version, ...http, '--untar', '--untardir', untarDir];
}

/** A full commit id: fetched by id; anything else is a tag or branch name. */
const COMMIT = /^[0-9a-f]{40}$/;

/**
 * The git commands that check out `ref` of `repoURL` into `dir`, shallow: `git clone --depth 1
 * --branch <ref>` for a tag or branch, `git init` + `git fetch --depth 1 <url> <commit>` + checkout
 * for a full commit id (the server must allow fetching by id, as GitHub and git's protocol v2 do). Pure.
 */
export function gitCheckoutCommands(repoURL: string, ref: string, dir: string): string[][] {
  if (COMMIT.test(ref)) {
    return [
      ['init', '--quiet', dir],
      ['-C', dir, 'fetch', '--quiet', '--depth', '1', repoURL, ref],
      ['-C', dir, '-c', 'advice.detachedHead=false', 'checkout', '--quiet', 'FETCH_HEAD'],
    ];
  }
  return [['-c', 'advice.detachedHead=false', 'clone', '--quiet', '--depth', '1', '--branch', ref, repoURL, dir]];
}

/**
 * The archive `charts pull --from <dir>` imports for a lock entry: for helm and OCI charts what
 * `helm package` writes and `helm pull` downloads, `<chart>-<version>.tgz`; for Git folders
 * `<lock name>-<version>.tgz`, a gzipped tar holding the folder's files under one top-level folder
 * (e.g. `tar -czf toolhive-operator-v0.44.0.tgz -C charts toolhive-operator`). Pure.
 */
export function archiveName(chart: LockedChart): string {
  return `${chart.source === 'git' ? chart.name : chart.chart}-${chart.version}.tgz`;
}

/** Every regular file under `dir`, as `[path relative to dir with /, content]`; symbolic links and other special files are refused. */
export function readFolder(dir: string): Array<[string, Uint8Array]> {
  const files: Array<[string, Uint8Array]> = [];
  const walk = (rel: string): void => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const relPath = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(relPath);
      else if (entry.isFile()) files.push([relPath, fs.readFileSync(path.join(dir, relPath))]);
      else throw new Error(`${path.join(dir, relPath)} is not a regular file or folder (vendored charts hold plain files only)`);
    }
  };
  walk('');
  return files;
}

/** The {@link contentDigest} of a folder's files. */
export function folderDigest(dir: string): string {
  return contentDigest(readFolder(dir));
}

/** What fetching needs: the binaries and where the sources are served. */
export interface FetchOptions {
  /** The helm binary (lib/tools/helm.ts `helmBinary`). */
  readonly helm: string;
  /** Upstream source URL → mirror URL. @default {} */
  readonly mirrors?: SourceMirrors;
  /** Talk plain HTTP to OCI registries (`helm pull --plain-http`). @default false */
  readonly plainHttp?: boolean;
  /** The git binary. @default 'git' */
  readonly git?: string;
}

/** Checks that a folder holds the chart the lock names (helm and OCI sources): Chart.yaml's name and version. */
function checkChartFolder(chart: LockedChart, dir: string, from: string): void {
  const file = path.join(dir, 'Chart.yaml');
  if (!fs.existsSync(file)) throw new Error(`'${chart.name}': ${from} holds no Chart.yaml`);
  const meta = parse(fs.readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown } | null;
  if (meta?.name !== chart.chart || String(meta?.version) !== chart.version) {
    throw new Error(`'${chart.name}': ${from} holds chart ${String(meta?.name)} ${String(meta?.version)}, the lock names ${chart.chart} ${chart.version}`);
  }
}

function runGit(git: string, args: readonly string[]): string {
  try {
    return execFileSync(git, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } });
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    const command = args.find((a) => ['init', 'clone', 'fetch', 'checkout', 'rev-parse'].includes(a));
    throw new Error(`git ${command} failed: ${(err.stderr?.toString() ?? '').trim() || err.message}`);
  }
}

/**
 * Why a lock entry could not be fetched, naming the entry, what it asked for and where. A version
 * the source does not publish (a typo, or a bump to a release that does not exist) is said as such:
 * helm reports `chart "<name>" version "<v>" not found in <url> repository`, git `Remote branch <v>
 * not found` (a tag) or `couldn't find remote ref` (a commit).
 */
export function fetchError(chart: LockedChart, url: string, cause: Error): Error {
  const where = chart.source === 'oci' ? `oci://${url}` : url;
  const detail = cause.message.replace(/\s+/g, ' ').trim();
  const what = chart.source === 'git' ? `folder ${chart.path} at ${chart.version}` : `chart ${chart.chart} ${chart.version}`;
  const missingVersion =
    chart.source === 'git'
      ? /Remote branch \S+ not found|couldn't find remote ref|not our ref/i.test(detail)
      : /version "[^"]+" not found|: not found\b|manifest unknown/i.test(detail);
  if (missingVersion) {
    const has = chart.source === 'git' ? `has no tag, branch or commit ${chart.version}` : `has no chart ${chart.chart} at version ${chart.version}`;
    return new Error(`'${chart.name}': ${where} ${has} (the lock names a version its source does not publish) [${detail}]`);
  }
  return new Error(`'${chart.name}': could not fetch ${what} from ${where}: ${detail}`);
}

/** Where a chart was fetched from, and (Git) the commit its version resolved to. */
export interface FetchedChart {
  /** A URL or an archive, for the report. */
  readonly from: string;
  /** The commit checked out (Git sources fetched from a repository; an archive carries none). */
  readonly commit?: string;
}

/**
 * Fetches one locked chart into `dest` (which must not exist): `helm pull --untar` for helm and OCI
 * sources, a shallow git checkout of `version` and a copy of `path` for Git sources, with the commit
 * the checkout is at (`git rev-parse HEAD`: for a tag, the commit it points to).
 */
export function fetchChart(chart: LockedChart, dest: string, options: FetchOptions): FetchedChart {
  const url = sourceURL(chart, options.mirrors);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kompile-fetch-'));
  try {
    if (chart.source === 'git') {
      const checkout = path.join(work, 'checkout');
      try {
        for (const args of gitCheckoutCommands(url, chart.version, checkout)) runGit(options.git ?? 'git', args);
      } catch (e) {
        throw fetchError(chart, url, e as Error);
      }
      const folder = path.resolve(checkout, chart.path!);
      if (path.relative(checkout, folder).startsWith('..') || !fs.existsSync(folder) || !fs.statSync(folder).isDirectory()) {
        throw new Error(`'${chart.name}': ${url} at ${chart.version} has no folder '${chart.path}'`);
      }
      const commit = runGit(options.git ?? 'git', ['-C', checkout, 'rev-parse', 'HEAD']).trim();
      if (!GIT_COMMIT.test(commit)) throw new Error(`'${chart.name}': git rev-parse HEAD gave '${commit}', not a commit id`);
      fs.cpSync(folder, dest, { recursive: true, dereference: true, filter: (src) => path.basename(src) !== '.git' });
      return { from: `${url} ${chart.path}@${chart.version}`, commit };
    }
    try {
      runHelm(options.helm, helmPullArgs(chart, url, work, options.plainHttp));
    } catch (e) {
      throw fetchError(chart, url, e as Error);
    }
    const pulled = path.join(work, chart.chart!);
    checkChartFolder(chart, pulled, `helm pull from ${url}`);
    fs.cpSync(pulled, dest, { recursive: true });
    return { from: `${chart.source === 'oci' ? 'oci://' : ''}${url}` };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** Member names of a tar archive that would land outside the folder it is unpacked into. Pure. */
export function unsafeMembers(names: readonly string[]): string[] {
  return names.filter((n) => n.startsWith('/') || n.split('/').includes('..'));
}

/**
 * Imports one locked chart from a folder of archives ({@link archiveName}) into `dest` (which must not
 * exist), unpacked with the system `tar`: members outside the archive, links and a layout other than
 * one top-level folder are refused; helm and OCI charts must be the chart and version the lock names.
 * @returns the archive imported (for the report)
 */
export function importChart(chart: LockedChart, fromDir: string, dest: string, tar = 'tar'): string {
  const archive = path.join(fromDir, archiveName(chart));
  if (!fs.existsSync(archive)) throw new Error(`'${chart.name}': ${archive} is missing (expected ${archiveName(chart)} for ${chart.source} ${chart.chart ?? chart.path} ${chart.version})`);
  const run = (args: string[]): string => {
    try {
      return execFileSync(tar, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      const err = e as { stderr?: string; message: string };
      throw new Error(`'${chart.name}': tar could not read ${archive}: ${(err.stderr ?? '').trim() || err.message}`);
    }
  };
  const members = run(['-tzf', archive]).split('\n').filter((l) => l !== '');
  const unsafe = unsafeMembers(members);
  if (unsafe.length > 0) throw new Error(`'${chart.name}': ${archive} has members outside its folder: ${unsafe.join(', ')}`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kompile-import-'));
  try {
    run(['-xzf', archive, '-C', work, '--no-same-owner', '--no-same-permissions']);
    const top = fs.readdirSync(work);
    if (top.length !== 1 || !fs.statSync(path.join(work, top[0])).isDirectory()) {
      throw new Error(`'${chart.name}': ${archive} must hold one top-level folder (found: ${top.join(', ') || 'nothing'})`);
    }
    const folder = path.join(work, top[0]);
    readFolder(folder); // refuses links and special files before anything is kept
    if (chart.source !== 'git') checkChartFolder(chart, folder, archive);
    fs.cpSync(folder, dest, { recursive: true });
    return archive;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** One vendored chart and what its digest says. */
export interface VendoredResult {
  readonly name: string;
  readonly version: string;
  /** Where it came from: a URL, or an archive. */
  readonly from: string;
  /** Digest of what was fetched. */
  readonly digest: string;
  /** The lock's digest before: absent when none was recorded. */
  readonly locked?: string;
  /** `recorded`: the lock had none; `unchanged`: it matches; `changed`: it differs (an error unless updating). */
  readonly status: 'recorded' | 'unchanged' | 'changed';
  /** The commit a Git source's version resolved to, where fetched from a repository. */
  readonly commit?: string;
  /** The lock's commit before, when it differs from {@link commit}: the tag was moved (an error unless updating). */
  readonly movedFrom?: string;
}

/** The outcome of {@link vendorCharts}. */
export interface VendorOutcome {
  readonly results: readonly VendoredResult[];
  /** The lock with every fetched digest, when the folders were replaced; absent when nothing changed (a digest differed). */
  readonly lock?: ChartLock;
}

/** Compares a fetched digest with the lock's. Pure. */
export function digestStatus(fetched: string, locked: string | undefined): VendoredResult['status'] {
  if (!locked) return 'recorded';
  return locked === fetched ? 'unchanged' : 'changed';
}

/**
 * Vendors lock entries: each is fetched (`fetch` writes the chart into the folder it is given and
 * says where from) into a staging folder beside `chartsDir`'s folders, and its digest compared with
 * the lock's. Only when every digest is new or equal (or `update` is set) are the folders of
 * `charts/<name>/` replaced, each by a rename of its complete staged copy; otherwise `chartsDir` is
 * left as it was and the outcome has no lock. Any fetch error leaves it as it was too.
 */
export function vendorCharts(
  lock: ChartLock,
  names: readonly string[],
  chartsDir: string,
  fetch: (chart: LockedChart, dest: string) => string | FetchedChart,
  update = false,
): VendorOutcome {
  fs.mkdirSync(chartsDir, { recursive: true });
  // Staging inside chartsDir keeps the final renames on one file system; `verify` ignores dot-folders.
  const staging = fs.mkdtempSync(path.join(chartsDir, '.kompile-staging-'));
  try {
    const results: VendoredResult[] = [];
    for (const name of names) {
      const chart = lock.get(name);
      const dest = path.join(staging, name);
      const fetched = fetch(chart, dest);
      const { from, commit } = typeof fetched === 'string' ? { from: fetched, commit: undefined } : fetched;
      const digest = folderDigest(dest);
      const pinned = pinnedCommit(chart);
      const movedFrom = commit !== undefined && pinned !== undefined && pinned !== commit ? pinned : undefined;
      results.push({ name, version: chart.version, from, digest, locked: chart.digest, status: digestStatus(digest, chart.digest), ...(commit ? { commit } : {}), ...(movedFrom ? { movedFrom } : {}) });
    }
    if (!update && results.some((r) => r.status === 'changed' || r.movedFrom !== undefined)) return { results };
    let next = lock;
    for (const r of results) {
      const target = path.join(chartsDir, r.name);
      const old = path.join(staging, `${r.name}.old`);
      if (fs.existsSync(target)) fs.renameSync(target, old);
      fs.renameSync(path.join(staging, r.name), target);
      next = next.withDigest(r.name, r.digest);
      // A version that is itself a commit needs no second record of it.
      if (r.commit && !GIT_COMMIT.test(r.version)) next = next.withCommit(r.name, r.commit);
    }
    return { results, lock: next };
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** One line of a report. */
export interface ChartFinding {
  readonly level: 'error' | 'info';
  /** Lock name, or the folder's name under charts/. */
  readonly chart: string;
  readonly message: string;
}

/** A report line per vendored chart; `changed` ones name both digests. Pure. */
export function formatVendored(results: readonly VendoredResult[], updated: boolean): string {
  return results
    .map((r) => {
      if (r.movedFrom) {
        return updated
          ? `${r.name} ${r.version}: commit changed ${r.movedFrom} → ${r.commit} (--update: recorded) from ${r.from}\n`
          : `error: ${r.name} ${r.version}: ${r.from} resolves ${r.version} to commit ${r.commit}, the lock records ${r.movedFrom} (the tag was moved upstream or on the mirror; --update accepts it)\n`;
      }
      if (r.status === 'changed') {
        return updated
          ? `${r.name} ${r.version}: digest changed ${r.locked} → ${r.digest} (--update: recorded) from ${r.from}\n`
          : `error: ${r.name} ${r.version}: content from ${r.from} is ${r.digest}, the lock records ${r.locked} (upstream changed a published version, or the mirror serves something else; --update accepts it)\n`;
      }
      const commit = r.commit && !GIT_COMMIT.test(r.version) ? `, commit ${r.commit}` : '';
      return `${r.name} ${r.version}: ${r.status === 'recorded' ? `digest ${r.digest} recorded` : 'digest verified'}${commit} from ${r.from}\n`;
    })
    .join('');
}

/**
 * Checks the vendored folders against the lock, offline: each entry with a digest has
 * `charts/<name>/` with that content digest; a folder of an entry without a digest, a folder no entry
 * names, and a digest without its folder are errors; an entry with neither is "not vendored" (info).
 * Folders whose names start with `.` are ignored.
 */
export function verifyCharts(lock: ChartLock, chartsDir: string, lockName: string = CHART_LOCK_FILE): ChartFinding[] {
  const findings: ChartFinding[] = [];
  const rel = (name: string): string => `${path.basename(chartsDir)}/${name}/`;
  for (const chart of lock.charts) {
    const dir = path.join(chartsDir, chart.name);
    const present = fs.existsSync(dir) && fs.statSync(dir).isDirectory();
    if (!present) {
      findings.push(
        chart.digest
          ? { level: 'error', chart: chart.name, message: `${lockName} records ${chart.digest} but ${rel(chart.name)} is missing` }
          : { level: 'info', chart: chart.name, message: 'not vendored' },
      );
      continue;
    }
    let actual: string;
    try {
      actual = folderDigest(dir);
    } catch (e) {
      findings.push({ level: 'error', chart: chart.name, message: (e as Error).message });
      continue;
    }
    if (!chart.digest) findings.push({ level: 'error', chart: chart.name, message: `${rel(chart.name)} is vendored but ${lockName} records no digest (charts pull records it)` });
    else if (actual !== chart.digest) findings.push({ level: 'error', chart: chart.name, message: `${rel(chart.name)} has content ${actual}, ${lockName} records ${chart.digest}` });
  }
  const locked = new Set(lock.charts.map((c) => c.name));
  if (fs.existsSync(chartsDir)) {
    for (const entry of fs.readdirSync(chartsDir, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith('.') || locked.has(entry.name)) continue;
      findings.push({ level: 'error', chart: entry.name, message: `${rel(entry.name)} is not in ${lockName}` });
    }
  }
  return findings;
}

/** One line per finding, and a summary. Pure. */
export function formatChartFindings(findings: readonly ChartFinding[], locked: number, lockName: string = CHART_LOCK_FILE): string {
  const lines = findings.map((f) => `${f.level}: ${f.chart}: ${f.message}\n`);
  const errors = findings.filter((f) => f.level === 'error').length;
  const notVendored = findings.filter((f) => f.level === 'info').length;
  lines.push(errors === 0 ? `${locked - notVendored} vendored chart(s) match ${lockName}, ${notVendored} not vendored\n` : `${errors} vendored chart problem(s)\n`);
  return lines.join('');
}

/** Exit code of `charts verify`: 1 on any error. */
export function verifyChartsExitCode(findings: readonly ChartFinding[]): number {
  return findings.some((f) => f.level === 'error') ? 1 : 0;
}

/** The lock names of every upstream chart a construct tree installs (its `UpstreamChart`s matched in the lock), sorted. */
export function lockedChartsOf(scope: IConstruct): string[] {
  const names = new Set<string>();
  for (const c of scope.node.findAll()) if (c instanceof UpstreamChart && c.locked) names.add(c.locked.name);
  return [...names].sort();
}

/**
 * The mirrors an environment fetches its charts through: each of `charts` (lock names) at the mirror
 * its `gitops` derives (`chartMirrorURL`: `chartMirrors` per kind, `sourceMirrors` per URL). Pure.
 */
export function environmentMirrors(gitops: Pick<GitOpsConfig, 'sourceMirrors' | 'chartMirrors'>, lock: readonly LockedChart[], charts: readonly string[]): SourceMirrors {
  const mirrors: Record<string, string> = { ...gitops.sourceMirrors };
  for (const locked of lock) {
    const mirror = charts.includes(locked.name) ? chartMirrorURL(gitops, locked.source, locked.repoURL) : undefined;
    if (mirror !== undefined) mirrors[locked.repoURL] = mirror;
  }
  return mirrors;
}

/** What `charts pull` fetches: which lock entries, through which mirrors. */
export interface PullSelection {
  readonly names: readonly string[];
  readonly mirrors: SourceMirrors;
}

/**
 * Which lock entries to fetch and through which mirrors: every entry and no mirror, or (with an
 * environment) the charts it installs through its `gitops.sourceMirrors`; mirrors given on the command
 * line are added and win. An environment's chart missing from the lock is an error naming it. Pure.
 */
export function selectCharts(lock: ChartLock, environment?: { readonly name: string; readonly charts: readonly string[]; readonly mirrors: SourceMirrors }, mirrors: SourceMirrors = {}): PullSelection {
  if (!environment) return { names: lock.charts.map((c) => c.name), mirrors: { ...mirrors } };
  const locked = new Set(lock.charts.map((c) => c.name));
  const missing = environment.charts.filter((n) => !locked.has(n));
  if (missing.length > 0) throw new Error(`environment '${environment.name}' installs ${missing.join(', ')}, which the lock does not have`);
  return { names: [...environment.charts], mirrors: { ...environment.mirrors, ...mirrors } };
}
