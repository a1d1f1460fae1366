/**
 * A typed model of the Jenkins Configuration-as-Code that Kompile writes, rendered to the YAML
 * documents the chart mounts from `controller.JCasC.configScripts`.
 *
 * Images never appear in JCasC as literals: a container names the controller environment variable
 * that holds its image (`${KANIKO_IMAGE}`), and the Jenkins construct sets that variable from a
 * declared image field of the chart values, so the synth relocates, lists and audits it like every
 * other image. JCasC resolves `${VAR}` from the controller's environment when it applies the file.
 * Secrets are references of the same kind (`${gitlab-token-token}`: a key of a mounted Secret).
 * Jenkins reads these with a YAML 1.1 parser, so YAML-1.1-ambiguous strings are quoted
 * (`YAML_1_1_COMPAT`).
 */
import { stringify } from 'yaml';
import { YAML_1_1_COMPAT } from '../checks/yaml';

/** `${NAME}`: a value JCasC resolves when it applies the configuration. */
export function casc(name: string): string {
  return '${' + name + '}';
}

export interface JcascResources {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly cpu: string; readonly memory: string };
}

export interface JcascContainer {
  readonly name: string;
  /** Controller environment variable holding the image, e.g. `KANIKO_IMAGE`. */
  readonly imageVariable: string;
  /** @default - the image's entrypoint */
  readonly command?: readonly string[];
  /** @default - the image's arguments */
  readonly args?: readonly string[];
  /** Allocate a TTY (keeps `cat`-style placeholder commands running). @default false */
  readonly tty?: boolean;
  /** A value, or a key of a Secret (`valueFrom.secretKeyRef`) the kubelet sets. @default - none */
  readonly env?: readonly ({ readonly name: string; readonly value: string } | { readonly name: string; readonly valueFrom: { readonly secretKeyRef: { readonly name: string; readonly key: string } } })[];
  readonly resources: JcascResources;
  readonly securityContext: Record<string, unknown>;
  /** @default - none */
  readonly volumeMounts?: readonly { readonly name: string; readonly mountPath: string; readonly subPath?: string; readonly readOnly?: boolean }[];
}

export interface JcascPodTemplate {
  readonly name: string;
  /** Label a pipeline asks for (`agent { kubernetes { inheritFrom 'kaniko' } }` or `label 'kaniko'`). */
  readonly label: string;
  readonly serviceAccount: string;
  readonly podSecurityContext: Record<string, unknown>;
  readonly containers: readonly JcascContainer[];
  /** Pod volumes, as in a pod spec. @default - none */
  readonly volumes?: readonly Record<string, unknown>[];
  /** Annotations of the agent pods (e.g. a reasoned security exception). @default - none */
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface JcascKubernetesCloud {
  readonly name: string;
  /** The only namespace agent pods are created in. */
  readonly namespace: string;
  /** How agents reach the controller's web endpoint. */
  readonly jenkinsUrl: string;
  /** How agents reach the controller's inbound-agent port, `host:port`. */
  readonly jenkinsTunnel: string;
  readonly containerCap: number;
  readonly templates: readonly JcascPodTemplate[];
}

/**
 * A credential, `kind` being its JCasC symbol. GitLab's API token class `GitLabApiTokenImpl` has no
 * `@Symbol` (jenkinsci/gitlab-plugin tag gitlab-plugin-1.9.9,
 * src/main/java/com/dabsquared/gitlabjenkins/connection/GitLabApiTokenImpl.java), so JCasC knows it
 * only by its uncapitalized class name `gitLabApiTokenImpl` (jenkinsci/configuration-as-code-plugin
 * tag 2036.v0b_c2de701dcb_, plugin/src/main/java/io/jenkins/plugins/casc/impl/attributes/DescribableAttribute.java
 * `getSymbols`: "Fall back to simple class name"; its demos/gitlab/README.md writes `gitLabApiTokenImpl:`).
 */
export type JcascCredential =
  | { readonly kind: 'gitLabApiTokenImpl'; readonly id: string; readonly description: string; readonly tokenVariable: string }
  | { readonly kind: 'secretText'; readonly id: string; readonly description: string; readonly secretVariable: string }
  | { readonly kind: 'usernamePassword'; readonly id: string; readonly description: string; readonly usernameVariable: string; readonly passwordVariable: string };

export interface JenkinsCasc {
  readonly systemMessage: string;
  /** Jenkins' own URL, with port: links in GitLab and the webhook endpoint are built from it. */
  readonly url: string;
  /** Variables holding the admin user and password (mounted from the admin Secret by the chart). */
  readonly adminUserVariable: string;
  readonly adminPasswordVariable: string;
  readonly cloud: JcascKubernetesCloud;
  readonly credentials: readonly JcascCredential[];
  /** The GitLab connection builds report status through. @default - none */
  readonly gitlab?: { readonly name: string; readonly url: string; readonly apiTokenId: string };
  /**
   * Job DSL scripts, run on every apply through the job-dsl plugin's `jobs:` root element (the
   * plugin must be installed). @default - none: no `jobs` file
   */
  readonly jobs?: readonly string[];
}

function podYaml(t: JcascPodTemplate): string {
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    ...(t.annotations && Object.keys(t.annotations).length > 0 ? { metadata: { annotations: { ...t.annotations } } } : {}),
    spec: {
      serviceAccountName: t.serviceAccount,
      automountServiceAccountToken: false,
      securityContext: t.podSecurityContext,
      containers: t.containers.map((c) => ({
        name: c.name,
        image: casc(c.imageVariable),
        ...(c.command ? { command: [...c.command] } : {}),
        ...(c.args ? { args: [...c.args] } : {}),
        ...(c.tty ? { tty: true } : {}),
        ...(c.env?.length ? { env: c.env.map((e) => JSON.parse(JSON.stringify(e)) as Record<string, unknown>) } : {}),
        resources: c.resources,
        securityContext: c.securityContext,
        ...(c.volumeMounts?.length ? { volumeMounts: c.volumeMounts.map((m) => ({ ...m })) } : {}),
      })),
      ...(t.volumes?.length ? { volumes: t.volumes } : {}),
    },
  };
  // No anchors and aliases for objects two containers share: each container reads in full.
  return stringify(pod, { ...YAML_1_1_COMPAT, aliasDuplicateObjects: false });
}

function credential(c: JcascCredential): Record<string, unknown> {
  switch (c.kind) {
    case 'gitLabApiTokenImpl':
      return { gitLabApiTokenImpl: { id: c.id, scope: 'GLOBAL', description: c.description, apiToken: casc(c.tokenVariable) } };
    case 'secretText':
      return { string: { id: c.id, scope: 'GLOBAL', description: c.description, secret: casc(c.secretVariable) } };
    case 'usernamePassword':
      return { usernamePassword: { id: c.id, scope: 'GLOBAL', description: c.description, username: casc(c.usernameVariable), password: casc(c.passwordVariable) } };
  }
}

/**
 * Renders the configuration into `configScripts` entries (file name → YAML). Each root element
 * (`jenkins`, `credentials`, `unclassified`, `jobs`) goes into one file, since JCasC refuses the same key
 * from two files.
 */
export function renderJcasc(m: JenkinsCasc): Record<string, string> {
  const cloud = m.cloud;
  const jenkins = {
    jenkins: {
      systemMessage: m.systemMessage,
      // Builds run only in agent pods, never on the controller.
      numExecutors: 0,
      securityRealm: { local: { allowsSignup: false, users: [{ id: casc(m.adminUserVariable), password: casc(m.adminPasswordVariable) }] } },
      authorizationStrategy: { loggedInUsersCanDoAnything: { allowAnonymousRead: false } },
      clouds: [
        {
          kubernetes: {
            name: cloud.name,
            namespace: cloud.namespace,
            jenkinsUrl: cloud.jenkinsUrl,
            jenkinsTunnel: cloud.jenkinsTunnel,
            containerCapStr: String(cloud.containerCap),
            podRetention: 'never',
            templates: cloud.templates.map((t) => ({
              name: t.name,
              label: t.label,
              namespace: cloud.namespace,
              serviceAccount: t.serviceAccount,
              yamlMergeStrategy: 'override',
              showRawYaml: false,
              yaml: podYaml(t),
            })),
          },
        },
      ],
    },
  };
  const scripts: Record<string, string> = {
    'jenkins': stringify(jenkins, YAML_1_1_COMPAT),
    'credentials': stringify({ credentials: { system: { domainCredentials: [{ credentials: m.credentials.map(credential) }] } } }, YAML_1_1_COMPAT),
    'unclassified': stringify({
      unclassified: {
        location: { url: m.url },
        ...(m.gitlab
          ? { gitLabConnectionConfig: { connections: [{ name: m.gitlab.name, url: m.gitlab.url, apiTokenId: m.gitlab.apiTokenId, clientBuilderId: 'autodetect', connectionTimeout: 10, readTimeout: 10 }] } }
          : {}),
      },
    }, YAML_1_1_COMPAT),
  };
  // Literal blocks: the scripts read as written, line for line.
  if (m.jobs?.length) scripts['jobs'] = stringify({ jobs: m.jobs.map((script) => ({ script })) }, { ...YAML_1_1_COMPAT, blockQuote: 'literal' });
  return scripts;
}

/**
 * Image values written into rendered JCasC that are not `${VAR}` references: they would be invisible
 * to relocation and to the airgap audit, so the Jenkins construct refuses them.
 */
export function literalImagesIn(script: string): string[] {
  const found: string[] = [];
  for (const m of script.matchAll(/^\s*-?\s*image:\s*(.+?)\s*$/gm)) {
    const value = m[1].replace(/^["']|["']$/g, '');
    if (!/^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(value)) found.push(value);
  }
  return found;
}
