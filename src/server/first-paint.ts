/**
 * What the page's server render shows in the widget. Imported by page
 * frontmatter, never by the island.
 */
import { SSR_BUDGET_MS, within } from '../lib/spotify/limits';
import type { FirstPaint } from '../lib/spotify/http';
import type { Listening, Result } from '../lib/spotify/types';

/**
 * Waits for `load` at most `budgetMs`. Past the budget the page renders the
 * skeleton and the island fetches; a failure or a throw renders the quiet
 * error state. Never throws: the page must render whatever Spotify does. The
 * slow call is not aborted, only outrun: cutting a token exchange short could
 * lose a refresh token Spotify has already rotated.
 */
export async function firstPaint(
  load: () => Promise<Result<Listening>>,
  budgetMs: number = SSR_BUDGET_MS,
): Promise<FirstPaint> {
  try {
    const result = await within(load(), budgetMs);
    if (!result) return { data: null, failed: false, error: null };
    return result.ok ? { data: result.value, failed: false, error: null } : { data: null, failed: true, error: result.error };
  } catch (error) {
    // The name only: a message could carry upstream details that do not belong in logs.
    console.warn(`The page rendered without Spotify data (${error instanceof Error ? error.name : 'unknown error'}); the widget will retry.`);
    return { data: null, failed: true, error: null };
  }
}

/**
 * When the island may ask again after a rate-limited server render: Spotify's
 * Retry-After as a point in time, not a duration, so a copy of the page
 * served later from the CDN cache does not wait longer than Spotify asked.
 */
export function retryAtOf(paint: FirstPaint, now: number = Date.now()): number | undefined {
  const seconds = paint.error?.retryAfterSeconds;
  return seconds ? now + seconds * 1_000 : undefined;
}
