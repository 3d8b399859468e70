/**
 * The six-month refresh-token lifetime: days left, the warning threshold, and
 * the service's warning (once per instance, never with a secret in it).
 */
import { describe, expect, it } from 'vitest';
import type { Logger } from '../../src/lib/spotify/listening';
import { EXPIRY_WARNING_DAYS, REFRESH_TOKEN_LIFETIME_DAYS } from '../../src/lib/spotify/limits';
import { exchangeRefreshToken } from '../../src/lib/spotify/spotify-api';
import { expiryWarning, refreshTokenExpiry } from '../../src/lib/spotify/rotation';
import { DEFAULT_QUERY } from '../../src/lib/spotify/query';
import { loadListening } from '../../src/server/listening-service';
import { memoryStores, testEnv } from '../helpers/service';
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

describe('expiryWarning', () => {
  it('says how many days are left and the command that renews the token', () => {
    const warning = expiryWarning(refreshTokenExpiry(issuedDaysAgo(REFRESH_TOKEN_LIFETIME_DAYS - 5), TEST_NOW));
    expect(warning).toContain('expires in 5 days');
    expect(warning).toContain('npm run authorize -- --netlify && npm run deploy');
  });

  it('says nothing while enough time is left', () => {
    expect(expiryWarning(refreshTokenExpiry(issuedDaysAgo(10), TEST_NOW))).toBeNull();
  });
});

describe('loadListening expiry warning', () => {
  const run = async (issuedAt: Date, log: Logger) => {
    const env = testEnv({ SPOTIFY_REFRESH_TOKEN_ISSUED_AT: issuedAt.toISOString() });
    return loadListening(DEFAULT_QUERY, { env, tokenStore: memoryStores().tokenStore, log, now: () => TEST_NOW });
  };

  it('warns once per instance when fewer than 14 days remain, and still answers', async () => {
    useFakeSpotify();
    const lines: string[] = [];
    const log = { warn: (line: string) => lines.push(line) };
    const issuedAt = new Date(issuedDaysAgo(REFRESH_TOKEN_LIFETIME_DAYS - 9).getTime() + 1234);
    expect((await run(issuedAt, log)).ok).toBe(true);
    expect((await run(issuedAt, log)).ok).toBe(true);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('expires in 9 days');
    for (const secret of Object.values(TEST_CREDENTIALS)) expect(lines[0]).not.toContain(secret);
  });

  it('does not warn while the token has more than 14 days left', async () => {
    useFakeSpotify();
    const lines: string[] = [];
    expect((await run(issuedDaysAgo(30), { warn: (line) => lines.push(line) })).ok).toBe(true);
    expect(lines).toEqual([]);
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
