import { fail, ok, type Result } from './errors';
import { createFakeSpotify } from './fake/fake-spotify';
import { getListening } from './listening';
import type { ListeningQuery } from './query';
import type { Listening } from './types';

/**
 * Built-in demo data for a machine with no credentials: the real pipeline
 * (token exchange, reads, normalization) run against the in-memory fake.
 */
export async function getDemoListening(query: ListeningQuery, now: () => Date = () => new Date()): Promise<Result<Listening>> {
  const fake = createFakeSpotify({ scenario: 'playing', now, playlistStartMs: 0 });
  const result = await getListening({
    fetch: fake.fetch,
    query,
    now,
    config: {
      clientId: 'demo',
      clientSecret: 'demo',
      refreshToken: 'demo',
      accountsUrl: 'https://accounts.spotify.invalid',
      apiUrl: 'https://api.spotify.invalid',
      refreshTokenIssuedAt: null,
    },
  });
  return result.ok ? ok({ ...result.value, demo: true }) : fail(result.error);
}

export const DEMO_NOTICE =
  'Spotify is not connected, so the widget shows built-in demo data. Run `npm run authorize` to connect your account.';
