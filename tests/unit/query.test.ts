/**
 * The page's side of the query: the owner's settings as a query, and the
 * island's API URL for it.
 */
import { describe, expect, it } from 'vitest';
import { apiUrl, queryOf } from '../../src/lib/spotify/query';

describe('apiUrl', () => {
  it('passes only the parameters that differ from the defaults', () => {
    expect(apiUrl({ range: 'short_term', limit: 5 })).toBe('/api/spotify');
    expect(apiUrl({ range: 'long_term', limit: 5 })).toBe('/api/spotify?range=long_term');
    expect(apiUrl({ range: 'medium_term', limit: 12 })).toBe('/api/spotify?range=medium_term&limit=12');
  });
});

describe('queryOf', () => {
  it('clamps an out-of-range top-artists count into 1–50', () => {
    expect(queryOf({ topArtistsRange: 'short_term', topArtistsCount: 0 }).limit).toBe(1);
    expect(queryOf({ topArtistsRange: 'short_term', topArtistsCount: 80 }).limit).toBe(50);
    expect(queryOf({ topArtistsRange: 'long_term', topArtistsCount: 7.4 })).toEqual({ range: 'long_term', limit: 7 });
  });
});
