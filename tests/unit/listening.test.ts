/**
 * readListeningAfresh: the core's orchestration against the msw-backed fake. Covers
 * the token request on the wire, the two-round-trip shape, the now-playing
 * fallback rules and partial failures; and the deadline loadListening puts
 * over the whole call.
 */
import { http, HttpResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import { readListeningAfresh } from '../../src/lib/spotify/listening';
import type { SpotifyConfig } from '../../src/lib/spotify/config';
import { DEFAULT_ACCOUNTS_URL, DEFAULT_API_URL } from '../../src/lib/spotify/config';
import type { ListeningOptions } from '../../src/lib/spotify/listening';
import { DEFAULT_QUERY } from '../../src/lib/spotify/query';
import { EPISODE, PLAYLIST } from '../../test-support/fixtures';
import { loadListening } from '../../src/server/listening-service';
import { memoryStores, testEnv } from '../helpers/service';
import { server } from '../setup/msw';
import { TEST_CREDENTIALS, TEST_NOW, useFakeSpotify } from '../mocks/spotify';

const config: SpotifyConfig = {
  clientId: TEST_CREDENTIALS.SPOTIFY_CLIENT_ID,
  clientSecret: TEST_CREDENTIALS.SPOTIFY_CLIENT_SECRET,
  refreshToken: TEST_CREDENTIALS.SPOTIFY_REFRESH_TOKEN,
  accountsUrl: DEFAULT_ACCOUNTS_URL,
  apiUrl: DEFAULT_API_URL,
  refreshTokenIssuedAt: null,
};

const run = (overrides: Partial<ListeningOptions> = {}) =>
  readListeningAfresh({ fetch, config, query: { range: 'short_term', limit: 5 }, now: () => TEST_NOW, ...overrides });

async function expectOk(overrides: Partial<ListeningOptions> = {}) {
  const result = await run(overrides);
  if (!result.ok) throw new Error(`expected success, got ${result.error.code}: ${result.error.message}`);
  return result.value;
}

describe('readListeningAfresh: the token request', () => {
  it('makes exactly one refresh-token exchange, with Basic auth and a form body', async () => {
    const fake = useFakeSpotify();
    await expectOk();
    const tokenRequests = fake.requests.filter((r) => r.url.pathname === '/api/token');
    expect(tokenRequests).toHaveLength(1);
    const [request] = tokenRequests;
    expect(request!.method).toBe('POST');
    expect(request!.url.origin).toBe(DEFAULT_ACCOUNTS_URL);
    expect(request!.headers.get('content-type')).toBe('application/x-www-form-urlencoded');
    const basic = Buffer.from(`${config.clientId}:${config.clientSecret}`).toString('base64');
    expect(request!.headers.get('authorization')).toBe(`Basic ${basic}`);
    expect(Object.fromEntries(new URLSearchParams(request!.body))).toEqual({
      grant_type: 'refresh_token',
      refresh_token: config.refreshToken,
    });
  });

  it('exchanges the token again on every call rather than keeping an access token', async () => {
    const fake = useFakeSpotify();
    await expectOk();
    await expectOk();
    expect(fake.requests.filter((r) => r.url.pathname === '/api/token')).toHaveLength(2);
  });

  it('reads with the fresh access token and asks for episodes', async () => {
    const fake = useFakeSpotify();
    await expectOk();
    const reads = fake.requests.filter((r) => r.url.pathname.startsWith('/v1/'));
    expect(reads.map((r) => r.url.pathname).sort()).toEqual([
      '/v1/me/player/currently-playing',
      '/v1/me/player/recently-played',
      '/v1/me/top/artists',
    ]);
    for (const read of reads) expect(read.headers.get('authorization')).toBe('Bearer fake-access-1');
    const current = reads.find((r) => r.url.pathname.endsWith('currently-playing'))!;
    expect(current.url.searchParams.get('additional_types')).toBe('episode');
    const recent = reads.find((r) => r.url.pathname.endsWith('recently-played'))!;
    expect(recent.url.searchParams.get('limit')).toBe('1');
  });

  it('issues the three reads at once, so the critical path is two round trips', async () => {
    useFakeSpotify();
    // Each read is held until all three have arrived: sequential reads would never get there.
    const arrived: Array<() => void> = [];
    let release!: () => void;
    const allArrived = new Promise<void>((resolve) => (release = resolve));
    server.use(
      http.get(`${DEFAULT_API_URL}/v1/*`, async () => {
        arrived.push(() => undefined);
        if (arrived.length === 3) release();
        await allArrived;
        return undefined; // fall through to the fake
      }),
    );
    const value = await expectOk({ timeouts: { readMs: 2_000 } });
    expect(arrived).toHaveLength(3);
    expect(value.nowPlaying).not.toBeNull();
  });

  it('fails the whole call when the token exchange fails, without reading', async () => {
    const fake = useFakeSpotify({ scenario: 'revoked' });
    const result = await run();
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('reauthorization_required');
    expect(fake.requests.filter((r) => r.url.pathname.startsWith('/v1/'))).toHaveLength(0);
  });

  it('maps a 429 from the token endpoint to rate_limited with its Retry-After', async () => {
    useFakeSpotify();
    server.use(http.post(`${DEFAULT_ACCOUNTS_URL}/api/token`, () => new HttpResponse(null, { status: 429, headers: { 'Retry-After': '42' } })));
    const result = await run();
    expect(result.ok || result.error).toMatchObject({ code: 'rate_limited', retryAfterSeconds: 42 });
  });

  it('maps a token answer without an access token to upstream_error', async () => {
    useFakeSpotify();
    server.use(http.post(`${DEFAULT_ACCOUNTS_URL}/api/token`, () => HttpResponse.json({ token_type: 'Bearer' })));
    const result = await run();
    expect(result.ok || result.error.code).toBe('upstream_error');
  });

  it('times out a hung token endpoint as upstream_timeout', async () => {
    useFakeSpotify();
    server.use(http.post(`${DEFAULT_ACCOUNTS_URL}/api/token`, () => new Promise<never>(() => undefined)));
    const result = await run({ timeouts: { tokenMs: 50 } });
    expect(result.ok || result.error.code).toBe('upstream_timeout');
  });
});

describe('readListeningAfresh: Spotify refusing the app', () => {
  it("maps a 403 about the owner's Premium to premium_required, on every part, with what to do", async () => {
    useFakeSpotify();
    const body = { error: { status: 403, message: 'Active premium subscription required for the owner of the app.' } };
    server.use(http.get(`${DEFAULT_API_URL}/v1/*`, () => HttpResponse.json(body, { status: 403 })));
    const result = await run();
    expect(result.ok || result.error.code).toBe('premium_required');
    expect(result.ok || result.error.message).toContain('LASTFM_USER');
  });

  it('keeps a 403 without Premium in it a missing scope', async () => {
    useFakeSpotify();
    server.use(http.get(`${DEFAULT_API_URL}/v1/me/top/artists`, () => HttpResponse.json({ error: { status: 403, message: 'Insufficient client scope' } }, { status: 403 })));
    const value = await expectOk();
    expect(value.errors).toEqual({ topArtists: 'scope_missing' });
  });
});

describe('readListeningAfresh: now playing', () => {
  it('shows a paused track as current and not playing, with its progress', async () => {
    useFakeSpotify({ scenario: 'paused' });
    const { nowPlaying } = await expectOk();
    expect(nowPlaying).toMatchObject({ isPlaying: false, source: 'current', title: PLAYLIST[0]!.name, progressMs: 73_000 });
  });

  it('falls back to the last played track when nothing is current', async () => {
    useFakeSpotify({ scenario: 'last_played' });
    const { nowPlaying } = await expectOk();
    expect(nowPlaying).toMatchObject({
      isPlaying: false,
      source: 'recent',
      title: PLAYLIST[1]!.name,
      progressMs: null,
      playedAt: new Date(TEST_NOW.getTime() - 12 * 60_000).toISOString(),
    });
  });

  it('shows a podcast episode with the show as album and the publisher linked to the show', async () => {
    useFakeSpotify({ scenario: 'episode' });
    const { nowPlaying } = await expectOk();
    expect(nowPlaying).toMatchObject({
      type: 'episode',
      title: EPISODE.name,
      album: EPISODE.show!.name,
      artists: [{ name: EPISODE.show!.publisher, url: EPISODE.show!.external_urls!.spotify }],
      url: EPISODE.external_urls!.spotify,
    });
  });

  it('never shows an ad: it falls back to the last played track', async () => {
    useFakeSpotify({ scenario: 'ad' });
    const { nowPlaying } = await expectOk();
    expect(nowPlaying).toMatchObject({ source: 'recent', title: PLAYLIST[1]!.name });
  });

  it('shows a local file without links, image or empty artist names', async () => {
    useFakeSpotify({ scenario: 'local_file' });
    const { nowPlaying } = await expectOk();
    expect(nowPlaying).toMatchObject({ title: 'demo-take-3.mp3', artists: [], album: null, imageUrl: null, url: null });
  });

  it('treats a 200 with an empty body from currently-playing as nothing playing, like a 204', async () => {
    useFakeSpotify({ scenario: 'last_played' });
    server.use(http.get(`${DEFAULT_API_URL}/v1/me/player/currently-playing`, () => new HttpResponse('', { status: 200 })));
    const value = await expectOk();
    expect(value.errors, 'no error for the empty body').toBeUndefined();
    expect(value.nowPlaying, 'falls back to the last played track').toMatchObject({ source: 'recent', title: PLAYLIST[1]!.name });
  });

  it('answers null now playing and empty top artists for an empty history', async () => {
    useFakeSpotify({ scenario: 'empty_history' });
    const value = await expectOk();
    expect(value.nowPlaying).toBeNull();
    expect(value.topArtists).toEqual([]);
    expect(value.errors).toBeUndefined();
  });

  it('fails the now-playing part when the current read fails, even if the fallback worked', async () => {
    useFakeSpotify();
    server.use(http.get(`${DEFAULT_API_URL}/v1/me/player/currently-playing`, () => new HttpResponse(null, { status: 500 })));
    const value = await expectOk();
    expect(value.nowPlaying).toBeNull();
    expect(value.errors).toEqual({ nowPlaying: 'upstream_error' });
    expect(value.topArtists).toHaveLength(5);
  });

  it('fails the now-playing part with the fallback error when nothing is current and the fallback fails', async () => {
    useFakeSpotify({ scenario: 'last_played' });
    server.use(http.get(`${DEFAULT_API_URL}/v1/me/player/recently-played`, () => new HttpResponse(null, { status: 403 })));
    const value = await expectOk();
    expect(value.errors).toEqual({ nowPlaying: 'scope_missing' });
  });

  it('ignores a failed fallback when something is current', async () => {
    useFakeSpotify({ scenario: 'playing' });
    server.use(http.get(`${DEFAULT_API_URL}/v1/me/player/recently-played`, () => new HttpResponse(null, { status: 503 })));
    const value = await expectOk();
    expect(value.nowPlaying?.source).toBe('current');
    expect(value.errors).toBeUndefined();
  });

  it('answers with the now-playing error when both parts fail', async () => {
    useFakeSpotify();
    server.use(
      http.get(`${DEFAULT_API_URL}/v1/me/player/currently-playing`, () => new HttpResponse(null, { status: 401 })),
      http.get(`${DEFAULT_API_URL}/v1/me/top/artists`, () => new HttpResponse(null, { status: 502 })),
    );
    const result = await run();
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('scope_missing');
    expect(result.error.message).toContain('user-read-currently-playing');
  });

  it('names the missing scope of the read that was refused', async () => {
    useFakeSpotify({ scenario: 'scope_missing' });
    server.use(http.get(`${DEFAULT_API_URL}/v1/me/player/currently-playing`, () => new HttpResponse(null, { status: 401 })));
    const result = await run();
    expect(result.ok || result.error.message).toContain('user-read-currently-playing');
  });
});

describe('readListeningAfresh: token rotation', () => {
  it('hands a rotated refresh token to the hook', async () => {
    useFakeSpotify({ scenario: 'rotation' });
    const rotated = vi.fn();
    await expectOk({ onRefreshTokenRotated: rotated });
    expect(rotated).toHaveBeenCalledWith(`${TEST_CREDENTIALS.SPOTIFY_REFRESH_TOKEN}~r1`);
  });
});

describe('loadListening: the whole-call deadline', () => {
  it('gives up when the call budget is spent, before any single request times out', async () => {
    useFakeSpotify();
    server.use(http.post(`${DEFAULT_ACCOUNTS_URL}/api/token`, () => new Promise<never>(() => undefined)));
    const result = await loadListening(DEFAULT_QUERY, { env: testEnv(), tokenStore: memoryStores().tokenStore, callBudgetMs: 50 });
    expect(result.ok || result.error.code).toBe('upstream_timeout');
    // The token request's own timeout would say "within 4 s": this one is the call's deadline.
    expect(result.ok || result.error.message, "the call's deadline, not the request's timeout").toContain('in time');
  });
});
