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
  /** Name of the Kaniko container in that template. */
  readonly kanikoContainer: string;
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

/**
 * The pipeline of one job. The GitLab plugin sets `gitlabBranch` to the pushed ref with
 * `refs/heads/` removed, so a branch push gives `main` and a tag push `refs/tags/v1.2.0`
 * (jenkinsci/gitlab-plugin tag gitlab-plugin-1.9.9, PushHookTriggerHandlerImpl.java
 * `getTargetBranch`, CauseData.java `gitlabBranch`). A release tag is built and pushed as
 * `<image>:<tag>`; anything else is built with Kaniko's `--no-push` (a check that the image
 * builds). Kaniko runs in the pod template's container, which carries the registry's CA, the push
 * credentials and `KANIKO_CACHE_REPO`.
 */
export function pipelineScript(job: BuildJob, ctx: BuildJobContext): string {
  const lines = [
    `// Managed by Kompile (lib/ci/build-jobs.ts): change the platform code, not this job.`,
    `def ref = env.gitlabBranch ?: 'main'`,
    `def tag = ref.startsWith(${groovyString(TAG_REF)}) ? ref.substring(${TAG_REF.length}) : ''`,
    `def release = tag ==~ ${groovyString(job.releaseTags)}`,
    `node(${groovyString(ctx.agentLabel)}) {`,
    `  stage('Checkout') {`,
    `    checkout scmGit(branches: [[name: ref]], userRemoteConfigs: [[url: ${groovyString(job.repositoryUrl)}, credentialsId: ${groovyString(ctx.checkoutCredentialsId)}]])`,
    `  }`,
    `  stage(release ? 'Build and push' : 'Build') {`,
    `    container(${groovyString(ctx.kanikoContainer)}) {`,
    // A release is pushed under its tag and, when the job has one, the channel tag too: Kaniko
    // pushes the one image it built to every --destination.
    `      withEnv([${groovyString(`IMAGE=${job.image}`)}, 'IMAGE_TAG=' + (release ? tag : 'build-' + env.BUILD_NUMBER), ${groovyString(`DOCKERFILE=${job.dockerfile}`)}, ${groovyString(`CONTEXT=${job.context}`)}, 'PUSH=' + (release ? ${job.channelTag ? groovyString(`--destination=${job.image}:${job.channelTag}`) : "''"} : '--no-push')]) {`,
    `        sh '/kaniko/executor --context="dir://$WORKSPACE/$CONTEXT" --dockerfile="$WORKSPACE/$DOCKERFILE" --destination="$IMAGE:$IMAGE_TAG" --cache=true --cache-repo="$KANIKO_CACHE_REPO" $PUSH'`,
    `      }`,
    `    }`,
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
