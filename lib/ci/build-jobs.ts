/**
 * The image build jobs of the delivery loop (seed 002: GitLab push → webhook → Jenkins job → Kaniko
 * pod → platform registry), written as Job DSL scripts that JCasC runs from its `jobs:` root
 * element (the job-dsl plugin's `SeedJobConfigurator`). Every apply of the configuration recreates
 * the jobs as written here: nobody edits them in the UI.
 *
 * Three languages nest here, each quoted for the next:
 * - the pipeline (scripted Groovy, run in the Groovy sandbox) is a string literal of
 * - the Job DSL script (Groovy), which is a string in
 * - the JCasC YAML, where `${…}` is a variable JCasC resolves and `^${…}` a literal `${…}`
 *   (configuration-as-code docs/seed-jobs.md). The pipeline is written without `${` at all (shell
 *   variables are `$NAME`), so the only JCasC variable left is the webhook secret's reference.
 */
import { casc } from './jcasc';

/** One image build: a GitLab project whose pushes build one image of the platform registry. */
export interface BuildJob {
  /** Jenkins job name, also the last part of the webhook URL (`<jenkins>/project/<name>`). */
  readonly name: string;
  /** Clone URL of the GitLab project. */
  readonly repositoryUrl: string;
  /** Image name without tag in the platform registry, e.g. `registry.local:30500/chatbot/backend`. */
  readonly image: string;
  /** Dockerfile, relative to the repository root. */
  readonly dockerfile: string;
  /** Build context, relative to the repository root. */
  readonly context: string;
  /**
   * Git tags that are releases (a regular expression over the tag name): a push of such a tag is
   * built and pushed as `<image>:<tag>`; every other push (branches, other tags) is built without
   * pushing.
   */
  readonly releaseTags: string;
  /**
   * The moving tag each release is pushed as too (same build, same digest): the tag the Image
   * Updater follows by digest. @default - none: releases are pushed as `<image>:<tag>` only
   */
  readonly channelTag?: string;
}

/** What the jobs share: names of things configured elsewhere in JCasC. */
export interface BuildJobContext {
  /** Name of the GitLab connection (`unclassified.gitLabConnectionConfig`) builds report status through. */
  readonly gitlabConnection: string;
  /** Credential (username and password, e.g. a GitLab deploy token) the pipeline clones with. */
  readonly checkoutCredentialsId: string;
  /** JCasC variable holding the secret token GitLab sends with each webhook. */
  readonly webhookTokenVariable: string;
  /** Label of the Kaniko pod template (lib/ci/kaniko.ts). */
  readonly agentLabel: string;
  /** Name of the Kaniko container in that template: builds, holds no credential. */
  readonly kanikoContainer: string;
  /** Name of the container that pushes the built image (crane, push credentials). */
  readonly pushContainer: string;
  /** Name of the container that signs the pushed digest (cosign, push credentials and signing key). */
  readonly signContainer: string;
}

/** A Groovy single-quoted string literal (no interpolation): `\` and `'` escaped, newlines as `\n`. */
export function groovyString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\r/g, '\\r').replace(/\n/g, '\\n')}'`;
}

/**
 * A Groovy triple-single-quoted literal (multi-line, no interpolation). `\` is escaped, and a `'`
 * where it could end the literal: before another `'`, or last. A single `'` inside is left as it
 * is, which keeps the pipeline readable.
 */
export function groovyBlock(value: string): string {
  return `'''${value.replace(/\\/g, '\\\\').replace(/'(?='|$)/g, "\\'")}'''`;
}

/** The prefix GitLab's push hook leaves on a tag's ref (the plugin strips only `refs/heads/`). */
const TAG_REF = 'refs/tags/';

/** Where Kaniko writes a release build for the push container, in the pod's shared workspace. */
const IMAGE_TARBALL = 'image.tar';

/**
 * The pipeline of one job. The GitLab plugin sets `gitlabBranch` to the pushed ref with
 * `refs/heads/` removed, so a branch push gives `main` and a tag push `refs/tags/v1.2.0`
 * (jenkinsci/gitlab-plugin tag gitlab-plugin-1.9.9, PushHookTriggerHandlerImpl.java
 * `getTargetBranch`, CauseData.java `gitlabBranch`).
 *
 * Every push is built by Kaniko with `--no-push`, in the container without credentials (Dockerfile
 * `RUN` steps run there). A release tag is built into a tarball (`--tar-path`, tagged
 * `<image>:<tag>` by `--destination`), which the push container pushes with
 * `crane push <tarball> <image>:<tag>` (google/go-containerregistry v0.21.9
 * cmd/crane/cmd/push.go: a file PATH is read as a docker-style tarball, and the pushed
 * `<image>@sha256:…` is printed). The pipeline keeps that digest (build log, artifact
 * `image-digest.txt`), refuses one of another repository, and the sign container signs exactly
 * it: `cosign sign --key … --tlog-upload=false --yes <image>@<digest>` (sigstore/cosign v2.6.1
 * cmd/cosign/cli/options/sign.go; no transparency log: an on-premise platform reaches no Rekor).
 */
export function pipelineScript(job: BuildJob, ctx: BuildJobContext): string {
  const kaniko = '/kaniko/executor --context="dir://$WORKSPACE/$CONTEXT" --dockerfile="$WORKSPACE/$DOCKERFILE" --destination="$IMAGE:$IMAGE_TAG" --no-push';
  const lines = [
    `// Managed by Kompile (lib/ci/build-jobs.ts): change the platform code, not this job.`,
    `def ref = env.gitlabBranch ?: 'main'`,
    `def tag = ref.startsWith(${groovyString(TAG_REF)}) ? ref.substring(${TAG_REF.length}) : ''`,
    `def release = tag ==~ ${groovyString(job.releaseTags)}`,
    `def image = ${groovyString(job.image)}`,
    `node(${groovyString(ctx.agentLabel)}) {`,
    `  stage('Checkout') {`,
    `    checkout scmGit(branches: [[name: ref]], userRemoteConfigs: [[url: ${groovyString(job.repositoryUrl)}, credentialsId: ${groovyString(ctx.checkoutCredentialsId)}]])`,
    `  }`,
    `  stage('Build') {`,
    `    container(${groovyString(ctx.kanikoContainer)}) {`,
    `      withEnv(['IMAGE=' + image, 'IMAGE_TAG=' + (release ? tag : 'build-' + env.BUILD_NUMBER), ${groovyString(`DOCKERFILE=${job.dockerfile}`)}, ${groovyString(`CONTEXT=${job.context}`)}]) {`,
    `        sh(release ? ${groovyString(`${kaniko} --tar-path="$WORKSPACE/${IMAGE_TARBALL}"`)} : ${groovyString(kaniko)})`,
    `      }`,
    `    }`,
    `  }`,
    `  if (release) {`,
    `    def pushed = ''`,
    `    stage('Push') {`,
    `      container(${groovyString(ctx.pushContainer)}) {`,
    `        withEnv(['IMAGE=' + image, 'IMAGE_TAG=' + tag]) {`,
    `          pushed = sh(returnStdout: true, script: ${groovyString(`crane push "$WORKSPACE/${IMAGE_TARBALL}" "$IMAGE:$IMAGE_TAG"`)}).trim()`,
    `        }`,
    `      }`,
    `      if (!pushed.startsWith(image + '@sha256:') || !(pushed.substring(image.length() + 8) ==~ '[0-9a-f]{64}')) {`,
    `        error('crane reported ' + pushed + ', not a digest of ' + image)`,
    `      }`,
    `      echo('Pushed ' + image + ':' + tag + ' as ' + pushed)`,
    `      writeFile(file: 'image-digest.txt', text: pushed)`,
    `      archiveArtifacts(artifacts: 'image-digest.txt')`,
    `    }`,
    `    stage('Sign') {`,
    `      container(${groovyString(ctx.signContainer)}) {`,
    `        withEnv(['IMAGE_DIGEST=' + pushed]) {`,
    `          sh 'cosign sign --key "$COSIGN_KEY" --tlog-upload=false --yes "$IMAGE_DIGEST"'`,
    `        }`,
    `      }`,
    `    }`,
    // The channel tag Image Updater follows (`channelTag`) moves to the pushed digest only once it
    // is signed, so a roll-out never reaches an image admission would refuse. `crane tag IMG TAG`
    // tags the manifest IMG names (a digest reference here) in IMG's repository
    // (google/go-containerregistry v0.21.9 pkg/crane/tag.go). Moving a tag is Zot's `update`.
    ...(job.channelTag
      ? [
          `    stage('Channel') {`,
          `      container(${groovyString(ctx.pushContainer)}) {`,
          `        withEnv(['IMAGE_DIGEST=' + pushed]) {`,
          `          sh ${groovyString(`crane tag "$IMAGE_DIGEST" ${job.channelTag}`)}`,
          `        }`,
          `      }`,
          `    }`,
        ]
      : []),
    `  }`,
    `}`,
  ];
  return lines.join('\n') + '\n';
}

/**
 * The Job DSL script of one job: a pipeline job triggered by GitLab's push and tag push hooks
 * (the plugin's trigger, `@Symbol("gitlab")`, configured through Job DSL's dynamic DSL), reporting
 * to the GitLab connection, whose pipeline runs in the Groovy sandbox.
 */
export function jobDsl(job: BuildJob, ctx: BuildJobContext): string {
  const script = [
    `pipelineJob(${groovyString(job.name)}) {`,
    `  description(${groovyString(`Builds ${job.image} from ${job.repositoryUrl} on every GitLab push; pushes tags matching ${job.releaseTags} as <image>:<tag>${job.channelTag ? ` and <image>:${job.channelTag}` : ''}. Managed by Kompile.`)})`,
    `  properties {`,
    `    gitLabConnection {`,
    `      gitLabConnection(${groovyString(ctx.gitlabConnection)})`,
    `    }`,
    `    pipelineTriggers {`,
    `      triggers {`,
    `        gitlab {`,
    `          triggerOnPush(true)`,
    `          triggerOnMergeRequest(false)`,
    `          triggerOnNoteRequest(false)`,
    `          branchFilterType('All')`,
    // Resolved by JCasC from the mounted webhook Secret when it applies the configuration.
    `          secretToken('${casc(ctx.webhookTokenVariable)}')`,
    `        }`,
    `      }`,
    `    }`,
    `  }`,
    `  definition {`,
    `    cps {`,
    `      script(${groovyBlock(pipelineScript(job, ctx))})`,
    `      sandbox(true)`,
    `    }`,
    `  }`,
    `}`,
  ].join('\n') + '\n';
  // JCasC would resolve any other `${…}` (from a repository URL, a tag pattern) as a variable.
  if (script.split('${').length !== 2) throw new Error(`job '${job.name}': its configuration contains '\${', which JCasC would resolve as a variable`);
  return script;
}
