/**
 * Refresh-token rotation in the listening service: the rotated token is
 * persisted and used by later calls (also after a restart), a token the owner
 * puts fresh in the environment wins over an older persisted one, and a
 * failing store never breaks a call that could otherwise succeed.
 */
import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_QUERY, tokenFingerprint, type Logger, type PersistedRefreshToken } from '../../src/lib/spotify';
import { loadListening } from '../../src/server/listening-service';
import { createMemoryTokenStore, type RefreshTokenStore } from '../../src/server/token-store';
import { TEST_CREDENTIALS, TEST_NOW, useFakeSpotify } from '../mocks/spotify';

const env = (extra: Record<string, string> = {}) => {
  const values: Record<string, string> = { ...TEST_CREDENTIALS, ...extra };
  return (name: string) => values[name];
};
const silent = (): Logger & { lines: string[] } => {
  const lines: string[] = [];
  return { lines, warn: (message) => lines.push(message) };
};
const tokenRequests = (fake: ReturnType<typeof useFakeSpotify>) =>
  fake.requests.filter((request) => request.url.pathname === '/api/token').map((request) => new URLSearchParams(request.body));

describe('loadListening with a rotating refresh token', () => {
  it('persists the rotated token and uses it on the next call, when Spotify rejects the old one', async () => {
    const fake = useFakeSpotify({ scenario: 'rotation' });
    const store = createMemoryTokenStore();
    const log = silent();

    const first = await loadListening(DEFAULT_QUERY, { env: env(), store, log, now: () => TEST_NOW });
    expect(first.ok).toBe(true);
    expect(store.record?.refreshToken, 'the store holds the token Spotify now accepts').toBe(fake.acceptedRefreshToken);
    expect(store.record?.descendsFrom).toBe(await tokenFingerprint(TEST_CREDENTIALS.SPOTIFY_REFRESH_TOKEN));

    const second = await loadListening(DEFAULT_QUERY, { env: env(), store, log, now: () => TEST_NOW });
    expect(second.ok, 'the second call succeeds although the env token is now refused').toBe(true);
    const [firstExchange, secondExchange] = tokenRequests(fake);
    expect(firstExchange?.get('refresh_token')).toBe(TEST_CREDENTIALS.SPOTIFY_REFRESH_TOKEN);
    expect(secondExchange?.get('refresh_token')).toBe(`${TEST_CREDENTIALS.SPOTIFY_REFRESH_TOKEN}~r1`);
    expect(store.record?.refreshToken).toBe(`${TEST_CREDENTIALS.SPOTIFY_REFRESH_TOKEN}~r2`);
    expect(log.lines).toEqual([]);
  });

  it('fails with reauthorization_required without a store, proving the store is what keeps rotation working', async () => {
    useFakeSpotify({ scenario: 'rotation' });
    const options = { env: env(), store: null, log: silent() };
    expect((await loadListening(DEFAULT_QUERY, options)).ok).toBe(true);
    const second = await loadListening(DEFAULT_QUERY, options);
    expect(second.ok || second.error.code).toBe('reauthorization_required');
  });

  it('prefers a token the owner set fresh in the environment over one persisted from an older env token', async () => {
    const fake = useFakeSpotify({ scenario: 'rotation', refreshToken: 'fresh-env-token' });
    const stale: PersistedRefreshToken = {
      refreshToken: 'old-env-token~r7',
      descendsFrom: await tokenFingerprint('old-env-token'),
      rotatedAt: '2026-05-01T00:00:00.000Z',
    };
    const store = createMemoryTokenStore(stale);

    const result = await loadListening(DEFAULT_QUERY, {
      env: env({ SPOTIFY_REFRESH_TOKEN: 'fresh-env-token' }),
      store,
      log: silent(),
    });
    expect(result.ok).toBe(true);
    expect(tokenRequests(fake)[0]?.get('refresh_token')).toBe('fresh-env-token');
    expect(store.record).toMatchObject({
      refreshToken: 'fresh-env-token~r1',
      descendsFrom: await tokenFingerprint('fresh-env-token'),
    });
  });

  it('retries once with the store’s newer token when another instance rotated the persisted one meanwhile', async () => {
    const fake = useFakeSpotify({ scenario: 'rotation' });
    const fingerprint = await tokenFingerprint(TEST_CREDENTIALS.SPOTIFY_REFRESH_TOKEN);
    const store = createMemoryTokenStore();
    expect((await loadListening(DEFAULT_QUERY, { env: env(), store, log: silent() })).ok).toBe(true);
    const seenByThisInstance = store.record!;
    // Another instance rotates r1 -> r2 and saves it after this instance read r1.
    expect((await loadListening(DEFAULT_QUERY, { env: env(), store, log: silent() })).ok).toBe(true);
    const racing: RefreshTokenStore = {
      read: vi.fn()
        .mockResolvedValueOnce({ record: seenByThisInstance, version: { exists: true, etag: '"old"' } })
        .mockImplementation(() => store.read()),
      write: (record, version) => store.write(record, version),
    };

    const result = await loadListening(DEFAULT_QUERY, { env: env(), store: racing, log: silent() });
    expect(result.ok).toBe(true);
    expect(seenByThisInstance.descendsFrom).toBe(fingerprint);
    expect(fake.acceptedRefreshToken).toBe(`${TEST_CREDENTIALS.SPOTIFY_REFRESH_TOKEN}~r3`);
    expect(store.record?.refreshToken).toBe(fake.acceptedRefreshToken);
  });

  it('does not overwrite a record another writer saved since it was read (compare-and-swap)', async () => {
    useFakeSpotify({ scenario: 'rotation' });
    const store = createMemoryTokenStore();
    const theirs: PersistedRefreshToken = {
      refreshToken: 'written-by-another-instance',
      descendsFrom: await tokenFingerprint('some-other-env-token'),
      rotatedAt: TEST_NOW.toISOString(),
    };
    const racing: RefreshTokenStore = {
      read: async () => {
        const seen = await store.read();
        await store.write(theirs, seen.version);
        return seen;
      },
      write: (record, version) => store.write(record, version),
    };
    const result = await loadListening(DEFAULT_QUERY, { env: env(), store: racing, log: silent() });
    expect(result.ok).toBe(true);
    expect(store.record).toEqual(theirs);
    expect(store.writes).toBe(1);
  });
});

describe('loadListening when the token store fails', () => {
  const failing = (part: 'read' | 'write' | 'both'): RefreshTokenStore => ({
    read: async () => {
      if (part === 'write') return { record: null, version: { exists: false } };
      throw new Error('MissingBlobsEnvironmentError: blobs unavailable');
    },
    write: async () => {
      throw new Error('BlobsInternalError: 500');
    },
  });

  it('still answers from the environment token when reading the store throws', async () => {
    useFakeSpotify();
    const log = silent();
    const result = await loadListening(DEFAULT_QUERY, { env: env(), store: failing('read'), log });
    expect(result.ok).toBe(true);
    expect(log.lines).toEqual([]);
  });

  it('still answers when saving a rotated token throws, and says so without the token', async () => {
    const fake = useFakeSpotify({ scenario: 'rotation' });
    const log = silent();
    const result = await loadListening(DEFAULT_QUERY, { env: env(), store: failing('both'), log });
    expect(result.ok).toBe(true);
    expect(log.lines).toHaveLength(1);
    expect(log.lines[0]).toMatch(/saving the new one failed/);
    expect(log.lines[0]).not.toContain(fake.acceptedRefreshToken!);
    expect(log.lines[0]).not.toContain(TEST_CREDENTIALS.SPOTIFY_REFRESH_TOKEN);
  });

  it('still answers when the store never answers', async () => {
    useFakeSpotify();
    const hung: RefreshTokenStore = { read: () => new Promise(() => {}), write: () => new Promise(() => {}) };
    const result = await loadListening(DEFAULT_QUERY, { env: env(), store: hung, log: silent() });
    expect(result.ok).toBe(true);
  });

  it('still answers with the default Netlify Blobs store outside a Netlify context', async () => {
    useFakeSpotify({ scenario: 'rotation' });
    vi.stubEnv('NETLIFY_BLOBS_CONTEXT', '');
    const log = silent();
    const result = await loadListening(DEFAULT_QUERY, { env: env(), log });
    expect(result.ok).toBe(true);
    expect(log.lines.join('\n')).toMatch(/MissingBlobsEnvironmentError|saving the new one failed/);
  });
});
