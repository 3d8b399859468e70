/**
 * Results become Responses here: the status of each code, Retry-After, CORS,
 * and every cache-header rule, for the function's answers and for the page,
 * so the two cannot drift apart: the page is cached by the same rules as the
 * answer its widget would have had. The durations are in limits.ts.
 */
import { CDN_MAX_AGE_S, CDN_STALE_WHILE_REVALIDATE_S, LATE_PAGE_CACHE_S, MAX_RETRY_CACHE_S, UPSTREAM_ERROR_CACHE_S } from './limits';
import type { ErrorBody, ErrorCode, Listening, Result, SpotifyError } from './types';

/** Browsers always ask again; Netlify's CDN keeps the answer by `directives`. */
function cdnCached(directives: string): Record<string, string> {
  return {
    'Cache-Control': 'public, max-age=0, must-revalidate',
    'Netlify-CDN-Cache-Control': `public, durable, ${directives}`,
  };
}

/**
 * Cached by the CDN for `seconds`, kept between 1 s and MAX_RETRY_CACHE_S;
 * for UPSTREAM_ERROR_CACHE_S when the time is not known.
 */
function cachedFor(seconds: number | undefined): Record<string, string> {
  return cdnCached(`s-maxage=${Math.min(Math.max(Number.isFinite(seconds) ? seconds! : UPSTREAM_ERROR_CACHE_S, 1), MAX_RETRY_CACHE_S)}`);
}

/* --- The function's answers --- */

/**
 * Cache headers for data: fresh data as a good answer (briefly, then served
 * stale while the CDN refetches); stale data (a refresh was due but blocked)
 * until the next refresh may happen, so the CDN does not ask again before
 * anything can have changed.
 */
function dataCacheHeaders(listening: Listening): Record<string, string> {
  if (!listening.stale) return cdnCached(`s-maxage=${CDN_MAX_AGE_S}, stale-while-revalidate=${CDN_STALE_WHILE_REVALIDATE_S}`);
  return cachedFor(Math.ceil((Date.parse(listening.stale.retryAt ?? '') - Date.now()) / 1_000));
}

/**
 * Cache headers for an answer (or a page) built from a failure: Spotify's faults are cached
 * briefly (one with a Retry-After, a rate limit, for that long) so a failing Spotify is not asked
 * once per visitor; other faults (setup, bad request) are not cached at all.
 */
function errorCacheHeaders(error: SpotifyError): Record<string, string> {
  return error.isUpstream ? cachedFor(error.retryAfterSeconds) : { 'Cache-Control': 'no-store' };
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

/** 400 and 405 are the request's faults, 502 and 504 Spotify failing or hanging; every other code is 503. */
const statusOf = (code: ErrorCode) =>
  ({ bad_request: 400, method_not_allowed: 405, upstream_error: 502, upstream_timeout: 504 } as Partial<Record<ErrorCode, number>>)[code] ?? 503;

/** Netlify-Vary: only these two parameters change the answer, so any other query (junk, reordering aside) shares their cache entry. */
const API_HEADERS = {
  'Content-Type': 'application/json; charset=utf-8',
  'X-Content-Type-Options': 'nosniff',
  'Netlify-Vary': 'query=range|limit',
};

/**
 * Any page may read the API: the data is public and no credentials or cookies
 * are involved (the `<listening-widget>` element on other sites, docs/embed.md).
 * A GET needs no preflight, so OPTIONS stays a 405 like every other method,
 * and a 405 carries Allow instead; Retry-After is exposed so a widget on
 * another origin can honour it.
 */
const CORS_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': 'Retry-After',
};

/** HEAD gets the same status and headers as GET, without a body. */
function respond(body: unknown, status: number, headers: Record<string, string>, method: string): Response {
  return new Response(method === 'HEAD' ? null : JSON.stringify(body), { status, headers: { ...API_HEADERS, ...headers } });
}

/** The API's answer to a result: the data with 200, or the error's status, code and message. */
export function apiResponse(result: Result<Listening>, method: string): Response {
  if (result.ok) return respond(result.value, 200, { ...CORS_HEADERS, ...dataCacheHeaders(result.value) }, method);
  const { error } = result;
  const headers: Record<string, string> = { ...errorCacheHeaders(error), ...(error.code === 'method_not_allowed' ? { Allow: 'GET, HEAD' } : CORS_HEADERS) };
  if (error.retryAfterSeconds !== undefined) headers['Retry-After'] = String(error.retryAfterSeconds);
  return respond({ error: { code: error.code, message: error.message } } satisfies ErrorBody, statusOf(error.code), headers, method);
}

/**
 * Only one spelling of a path answers: any other (`/API/spotify`,
 * `/api/spotify/`) is sent to it for good, so it reads nothing and never
 * makes a CDN entry with data of its own.
 */
export function redirectToPath(url: URL, path: string): Response {
  return new Response(null, { status: 308, headers: { Location: `${path}${url.search}`, 'Cache-Control': 'public, max-age=3600' } });
}
