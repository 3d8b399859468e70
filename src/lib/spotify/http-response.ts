import { API_VARY, dataCacheHeaders, errorCacheHeaders } from './cache-headers';
import type { SpotifyError } from './errors';
import type { ErrorBody, ErrorCode, Listening } from './types';

const STATUS_BY_CODE: Record<ErrorCode, number> = {
  bad_request: 400,
  method_not_allowed: 405,
  not_configured: 503,
  reauthorization_required: 503,
  scope_missing: 503,
  rate_limited: 503,
  upstream_error: 502,
  upstream_timeout: 504,
};

const ALLOWED_METHODS = 'GET, HEAD';

const API_HEADERS = {
  'Content-Type': 'application/json; charset=utf-8',
  'X-Content-Type-Options': 'nosniff',
  'Netlify-Vary': API_VARY,
};

/**
 * Any page may read the API: the data is public and no credentials or cookies
 * are involved (the `<listening-widget>` element on other sites, docs/embed.md).
 * A GET needs no preflight, so OPTIONS stays a 405 like every other method;
 * Retry-After is exposed so a widget on another origin can honour it.
 */
const CORS_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': 'Retry-After',
};

/** HEAD gets the same status and headers as GET, without a body. */
function respond(body: unknown, status: number, headers: Record<string, string>, method: string): Response {
  const text = JSON.stringify(body);
  const cors = method === 'GET' || method === 'HEAD' ? CORS_HEADERS : {};
  return new Response(method === 'HEAD' ? null : text, { status, headers: { ...API_HEADERS, ...cors, ...headers } });
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
