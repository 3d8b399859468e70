/** The environment to start Astro or Vite with from a test, a benchmark or a build script. */

const TEST_RUNNER_VARS = /^(?:NODE_ENV|MODE|TEST|VITEST.*|DEV|PROD|SSR|BASE_URL)$/;

/**
 * This process's environment without a test runner's own variables (NODE_ENV=test, MODE=test, DEV=1,
 * VITEST…), which would make Astro and Vite build or serve in test mode when started from a test.
 */
export function environmentForAstro(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !TEST_RUNNER_VARS.test(name)));
}
