import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The run's temp files live in a directory of its own; the run fails if a test leaves one behind.
    globalSetup: ['test/setup/temp-dir.ts'],
    // The generated imports/ are large; give the first transform of a worker time.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    isolate: false,
  },
});
