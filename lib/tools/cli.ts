/**
 * `kompile`: the review and operations tools behind one command. Thin: parses arguments, reads files,
 * calls the pure functions of lib/tools and turns their results into output and an exit code.
 *
 * Exit codes: 0 fine, 1 the check failed (findings, destructive changes, mismatches), 2 usage or
 * runtime error.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { CHART_LOCK_FILE, ChartLock } from '../core/chart-lock';
import { environmentPortFacts } from '../components';
import { clusterNamespaces, clusterNetworkCidrs, parseEnvironment } from '../core/config';
import { withRenderedCharts } from './chart-check';
import { RegistryPolicy } from '../core/registry-policy';
import { allReferencesToResolve, compareDigests, formatResolved, resolveDigest } from './image-resolve';
import { IMAGE_DIGESTS_FILE, ImageDigests } from '../core/image-digests';
import { fetchChart, formatChartFindings, formatVendored, importChart, environmentMirrors, lockedChartsOf, selectCharts, SourceMirrors, vendorCharts, verifyCharts, verifyChartsExitCode } from './charts';
import { acknowledgementsIn, diffExitCode, diffTrees, FailOn, formatMarkdown, formatText } from './diff';
import { commitMessages, readTreeAtRef } from './git-tree';
import { helmBinary } from './helm';
import { checkComponentImageLists, checkImageLists, imageList } from './images';
import { kubeTransport } from './kube-client';
import { SchemaValidator } from './schema-validator';
import { missingSchemaPaths, PROJECT_FILE, SchemaSources, validateSchemaSources } from './schema-sources';
import { environmentsOf, readTree, RenderedTree } from './tree';
import { formatFindings, sortFindings, validateExitCode, validateTree } from './validate';
import { formatVerify, verifyExitCode, verifyObjects } from './verify';

/** Where the CLI writes and which folder it works from. */
export interface CliIo {
  readonly cwd: string;
  /** Environment variables (KUBECONFIG, HOME, …) for `verify`'s kubeconfig lookup. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  out(text: string): void;
  err(text: string): void;
}

/** The exit codes of every command (each command's help says what 1 means for it; README.md and docs/tools.md repeat them). */
const EXIT_CODES = 'Exit codes: 0 fine, 1 the check failed, 2 usage or runtime error.';

/** One line per command for the overview, and each command's own help (`kompile <command> --help`). */
const HELP = {
  diff: {
    summary: 'Compare two rendered trees by resource; destructive changes first.',
    text: `Usage: kompile diff (--base <git-ref> | --before <dir>) [options]

Compare two rendered trees by resource.

Options:
  --base <git-ref>     old tree: <dist> as of this ref (e.g. origin/main)
  --before <dir>       old tree: a folder (instead of --base)
  --after <dir>        new tree (default: <dist>)
  --env <name>         only this environment
  --format text|markdown, --output <file>
  --max-chars <n>      shorten the Markdown to n characters (PR comment limits)
  --fail-on none|changes|destructive (default: none)
  --ack <[env:]Kind/namespace/name>  acknowledge a destructive change (repeatable);
                       with --base, commit trailers "Kompile-Ack-Destructive: …" in
                       <base>..HEAD acknowledge too
  --dist <dir>         the rendered tree (default: dist)

Exit codes: 0 fine (always, with --fail-on none), 1 a change (--fail-on changes) or an
unacknowledged destructive change (--fail-on destructive), 2 usage or runtime error.
`,
  },
  validate: {
    summary: 'Schema and policy checks of every object.',
    text: `Usage: kompile validate [options]

Schema and policy checks of every object.

Options:
  --crds <dir>         CRD folder (default: the crds of cdk8s.yaml's kompile.schemas)
  --kubernetes-schema <file>  (default: cdk8s.yaml's kompile.schemas.kubernetes, or with
                       --crds, <crds>/kubernetes/v1.28.0/_definitions.json)
  --env <name>, --strict (warnings fail too), --format text|json
  --lock <file> (default: charts.lock.json), --charts-dir <dir> (default: charts):
                       vendored charts of every Application are rendered and checked
  --wait-for-first-consumer <class>  a storage class that waits for the first
                       consumer, in every environment (repeatable; default: each
                       environment's cluster.storageClasses.waitForFirstConsumer)
  --dist <dir>         the rendered tree (default: dist)

Exit codes: 0 no error (warnings allowed), 1 an error (or, with --strict, a warning),
2 usage or runtime error (no objects under <dist>, no schema).
`,
  },
  verify: {
    summary: 'Server-side dry-run apply and drift against a cluster.',
    text: `Usage: kompile verify --env <name> [options]

Server-side dry-run apply and drift against the cluster of a kubeconfig.

Options:
  --env <name>         the environment of <dist> to verify (required)
  --kubeconfig <file>  default: the files of $KUBECONFIG, else ~/.kube/config, else the
                       service account of the pod it runs in
  --context <ctx>      default: the kubeconfig's current context
  --no-dry-run, --no-drift  run one half only
  --fail-on-drift      drift, missing or extra objects fail too
  --dist <dir>         the rendered tree (default: dist)

Exit codes: 0 fine, 1 a dry run failed (or, with --fail-on-drift, drift), 2 usage or
runtime error (no kubeconfig, cluster unreachable).
`,
  },
  images: {
    summary: 'Print the upstream images to mirror; --check checks the image lists; resolve records digests.',
    text: `Usage: kompile images [--env <name>] [--check]
       kompile images resolve [--env <name>] [--registry <registry>=<host>] [--plain-http] [--update]

Print the upstream images to mirror (images.txt); with --check, compare images.txt,
images.lock.json and the per-component lists images/<component>.txt with the manifests.

resolve asks the registry serving each reference the image locks pull from upstream (or
from the environment's mirror, once mirrored) for its manifest digest and records it in
images.digests.json; the next synth pins those references (name:tag@sha256:...).

Options:
  --env <name>         one environment (default: every one, each line prefixed with it)
  --check              check instead of printing
  --registry <r>=<h>   (resolve) ask host <h> for the images of registry <r> (repeatable)
  --plain-http         (resolve) talk plain HTTP to the registries
  --update             (resolve) accept digests that changed (a moved tag)
  --digests <file>     (resolve) the digests file (default: images.digests.json)
  --dist <dir>         the rendered tree (default: dist)

Exit codes: 0 printed, the lists match, or digests recorded; 1 (--check) a list does not
match, (resolve) a recorded digest changed; 2 usage or runtime error (a registry unreachable).
`,
  },
  charts: {
    summary: 'Vendor the locked charts into charts/ (pull) and check them (verify).',
    text: `Usage: kompile charts pull|verify [options]

Vendor the charts of charts.lock.json into charts/<name>/ and check them.

  pull                 fetch every locked chart (helm pull, git), record its digest in the lock
    --env <name>       only the charts the environment installs, through its gitops.sourceMirrors
    --mirror <upstream>=<mirror>  fetch a source from a mirror (repeatable; overrides --env's)
    --from <dir>       import <chart>-<version>.tgz (git: <name>-<version>.tgz) instead of fetching
    --update           accept content that differs from a recorded digest
    --plain-http       OCI registries over plain HTTP
  verify               offline: every vendored folder matches its digest in the lock
  both: --charts-dir <dir> (default: charts), --lock <file> (default: charts.lock.json)

Exit codes: pull: 0 vendored, 1 content differs from a recorded digest (nothing changed),
2 usage or runtime error (a fetch failed; nothing changed); verify: 0 fine, 1 an error,
2 usage or runtime error.
`,
  },
  helm: {
    summary: 'Print the path of the bundled helm binary (extracted on first use).',
    text: `Usage: kompile helm

Print the path of the helm binary Kompile runs: $KOMPILE_HELM, else the bundled one
(extracted on first use).

Exit codes: 0 fine, 2 runtime error (the binary could not be extracted).
`,
  },
} as const;

type CommandName = keyof typeof HELP;

/** `kompile --help`: the commands, one line each. */
export const OVERVIEW = `Usage: kompile <command> [options]

Commands:
${Object.entries(HELP)
  .map(([name, h]) => `  ${name.padEnd(9)} ${h.summary}`)
  .join('\n')}
  help      Print the help of a command (or: kompile <command> --help).

Every command takes --dist <dir> (default: dist).
${EXIT_CODES}
`;

class UsageError extends Error {}

function git(cwd: string, args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

function pick<T extends string>(value: string | undefined, allowed: readonly T[], name: string, fallback: T): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')}`);
  return value as T;
}

/**
 * The registry policies of the repository's environments that restrict references (airgap), exactly
 * as the synth holds them (`buildEnvironment` may add in-cluster registries to the configured ones).
 */
async function restrictedPolicies(): Promise<Map<string, RegistryPolicy>> {
  const { environments } = await import('../../stacks');
  const { buildEnvironment } = await import('../../stacks/build');
  const policies = new Map<string, RegistryPolicy>();
  for (const input of environments) {
    const config = parseEnvironment(input);
    if (config.registry.allowedRegistries.length === 0 && config.registry.allowedHosts.length === 0) continue;
    policies.set(config.name, buildEnvironment(config).policy);
  }
  return policies;
}

/**
 * The storage classes that wait for the first consumer, by environment: the given ones in every
 * environment of the tree, else each repository environment's `cluster.storageClasses.waitForFirstConsumer`.
 */
async function firstConsumerClasses(given: readonly string[] | undefined, treeEnvironments: readonly string[]): Promise<Map<string, readonly string[]>> {
  if (given) return new Map(treeEnvironments.map((env) => [env, given]));
  const { environments } = await import('../../stacks');
  return new Map(environments.map((input) => parseEnvironment(input)).map((config) => [config.name, given ?? config.cluster.storageClasses.waitForFirstConsumer]));
}

/** Whether each repository environment's ingress controller publishes Ingress status (`cluster.ingress.publishesStatus`). */
async function ingressPublishesStatus(): Promise<Map<string, boolean>> {
  const { environments } = await import('../../stacks');
  return new Map(environments.map((input) => parseEnvironment(input)).map((config) => [config.name, config.cluster.ingress.publishesStatus]));
}

/** The Argo CD namespace of each of the repository's environments (`gitops.argocdNamespace`). */
async function argocdNamespaces(): Promise<Map<string, string>> {
  const { environments } = await import('../../stacks');
  return new Map(environments.map((input) => parseEnvironment(input)).map((config) => [config.name, config.gitops.argocdNamespace]));
}

/**
 * The registries each of the repository's environments holds images in (mirror, platform
 * registry), from the policy the synth uses: their images are locked but not listed to mirror.
 */
async function heldRegistries(): Promise<Map<string, string[]>> {
  const { environments } = await import('../../stacks');
  const { registryPolicyOf } = await import('../../stacks/build');
  return new Map(environments.map((input) => parseEnvironment(input)).map((config) => [config.name, registryPolicyOf(config).heldRegistries]));
}

/**
 * Reads the tree at `dir` for `--flag`: a missing folder is an error (not an empty tree), and so is an
 * environment folder (`dist/prod`, holding `apps/`, `bootstrap/`, `images.txt`) given for the root.
 */
function readTreeRoot(dir: string, flag: string): RenderedTree {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new UsageError(`--${flag}: no directory ${dir}`);
  const children = new Set(fs.readdirSync(dir));
  if (children.has('images.txt') || (children.has('apps') && children.has('bootstrap'))) {
    throw new UsageError(`--${flag}: ${dir} is an environment folder (it holds ${['apps/', 'bootstrap/', 'images.txt'].filter((c) => children.has(c.replace('/', ''))).join(', ')}); pass the tree root that contains it (${path.dirname(dir)}) and select the environment with --env ${path.basename(dir)}`);
  }
  return readTree(dir);
}

function onlyEnv(tree: RenderedTree, env: string | undefined): RenderedTree {
  if (!env) return tree;
  if (!environmentsOf(tree).includes(env)) throw new UsageError(`no environment '${env}' in the tree (have: ${environmentsOf(tree).join(', ') || 'none'})`);
  return { objects: tree.objects.filter((o) => o.environment === env), images: new Map([...tree.images].filter(([e]) => e === env)) };
}

async function diffCommand(args: string[], io: CliIo, dist: string): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      base: { type: 'string' },
      before: { type: 'string' },
      after: { type: 'string' },
      format: { type: 'string' },
      output: { type: 'string' },
      'max-chars': { type: 'string' },
      'fail-on': { type: 'string' },
      ack: { type: 'string', multiple: true },
      env: { type: 'string' },
    },
  });
  if ((values.base === undefined) === (values.before === undefined)) throw new UsageError('diff needs exactly one of --base <git-ref> or --before <dir>');
  const acks = [...(values.ack ?? [])];
  let before: RenderedTree;
  if (values.base !== undefined) {
    const top = git(io.cwd, ['rev-parse', '--show-toplevel']);
    const rel = path.relative(top, path.resolve(io.cwd, dist)).split(path.sep).join('/');
    before = readTreeAtRef(top, values.base, rel);
    acks.push(...acknowledgementsIn(commitMessages(top, values.base)));
  } else {
    before = readTreeRoot(path.resolve(io.cwd, values.before!), 'before');
  }
  const after = readTreeRoot(path.resolve(io.cwd, values.after ?? dist), 'after');
  const report = diffTrees(values.env ? onlyEnv(before, values.env) : before, values.env ? onlyEnv(after, values.env) : after, { acknowledged: acks });
  const format = pick(values.format, ['text', 'markdown'] as const, 'format', 'text');
  const maxChars = values['max-chars'] === undefined ? undefined : Number(values['max-chars']);
  if (maxChars !== undefined && !(maxChars > 0)) throw new UsageError('--max-chars must be a positive number');
  const text = format === 'markdown' ? formatMarkdown(report, { maxChars }) : formatText(report);
  if (values.output) fs.writeFileSync(path.resolve(io.cwd, values.output), text);
  else io.out(text);
  return diffExitCode(report, pick<FailOn>(values['fail-on'], ['none', 'changes', 'destructive'], 'fail-on', 'none'));
}

/** The schemas validate checks against: the flags, else cdk8s.yaml's `kompile.schemas` (lib/tools/schema-sources.ts). */
function validateSchema(cwd: string, crds: string | undefined, kubernetesSchema: string | undefined): SchemaValidator {
  let sources: SchemaSources;
  try {
    sources = validateSchemaSources(cwd, { crds, kubernetesSchema });
  } catch (e) {
    throw new UsageError(`${(e as Error).message}; or pass --crds <dir> (and --kubernetes-schema <file>)`);
  }
  const missing = missingSchemaPaths(sources);
  if (missing.length > 0) throw new UsageError(`no schemas at ${missing.join(', ')} (declared in ${PROJECT_FILE} kompile.schemas, or set --crds / --kubernetes-schema)`);
  return SchemaValidator.load({ kubernetesDefinitions: sources.kubernetes, crdPaths: sources.crds });
}

async function validateCommand(args: string[], io: CliIo, dist: string): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      crds: { type: 'string' },
      'kubernetes-schema': { type: 'string' },
      env: { type: 'string' },
      strict: { type: 'boolean' },
      format: { type: 'string' },
      lock: { type: 'string' },
      'charts-dir': { type: 'string' },
      'wait-for-first-consumer': { type: 'string', multiple: true },
    },
  });
  const schema = validateSchema(io.cwd, values.crds, values['kubernetes-schema']);
  const read = onlyEnv(readTree(path.resolve(io.cwd, dist)), values.env);
  if (read.objects.length === 0) throw new UsageError(`no objects under ${dist}`);
  // Upstream charts: rendered from their vendored copies and checked with the rest; those not
  // vendored are reported as unchecked.
  const lockFile = path.resolve(io.cwd, values.lock ?? CHART_LOCK_FILE);
  const charts = fs.existsSync(lockFile)
    ? await withRenderedCharts(read, ChartLock.parse(JSON.parse(fs.readFileSync(lockFile, 'utf8'))), {
        chartsDir: path.resolve(io.cwd, values['charts-dir'] ?? 'charts'),
        helm: process.env.KOMPILE_HELM ?? helmBinary(),
        cacheDir: path.resolve(io.cwd, 'node_modules/.cache/kompile/renders'),
      })
    : { tree: read, findings: [] };
  const configs = (await import('../../stacks')).environments.map((input) => parseEnvironment(input));
  const findings = sortFindings([...validateTree(charts.tree, { schema, policies: await restrictedPolicies(), waitForFirstConsumer: await firstConsumerClasses(values['wait-for-first-consumer'], environmentsOf(charts.tree)), ingressPublishesStatus: await ingressPublishesStatus(), argocdNamespaces: await argocdNamespaces(), kubernetesVersions: new Map(configs.map((c) => [c.name, c.cluster.kubernetesVersion])), ports: new Map(configs.map((c) => [c.name, environmentPortFacts(c.cluster)])), clusterCidrs: new Map(configs.map((c) => [c.name, clusterNetworkCidrs(c.cluster)])), clusterNamespaces: new Map(configs.map((c) => [c.name, clusterNamespaces(c.cluster)])), tiers: new Map(configs.map((c) => [c.name, c.tier])), gitopsRepos: new Map(configs.map((c) => [c.name, c.gitops.repoURL])) }), ...charts.findings]);
  const format = pick(values.format, ['text', 'json'] as const, 'format', 'text');
  io.out(format === 'json' ? `${JSON.stringify(findings, null, 2)}\n` : formatFindings(findings));
  return validateExitCode(findings, values.strict ?? false);
}

async function verifyCommand(args: string[], io: CliIo, dist: string): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { env: { type: 'string' }, context: { type: 'string' }, kubeconfig: { type: 'string' }, 'no-dry-run': { type: 'boolean' }, 'no-drift': { type: 'boolean' }, 'fail-on-drift': { type: 'boolean' } },
  });
  if (!values.env) throw new UsageError('verify needs --env <name>');
  // The kubeconfig first: a missing one is reported before the tree is read.
  const transport = await kubeTransport({ context: values.context, kubeconfig: values.kubeconfig === undefined ? undefined : path.resolve(io.cwd, values.kubeconfig), env: io.env });
  const tree = onlyEnv(readTree(path.resolve(io.cwd, dist)), values.env);
  io.err(`verifying ${values.env} against ${transport.server}\n`);
  const report = await verifyObjects(
    transport,
    tree.objects.map((o) => o.object),
    { environment: values.env, dryRun: !values['no-dry-run'], drift: !values['no-drift'] },
  );
  io.out(formatVerify(report));
  return verifyExitCode(report, values['fail-on-drift'] ?? false);
}

async function imagesCommand(args: string[], io: CliIo, dist: string): Promise<number> {
  if (args[0] === 'resolve') return resolveImagesCommand(args.slice(1), io, dist);
  const { values } = parseArgs({ args, options: { env: { type: 'string' }, check: { type: 'boolean' } } });
  const tree = onlyEnv(readTree(path.resolve(io.cwd, dist)), values.env);
  const envs = environmentsOf(tree);
  if (!values.check) {
    for (const env of envs) io.out(imageList(tree, env).map((i) => (values.env ? `${i}\n` : `${env}\t${i}\n`)).join(''));
    return 0;
  }
  const held = await heldRegistries();
  const problems = envs.flatMap((env) => [...checkImageLists(tree, env, { heldRegistries: held.get(env) }), ...checkComponentImageLists(tree, env, { heldRegistries: held.get(env) })]);
  for (const p of problems) io.out(`${p.environment}: ${p.message}\n`);
  io.out(problems.length === 0 ? `image lists match the manifests (${envs.join(', ')})\n` : `${problems.length} image list problem(s)\n`);
  return problems.length === 0 ? 0 : 1;
}

/**
 * `kompile images resolve`: asks the registries for the digests of the references the environments
 * pull from upstream or from their mirror (lib/tools/image-resolve.ts) and records them in
 * images.digests.json; a digest that changed is an error unless --update.
 */
async function resolveImagesCommand(args: string[], io: CliIo, dist: string): Promise<number> {
  const { values } = parseArgs({ args, options: { env: { type: 'string' }, registry: { type: 'string', multiple: true }, 'plain-http': { type: 'boolean' }, update: { type: 'boolean' }, digests: { type: 'string' } } });
  const tree = onlyEnv(readTree(path.resolve(io.cwd, dist)), values.env);
  const file = path.resolve(io.cwd, values.digests ?? IMAGE_DIGESTS_FILE);
  const digests = fs.existsSync(file) ? ImageDigests.parse(JSON.parse(fs.readFileSync(file, 'utf8'))) : ImageDigests.parse({ digests: {} });
  const hosts: Record<string, string> = {};
  for (const v of values.registry ?? []) {
    const i = v.indexOf('=');
    if (i <= 0 || i === v.length - 1) throw new UsageError(`--registry must be <registry>=<host to ask>, got '${v}'`);
    hosts[v.slice(0, i)] = v.slice(i + 1);
  }
  const refs = allReferencesToResolve(tree, await heldRegistries());
  if (refs.length === 0) throw new UsageError(`no upstream image references in the image locks under ${dist}`);
  const resolved = new Map<string, string>();
  for (const ref of refs) resolved.set(ref, await resolveDigest(ref, { hosts, plainHttp: values['plain-http'] }));
  const results = compareDigests(resolved, digests);
  const update = values.update ?? false;
  io.out(formatResolved(results, update));
  if (!update && results.some((r) => r.status === 'changed')) {
    io.out(`nothing changed: ${path.relative(io.cwd, file)} is as it was\n`);
    return 1;
  }
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, digests.with(resolved).toJson());
  fs.renameSync(temp, file);
  io.out(`resolved ${results.length} image(s); digests in ${path.relative(io.cwd, file)} (synthesize to pin them)\n`);
  return 0;
}

function readLock(file: string): ChartLock {
  if (!fs.existsSync(file)) throw new UsageError(`no chart lock at ${file} (set --lock)`);
  return ChartLock.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
}

/** Writes the lock whole: a temporary file renamed over it. */
function writeLock(file: string, lock: ChartLock): void {
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, lock.toJson());
  fs.renameSync(temp, file);
}

/**
 * The lock names of the charts an environment installs and its source mirrors: the environment is
 * built (not written) and its upstream charts read from the construct tree, so the answer never
 * depends on a stale dist/.
 */
async function environmentCharts(env: string): Promise<{ charts: string[]; mirrors: SourceMirrors }> {
  const { environments } = await import('../../stacks');
  const { buildEnvironment } = await import('../../stacks/build');
  const input = environments.find((e) => e.name === env);
  if (!input) throw new UsageError(`no environment '${env}' (have: ${environments.map((e) => e.name).join(', ')})`);
  const config = parseEnvironment(input);
  const { platform } = buildEnvironment(config);
  const charts = lockedChartsOf(platform);
  return { charts, mirrors: environmentMirrors(config.gitops, platform.chartLock?.charts ?? [], charts) };
}

function parseMirrors(values: readonly string[]): Record<string, string> {
  const mirrors: Record<string, string> = {};
  for (const v of values) {
    const i = v.indexOf('=');
    if (i <= 0 || i === v.length - 1) throw new UsageError(`--mirror must be <upstream>=<mirror>, got '${v}'`);
    mirrors[v.slice(0, i)] = v.slice(i + 1);
  }
  return mirrors;
}

async function chartsCommand(args: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    options: {
      'charts-dir': { type: 'string' },
      lock: { type: 'string' },
      ...(sub === 'pull'
        ? {
            env: { type: 'string' },
            mirror: { type: 'string', multiple: true },
            from: { type: 'string' },
            update: { type: 'boolean' },
            'plain-http': { type: 'boolean' },
          }
        : {}),
    },
  }) as { values: { 'charts-dir'?: string; lock?: string; env?: string; mirror?: string[]; from?: string; update?: boolean; 'plain-http'?: boolean } };
  const chartsDir = path.resolve(io.cwd, values['charts-dir'] ?? 'charts');
  const lockFile = path.resolve(io.cwd, values.lock ?? CHART_LOCK_FILE);
  if (sub === 'verify') {
    const lock = readLock(lockFile);
    const findings = verifyCharts(lock, chartsDir, path.basename(lockFile));
    io.out(formatChartFindings(findings, lock.charts.length, path.basename(lockFile)));
    return verifyChartsExitCode(findings);
  }
  if (sub !== 'pull') throw new UsageError(`charts needs pull or verify${sub ? `, not '${sub}'` : ''}`);
  const lock = readLock(lockFile);
  const environment = values.env ? { name: values.env, ...(await environmentCharts(values.env)) } : undefined;
  const { names, mirrors } = selectCharts(lock, environment, parseMirrors(values.mirror ?? []));
  const from = values.from === undefined ? undefined : path.resolve(io.cwd, values.from);
  if (from && !fs.existsSync(from)) throw new UsageError(`--from ${values.from}: no such folder`);
  const helm = process.env.KOMPILE_HELM ?? helmBinary();
  const outcome = vendorCharts(
    lock,
    names,
    chartsDir,
    from ? (chart, dest) => importChart(chart, from, dest) : (chart, dest) => fetchChart(chart, dest, { helm, mirrors, plainHttp: values['plain-http'] }),
    values.update ?? false,
  );
  io.out(formatVendored(outcome.results, values.update ?? false));
  if (!outcome.lock) {
    io.out(`nothing changed: ${path.relative(io.cwd, chartsDir) || '.'} and ${path.relative(io.cwd, lockFile)} are as they were\n`);
    return 1;
  }
  writeLock(lockFile, outcome.lock);
  io.out(`vendored ${outcome.results.length} chart(s) into ${path.relative(io.cwd, chartsDir) || '.'}; digests in ${path.relative(io.cwd, lockFile)}\n`);
  return 0;
}

/** What the command's parser refused, as one line: Node's parseArgs messages run on with advice over several lines. */
function parseErrorMessage(e: Error & { code?: string }): string {
  const quoted = /'([^']+)'/.exec(e.message)?.[1] ?? '';
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option '${quoted}'`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument '${quoted}'`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      // "Option '--env <value>' argument missing", "… argument is ambiguous" (the next word starts
      // with '-'), "Option '--check' does not take an argument".
      const option = quoted.split(' ')[0];
      if (/does not take/.test(e.message)) return `option '${option}' takes no value`;
      if (/ambiguous/.test(e.message)) return `option '${option}' needs a value (a value starting with '-' goes as ${option}=<value>)`;
      return `option '${option}' needs a value`;
    default:
      return e.message.split('\n')[0];
  }
}

/** Whether `--help`/`-h` is among the arguments (before a `--` that ends the options). */
function asksForHelp(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

/**
 * Runs one command; returns the exit code. `--help`/`-h` after a command, or `kompile help <command>`,
 * prints that command's help (exit 0). A usage error is one line on stderr naming the command and
 * pointing at its help (exit 2); other errors are the command's message (exit 2).
 */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  const isCommand = (c: string | undefined): c is CommandName => c !== undefined && Object.hasOwn(HELP, c);
  if (command === undefined) {
    io.err(OVERVIEW);
    return 2;
  }
  if (command === '--help' || command === '-h' || (command === 'help' && rest.length === 0)) {
    io.out(OVERVIEW);
    return 0;
  }
  if (command === 'help' && isCommand(rest[0]) && rest.length === 1) {
    io.out(HELP[rest[0]].text);
    return 0;
  }
  if (!isCommand(command)) {
    const line = command === 'help' ? `kompile help: unknown command '${rest.join(' ')}'` : `kompile: unknown ${command.startsWith('-') ? 'option' : 'command'} '${command}'`;
    io.err(`${line} (see kompile --help)\n`);
    return 2;
  }
  if (asksForHelp(rest)) {
    io.out(HELP[command].text);
    return 0;
  }
  try {
    // --dist is common to every command; take it out before the command parses its own options.
    let dist = 'dist';
    const args: string[] = [];
    for (let i = 0; i < rest.length; i++) {
      if (rest[i] === '--dist') {
        if (i + 1 >= rest.length) throw new UsageError('--dist needs a value');
        dist = rest[++i];
      } else if (rest[i].startsWith('--dist=')) dist = rest[i].slice('--dist='.length);
      else args.push(rest[i]);
    }
    switch (command) {
      case 'diff':
        return await diffCommand(args, io, dist);
      case 'validate':
        return await validateCommand(args, io, dist);
      case 'verify':
        return await verifyCommand(args, io, dist);
      case 'images':
        return await imagesCommand(args, io, dist);
      case 'charts':
        return await chartsCommand(args, io);
      case 'helm':
        parseArgs({ args, options: {} });
        io.out(`${process.env.KOMPILE_HELM ?? helmBinary()}\n`);
        return 0;
    }
  } catch (e) {
    const err = e as Error & { code?: string };
    const usage = e instanceof UsageError || err.code?.startsWith('ERR_PARSE_ARGS');
    io.err(usage ? `kompile ${command}: ${parseErrorMessage(err)} (see kompile ${command} --help)\n` : `kompile ${command}: ${err.message}\n`);
    return 2;
  }
}

/**
 * Stdout and stderr for the process. A reader that stops early (`kompile diff | head -1`) closes the
 * pipe: further output is dropped quietly (no EPIPE stack trace) and the exit code stays the
 * command's own, so `set -o pipefail` still sees a failed check.
 */
export function processIo(): CliIo {
  const closed = new Set<NodeJS.WriteStream>();
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
      closed.add(stream);
    });
  }
  const write = (stream: NodeJS.WriteStream) => (text: string) => {
    if (!closed.has(stream)) stream.write(text);
  };
  return { cwd: process.cwd(), env: process.env, out: write(process.stdout), err: write(process.stderr) };
}

if (require.main === module) {
  run(process.argv.slice(2), processIo()).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`${String(e)}\n`);
      process.exitCode = 2;
    },
  );
}
