/**
 * The widget's markup contract (issue 3), as the e2e tests read it:
 * root `[data-widget="listening"]` with `data-state` and `data-demo`,
 * `[data-field="title"]`, `[data-field="top-artists"]`, and the quiet error text.
 */
import type { Locator, Page } from 'playwright-core';
import { ERROR_CODES } from '../../../src/lib/spotify/types';

export const WIDGET_STATES = ['loading', 'playing', 'paused', 'recent', 'episode', 'empty', 'error'] as const;
export type WidgetState = (typeof WIDGET_STATES)[number];

export const QUIET_ERROR_TEXT = 'Listening data is unavailable right now';

export const widgetRoot = (page: Page): Locator => page.locator('[data-widget="listening"]');
export const widgetTitle = (page: Page): Locator => widgetRoot(page).locator('[data-field="title"]');
export const topArtists = (page: Page): Locator => widgetRoot(page).locator('[data-field="top-artists"]');

/** Waits until Astro has hydrated the island around the widget (the island loses its `ssr` attribute). */
export async function waitForHydration(page: Page, timeoutMs = 15_000): Promise<void> {
  try {
    await widgetRoot(page).waitFor({ state: 'attached', timeout: timeoutMs });
  } catch {
    throw new Error(`The page has no [data-widget="listening"] element after ${timeoutMs} ms.`);
  }
  try {
    await page.waitForFunction(
      () => {
        const island = document.querySelector('[data-widget="listening"]')?.closest('astro-island');
        return island !== null && island !== undefined && !island.hasAttribute('ssr');
      },
      undefined,
      { timeout: timeoutMs },
    );
  } catch {
    const island = await widgetRoot(page).evaluate((root) => {
      const found = root.closest('astro-island');
      return found ? 'an <astro-island> that kept its ssr attribute' : 'no <astro-island> around it (no client: directive?)';
    });
    throw new Error(
      `The widget never hydrated within ${timeoutMs} ms: ${island}. ` +
        'A CSP that blocks the island loader, or a script error, does this; see the console errors in the test output.',
    );
  }
}

/** Waits until the widget shows something other than the skeleton, and returns that state. */
export async function waitForSettledState(page: Page, timeoutMs = 15_000): Promise<string> {
  const handle = await page.waitForFunction(
    () => {
      const state = document.querySelector('[data-widget="listening"]')?.getAttribute('data-state');
      return state && state !== 'loading' ? state : false;
    },
    undefined,
    { timeout: timeoutMs },
  );
  return (await handle.jsonValue()) as string;
}

/** Waits for a given state, with the last state seen in the error when it never comes. */
export async function waitForState(page: Page, state: WidgetState, timeoutMs = 15_000): Promise<void> {
  try {
    await page.waitForFunction(
      (want) => document.querySelector('[data-widget="listening"]')?.getAttribute('data-state') === want,
      state,
      { timeout: timeoutMs },
    );
  } catch {
    const seen = await widgetRoot(page).getAttribute('data-state').catch(() => null);
    throw new Error(`The widget never reached data-state="${state}" within ${timeoutMs} ms; it shows "${seen}".`);
  }
}

const BAD_WORDS = /\b(undefined|null|NaN|Infinity)\b|\[object Object\]/;

/**
 * Everything a visitor could read in the widget that would betray a bug:
 * `undefined`/`null`/`NaN`, raw error codes, or an empty hole. Reads the
 * rendered text and the attributes read aloud or shown on hover.
 */
export async function visitorTextProblems(page: Page): Promise<string[]> {
  const root = widgetRoot(page);
  const text = await root.innerText();
  const attributes = await root.evaluate((element) =>
    [...element.querySelectorAll('[alt], [aria-label], [title]')].flatMap((node) =>
      ['alt', 'aria-label', 'title'].map((name) => node.getAttribute(name)).filter((value) => value !== null),
    ),
  );
  const box = await root.boundingBox();
  const problems: string[] = [];
  for (const value of [text, ...attributes] as string[]) {
    const bad = BAD_WORDS.exec(value);
    if (bad) problems.push(`shows "${bad[0]}" in: ${value.slice(0, 120)}`);
    const code = ERROR_CODES.find((name) => value.includes(name));
    if (code) problems.push(`shows the raw error code "${code}" in: ${value.slice(0, 120)}`);
  }
  if (text.trim() === '') problems.push('shows no text at all (an empty hole)');
  if (!box || box.height < 40 || box.width < 100) problems.push(`is collapsed: ${JSON.stringify(box)}`);
  return problems;
}
