/**
 * Every cache-header rule, for the function's answers and for the page, so
 * the two cannot drift apart: the page is cached by the same rules as the
 * answer its widget would have had. The durations are in limits.ts.
 */
import type { SpotifyError } from './errors';
import {
  CDN_MAX_AGE_S,
  CDN_STALE_WHILE_REVALIDATE_S,
  LATE_PAGE_CACHE_S,
  MAX_RATE_LIMIT_CACHE_S,
  STALE_CACHE_MAX_S,
  UPSTREAM_ERROR_CACHE_S,
} from './limits';
import type { Listening } from './types';

/** Browsers always ask again; Netlify's CDN keeps the answer by `directives`. */
function cdnCached(directives: string): Record<string, string> {
  return {
    'Cache-Control': 'public, max-age=0, must-revalidate',
    'Netlify-CDN-Cache-Control': `public, durable, ${directives}`,
  };
}

/* --- The function's answers --- */

/** Only these two parameters change the answer: any other query (junk, reordering aside) shares their cache entry. */
export const API_VARY = 'query=range|limit';

/**
 * Cache headers for data: fresh data as a good answer (briefly, then served
 * stale while the CDN refetches); stale data (a refresh was due but blocked)
 * until the next refresh may happen, so the CDN does not ask again before
 * anything can have changed, but at most STALE_CACHE_MAX_S.
 */
export function dataCacheHeaders(listening: Listening, now: number = Date.now()): Record<string, string> {
  if (!listening.stale) return cdnCached(`s-maxage=${CDN_MAX_AGE_S}, stale-while-revalidate=${CDN_STALE_WHILE_REVALIDATE_S}`);
  const retryAt = listening.stale.retryAt ? Date.parse(listening.stale.retryAt) : Number.NaN;
  const seconds = Number.isFinite(retryAt) ? Math.ceil((retryAt - now) / 1_000) : UPSTREAM_ERROR_CACHE_S;
  return cdnCached(`s-maxage=${Math.min(Math.max(seconds, 1), STALE_CACHE_MAX_S)}`);
}

/**
 * Cache headers for an answer (or a page) built from a failure: Spotify's faults are cached
 * briefly (a rate limit for its Retry-After, up to a cap) so a failing Spotify is not asked
 * once per visitor; other faults (setup, bad request) are not cached at all.
 */
export function errorCacheHeaders(error: SpotifyError): Record<string, string> {
  if (!error.isUpstream) return { 'Cache-Control': 'no-store' };
  const seconds =
    error.code === 'rate_limited'
      ? Math.min(error.retryAfterSeconds ?? UPSTREAM_ERROR_CACHE_S, MAX_RATE_LIMIT_CACHE_S)
      : UPSTREAM_ERROR_CACHE_S;
  return cdnCached(`s-maxage=${seconds}`);
}

/* --- The page --- */

/** What the page's server render shows in the widget (src/server/first-paint.ts). */
export interface FirstPaint {
  /** Data to render now; null renders the skeleton (or the quiet error) and lets the island fetch. */
  data: Listening | null;
  /** Loading failed outright, as opposed to running out of time. */
  failed: boolean;
  /** Why it failed, when the core said; null when it rendered, ran out of time, or the loader threw. */
  error: SpotifyError | null;
}

/**
 * The page reads no query parameter, so none may split its CDN cache (`/?x=1`
 * would otherwise be a page of its own). Netlify keys on the listed
 * parameters only; this name is one the page never uses, so every query
 * shares one entry.
 */
const PAGE_VARY = 'query=none';

/**
 * The options of /card.svg that change its picture (src/lib/card/options.ts):
 * the CDN keys the card on these only.
 */
export const CARD_VARY = 'query=theme|layout|top_artists|range|limit|accent|radius|background';

/**
 * The page's cache headers, by the same rules as the function's answers:
 * fresh data like a good answer, a failure like the error answer it would
 * have been (Spotify's faults briefly, a rate limit for its Retry-After,
 * setup faults not at all). A loader that threw is a bug, not Spotify's
 * state: like the function's unhandled 500, it is not cached. A page
 * rendered past the budget is cached for LATE_PAGE_CACHE_S. The card
 * (`vary` CARD_VARY) and /open, read the same way, follow the same rules.
 */
export function pageCacheHeaders(paint: FirstPaint, vary: string = PAGE_VARY): Record<string, string> {
  const policy = pageCachePolicy(paint);
  return policy['Netlify-CDN-Cache-Control'] ? { ...policy, 'Netlify-Vary': vary } : policy;
}

function pageCachePolicy(paint: FirstPaint): Record<string, string> {
  if (paint.data) return dataCacheHeaders(paint.data);
  if (paint.error) return errorCacheHeaders(paint.error);
  if (paint.failed) return { 'Cache-Control': 'no-store' };
  return cdnCached(`s-maxage=${LATE_PAGE_CACHE_S}`);
}
