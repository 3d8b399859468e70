import type { SpotifyError } from './errors';
import { CDN_MAX_AGE_S, CDN_STALE_WHILE_REVALIDATE_S, MAX_RATE_LIMIT_CACHE_S, STALE_CACHE_MAX_S, UPSTREAM_ERROR_CACHE_S } from './limits';
import type { ErrorBody, ErrorCode, Listening } from './types';

export const STATUS_BY_CODE: Record<ErrorCode, number> = {
  bad_request: 400,
  method_not_allowed: 405,
  not_configured: 503,
  reauthorization_required: 503,
  scope_missing: 503,
  rate_limited: 503,
  upstream_error: 502,
  upstream_timeout: 504,
};

export const ALLOWED_METHODS = 'GET, HEAD';

/** Cache headers for a page or answer built from fresh Spotify data. */
export function freshCacheHeaders(): Record<string, string> {
  return {
    'Cache-Control': 'public, max-age=0, must-revalidate',
    'Netlify-CDN-Cache-Control': `public, durable, s-maxage=${CDN_MAX_AGE_S}, stale-while-revalidate=${CDN_STALE_WHILE_REVALIDATE_S}`,
  };
}

/**
 * Cache headers for data: fresh data by the usual rule; stale data (a
 * refresh was due but blocked) until the next refresh may happen, so the CDN
 * does not ask again before anything can have changed, but at most
 * STALE_CACHE_MAX_S.
 */
export function dataCacheHeaders(listening: Listening, now: number = Date.now()): Record<string, string> {
  if (!listening.stale) return freshCacheHeaders();
  const retryAt = listening.stale.retryAt ? Date.parse(listening.stale.retryAt) : Number.NaN;
  const seconds = Number.isFinite(retryAt) ? Math.ceil((retryAt - now) / 1_000) : UPSTREAM_ERROR_CACHE_S;
  return {
    'Cache-Control': 'public, max-age=0, must-revalidate',
    'Netlify-CDN-Cache-Control': `public, durable, s-maxage=${Math.min(Math.max(seconds, 1), STALE_CACHE_MAX_S)}`,
  };
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
  return {
    'Cache-Control': 'public, max-age=0, must-revalidate',
    'Netlify-CDN-Cache-Control': `public, durable, s-maxage=${seconds}`,
  };
}

const API_HEADERS = {
  'Content-Type': 'application/json; charset=utf-8',
  'X-Content-Type-Options': 'nosniff',
  // Only these two parameters change the answer: any other query (junk, reordering aside) shares their cache entry.
  'Netlify-Vary': 'query=range|limit',
};

/** HEAD gets the same status and headers as GET, without a body. */
function respond(body: unknown, status: number, headers: Record<string, string>, method: string): Response {
  const text = JSON.stringify(body);
  return new Response(method === 'HEAD' ? null : text, { status, headers: { ...API_HEADERS, ...headers } });
}

export function listeningResponse(listening: Listening, method: string): Response {
  return respond(listening, 200, dataCacheHeaders(listening), method);
}

export function errorResponse(error: SpotifyError, method: string): Response {
  const headers: Record<string, string> = errorCacheHeaders(error);
  if (error.code === 'method_not_allowed') headers.Allow = ALLOWED_METHODS;
  if (error.code === 'rate_limited' && error.retryAfterSeconds !== undefined) {
    headers['Retry-After'] = String(error.retryAfterSeconds);
  }
  const body: ErrorBody = { error: { code: error.code, message: error.message } };
  return respond(body, STATUS_BY_CODE[error.code], headers, method);
}
