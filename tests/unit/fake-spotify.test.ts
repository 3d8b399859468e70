/**
 * The fake Spotify's scenarios that other suites rely on for an exact answer
 * (the e2e tests compare status, body and headers with what Spotify sends).
 */
import { describe, expect, it } from 'vitest';
import { createFakeSpotify } from '../../test-support/fake-spotify/fake-spotify';
import { FAKE_QUOTA_RETRY_AFTER_S } from '../../test-support/fake-spotify/scenarios';

const API = 'https://api.spotify.invalid';
const ACCOUNTS = 'https://accounts.spotify.invalid';

describe('createFakeSpotify, quota scenario', () => {
  it('still issues tokens, then answers every Web API read 429 QUOTA_EXCEEDED with a Retry-After of hours', async () => {
    const fake = createFakeSpotify({ scenario: 'quota' });
    const grant = await fake.fetch(`${ACCOUNTS}/api/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'any' }),
    });
    expect(grant.status, 'the token endpoint keeps working').toBe(200);
    const { access_token: token } = (await grant.json()) as { access_token: string };

    for (const path of ['/v1/me/player/currently-playing', '/v1/me/player/recently-played?limit=1', '/v1/me/top/artists?limit=5']) {
      const response = await fake.fetch(`${API}${path}`, { headers: { Authorization: `Bearer ${token}` } });
      expect(response.status, path).toBe(429);
      expect(response.headers.get('retry-after'), path).toBe(String(FAKE_QUOTA_RETRY_AFTER_S));
      expect(await response.json(), path).toEqual({ error: { status: 429, message: 'Too many requests', reason: 'QUOTA_EXCEEDED' } });
    }
    expect(FAKE_QUOTA_RETRY_AFTER_S, 'the Retry-After Spotify sent in a real quota block').toBe(48_925);
  });
});
