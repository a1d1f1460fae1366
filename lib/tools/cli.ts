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
import { parseEnvironment } from '../core/config';
import { withRenderedCharts } from './chart-check';
import { RegistryPolicy } from '../core/registry-policy';
import { fetchChart, formatChartFindings, formatVendored, importChart, lockedChartsOf, selectCharts, SourceMirrors, vendorCharts, verifyCharts, verifyChartsExitCode } from './charts';
import { acknowledgementsIn, diffExitCode, diffTrees, FailOn, formatMarkdown, formatText } from './diff';
import { commitMessages, readTreeAtRef } from './git-tree';
import { helmBinary } from './helm';
import { checkComponentImageLists, checkImageLists, imageList } from './images';
import { kubeTransport } from './kube-client';
import { SchemaValidator } from './schema-validator';
import { environmentsOf, readTree, RenderedTree } from './tree';
import { formatFindings, sortFindings, validateExitCode, validateTree } from './validate';
import { formatVerify, verifyExitCode, verifyObjects } from './verify';

/** Where the CLI writes and which folder it works from. */
export interface CliIo {
  readonly cwd: string;
  out(text: string): void;
  err(text: string): void;
}

export const USAGE = `Usage: kompile <command> [options]

  diff      Compare two rendered trees by resource.
              --base <git-ref>     old tree: <dist> as of this ref (e.g. origin/main)
              --before <dir>       old tree: a folder (instead of --base)
              --after <dir>        new tree (default: <dist>)
              --format text|markdown, --output <file>
              --max-chars <n>      shorten the Markdown to n characters (PR comment limits)
              --fail-on none|changes|destructive (default: none)
              --ack <[env:]Kind/namespace/name>  acknowledge a destructive change (repeatable);
                                   with --base, commit trailers "Kompile-Ack-Destructive: …" in
                                   <base>..HEAD acknowledge too
  validate  Schema and policy checks of every object.
              --crds <dir>         CRD folder (default: ../shared/crds)
              --kubernetes-schema <file>  (default: <crds>/kubernetes/v1.28.0/_definitions.json)
              --env <name>, --strict (warnings fail too), --format text|json
              --lock <file> (default: charts.lock.json), --charts-dir <dir> (default: charts):
                                   vendored charts of every Application are rendered and checked
              --wait-for-first-consumer <class>  a storage class that waits for the first
                                   consumer, in every environment (repeatable; default: each
                                   environment's cluster.storageClasses.waitForFirstConsumer)
  verify    Server-side dry-run apply and drift against the cluster of the current kubeconfig.
              --env <name> (required), --context <ctx>, --kubeconfig <file>
              --no-dry-run, --no-drift, --fail-on-drift
  images    Print the upstream images to mirror; --check compares images.txt, images.lock.json and images/<component>.txt with the tree.
              --env <name>, --check
  charts    Vendor the charts of charts.lock.json into charts/<name>/ and check them.
            pull                 fetch every locked chart (helm pull, git), record its digest in the lock
              --env <name>         only the charts the environment installs, through its gitops.sourceMirrors
              --mirror <upstream>=<mirror>  fetch a source from a mirror (repeatable; overrides --env's)
              --from <dir>         import <chart>-<version>.tgz (git: <name>-<version>.tgz) instead of fetching
              --update             accept content that differs from a recorded digest
              --plain-http         OCI registries over plain HTTP
            verify               offline: every vendored folder matches its digest in the lock
            both: --charts-dir <dir> (default: charts), --lock <file> (default: charts.lock.json)
  helm      Print the path of the bundled helm binary (extracted on first use).

Common: --dist <dir> (default: dist)
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
  const crds = path.resolve(io.cwd, values.crds ?? '../shared/crds');
  const definitions = path.resolve(io.cwd, values['kubernetes-schema'] ?? path.join(crds, 'kubernetes/v1.28.0/_definitions.json'));
  if (!fs.existsSync(definitions)) throw new UsageError(`no Kubernetes schema at ${definitions} (set --kubernetes-schema or --crds)`);
  const schema = SchemaValidator.load({ kubernetesDefinitions: definitions, crdPaths: [crds] });
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
  const findings = sortFindings([...validateTree(charts.tree, { schema, policies: await restrictedPolicies(), waitForFirstConsumer: await firstConsumerClasses(values['wait-for-first-consumer'], environmentsOf(charts.tree)), ingressPublishesStatus: await ingressPublishesStatus(), argocdNamespaces: await argocdNamespaces(), kubernetesVersions: new Map((await import('../../stacks')).environments.map((input) => parseEnvironment(input)).map((c) => [c.name, c.cluster.kubernetesVersion])) }), ...charts.findings]);
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
  const tree = onlyEnv(readTree(path.resolve(io.cwd, dist)), values.env);
  const transport = await kubeTransport({ context: values.context, kubeconfig: values.kubeconfig });
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
  return { charts: lockedChartsOf(buildEnvironment(config).platform), mirrors: config.gitops.sourceMirrors };
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

/** Runs one command; returns the exit code. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  // --dist is common to every command; take it out before the command parses its own options.
  let dist = 'dist';
  const args: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '--dist') dist = rest[++i] ?? dist;
    else if (rest[i].startsWith('--dist=')) dist = rest[i].slice('--dist='.length);
    else args.push(rest[i]);
  }
  try {
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
        io.out(`${process.env.KOMPILE_HELM ?? helmBinary()}\n`);
        return 0;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.out(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (e) {
    const usage = e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    io.err(`kompile ${command ?? ''}: ${(e as Error).message}\n${usage ? `\n${USAGE}` : ''}`);
    return 2;
  }
}

if (require.main === module) {
  run(process.argv.slice(2), { cwd: process.cwd(), out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) }).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`${String(e)}\n`);
      process.exitCode = 2;
    },
  );
}
