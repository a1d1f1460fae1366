/**
 * Who may do what in the platform registry, repository by repository, and how that becomes Zot's
 * `http.accessControl` (project-zot/zot tag v2.1.20).
 *
 * Zot's model, as read at that tag:
 * - `accessControl.repositories` maps a repository pattern to a policy group of `policies` (users,
 *   actions), `defaultPolicy` (every authenticated user) and `anonymousPolicy`
 *   (pkg/api/config/config.go `AccessControlConfig`, `PolicyGroup`, `Policy`; examples/config-policy.json).
 * - Actions are `read`, `create`, `update`, `delete` (pkg/api/constants/consts.go). GET/HEAD are
 *   `read`; blob uploads and a manifest under a new tag are `create`; a manifest under a tag that
 *   already exists is `update`; DELETE is `delete` (pkg/api/authz.go `DistSpecAuthzHandler`,
 *   `manifestWriteAuthzChecks`).
 * - Only ONE policy group applies to a repository: the one of the LONGEST pattern matching it
 *   (pkg/api/authz.go `can`, `longestMatchedPattern`); an identity missing from that group has no
 *   right there, whatever shorter patterns grant it. {@link zotRepositories} therefore copies every
 *   right onto each group that wins for a repository, and reports a pattern that would take a
 *   repository away from an identity.
 * - Patterns are doublestar v4 globs (zot go.mod: github.com/bmatcuk/doublestar/v4 v4.10.0; its
 *   README "Patterns": `**` matches zero or more directories). Kompile allows only the subset whose
 *   meaning is plain: a repository name, `**`, or `<repository>/**`.
 *
 * Pure: no Kubernetes objects here.
 */

/** A right in the registry. `delete` is deliberately not one: no identity may delete. */
export type RegistryAction = 'read' | 'create' | 'update';

/** One htpasswd user and what it may do in which repositories. */
export interface RegistryIdentity {
  /** The htpasswd user name (its password is in the htpasswd Secret, created out of band). */
  readonly user: string;
  readonly actions: readonly RegistryAction[];
  /** Repository names or patterns (`**`, `<repository>/**`). */
  readonly repositories: readonly string[];
  /** Repository names of `repositories` where the identity may `update` (move a tag) as well. @default [] */
  readonly updateIn?: readonly string[];
}

/** One repository path component (OCI distribution-spec, "Pulling manifests": `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`). */
const COMPONENT = '[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*';
/** A repository name: components separated by `/`. */
export const REPOSITORY_NAME = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);
/** A repository name, `**`, or `<repository>/**`. */
export const REPOSITORY_PATTERN = new RegExp(`^(?:\\*\\*|${COMPONENT}(?:/${COMPONENT})*(?:/\\*\\*)?)$`);

/** True for a pattern that names more than one repository. */
export function isGlob(pattern: string): boolean {
  return pattern.includes('*');
}

/**
 * Whether `pattern` matches `repository`. `<prefix>/**` is taken to match `<prefix>` itself too:
 * doublestar's README leaves that case open, and both uses here are safe that way (a conflict is
 * reported rather than missed; a pull identity may get read on the prefix repository as well).
 */
export function patternMatches(pattern: string, repository: string): boolean {
  if (pattern === '**') return true;
  if (pattern.endsWith('/**')) {
    const prefix = pattern.slice(0, -3);
    return repository === prefix || repository.startsWith(`${prefix}/`);
  }
  return pattern === repository;
}

/** Zot's policy group for one pattern (the keys Kompile writes; all three are fields of `PolicyGroup`). */
export interface ZotPolicyGroup {
  readonly policies: readonly { readonly users: readonly string[]; readonly actions: readonly RegistryAction[] }[];
  /** Rights of every authenticated user: none. */
  readonly defaultPolicy: readonly RegistryAction[];
  /** Rights without credentials: none. */
  readonly anonymousPolicy: readonly RegistryAction[];
}

const ACTION_ORDER: readonly RegistryAction[] = ['read', 'create', 'update'];

/**
 * The `accessControl.repositories` map for `identities`, keys sorted, and the conflicts: a
 * repository an identity names literally that a longer pattern of another identity would win
 * (Zot would then apply only that pattern's group, where the identity is not).
 */
export function zotRepositories(identities: readonly RegistryIdentity[]): { repositories: Record<string, ZotPolicyGroup>; conflicts: string[] } {
  const keys = [...new Set(identities.flatMap((i) => i.repositories))].sort();
  const conflicts: string[] = [];
  const repositories: Record<string, ZotPolicyGroup> = {};
  for (const key of keys) {
    // An identity's rights apply under a key it names, and under a repository name its patterns match.
    const policies = identities
      .filter((i) => i.repositories.includes(key) || (!isGlob(key) && i.repositories.some((p) => patternMatches(p, key))))
      .map((i) => ({ users: [i.user], actions: ACTION_ORDER.filter((a) => i.actions.includes(a) || (a === 'update' && (i.updateIn ?? []).includes(key))) }));
    repositories[key] = { policies, defaultPolicy: [], anonymousPolicy: [] };
  }
  for (const identity of identities) {
    for (const repository of identity.repositories.filter((r) => !isGlob(r))) {
      const winner = keys.filter((k) => patternMatches(k, repository)).reduce((a, b) => (b.length > a.length ? b : a), '');
      if (winner !== repository && !identities.some((i) => i.user === identity.user && i.repositories.includes(winner))) {
        const owner = identities.find((i) => i.repositories.includes(winner))!;
        conflicts.push(`pattern '${winner}' of user '${owner.user}' is longer than repository '${repository}' of user '${identity.user}' and matches it: Zot applies only the longest matching pattern, so '${identity.user}' would lose its rights there`);
      }
    }
  }
  return { repositories, conflicts };
}

/** The registry's identities as configured (`components.ci.registry.access`). */
export interface RegistryAccessConfig {
  readonly ci: { readonly user: string; readonly repositories: readonly string[] };
  readonly imageUpdater: { readonly user: string };
  readonly nodes: { readonly user: string; readonly repositories: readonly string[] };
}

/** What of the delivery chain's configuration the identities are derived from. */
export interface DeliveryAccessView {
  readonly registry: { readonly host: string; readonly access: RegistryAccessConfig };
  readonly jenkins: { readonly jobs: readonly { readonly image: string; readonly channelTag?: string }[] };
  readonly imageUpdater: { readonly enabled: boolean; readonly applications: readonly { readonly images: readonly { readonly image: string }[] }[] };
}

/** The repository of an image name in the registry `host`: `registry.local:30500/chatbot/backend` → `chatbot/backend`. */
export function repositoryIn(host: string, image: string): string | undefined {
  return image.startsWith(`${host}/`) ? image.slice(host.length + 1) : undefined;
}

/** The CI identity's rights: reading and pushing new tags. No `update`: see {@link registryIdentities}. */
export const CI_ACTIONS: readonly RegistryAction[] = ['read', 'create'];

/**
 * The registry's identities, derived from the delivery chain:
 * - CI (the push container's credential): `read` and `create` in the repositories the build jobs
 *   push and `access.ci.repositories`, nothing else. No `update`: a release tag is pushed once,
 *   and an existing tag is never overwritten (the job's re-run of a release is refused too). The
 *   one exception is a job with a channel tag (`channelTag`, the moving tag Image Updater follows
 *   with its digest strategy): moving that tag is an `update`, and Zot grants actions per
 *   repository, not per tag, so CI may `update` in exactly those jobs' repositories. What runs is
 *   still pinned by digest (the write-back) and, in production, signed (admission).
 * - The Image Updater: `read` in the repositories of the images it watches (tag lists).
 * - The nodes: `read` in `access.nodes.repositories`.
 * Nobody may delete, and nothing is granted to anonymous or to every authenticated user.
 */
export function registryIdentities(ci: DeliveryAccessView): RegistryIdentity[] {
  const { host, access } = ci.registry;
  const repositoriesOf = (jobs: readonly { readonly image: string }[]) => jobs.map((j) => repositoryIn(host, j.image)).filter((r): r is string => r !== undefined);
  const built = repositoriesOf(ci.jenkins.jobs);
  const channel = repositoriesOf(ci.jenkins.jobs.filter((j) => j.channelTag));
  const watched = ci.imageUpdater.enabled
    ? ci.imageUpdater.applications.flatMap((a) => a.images.map((i) => repositoryIn(host, i.image))).filter((r): r is string => r !== undefined)
    : [];
  const sorted = (xs: readonly string[]) => [...new Set(xs)].sort();
  const identities: RegistryIdentity[] = [
    { user: access.ci.user, actions: CI_ACTIONS, repositories: sorted([...built, ...access.ci.repositories]), updateIn: sorted(channel) },
    { user: access.nodes.user, actions: ['read'], repositories: sorted(access.nodes.repositories) },
  ];
  if (watched.length > 0) identities.push({ user: access.imageUpdater.user, actions: ['read'], repositories: sorted(watched) });
  return identities;
}
