import { SpotifyError, fail, ok, type Result } from './types';
import { TIME_RANGES, type TimeRange } from './types';

export interface ListeningQuery {
  range: TimeRange;
  limit: number;
}

export const DEFAULT_QUERY: ListeningQuery = { range: 'short_term', limit: 5 };

/** 1–50 in plain digits, no sign, no leading zero. */
const LIMIT_PATTERN = /^(?:[1-9]|[1-4]\d|50)$/;
const PAIR_PATTERN = /^(range|limit)=(.*)$/;
const QUERY_RULE = `Use range=${TIME_RANGES.join('|')} and limit=1…50, each at most once, written plainly.`;

/**
 * Validates the query string of `GET /api/spotify` (`url.search`, as sent).
 * Anything unexpected is a `bad_request`, so a typo never silently falls back
 * to a default. Every valid name and value is plain ASCII, so an escape
 * (`%35` for 5), a `+` or an empty pair (a stray `&`) means the query was
 * not written plainly.
 */
export function parseListeningQuery(search: string): Result<ListeningQuery> {
  const given: Partial<Record<string, string | number>> = {};
  for (const pair of search ? search.slice(1).split('&') : []) {
    const [, name = '', value = ''] = PAIR_PATTERN.exec(pair) ?? [];
    const valid = name === 'range' ? (TIME_RANGES as readonly string[]).includes(value) : LIMIT_PATTERN.test(value);
    if (!name || name in given || !valid) return fail(new SpotifyError('bad_request', `Bad query part "${pair.slice(0, 40)}". ${QUERY_RULE}`));
    given[name] = name === 'range' ? value : Number(value);
  }
  return ok({ ...DEFAULT_QUERY, ...given } as ListeningQuery);
}

/** The owner's top-artists settings (src/site.config.ts) as an API query; a count out of range is clamped to 1–50. */
export function queryOf(site: { topArtistsRange: TimeRange; topArtistsCount: number }): ListeningQuery {
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
