/**
 * Refresh-token rotation in the listening service (stateless mode, so every
 * call exchanges): the rotated token is persisted before the reads and used
 * by later calls; a token the owner puts fresh in the environment wins over
 * an older persisted one; a failing write is retried, never
 * dropped; `reauthorization_required` only once the newest stored token and
 * the environment token are both refused.
 */
import { describe, expect, it, vi } from 'vitest';
import { tokenFingerprint, type PersistedRefreshToken } from '../../src/lib/spotify/rotation';
import type { Logger } from '../../src/lib/spotify/listening';
import { DEFAULT_QUERY } from '../../src/lib/spotify/query';
import { loadListening } from '../../src/server/listening-service';
import { createTokenStore, type RefreshTokenStore } from '../../src/server/store';
import { createMemoryBlobs } from '../../test-support/memory-blobs';
import { testEnv } from '../helpers/service';
import { TEST_CREDENTIALS, TEST_NOW, useFakeSpotify } from '../mocks/spotify';

const ENV_TOKEN = TEST_CREDENTIALS.SPOTIFY_REFRESH_TOKEN;
const logger = (): Logger & { lines: string[]; errors: string[] } => {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, warn: (message) => lines.push(message), error: (message) => errors.push(message) };
};
const tokenRequests = (fake: ReturnType<typeof useFakeSpotify>) =>
  fake.requests.filter((request) => request.url.pathname === '/api/token').map((request) => new URLSearchParams(request.body).get('refresh_token'));

function tokenStore(initial?: PersistedRefreshToken) {
  const blobs = createMemoryBlobs();
  if (initial) blobs.entries.set('refresh-token', initial);
  const store = createTokenStore(blobs);
  return { blobs, store, stored: () => blobs.entries.get('refresh-token') as PersistedRefreshToken | undefined };
}

describe('loadListening with a rotating refresh token', () => {
  it('persists the rotated token and uses it on the next call, when Spotify rejects the old one', async () => {
    const fake = useFakeSpotify({ scenario: 'rotation' });
    const { store, stored } = tokenStore();
    const log = logger();
    const call = () => loadListening(DEFAULT_QUERY, { env: testEnv(), tokenStore: store, log, now: () => TEST_NOW });

    expect((await call()).ok).toBe(true);
    expect(stored()?.refreshToken, 'the store holds the token Spotify now accepts').toBe(fake.acceptedRefreshToken);
    expect(stored()?.descendsFrom).toBe(await tokenFingerprint(ENV_TOKEN));
    expect((await call()).ok, 'the second call succeeds although the env token is now refused').toBe(true);
    expect(tokenRequests(fake)).toEqual([ENV_TOKEN, `${ENV_TOKEN}~r1`]);
    expect(stored()?.refreshToken).toBe(`${ENV_TOKEN}~r2`);
    expect([...log.lines, ...log.errors]).toEqual([]);
  });

  it('saves the rotated token before reading anything, so a failed read cannot lose it', async () => {
    const fake = useFakeSpotify({ scenario: 'rotation' });
    const { store, stored } = tokenStore();
    const order: string[] = [];
    const watching: RefreshTokenStore = {
      read: () => store.read(),
      write: async (record) => {
        order.push(`write ${record.refreshToken}`);
        return store.write(record);
      },
    };
    const fetch: typeof globalThis.fetch = async (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      if (url.pathname.startsWith('/v1/')) order.push('read');
      return globalThis.fetch(input, init);
    };
    await loadListening(DEFAULT_QUERY, { env: testEnv(), tokenStore: watching, fetch, log: logger() });
    expect(order[0]).toBe(`write ${ENV_TOKEN}~r1`);
    expect(stored()?.refreshToken).toBe(fake.acceptedRefreshToken);
  });

  it('prefers a token the owner set fresh in the environment over one persisted from an older env token', async () => {
    const fake = useFakeSpotify({ scenario: 'rotation', refreshToken: 'fresh-env-token' });
    const { store, stored } = tokenStore({
      refreshToken: 'old-env-token~r7',
      descendsFrom: await tokenFingerprint('old-env-token'),
      rotatedAt: '2026-05-01T00:00:00.000Z',
    });
    const result = await loadListening(DEFAULT_QUERY, { env: testEnv({ SPOTIFY_REFRESH_TOKEN: 'fresh-env-token' }), tokenStore: store, log: logger() });
    expect(result.ok).toBe(true);
    expect(tokenRequests(fake)[0]).toBe('fresh-env-token');
    expect(stored()).toMatchObject({ refreshToken: 'fresh-env-token~r1', descendsFrom: await tokenFingerprint('fresh-env-token') });
  });

  it('retries with the store’s newer token when another instance rotated the persisted one meanwhile', async () => {
    const fake = useFakeSpotify({ scenario: 'rotation' });
    const { store, stored } = tokenStore();
    const call = (tokenStore: RefreshTokenStore) => loadListening(DEFAULT_QUERY, { env: testEnv(), tokenStore, log: logger() });
    expect((await call(store)).ok).toBe(true);
    const seenByThisInstance = await store.read();
    expect((await call(store)).ok, 'another instance rotates r1 to r2').toBe(true);
    const racing: RefreshTokenStore = {
      read: vi.fn().mockResolvedValueOnce(seenByThisInstance).mockImplementation(() => store.read()),
      write: (record) => store.write(record),
    };

    expect((await call(racing)).ok).toBe(true);
    expect(tokenRequests(fake).slice(2)).toEqual([`${ENV_TOKEN}~r1`, `${ENV_TOKEN}~r2`]);
    expect(stored()?.refreshToken).toBe(fake.acceptedRefreshToken);
  });

  it('falls back to the environment token when the stored one is refused, before asking to re-authorize', async () => {
    const fake = useFakeSpotify();
    const { store } = tokenStore({ refreshToken: 'revoked~r4', descendsFrom: await tokenFingerprint(ENV_TOKEN), rotatedAt: '' });
    const result = await loadListening(DEFAULT_QUERY, { env: testEnv(), tokenStore: store, log: logger() });
    expect(result.ok, 'the environment token still works').toBe(true);
    expect(tokenRequests(fake)).toEqual(['revoked~r4', ENV_TOKEN]);
  });

  it('answers reauthorization_required only when the stored and the environment token are both refused', async () => {
    const fake = useFakeSpotify({ scenario: 'revoked' });
    const { store } = tokenStore({ refreshToken: 'stored~r4', descendsFrom: await tokenFingerprint(ENV_TOKEN), rotatedAt: '' });
    const result = await loadListening(DEFAULT_QUERY, { env: testEnv(), tokenStore: store, log: logger() });
    expect(result.ok || result.error.code).toBe('reauthorization_required');
    expect(tokenRequests(fake)).toEqual(['stored~r4', ENV_TOKEN]);
  });
});

describe('loadListening when saving a rotated token goes wrong', () => {
  it('logs each failed write as an error, without the token, and retries it', async () => {
    const fake = useFakeSpotify({ scenario: 'rotation' });
    const { blobs, store, stored } = tokenStore();
    const log = logger();
    let failures = 1;
    const flaky: RefreshTokenStore = {
      read: () => store.read(),
      write: async (record) => {
        if (failures-- > 0) throw new Error('BlobsInternalError: 500');
        return store.write(record);
      },
    };
    expect((await loadListening(DEFAULT_QUERY, { env: testEnv(), tokenStore: flaky, log })).ok).toBe(true);
    expect(log.errors).toHaveLength(1);
    expect(log.errors[0]).toMatch(/Saving the rotated refresh token failed \(attempt 1 of 3\)/);
    expect(log.errors[0]).not.toContain(fake.acceptedRefreshToken!);
    expect(stored()?.refreshToken, 'the retry saved it').toBe(fake.acceptedRefreshToken);
    expect(blobs.counts.writes).toBe(1);
  });

  it('still answers when the store keeps failing, and says so loudly without the token', async () => {
    const fake = useFakeSpotify({ scenario: 'rotation' });
    const { blobs, store } = tokenStore();
    blobs.failing = true;
    const log = logger();
    expect((await loadListening(DEFAULT_QUERY, { env: testEnv(), tokenStore: store, log })).ok).toBe(true);
    expect(log.errors.at(-1)).toMatch(/saving the new one failed.*Renew at \/connect/);
    for (const line of [...log.lines, ...log.errors]) expect(line).not.toContain(fake.acceptedRefreshToken!);
  });

  it('still answers when Blobs never answers', async () => {
    useFakeSpotify();
    const hung = createTokenStore({ getWithMetadata: () => new Promise(() => {}), setJSON: () => new Promise(() => {}), delete: async () => {} });
    const result = await loadListening(DEFAULT_QUERY, { env: testEnv(), tokenStore: hung, log: logger() });
    expect(result.ok).toBe(true);
  });
});

describe('loadListening when the stored token cannot be read', () => {
  it('does not ask the owner to re-authorize on the strength of a refused environment token', async () => {
    useFakeSpotify({ refreshToken: 'stored-token-the-env-no-longer-matches' });
    const { blobs, store } = tokenStore();
    blobs.failing = true;
    const result = await loadListening(DEFAULT_QUERY, { env: testEnv(), tokenStore: store, log: logger() });
    expect(result.ok || result.error.code).toBe('upstream_timeout');
  });
});

describe('loadListening while another instance is saving a rotated token', () => {
  // How long that second look waits (locally only) is the store's: tests/server/store.test.ts.
  it('looks at the store once more before calling the refused token dead', async () => {
    const fake = useFakeSpotify({ refreshToken: 'successor-token' });
    const { store } = tokenStore();
    const successor = { refreshToken: 'successor-token', descendsFrom: await tokenFingerprint(ENV_TOKEN), rotatedAt: '' };
    const saving: RefreshTokenStore = {
      read: async (options) => (options?.afterRefusal ? successor : store.read()),
      write: (record) => store.write(record),
    };
    const result = await loadListening(DEFAULT_QUERY, { env: testEnv(), tokenStore: saving, log: logger() });
    expect(result.ok, 'answered with the successor').toBe(true);
    expect(tokenRequests(fake)).toEqual([ENV_TOKEN, 'successor-token']);
  });
});
