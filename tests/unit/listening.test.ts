/**
 * getListening: the core's orchestration, against the msw-backed fake.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_ACCOUNTS_URL, DEFAULT_API_URL, getListening, type SpotifyConfig } from '../../src/lib/spotify';
import { PLAYLIST } from '../../src/lib/spotify/fixtures';
import { TEST_CREDENTIALS, TEST_NOW, useFakeSpotify } from '../mocks/spotify';

const config: SpotifyConfig = {
  clientId: TEST_CREDENTIALS.SPOTIFY_CLIENT_ID,
  clientSecret: TEST_CREDENTIALS.SPOTIFY_CLIENT_SECRET,
  refreshToken: TEST_CREDENTIALS.SPOTIFY_REFRESH_TOKEN,
  accountsUrl: DEFAULT_ACCOUNTS_URL,
  apiUrl: DEFAULT_API_URL,
  refreshTokenIssuedAt: null,
};

const run = (overrides: Partial<Parameters<typeof getListening>[0]> = {}) =>
  getListening({ fetch, config, query: { range: 'short_term', limit: 5 }, now: () => TEST_NOW, ...overrides });

describe('getListening', () => {
  it('returns the playing track and top artists after one token exchange', async () => {
    const fake = useFakeSpotify({ scenario: 'playing' });
    const result = await run();
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.nowPlaying).toMatchObject({ isPlaying: true, source: 'current', title: PLAYLIST[0]!.name });
    expect(result.value.topArtists).toHaveLength(5);
    expect(fake.requests.filter((r) => r.url.pathname === '/api/token')).toHaveLength(1);
  });
});
