/**
 * msw handlers for both Spotify hosts, answering from the same in-memory fake
 * that the e2e HTTP fake uses (test-support/fake-spotify/). Tests pick a
 * scenario with `useFakeSpotify({ scenario })` and read `fake.requests` to
 * assert on traffic.
 */
import { http } from 'msw';
import { DEFAULT_ACCOUNTS_URL, DEFAULT_API_URL } from '../../src/lib/spotify/config';
import { createFakeSpotify, type FakeSpotify, type FakeSpotifyOptions } from '../../test-support/fake-spotify/fake-spotify';

export const TEST_CREDENTIALS = {
  SPOTIFY_CLIENT_ID: 'test-client-id',
  SPOTIFY_CLIENT_SECRET: 'test-client-secret-value',
  SPOTIFY_REFRESH_TOKEN: 'test-refresh-token-value',
} as const;

/** A fixed clock: 2026-11-23 12:00 UTC. */
export const TEST_NOW = new Date('2026-11-23T12:00:00.000Z');

let current: FakeSpotify = createFakeSpotify();

/** Replaces the fake behind the handlers; defaults check the test credentials. */
export function useFakeSpotify(options: FakeSpotifyOptions = {}): FakeSpotify {
  current = createFakeSpotify({
    now: () => TEST_NOW,
    clientId: TEST_CREDENTIALS.SPOTIFY_CLIENT_ID,
    clientSecret: TEST_CREDENTIALS.SPOTIFY_CLIENT_SECRET,
    refreshToken: TEST_CREDENTIALS.SPOTIFY_REFRESH_TOKEN,
    ...options,
  });
  return current;
}

export const spotifyHandlers = [
  http.all(`${DEFAULT_ACCOUNTS_URL}/*`, ({ request }) => current.handle(request)),
  http.all(`${DEFAULT_API_URL}/*`, ({ request }) => current.handle(request)),
];
