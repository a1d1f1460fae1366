import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { BuildJob, BuildJobContext, groovyBlock, groovyString, jobDsl, pipelineScript } from '../../lib/ci/build-jobs';
import { renderJcasc } from '../../lib/ci/jcasc';
import { CiSchema, DEFAULT_JENKINS_PLUGINS } from '../../lib/core/config';

const JOB: BuildJob = { name: 'app', repositoryUrl: 'https://gitlab.example.org/team/app.git', image: 'registry.local:30500/team/app', dockerfile: 'docker/Dockerfile', context: '.', releaseTags: '^v\\d+\\.\\d+\\.\\d+$' };
const CTX: BuildJobContext = { gitlabConnection: 'gitlab', checkoutCredentialsId: 'checkout', webhookTokenVariable: 'hook-token', agentLabel: 'kaniko', kanikoContainer: 'kaniko', pushContainer: 'push', signContainer: 'sign' };

/** Reads a Groovy single-quoted or triple-single-quoted literal the way the Groovy lexer does. */
function readGroovy(literal: string): string {
  const quote = literal.startsWith("'''") ? "'''" : "'";
  const body = literal.slice(quote.length, literal.length - quote.length);
  // A quote right before the closing delimiter would close the literal one character early.
  if (/(^|[^\\])(\\\\)*'$/.test(body)) throw new Error(`literal closes early at the end: ${literal}`);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    if (body[i] === '\\') {
      const next = body[++i];
      out += next === 'n' ? '\n' : next === 'r' ? '\r' : next;
    } else {
      // An unescaped quote that would close the literal early is a bug.
      if (body.startsWith(quote, i)) throw new Error(`literal closes early at ${i}: ${literal}`);
      out += body[i];
    }
  }
  return out;
}

describe('Groovy literals', () => {
  it.each(["plain", "it's", "''", "a'''b", "ends with '", "back\\slash \\d", 'two\nlines', "'''"])('round-trips %j', (value) => {
    expect(readGroovy(groovyString(value))).toBe(value);
    expect(readGroovy(groovyBlock(value))).toBe(value);
  });

  it('detects an early close (the reader is not lenient)', () => {
    expect(() => readGroovy("'''a'''b'''")).toThrow(/closes early/);
    expect(() => readGroovy("'''a''''")).toThrow(/closes early at the end/);
  });
});

describe('pipelineScript', () => {
  const pipeline = pipelineScript(JOB, CTX);

  it('builds every push with Kaniko without pushing; a release into a tarball in the shared workspace', () => {
    const build = pipeline.slice(pipeline.indexOf("stage('Build')"), pipeline.indexOf('if (release)'));
    expect(build).toContain("container('kaniko')");
    expect(build).not.toMatch(/--cache|cache-repo|crane|cosign/);
    expect(build.match(/--no-push/g)).toHaveLength(2);
    expect(build).toContain('--tar-path="$WORKSPACE/image.tar"');
  });

  it('pushes a release from the push container, keeps and checks the digest, and signs exactly that digest in the sign container', () => {
    const release = pipeline.slice(pipeline.indexOf('if (release)'));
    expect(release).toMatch(/stage\('Push'\) \{\n\s+container\('push'\) \{[\s\S]*pushed = sh\(returnStdout: true, script: 'crane push "\$WORKSPACE\/image.tar" "\$IMAGE:\$IMAGE_TAG"'\)\.trim\(\)/);
    expect(release).toContain("if (!pushed.startsWith(image + '@sha256:') || !(pushed.substring(image.length() + 8) ==~ '[0-9a-f]{64}'))");
    expect(release).toContain("archiveArtifacts(artifacts: 'image-digest.txt')");
    expect(release).toMatch(/stage\('Sign'\) \{\n\s+container\('sign'\) \{\n\s+withEnv\(\['IMAGE_DIGEST=' \+ pushed\]\) \{\n\s+sh 'cosign sign --key "\$COSIGN_KEY" --tlog-upload=false --yes "\$IMAGE_DIGEST"'/);
    expect(pipeline.indexOf("stage('Push')")).toBeLessThan(pipeline.indexOf("stage('Sign')"));
  });

  it('names the containers the context gives', () => {
    const other = pipelineScript(JOB, { ...CTX, kanikoContainer: 'build', pushContainer: 'publish', signContainer: 'notary' });
    expect(other).toContain("container('build')");
    expect(other).toContain("container('publish')");
    expect(other).toContain("container('notary')");
  });
});

describe('jobDsl', () => {
  it('embeds the pipeline so that Job DSL reads it back unchanged', () => {
    const dsl = jobDsl(JOB, CTX);
    const literal = /script\(('''[\s\S]*?(?<!\\)''')\)/.exec(dsl)![1];
    expect(readGroovy(literal)).toBe(pipelineScript(JOB, CTX));
    expect(dsl).toContain("secretToken('${hook-token}')");
    expect(pipelineScript(JOB, CTX)).toContain("tag ==~ '^v\\\\d+\\\\.\\\\d+\\\\.\\\\d+$'");
    expect(pipelineScript(JOB, CTX)).toContain("'DOCKERFILE=docker/Dockerfile'");
  });

  it("refuses a '${' that JCasC would resolve as a variable", () => {
    expect(() => jobDsl({ ...JOB, repositoryUrl: 'https://gitlab.example.org/${GROUP}/app.git' }, CTX)).toThrow(/job 'app'.*'\$\{'/);
  });
});

describe('renderJcasc jobs', () => {
  const base = {
    systemMessage: 'm',
    url: 'http://j:1/',
    adminUserVariable: 'u',
    adminPasswordVariable: 'p',
    cloud: { name: 'k', namespace: 'a', jenkinsUrl: 'http://j/', jenkinsTunnel: 'j:5', containerCap: 1, templates: [] },
    credentials: [],
  };

  it('writes a jobs file only when there are jobs, as a literal block JCasC hands to Job DSL', () => {
    expect(renderJcasc(base)).not.toHaveProperty('jobs');
    const scripts = renderJcasc({ ...base, jobs: [jobDsl(JOB, CTX)] });
    expect(scripts.jobs).toMatch(/^jobs:\n {2}- script: \|/);
    expect(parse(scripts.jobs)).toEqual({ jobs: [{ script: jobDsl(JOB, CTX) }] });
  });
});

describe('CiSchema build jobs', () => {
  const job = { name: 'app', project: 'team/app', image: 'registry.local:30500/team/app' };
  const rule = (tag?: string) => ({ applications: [{ component: 'app', images: [{ alias: 'app', image: 'registry.local:30500/team/app', ...(tag ? { tag } : {}) }] }] });

  it('accepts a job and a rule that agree on the channel tag (both defaults)', () => {
    const r = CiSchema.safeParse({ jenkins: { jobs: [job] }, imageUpdater: rule() });
    expect(r.error).toBeUndefined();
    expect(r.data!.jenkins.jobs[0]).toMatchObject({ dockerfile: 'Dockerfile', context: '.', releaseTags: '^v?\\d+\\.\\d+\\.\\d+$', channelTag: 'release' });
    expect(r.data!.imageUpdater.applications[0].images[0].tag).toBe('release');
    // Another channel on both sides agrees too.
    expect(CiSchema.safeParse({ jenkins: { jobs: [{ ...job, channelTag: 'stable' }] }, imageUpdater: rule('stable') }).error).toBeUndefined();
  });

  it('refuses a rule following another tag than the job pushes each release as', () => {
    const r = CiSchema.safeParse({ jenkins: { jobs: [job] }, imageUpdater: rule('stable') });
    expect(r.error?.issues[0]).toMatchObject({ path: ['imageUpdater', 'applications', 0, 'images', 0, 'tag'], message: "job 'app' pushes each release of registry.local:30500/team/app as 'release'; follow that tag, not 'stable'" });
  });

  it('refuses the tag rules of the 0.x configuration (allowTags, updateStrategy): Image Updater follows a channel by digest', () => {
    const r = CiSchema.safeParse({ imageUpdater: { applications: [{ component: 'app', images: [{ alias: 'app', image: 'registry.local:30500/team/app', allowTags: 'regexp:^v', updateStrategy: 'semver' }] }] } });
    expect(r.error?.issues[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['allowTags', 'updateStrategy'] });
  });

  it('moves the channel tag to the pushed digest once it is signed, and has no channel step without one', () => {
    const script = pipelineScript({ ...JOB, channelTag: 'release' }, CTX);
    const sign = script.indexOf("stage('Sign')");
    const channel = script.indexOf("stage('Channel')");
    expect(sign).toBeGreaterThan(0);
    expect(channel).toBeGreaterThan(sign);
    expect(script.slice(channel)).toContain(`sh 'crane tag "$IMAGE_DIGEST" release'`);
    expect(pipelineScript(JOB, CTX)).not.toContain("stage('Channel')");
    expect(jobDsl({ ...JOB, channelTag: 'release' }, CTX)).toContain('as <image>:<tag> and <image>:release.');
  });

  it('refuses a job whose image is outside the platform registry', () => {
    const r = CiSchema.safeParse({ jenkins: { jobs: [{ ...job, image: 'ghcr.io/team/app' }] } });
    expect(r.error?.issues[0]).toMatchObject({ path: ['jenkins', 'jobs', 0, 'image'], message: expect.stringMatching(/not in the platform registry/) });
  });

  it('refuses a job defined twice', () => {
    const r = CiSchema.safeParse({ jenkins: { jobs: [job, job] } });
    expect(r.error?.issues[0]).toMatchObject({ path: ['jenkins', 'jobs', 1, 'name'] });
  });

  it('refuses jobs when the installed plugins lack job-dsl, and accepts them when the image carries the plugins', () => {
    const without = DEFAULT_JENKINS_PLUGINS.filter((p) => p.name !== 'job-dsl');
    const r = CiSchema.safeParse({ jenkins: { jobs: [job], plugins: without } });
    expect(r.error?.issues[0]).toMatchObject({ path: ['jenkins', 'plugins'], message: expect.stringMatching(/job-dsl/) });
    expect(CiSchema.safeParse({ jenkins: { jobs: [job], plugins: [] } }).error).toBeUndefined();
    expect(CiSchema.safeParse({ jenkins: { plugins: without } }).error).toBeUndefined();
  });

  it.each([
    [{ releaseTags: '^(v' }, ['jenkins', 'jobs', 0, 'releaseTags'], /not a regular expression/],
    [{ releaseTags: '^${X}$' }, ['jenkins', 'jobs', 0, 'releaseTags'], /JCasC/],
    [{ project: 'app' }, ['jenkins', 'jobs', 0, 'project'], /GitLab project path/],
    [{ dockerfile: '../Dockerfile' }, ['jenkins', 'jobs', 0, 'dockerfile'], /inside the repository/],
    [{ image: 'registry.local:30500/team/app:1.0' }, ['jenkins', 'jobs', 0, 'image'], /without tag/],
    [{ channelTag: 'a/b' }, ['jenkins', 'jobs', 0, 'channelTag'], /must be an image tag/],
    [{ channelTag: 'v1.2.3' }, ['jenkins', 'jobs', 0, 'channelTag'], /'v1.2.3' matches releaseTags .*: the moving tag must not be a release tag/],
  ])('refuses a bad job field %#', (change, path, message) => {
    const r = CiSchema.safeParse({ jenkins: { jobs: [{ ...job, ...change }] } });
    expect(r.error?.issues[0]).toMatchObject({ path, message: expect.stringMatching(message) });
  });
});
