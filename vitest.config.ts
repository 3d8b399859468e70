import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.{ts,tsx}'],
    setupFiles: ['tests/setup/msw.ts'],
    restoreMocks: true,
    unstubEnvs: true,
    // Each file still gets a fresh worker; a thread starts in about half the time of a process.
    pool: 'threads',
    // Vitest's default (cores - 1) is one worker on a 2-core machine, and then the second core idles while
    // a worker waits on a build's child process or a real deadline. Two keep both busy.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
