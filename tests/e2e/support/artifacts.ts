/** Screenshots kept as test artifacts under test-results/e2e/ (gitignored), attached to the test report. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { inject, type TestContext } from 'vitest';

const slug = (name: string) => name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

export async function keepScreenshot(context: TestContext, page: Page, name: string): Promise<string> {
  const directory = inject('artifactsDir');
  mkdirSync(directory, { recursive: true });
  const path = join(directory, `${slug(name)}.png`);
  await page.screenshot({ path, fullPage: true });
  await context.annotate(`screenshot ${path}`, { path, contentType: 'image/png' });
  return path;
}

/** On failure, keeps what the page looked like, whatever step failed. */
export function screenshotOnFailure(context: TestContext, page: Page, name: string): void {
  context.onTestFailed(async () => {
    await keepScreenshot(context, page, `failed-${name}`).catch(() => undefined);
  });
}
