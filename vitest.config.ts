import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Forked processes, never threads: Temporal's native bridge and its worker threads want a process each.
    pool: 'forks',
    // Two cores, and every file shares the one Temporal dev server started by the global setup.
    maxWorkers: 2,
    globalSetup: ['tests/setup/global-setup.ts'],
    setupFiles: ['tests/setup/runtime.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
  },
});
