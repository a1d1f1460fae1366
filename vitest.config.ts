import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'lib/**/*.test.ts'],
    // The run's temp files live in a directory of its own; the run fails if a test leaves one behind.
    globalSetup: ['test/setup/temp-dir.ts'],
    // The generated imports/ are large; give the first transform of a worker time.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // One module graph per worker, not per test file: loading imports/ and cdk8s-plus-28 again for
    // every file was 40 % of the run. No test relies on a fresh graph (no mocks, stubs or module
    // state; the suite passes with its files in any order, --sequence.shuffle.files); shared fixtures
    // are in test/helpers.ts.
    isolate: false,
    // A worker per core (vitest's default leaves one free): tests often wait on helm, git or tsx.
    maxWorkers: availableParallelism(),
  },
});
