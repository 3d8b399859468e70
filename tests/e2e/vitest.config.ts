/**
 * `npm run test:e2e`: vitest drives playwright-core against the production
 * build. A separate config from the unit tests (those run with msw and must
 * never open a socket); e2e files are named `*.e2e.ts` so `npm test` skips them.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['tests/e2e/**/*.e2e.ts'],
    globalSetup: ['tests/e2e/global-setup.ts'],
    // One served site and one fake whose scenario is global state: files run one at a time.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The build inside netlify serve, on a cold two-core machine.
    teardownTimeout: 30_000,
  },
});
