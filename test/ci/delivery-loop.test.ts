/**
 * Seed 002's delivery loop, followed through the compiled output of every environment: a tag pushed
 * to a chatbot project on GitLab → the Jenkins job its webhook triggers → the image and tag Kaniko
 * pushes (and the channel tag) → the Image Updater rule that follows it by digest → the write-back
 * (checked as `kompile validate` checks it) → the Deployment that rolls.
 * Every link is read from what Argo CD and Jenkins would read (dist/), not from the code's inputs.
 */
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { Delivery } from '../../lib/ci/delivery';
import { KUSTOMIZATION_FILE, writeBackFile } from '../../lib/ci/image-automation';
import { followedImages, writeBackFindings } from '../../lib/checks/write-back';
import { parseEnvironment } from '../../lib/core/config';
import { Image } from '../../lib/core/image';
import { buildEnvironment } from '../../stacks/build';
import { environments } from '../../stacks/index';
import { airgap } from '../../stacks/airgap';
import { compiledEnvironment, findObject, K8sObject, objectsIn, synthEnvironment, synthIssues } from '../helpers';
import { dig, list } from './dig';

/** A Groovy single-quoted or triple-quoted literal's content: `\\` → `\`, `\'` → `'`. */
const unescapeGroovy = (s: string) => s.replace(/\\([\\'])/g, '$1');

interface BuildJobSeen {
  name: string;
  dsl: string;
  pipeline: string;
}

/** The jobs of Jenkins' JCasC, as the job-dsl plugin reads them from the `jobs:` element. */
function jenkinsJobs(out: ReturnType<typeof compiledEnvironment>): BuildJobSeen[] {
  const jenkins = findObject(objectsIn(out, 'apps/jenkins.yaml'), 'Application', 'jenkins');
  const text = dig(jenkins, 'spec.source.helm.valuesObject.controller.JCasC.configScripts.jobs') as string | undefined;
  if (text === undefined) return [];
  return (parse(text) as { jobs: { script: string }[] }).jobs.map(({ script }) => {
    const name = /^pipelineJob\('([^']+)'\)/.exec(script)?.[1];
    // The pipeline literal ends at the first ''' not preceded by a backslash.
    const pipeline = /script\('''([\s\S]*?)(?<!\\)'''\)/.exec(script)?.[1];
    if (!name || pipeline === undefined) throw new Error(`unreadable job script:\n${script}`);
    return { name, dsl: script, pipeline: unescapeGroovy(pipeline) };
  });
}

/**
 * What the pipeline pushes when GitLab's hook reports `gitlabBranch` (a branch name, or
 * `refs/tags/<tag>` for a tag push): evaluates the pipeline's own tag rule, read from its text.
 * @returns the image references pushed (the release tag first, then the channel tag), or undefined
 *   when the build does not push
 */
function pushedBy(pipeline: string, gitlabBranch: string): string[] | undefined {
  const prefix = /def tag = ref\.startsWith\('([^']*)'\) \? ref\.substring\((\d+)\) : ''/.exec(pipeline);
  const release = /def release = tag ==~ '((?:[^'\\]|\\.)*)'/.exec(pipeline);
  const image = /def image = '([^']+)'/.exec(pipeline)?.[1];
  if (!prefix || !release || !image) throw new Error(`unreadable pipeline:\n${pipeline}`);
  expect(Number(prefix[2]), 'the substring skips exactly the prefix').toBe(prefix[1].length);
  // Kaniko builds $IMAGE:$IMAGE_TAG without pushing; for a release, IMAGE_TAG is the tag and the
  // push container pushes the tarball as $IMAGE:$IMAGE_TAG, then the sign container signs its
  // digest, then the push container moves the channel tag (if the job has one) to that digest.
  expect(pipeline).toContain(`'IMAGE_TAG=' + (release ? tag :`);
  expect(pipeline).toMatch(/sh\(release \? '[^']*--destination="\$IMAGE:\$IMAGE_TAG" --no-push --tar-path="\$WORKSPACE\/image\.tar"' : '[^']*--no-push'\)/);
  expect(pipeline).toMatch(/if \(release\) \{[\s\S]*container\('push'\)[\s\S]*'IMAGE_TAG=' \+ tag[\s\S]*crane push "\$WORKSPACE\/image\.tar" "\$IMAGE:\$IMAGE_TAG"[\s\S]*container\('sign'\)/);
  const channel = /container\('sign'\)[\s\S]*container\('push'\)[\s\S]*crane tag "\$IMAGE_DIGEST" ([^'"\s]+)'/.exec(pipeline)?.[1];
  const tag = gitlabBranch.startsWith(prefix[1]) ? gitlabBranch.substring(Number(prefix[2])) : '';
  // Groovy's ==~ matches the whole string.
  if (!new RegExp(`^(?:${unescapeGroovy(release[1])})$`).test(tag)) return undefined;
  return [`${image}:${tag}`, ...(channel ? [`${image}:${channel}`] : [])];
}

interface Rule {
  updater: K8sObject;
  application: string;
  alias: string;
  /** The tag of `imageName`: the one the digest strategy follows. */
  tag: string | undefined;
  strategy: string;
}

/** The Image Updater rule watching an image name (`registry/repository`), from the ImageUpdater resources. */
function ruleFor(out: ReturnType<typeof compiledEnvironment>, imageName: string): Rule | undefined {
  for (const updater of objectsIn(out, 'image-automation/manifests.yaml').filter((o) => o.kind === 'ImageUpdater')) {
    for (const ref of list(updater, 'spec.applicationRefs')) {
      for (const img of list(ref, 'images')) {
        const watched = Image.parse(String(img.imageName));
        if (watched.name === imageName) {
          const settings = img.commonUpdateSettings as { updateStrategy: string };
          return { updater, application: String(ref.namePattern), alias: String(img.alias), tag: watched.tag, strategy: settings.updateStrategy };
        }
      }
    }
  }
  return undefined;
}

/**
 * Whether Image Updater v1.3.0 follows a tag: with the `digest` strategy only the version
 * constraint, the tag of `imageName` (registry-scanner/pkg/registry/registry.go,
 * WantsOnlyConstraintTag), and records the digest it points to.
 */
function follows(rule: Rule, tag: string): boolean {
  expect(rule.strategy).toBe('digest');
  return tag === rule.tag;
}

/**
 * Argo CD's Kustomize `images` override of the write-back file applied to the component's objects:
 * every container whose image name (registry/repository) is the override's gets its tag.
 */
function rollOut(objects: K8sObject[], override: string): K8sObject[] {
  const target = Image.parse(override);
  const copy = JSON.parse(JSON.stringify(objects)) as K8sObject[];
  for (const o of copy) {
    for (const c of (dig(o, 'spec.template.spec.containers') as { image: string }[] | undefined) ?? []) {
      if (Image.parse(c.image).name === target.name) c.image = override;
    }
  }
  return copy;
}

const image = (objects: K8sObject[], deployment: string) => dig(findObject(objects, 'Deployment', deployment), 'spec.template.spec.containers.0.image');

describe.each(environments.map((e) => [e.name, e] as const))('the delivery loop in %s', (_, input) => {
  const out = compiledEnvironment(input);
  const jobs = jenkinsJobs(out);

  it('has a job for the chatbot back end and front end, triggered by GitLab pushes and tag pushes with the webhook secret', () => {
    expect(jobs.map((j) => j.name)).toEqual(['chatbot-backend', 'chatbot-frontend']);
    for (const job of jobs) {
      const trigger = /gitlab \{\n([\s\S]*?)\n\s*\}/.exec(job.dsl)?.[1] ?? '';
      // Tag pushes come through the push handler (gitlab-plugin 1.9.9 PushHookTriggerHandlerImpl: object_kind tag_push).
      expect(trigger).toContain('triggerOnPush(true)');
      expect(trigger).toContain("branchFilterType('All')");
      // The only JCasC variable of the job: the webhook secret, resolved from its mounted Secret.
      expect(trigger).toContain("secretToken('${gitlab-webhook-token}')");
      expect(job.dsl.split('${').length).toBe(2);
      expect(job.dsl).toContain("gitLabConnection('gitlab')");
      // The Kaniko pod template of lib/ci/kaniko.ts, by label, and its container.
      expect(job.pipeline).toContain("node('kaniko')");
      expect(job.pipeline).toContain("container('kaniko')");
      expect(job.dsl).toContain('sandbox(true)');
    }
  });

  it("clones from the environment's GitLab and is reached at Jenkins' URL with its port", () => {
    const config = parseEnvironment(input);
    const gitlab = config.components.ci.jenkins.gitlab.url;
    expect(jobs[0].pipeline).toContain(`url: '${gitlab}/chatbot/backend.git'`);
    expect(jobs[1].pipeline).toContain(`url: '${gitlab}/chatbot/frontend.git'`);
    const delivery = buildEnvironment(config).platform.node.findChild('Delivery') as Delivery;
    expect(delivery.jenkins.webhookUrl('chatbot-backend')).toBe(`${config.components.ci.jenkins.url.replace(/\/?$/, '/')}project/chatbot-backend`);
  });

  it.each([
    ['chatbot-backend', 'backend', 'v1.4.0'],
    ['chatbot-frontend', 'frontend', '2.0.1'],
  ])('follows a pushed tag: %s builds %s:%s, the rule accepts it, the write-back rolls the Deployment', (jobName, deployment, tag) => {
    const job = jobs.find((j) => j.name === jobName)!;

    // 1. Jenkins: a tag push arrives as gitlabBranch = refs/tags/<tag>; the job pushes <image>:<tag>
    //    and the same build as <image>:release.
    const pushed = pushedBy(job.pipeline, `refs/tags/${tag}`);
    expect(pushed).toBeDefined();
    const [versioned, channel] = pushed!.map((p) => Image.parse(p));
    expect(versioned.tag).toBe(tag);
    expect(channel.name).toBe(versioned.name);
    expect(channel.tag).toBe('release');

    // 2. Image Updater: a rule watches exactly that image name and follows the channel tag by digest.
    const rule = ruleFor(out, versioned.name);
    expect(rule, `no ImageUpdater watches ${versioned.name}`).toBeDefined();
    expect(follows(rule!, channel.tag!)).toBe(true);
    expect(follows(rule!, tag)).toBe(false);
    // Its own credential (not Argo CD's repository credentials), to its own branch from main.
    expect(dig(rule!.updater, 'spec.writeBackConfig.method')).toBe('git:secret:argocd/image-updater-git');
    expect(dig(rule!.updater, 'spec.writeBackConfig.gitConfig.branch')).toBe(`main:image-updates/${out.environment}`);

    // 3. The Application it selects: the chatbot, in the same namespace as the ImageUpdater (so the
    //    write-back file is `.argocd-source-<app>.yaml`, argocd-image-updater v1.3.0
    //    pkg/argocd/update.go parseDefaultTarget), a Kustomize folder over the component's manifests,
    //    following main (what CI merged), not the write branch.
    const app = findObject(objectsIn(out, `apps/${rule!.application}.yaml`), 'Application', rule!.application);
    expect(app.metadata.namespace).toBe(rule!.updater.metadata.namespace);
    expect(dig(app, 'spec.source.path')).toBe(`dist/${out.environment}/${rule!.application}`);
    expect(dig(app, 'spec.source.targetRevision')).toBe('main');
    expect(dig(app, 'spec.source.helm')).toBeUndefined();
    expect(parse(out.files.get(`${rule!.application}/${KUSTOMIZATION_FILE}`)!)).toMatchObject({ resources: ['manifests.yaml'] });
    expect(writeBackFile(rule!.application)).toBe(`.argocd-source-${rule!.application}.yaml`);

    // 4. The write-back (`kustomize.images: [<name>:release@sha256:…]`, SetKustomizeImage with the
    //    digest strategy's tag) passes `kompile validate`'s write-back rule, and applied by Argo CD
    //    changes the Deployment's image to that digest, and nothing else.
    const written = `${channel.name}:release@sha256:${'ab'.repeat(32)}`;
    const lock = JSON.parse(out.files.get('images.lock.json')!) as Record<string, string>;
    const lockedNames = new Set(Object.values(lock).map((r) => Image.parse(r).name));
    const followed = followedImages(objectsIn(out, 'image-automation/manifests.yaml'), rule!.application);
    expect(writeBackFindings(writeBackFile(rule!.application), `kustomize:\n  images:\n    - ${written}\n`, { folder: rule!.application, followed, lockedNames })).toEqual([]);
    const objects = objectsIn(out, `${rule!.application}/manifests.yaml`);
    const before = image(objects, deployment) as string;
    expect(Image.parse(before).name, 'the Deployment runs the image the job builds').toBe(versioned.name);
    const after = rollOut(objects, written);
    expect(image(after, deployment)).toBe(written);
    const other = deployment === 'backend' ? 'frontend' : 'backend';
    expect(image(after, other)).toBe(image(objects, other));
  });

  it.each([
    ['a branch push', 'main'],
    ['a tag that is no release', 'refs/tags/release-1.4'],
    ['a two-part version', 'refs/tags/v1.4'],
    ['a pre-release', 'refs/tags/v1.4.0-rc.1'],
    ['a branch that looks like a version', '1.4.0'],
  ])('does not push (so nothing rolls out) for %s (%s)', (_, ref) => {
    for (const job of jobs) expect(pushedBy(job.pipeline, ref)).toBeUndefined();
  });

  it('the rules follow only the channel tag the jobs push, never a version, branch build or other tag', () => {
    for (const job of jobs) {
      const rule = ruleFor(out, Image.parse(pushedBy(job.pipeline, 'refs/tags/1.0.0')![0]).name)!;
      for (const tag of ['1.0.0', 'v10.20.30', 'release-1.4', 'latest', 'build-12']) expect(follows(rule, tag), tag).toBe(false);
      expect(follows(rule, 'release')).toBe(true);
    }
  });
});

describe('the build jobs behind an air gap', () => {
  it("are audited like the rest of JCasC: a clone URL outside the site fails the synth, the site's GitLab passes", () => {
    const issues = synthIssues(() => synthEnvironment({ components: { ci: { jenkins: { gitlab: { url: 'https://gitlab.com' } } } } }, airgap));
    const inJobs = issues.filter((i) => i.includes('configScripts/jobs'));
    expect(inJobs.length).toBeGreaterThan(0);
    for (const i of inJobs) expect(i).toMatch(/'https:\/\/gitlab\.com\/chatbot\/(backend|frontend)\.git' points outside the allowed hosts/);
    expect(jenkinsJobs(compiledEnvironment(airgap))[0].pipeline).toContain("url: 'https://git.airgap.internal/chatbot/backend.git'");
  });
});
