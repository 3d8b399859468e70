import { vi } from 'vitest';
import spotify from '../../netlify/functions/spotify.mts';
import { TEST_CREDENTIALS } from '../mocks/spotify';

/** Calls the function's default export the way Netlify does: with a Request. */
export function callFunction(query = '', init: RequestInit = {}, context?: Parameters<typeof spotify>[1]): Promise<Response> {
  return spotify(new Request(`https://example.netlify.app/api/spotify${query}`, init), context);
}

/** Sets the run-time environment the function reads (undone after each test by unstubEnvs). */
export function stubEnv(values: Record<string, string | undefined>): void {
  for (const [name, value] of Object.entries(values)) vi.stubEnv(name, value);
}

export function configureCredentials(extra: Record<string, string | undefined> = {}): void {
  // Interval 0: the per-call contract, each call reading Spotify, as these tests assert on its traffic.
  stubEnv({ ...TEST_CREDENTIALS, SPOTIFY_ACCOUNTS_URL: undefined, SPOTIFY_API_URL: undefined, CONTEXT: undefined, SPOTIFY_REFRESH_INTERVAL_S: '0', ...extra });
}

export const SECRET_VALUES = [TEST_CREDENTIALS.SPOTIFY_CLIENT_SECRET, TEST_CREDENTIALS.SPOTIFY_REFRESH_TOKEN];
