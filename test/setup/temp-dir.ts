import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * Vitest global setup: the run's temporary files live in one directory of its own, and the run fails
 * if a test leaves anything in it. Git runs without the user's or the system's git configuration.
 *
 * TMPDIR (and TMP/TEMP) point at `<system tmp>/kompile-test-<pid>-XXXXXX` before any worker starts, so
 * `os.tmpdir()` in the tests, in the code under test and in every process they spawn (helm, git, tsx)
 * resolves there. At the end the directory is removed whatever it holds; anything a test created and
 * did not remove is named and fails the run (exit status 1), so a leak is fixed where it happens instead of piling up in
 * /tmp. The one thing not counted is tsx's own compile cache (`tsx-<user>`), which tsx keeps in
 * `os.tmpdir()` by design for the processes the tests spawn with it. A directory left by an earlier
 * run that was killed (its pid no longer alive) is removed at the start.
 */
const PREFIX = 'kompile-test-';

export default function setup(): () => void {
  const system = os.tmpdir();
  removeDeadRuns(system);
  const dir = fs.mkdtempSync(path.join(system, `${PREFIX}${process.pid}-`));
  const saved = { TMPDIR: process.env.TMPDIR, TMP: process.env.TMP, TEMP: process.env.TEMP, GIT_CONFIG_GLOBAL: process.env.GIT_CONFIG_GLOBAL, GIT_CONFIG_NOSYSTEM: process.env.GIT_CONFIG_NOSYSTEM };
  process.env.TMPDIR = process.env.TMP = process.env.TEMP = dir;
  // The git repositories tests make read no ~/.gitconfig or /etc/gitconfig (signing, hooks, default
  // branch): the tests depend on nothing outside the clone.
  process.env.GIT_CONFIG_GLOBAL = '/dev/null';
  process.env.GIT_CONFIG_NOSYSTEM = '1';
  return () => {
    const toolCache = `tsx-${process.getuid?.() ?? os.userInfo().username}`;
    const left = fs.readdirSync(dir).filter((entry) => entry !== toolCache);
    fs.rmSync(dir, { recursive: true, force: true });
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    if (left.length > 0) {
      // Not thrown: a throwing teardown makes vitest skip closing its server and pool.
      console.error(`\nFAIL tests left ${left.length} temporary path(s) behind (removed now; clean them up in afterAll/afterEach or a finally): ${left.sort().join(', ')}\n`);
      process.exitCode = 1;
    }
  };
}

/** Removes run directories whose vitest process no longer exists (a run killed before its teardown). */
function removeDeadRuns(system: string): void {
  for (const entry of fs.readdirSync(system)) {
    const match = new RegExp(`^${PREFIX}(\\d+)-`).exec(entry);
    if (match && !alive(Number(match[1]))) fs.rmSync(path.join(system, entry), { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
