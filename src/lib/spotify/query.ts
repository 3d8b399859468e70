import { SpotifyError, fail, ok, type Result } from './types';
import { TIME_RANGES, type TimeRange } from './types';

export interface ListeningQuery {
  range: TimeRange;
  limit: number;
}

export const DEFAULT_QUERY: ListeningQuery = { range: 'short_term', limit: 5 };

/** 1–50 in plain digits, no sign, no leading zero. */
const LIMIT_PATTERN = /^(?:[1-9]|[1-4]\d|50)$/;

/**
 * Validates the query string of `GET /api/spotify` (`url.search`, as sent).
 * Anything unexpected is a `bad_request`, so a typo never silently falls back
 * to a default. Every valid name and value is plain ASCII, so an escape
 * (`%35` for 5) or a `+` means the value was not written plainly.
 */
export function parseListeningQuery(search: string): Result<ListeningQuery> {
  if (/[%+]/.test(search)) return bad('Write range and limit plainly: the query must not contain escapes (%) or +.');
  // URLSearchParams drops empty pairs silently; the contract calls them empty parameters.
  if (search.replace(/^\?/, '').split('&').some((pair) => pair === '') && search.length > 1) {
    return bad('The query has an empty pair (a stray &). Write it as range=…&limit=… with nothing else.');
  }
  const params = new URLSearchParams(search);
  const seen = new Map<string, string>();
  for (const [name, value] of params) {
    if (name !== 'range' && name !== 'limit') {
      return bad(`Unknown query parameter "${name}". Allowed: range, limit.`);
    }
    if (seen.has(name)) return bad(`The query parameter "${name}" is repeated. Give it once.`);
    if (value === '') return bad(`The query parameter "${name}" is empty.`);
    seen.set(name, value);
  }

  const range = seen.get('range') ?? DEFAULT_QUERY.range;
  if (!(TIME_RANGES as readonly string[]).includes(range)) {
    return bad(`range must be one of ${TIME_RANGES.join(', ')}.`);
  }
  const limit = seen.get('limit');
  if (limit !== undefined && !LIMIT_PATTERN.test(limit)) {
    return bad('limit must be a whole number from 1 to 50, written in plain digits.');
  }
  return ok({ range: range as TimeRange, limit: limit === undefined ? DEFAULT_QUERY.limit : Number(limit) });
}

const bad = (message: string) => fail<ListeningQuery>(new SpotifyError('bad_request', message));

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
