import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { NOTE_MARKER, noteBody, NoteTarget, targetFromEnv, upsertNote } from '../../scripts/gitlab-mr-note';

/**
 * A stand-in for GitLab's merge-request notes endpoints (docs.gitlab.com/api/notes): list (paginated
 * with page/per_page and the x-next-page header), create, modify; PRIVATE-TOKEN checked.
 */
type Note = { id: number; body: string; system: boolean };
let notes: Note[] = [];
let requests: string[] = [];
let server: http.Server;
let target: NoteTarget;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    requests.push(`${req.method} ${url.pathname}`);
    if (req.headers['private-token'] !== 'secret') {
      res.statusCode = 401;
      res.end('{"message":"401 Unauthorized"}');
      return;
    }
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => {
      const base = '/api/v4/projects/group%2Fapp/merge_requests/7/notes';
      if (req.method === 'GET' && url.pathname === base) {
        const page = Number(url.searchParams.get('page') ?? 1);
        const perPage = Math.min(Number(url.searchParams.get('per_page') ?? 20), 100);
        const last = Math.ceil(notes.length / perPage) || 1;
        res.setHeader('x-next-page', page < last ? String(page + 1) : '');
        res.end(JSON.stringify(notes.slice((page - 1) * perPage, page * perPage)));
      } else if (req.method === 'POST' && url.pathname === base) {
        const note = { id: 1000 + notes.length, body: (JSON.parse(data) as { body: string }).body, system: false };
        notes.push(note);
        res.statusCode = 201;
        res.end(JSON.stringify(note));
      } else if (req.method === 'PUT' && url.pathname.startsWith(`${base}/`)) {
        const note = notes.find((n) => n.id === Number(url.pathname.slice(base.length + 1)));
        if (!note) {
          res.statusCode = 404;
          res.end();
          return;
        }
        note.body = (JSON.parse(data) as { body: string }).body;
        res.end(JSON.stringify(note));
      } else {
        res.statusCode = 404;
        res.end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  target = { api: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v4`, projectId: 'group/app', mergeRequestIid: '7', token: 'secret' };
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  notes = [];
  requests = [];
});

const others = (n: number): Note[] => Array.from({ length: n }, (_, i) => ({ id: i + 1, body: `review comment ${i}`, system: i % 3 === 0 }));

describe('the GitLab job keeps one Kompile note per merge request', () => {
  it('creates the note on the first run and replaces it on the next, never adding a second', async () => {
    notes = others(3);
    expect(await upsertNote(target, 'first diff')).toBe('created');
    expect(await upsertNote(target, 'second diff')).toBe('updated');
    const mine = notes.filter((n) => n.body.startsWith(NOTE_MARKER));
    expect(mine).toEqual([{ id: 1003, body: `${NOTE_MARKER}\nsecond diff`, system: false }]);
    expect(notes).toHaveLength(4);
    expect(requests.filter((r) => r.startsWith('PUT'))).toEqual(['PUT /api/v4/projects/group%2Fapp/merge_requests/7/notes/1003']);
  });

  it('finds its note on a later page (follows x-next-page), and ignores system notes quoting the marker', async () => {
    notes = [{ id: 1, body: `${NOTE_MARKER}\nmentioned by the system`, system: true }, ...others(150).map((n) => ({ ...n, id: n.id + 1 })), { id: 500, body: `${NOTE_MARKER}\nold`, system: false }];
    expect(await upsertNote(target, 'new')).toBe('updated');
    expect(notes.find((n) => n.id === 500)!.body).toBe(`${NOTE_MARKER}\nnew`);
    expect(notes.find((n) => n.id === 1)!.body).toBe(`${NOTE_MARKER}\nmentioned by the system`);
    expect(requests.filter((r) => r.startsWith('GET'))).toHaveLength(2);
  });

  it('fails naming the call and the HTTP status when GitLab refuses', async () => {
    await expect(upsertNote({ ...target, token: 'wrong' }, 'x')).rejects.toThrow(/GitLab GET …\/merge_requests\/7\/notes answered HTTP 401: .*Unauthorized/);
  });

  it('cuts a body over GitLab’s 1,000,000-character limit, saying where the whole diff is', () => {
    const body = noteBody('x'.repeat(1_200_000));
    expect(body.length).toBe(1_000_000);
    expect(body.startsWith(`${NOTE_MARKER}\n`)).toBe(true);
    expect(body).toMatch(/cut at GitLab’s 1,000,000-character limit: see the kompile-diff\.md job artifact\)\n$/);
    expect(noteBody('short')).toBe(`${NOTE_MARKER}\nshort`);
  });

  it('skips cleanly, saying why, without a token or outside a merge request', () => {
    const mr = { CI_MERGE_REQUEST_IID: '7', CI_API_V4_URL: 'https://g/api/v4', CI_PROJECT_ID: '1' };
    expect(targetFromEnv({ ...mr })).toBe('KOMPILE_GITLAB_TOKEN is not set');
    expect(targetFromEnv({ KOMPILE_GITLAB_TOKEN: 't' })).toBe('not a merge-request pipeline (CI_MERGE_REQUEST_IID is not set)');
    expect(targetFromEnv({ ...mr, KOMPILE_GITLAB_TOKEN: 't' })).toEqual({ api: 'https://g/api/v4', projectId: '1', mergeRequestIid: '7', token: 't' });
  });
});
