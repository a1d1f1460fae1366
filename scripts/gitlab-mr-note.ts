/**
 * Posts a file as the one Kompile note of a GitLab merge request, updating that note on every later
 * run instead of adding another: the note starts with a marker line; the first note of the merge
 * request that starts with it is replaced (PUT), and only when there is none is one created (POST).
 *
 * GitLab Notes API (docs.gitlab.com/api/notes, "Merge requests"):
 * - `GET /projects/:id/merge_requests/:merge_request_iid/notes`, paginated (`page`, `per_page` at most
 *   100; the `x-next-page` response header is empty on the last page, docs.gitlab.com/api/rest/#pagination)
 * - `POST /projects/:id/merge_requests/:merge_request_iid/notes` with `body`
 * - `PUT /projects/:id/merge_requests/:merge_request_iid/notes/:note_id` with `body`
 * - `body` is limited to 1,000,000 characters.
 *
 * Run in a GitLab merge-request pipeline: `npx tsx scripts/gitlab-mr-note.ts kompile-diff.md`. It reads
 * CI_API_V4_URL, CI_PROJECT_ID and CI_MERGE_REQUEST_IID (GitLab's predefined variables) and
 * KOMPILE_GITLAB_TOKEN (a project access token with the `api` scope); without the token or outside a
 * merge request it says so and exits 0, so the job does not depend on it.
 */
import * as fs from 'node:fs';

/** First line of the note: how later runs find it. */
export const NOTE_MARKER = '<!-- kompile-diff -->';

/** GitLab's limit on a note's body (characters). */
const MAX_BODY = 1_000_000;

export interface NoteTarget {
  /** `CI_API_V4_URL`, e.g. `https://gitlab.example.com/api/v4`. */
  readonly api: string;
  readonly projectId: string;
  readonly mergeRequestIid: string;
  readonly token: string;
}

/** The note body: the marker, then the text, cut to GitLab's limit with a line saying so. */
export function noteBody(text: string): string {
  const body = `${NOTE_MARKER}\n${text}`;
  if (body.length <= MAX_BODY) return body;
  const tail = '\n\n… (cut at GitLab’s 1,000,000-character limit: see the kompile-diff.md job artifact)\n';
  return body.slice(0, MAX_BODY - tail.length) + tail;
}

async function call(target: NoteTarget, method: string, path: string, body?: string): Promise<Response> {
  const response = await fetch(`${target.api}/projects/${encodeURIComponent(target.projectId)}/merge_requests/${target.mergeRequestIid}/notes${path}`, {
    method,
    headers: { 'PRIVATE-TOKEN': target.token, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify({ body }),
  });
  if (!response.ok) throw new Error(`GitLab ${method} …/merge_requests/${target.mergeRequestIid}/notes${path.split('?')[0]} answered HTTP ${response.status}: ${(await response.text()).slice(0, 300)}`);
  return response;
}

/** The id of the merge request's Kompile note, if it has one (every page read). */
export async function findNote(target: NoteTarget): Promise<number | undefined> {
  for (let page = '1'; page !== ''; ) {
    const response = await call(target, 'GET', `?sort=asc&order_by=created_at&per_page=100&page=${page}`);
    const notes = (await response.json()) as Array<{ id: number; body?: string; system?: boolean }>;
    const mine = notes.find((n) => !n.system && n.body?.startsWith(NOTE_MARKER));
    if (mine) return mine.id;
    page = response.headers.get('x-next-page') ?? '';
  }
  return undefined;
}

/** Replaces the Kompile note of the merge request with `text`, or creates it. */
export async function upsertNote(target: NoteTarget, text: string): Promise<'updated' | 'created'> {
  const body = noteBody(text);
  const id = await findNote(target);
  if (id !== undefined) {
    await call(target, 'PUT', `/${id}`, body);
    return 'updated';
  }
  await call(target, 'POST', '', body);
  return 'created';
}

/** The target from GitLab's CI variables, or why there is none. */
export function targetFromEnv(env: NodeJS.ProcessEnv): NoteTarget | string {
  if (!env.CI_MERGE_REQUEST_IID) return 'not a merge-request pipeline (CI_MERGE_REQUEST_IID is not set)';
  if (!env.KOMPILE_GITLAB_TOKEN) return 'KOMPILE_GITLAB_TOKEN is not set';
  if (!env.CI_API_V4_URL || !env.CI_PROJECT_ID) return 'CI_API_V4_URL or CI_PROJECT_ID is not set';
  return { api: env.CI_API_V4_URL, projectId: env.CI_PROJECT_ID, mergeRequestIid: env.CI_MERGE_REQUEST_IID, token: env.KOMPILE_GITLAB_TOKEN };
}

if (require.main === module) {
  const file = process.argv[2] ?? 'kompile-diff.md';
  const target = targetFromEnv(process.env);
  if (typeof target === 'string') {
    console.log(`merge-request note skipped: ${target}`);
  } else {
    upsertNote(target, fs.readFileSync(file, 'utf8')).then(
      (done) => console.log(`merge-request note ${done}`),
      (e: Error) => {
        console.error(`posting the diff failed: ${e.message}`);
        process.exitCode = 1;
      },
    );
  }
}
