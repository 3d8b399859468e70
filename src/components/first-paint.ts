/**
 * Server-only: what the page's server render shows in the widget. Imported
 * by page frontmatter, never by the island.
 */
import { LATE_PAGE_CACHE_S, SSR_BUDGET_MS, within } from '../lib/spotify/limits';
import type { Result, SpotifyError } from '../lib/spotify/errors';
import { dataCacheHeaders, errorCacheHeaders } from '../lib/spotify/http-response';
import { DEFAULT_QUERY, type ListeningQuery } from '../lib/spotify/query';
import type { Listening } from '../lib/spotify/types';
import type { SiteConfig } from '../site.config';

export interface FirstPaint {
  /** Data to render now; null renders the skeleton (or the quiet error) and lets the island fetch. */
  data: Listening | null;
  /** Loading failed outright, as opposed to running out of time. */
  failed: boolean;
  /** Why it failed, when the core said; null when it rendered, ran out of time, or the loader threw. */
  error: SpotifyError | null;
}

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
 * The page's cache headers, by the same rules as the function's answers:
 * fresh data like a good answer, a failure like the error answer it would
 * have been (Spotify's faults briefly, a rate limit for its Retry-After,
 * setup faults not at all). A loader that threw is a bug, not Spotify's
 * state: like the function's unhandled 500, it is not cached.
 */
export function pageCacheHeaders(paint: FirstPaint): Record<string, string> {
  const policy = pageCachePolicy(paint);
  return policy['Netlify-CDN-Cache-Control'] ? { ...policy, 'Netlify-Vary': PAGE_VARY } : policy;
}

/**
 * The page reads no query parameter, so none may split its CDN cache (`/?x=1`
 * would otherwise be a page of its own). Netlify keys on the listed
 * parameters only; this name is one the page never uses, so every query
 * shares one entry.
 */
export const PAGE_VARY = 'query=none';

function pageCachePolicy(paint: FirstPaint): Record<string, string> {
  if (paint.data) return dataCacheHeaders(paint.data);
  if (paint.error) return errorCacheHeaders(paint.error);
  if (paint.failed) return { 'Cache-Control': 'no-store' };
  return {
    'Cache-Control': 'public, max-age=0, must-revalidate',
    'Netlify-CDN-Cache-Control': `public, durable, s-maxage=${LATE_PAGE_CACHE_S}`,
  };
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

/** The owner's top-artists settings as an API query; a count out of range is clamped to 1–50. */
export function queryOf(site: Pick<SiteConfig, 'topArtistsRange' | 'topArtistsCount'>): ListeningQuery {
  const count = Number.isFinite(site.topArtistsCount) ? Math.round(site.topArtistsCount) : DEFAULT_QUERY.limit;
  const limit = Math.min(50, Math.max(1, count));
  return { range: site.topArtistsRange, limit };
}

/** `/api/spotify`, with only the parameters that differ from the function's defaults. */
export function apiUrl(query: ListeningQuery): string {
  const params = new URLSearchParams();
  if (query.range !== DEFAULT_QUERY.range) params.set('range', query.range);
  if (query.limit !== DEFAULT_QUERY.limit) params.set('limit', String(query.limit));
  const search = params.toString();
  return search ? `/api/spotify?${search}` : '/api/spotify';
}
