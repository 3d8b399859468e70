/**
 * The six-month refresh-token lifetime (days left and the warning threshold
 * that /connect and the doctor show), and the message of a refused token.
 */
import { describe, expect, it } from 'vitest';
import { EXPIRY_WARNING_DAYS, REFRESH_TOKEN_LIFETIME_DAYS } from '../../src/lib/spotify/limits';
import { exchangeRefreshToken } from '../../src/lib/spotify/spotify-api';
import { refreshTokenExpiry } from '../../src/lib/spotify/rotation';
import { TEST_CREDENTIALS, TEST_NOW, useFakeSpotify } from '../mocks/spotify';

const DAY = 24 * 60 * 60 * 1000;
const issuedDaysAgo = (days: number) => new Date(TEST_NOW.getTime() - days * DAY);

describe('refreshTokenExpiry', () => {
  it('counts whole days left from the issue time over a six-month lifetime', () => {
    expect(refreshTokenExpiry(TEST_NOW, TEST_NOW).daysLeft).toBe(REFRESH_TOKEN_LIFETIME_DAYS);
    expect(refreshTokenExpiry(issuedDaysAgo(100), TEST_NOW)).toMatchObject({ daysLeft: REFRESH_TOKEN_LIFETIME_DAYS - 100, status: 'ok' });
  });

  it(`is expiring under ${EXPIRY_WARNING_DAYS} days left, and not at exactly ${EXPIRY_WARNING_DAYS}`, () => {
    expect(refreshTokenExpiry(issuedDaysAgo(REFRESH_TOKEN_LIFETIME_DAYS - EXPIRY_WARNING_DAYS), TEST_NOW).status).toBe('ok');
    expect(refreshTokenExpiry(issuedDaysAgo(REFRESH_TOKEN_LIFETIME_DAYS - EXPIRY_WARNING_DAYS + 1), TEST_NOW).status).toBe('expiring');
  });

  it('is expired once the lifetime has passed', () => {
    expect(refreshTokenExpiry(issuedDaysAgo(REFRESH_TOKEN_LIFETIME_DAYS), TEST_NOW).status).toBe('expired');
    expect(refreshTokenExpiry(issuedDaysAgo(REFRESH_TOKEN_LIFETIME_DAYS + 3), TEST_NOW).daysLeft).toBe(-3);
  });
});

describe('the reauthorization_required message', () => {
  it('names the authorize command with the flag that also updates the Netlify site', async () => {
    useFakeSpotify({ scenario: 'revoked' });
    const result = await exchangeRefreshToken(
      {
        fetch: globalThis.fetch,
        accountsUrl: 'https://accounts.spotify.com',
        clientId: TEST_CREDENTIALS.SPOTIFY_CLIENT_ID,
        clientSecret: TEST_CREDENTIALS.SPOTIFY_CLIENT_SECRET,
        timeoutMs: 1000,
      },
      TEST_CREDENTIALS.SPOTIFY_REFRESH_TOKEN,
    );
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('reauthorization_required');
      expect(result.error.message).toContain('`npm run authorize -- --netlify`');
    }
  });
});
