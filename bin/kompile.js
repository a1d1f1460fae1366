#!/usr/bin/env node
// `kompile` on the PATH (npm's `bin`): runs the TypeScript CLI through tsx, which is how every Kompile
// entry point runs (no build step).
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const cli = path.join(__dirname, '..', 'lib', 'tools', 'cli.ts');
const result = spawnSync(process.execPath, ['--import', require.resolve('tsx'), cli, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(result.status ?? 2);
