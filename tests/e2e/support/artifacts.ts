/** Screenshots kept as test artifacts under test-results/e2e/ (gitignored), attached to the test report. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { inject, type TestContext } from 'vitest';
import type { ProbedPage } from './browser';

const slug = (name: string) => name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

export async function keepScreenshot(context: TestContext, page: Page, name: string): Promise<string> {
  const directory = inject('artifactsDir');
  mkdirSync(directory, { recursive: true });
  const path = join(directory, `${slug(name)}.png`);
  await page.screenshot({ path, fullPage: true });
  await context.annotate(`screenshot ${path}`, { path, contentType: 'image/png' });
  return path;
}

/**
 * Closes the page when the test ends. If the test failed, whatever step
 * failed, first keeps a screenshot (`failed-<name>.png`) and reports the
 * page's console errors and CSP violations with the failure.
 */
export function closeAfterTest(context: TestContext, probe: ProbedPage, name: string): void {
  context.onTestFinished(async (finished) => {
    if (finished.task.result?.state === 'fail') {
      await keepScreenshot(finished, probe.page, `failed-${name}`).catch(() => undefined);
      const csp = await probe.cspViolations().catch(() => []);
      const lines = [...probe.errors.map((error) => `${error.text} (${error.url})`), ...csp.map((line) => `CSP: ${line}`)];
      await finished.annotate(`page errors: ${lines.length ? `\n${lines.join('\n')}` : 'none'}`).catch(() => undefined);
    }
    await probe.close();
  });
}
