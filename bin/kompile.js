#!/usr/bin/env node
// `kompile` on the PATH (npm's `bin`): runs the TypeScript CLI through tsx, which is how every Kompile
// entry point runs (no build step). The CLI's exit code is passed on; a CLI killed by a signal ends
// this process with the same signal.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const cli = path.join(__dirname, '..', 'lib', 'tools', 'cli.ts');
const result = spawnSync(process.execPath, ['--import', require.resolve('tsx'), cli, ...process.argv.slice(2)], { stdio: 'inherit' });
if (result.error) {
  process.stderr.write(`kompile: cannot run ${cli}: ${result.error.message}\n`);
  process.exit(2);
}
if (result.signal) process.kill(process.pid, result.signal);
process.exit(result.status ?? 2);
