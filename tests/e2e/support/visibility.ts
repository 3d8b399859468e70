import type { Page } from 'playwright-core';

/**
 * Hides or shows the tab as the Page Visibility API reports it. Headless
 * Chromium keeps every tab "visible", so the test overrides what the island
 * reads (`document.hidden`, `visibilityState`) and fires the event a real
 * tab switch fires.
 */
export async function setTabHidden(page: Page, hidden: boolean): Promise<void> {
  await page.evaluate((isHidden) => {
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => isHidden });
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (isHidden ? 'hidden' : 'visible') });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}
