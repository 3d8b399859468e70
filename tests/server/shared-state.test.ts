/**
 * The shared state, through the service with in-memory Blobs and the fake
 * Spotify on a fake clock: freshness (the interval, the track's end, top
 * artists per range), one refresh at a time, lockouts that keep the data,
 * the backoff, the daily budget, and interval 0 as the stateless contract.
 */
import { http, HttpResponse } from 'msw';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Listening, ListeningQuery, Logger, Result } from '../../src/lib/spotify';
import { DEFAULT_API_URL } from '../../src/lib/spotify/config';
import { BACKOFF_MAX_MS } from '../../src/lib/spotify/limits';
import { loadListening } from '../../src/server/listening-service';
import { memoryStores, testEnv } from '../helpers/service';
import { TEST_NOW, useFakeSpotify } from '../mocks/spotify';
import { server } from '../setup/msw';

const QUOTA_RETRY_AFTER_S = 48_925;
let clock = TEST_NOW.getTime();
const now = () => new Date(clock);
const advance = (ms: number) => (clock += ms);
const quiet: Logger = { warn: () => {}, error: () => {} };

let fake: ReturnType<typeof useFakeSpotify>;
let stores: ReturnType<typeof memoryStores>;
beforeEach(() => {
  clock = TEST_NOW.getTime();
  fake = useFakeSpotify({ now });
  stores = memoryStores();
});

const call = (query: Partial<ListeningQuery> = {}, env: Record<string, string> = {}) =>
  loadListening({ range: 'short_term', limit: 5, ...query }, { env: testEnv({ SPOTIFY_REFRESH_INTERVAL_S: '15', ...env }), now, log: quiet, ...stores });
const requests = () => fake.requests.length;
const paths = (from = 0) => fake.requests.slice(from).map((request) => request.url.pathname);
const data = (result: Result<Listening>): Listening => {
  if (!result.ok) throw new Error(`expected data, got ${result.error.code}: ${result.error.message}`);
  return result.value;
};
const quota = () =>
  server.use(
    http.get(`${DEFAULT_API_URL}/v1/*`, () =>
      HttpResponse.json({ error: { status: 429, message: 'Too many requests', reason: 'QUOTA_EXCEEDED' } }, { status: 429, headers: { 'Retry-After': String(QUOTA_RETRY_AFTER_S) } }),
    ),
  );

describe('freshness', () => {
  it('answers a call within the interval from the state, with no Spotify request', async () => {
    const first = data(await call());
    const spent = requests();
    advance(14_000);
    const second = data(await call());
    expect(requests(), 'no request inside the interval').toBe(spent);
    expect(second.fetchedAt).toBe(first.fetchedAt);
    expect(second.stale).toBeUndefined();
  });

  it('refreshes now playing once the interval has passed, reading recently played only when idle', async () => {
    await call();
    const spent = requests();
    advance(15_000);
    const fresh = data(await call());
    expect(paths(spent), 'an exchange and the player: the track plays, so no recently-played read').toEqual(['/api/token', '/v1/me/player/currently-playing']);
    expect(fresh.fetchedAt).toBe(now().toISOString());
  });

  it('refreshes just after the playing track should end, before the interval', async () => {
    const env = { SPOTIFY_REFRESH_INTERVAL_S: '3600' };
    const playing = data(await call({}, env)).nowPlaying!;
    const left = playing.durationMs! - playing.progressMs!;
    advance(left);
    await call({}, env);
    const spent = requests();
    advance(1_000);
    const next = data(await call({}, env));
    expect(requests(), 'one refresh just after the end').toBeGreaterThan(spent);
    expect(next.nowPlaying?.title).not.toBe(playing.title);
  });

  it('reads top artists once per range at limit 50, and slices each answer to its own limit', async () => {
    const answers = await Promise.all([1, 5, 14, 50].map(async (limit) => data(await call({ limit }))));
    await call({ range: 'long_term', limit: 3 });
    const topReads = fake.requests.filter((request) => request.url.pathname === '/v1/me/top/artists');
    expect(topReads.map((request) => `${request.url.searchParams.get('time_range')}:${request.url.searchParams.get('limit')}`)).toEqual([
      'short_term:50',
      'long_term:50',
    ]);
    expect(answers.map((answer) => answer.topArtists?.length)).toEqual([1, 5, 14, 14]);
  });

  it('shares one refresh among calls that arrive at once', async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, () => call()));
    expect(answers.every((answer) => answer.ok && answer.value.nowPlaying)).toBe(true);
    expect(paths().filter((path) => path === '/api/token')).toHaveLength(1);
  });
});

describe('lockouts keep the data', () => {
  it('serves the last good data, marked stale, through the daily quota, and asks Spotify nothing until Retry-After', async () => {
    const good = data(await call());
    quota();
    advance(15_000);
    const spent = requests();
    const first = data(await call());
    expect(first.nowPlaying?.title).toBe(good.nowPlaying?.title);
    expect(first.stale).toEqual({ code: 'rate_limited', retryAt: new Date(clock + QUOTA_RETRY_AFTER_S * 1_000).toISOString() });
    const oneAttempt = requests();
    expect(oneAttempt - spent, 'one refresh attempt').toBeLessThanOrEqual(3);

    for (const step of [15_000, 3_600_000, 10 * 3_600_000]) {
      advance(step);
      expect(data(await call()).stale?.code).toBe('rate_limited');
    }
    expect(requests(), 'nothing while Retry-After runs').toBe(oneAttempt);

    server.resetHandlers();
    advance(QUOTA_RETRY_AFTER_S * 1_000);
    const after = data(await call());
    expect(after.stale, 'refreshed once Retry-After has passed').toBeUndefined();
  });

  it('backs off after Spotify fails: 30 s, doubling, up to 5 minutes', async () => {
    await call();
    fake.scenario = 'down';
    advance(15_000);
    const waits: number[] = [];
    for (let attempt = 0; attempt < 6; attempt += 1) {
      const answer = data(await call());
      expect(answer.nowPlaying, 'the data stays').not.toBeNull();
      const retryAt = Date.parse(answer.stale!.retryAt!);
      waits.push((retryAt - clock) / 1_000);
      clock = retryAt;
    }
    expect(waits).toEqual([30, 60, 120, 240, 300, 300]);
  });

  it('answers the per-call error when there has never been good data, without asking again during the backoff', async () => {
    fake.scenario = 'revoked';
    const first = await call();
    expect(first.ok || first.error.code).toBe('reauthorization_required');
    const spent = requests();
    advance(10_000);
    const second = await call();
    expect(second.ok || second.error.code).toBe('reauthorization_required');
    expect(requests()).toBe(spent);
  });

  it('lifts a reauthorization lockout at once when the owner sets a new token', async () => {
    fake = useFakeSpotify({ now, refreshToken: 'a-new-token' });
    const refused = await call();
    expect(refused.ok || refused.error.code).toBe('reauthorization_required');
    const renewed = await call({}, { SPOTIFY_REFRESH_TOKEN: 'a-new-token' });
    expect(renewed.ok).toBe(true);
  });
});

describe('the daily budget', () => {
  it('caps Spotify requests and keeps answering with data, paced rather than stale', async () => {
    const env = { SPOTIFY_DAILY_BUDGET: '16', SPOTIFY_REFRESH_INTERVAL_S: '1' };
    const answers: Listening[] = [];
    for (let i = 0; i < 14; i += 1) {
      answers.push(data(await call({}, env)));
      advance(1_200);
    }
    expect(requests()).toBeLessThanOrEqual(16);
    expect(answers.every((answer) => answer.nowPlaying && !answer.stale)).toBe(true);
  });

  it('marks the data stale, rate_limited, once the day’s spend is past the budget', async () => {
    for (let i = 0; i < 10; i += 1) {
      await call();
      advance(15_000);
    }
    const spent = requests();
    const past = data(await call({}, { SPOTIFY_DAILY_BUDGET: String(Math.max(10, spent - 1)) }));
    expect(past.nowPlaying, 'the data stays').not.toBeNull();
    expect(past.stale?.code).toBe('rate_limited');
    expect(Date.parse(past.stale!.retryAt!), 'when old requests leave the rolling day').toBeGreaterThan(clock + 23 * 3_600_000);
    expect(requests()).toBe(spent);
  });

  it('smooths the spend over the day instead of spending it all at once', async () => {
    const env = { SPOTIFY_DAILY_BUDGET: '2000' };
    const perHour: number[] = [];
    for (let hour = 0; hour < 3; hour += 1) {
      const before = requests();
      for (let poll = 0; poll < 60; poll += 1) {
        await call({}, env);
        advance(60_000);
      }
      perHour.push(requests() - before);
    }
    // A full bucket (an hour of budget) goes first; then the pace is the day's budget spread evenly.
    expect(perHour[2]).toBeLessThanOrEqual(Math.ceil(2000 / 24) + 4);
    expect(perHour[2]).toBeGreaterThan(0);
  }, 30_000);
});

describe('SPOTIFY_REFRESH_INTERVAL_S=0', () => {
  it('reads every part afresh on every call and answers errors as they come, with no state', async () => {
    const env = { SPOTIFY_REFRESH_INTERVAL_S: '0' };
    await call({}, env);
    await call({}, env);
    expect(paths().filter((path) => path === '/api/token')).toHaveLength(2);
    quota();
    const refused = await call({}, env);
    expect(refused.ok || refused.error.code, 'no last-good fallback').toBe('rate_limited');
    expect(stores.stateBlobs.counts.reads + stores.stateBlobs.counts.writes).toBe(0);
  });
});

describe('when Blobs fails', () => {
  it('still answers, reading Spotify directly, and logs an error', async () => {
    stores.stateBlobs.failing = true;
    const errors: string[] = [];
    const result = await loadListening({ range: 'short_term', limit: 5 }, { env: testEnv({ SPOTIFY_REFRESH_INTERVAL_S: '15' }), now, ...stores, log: { warn: () => {}, error: (line) => errors.push(line) } });
    expect(result.ok).toBe(true);
    expect(errors.join('\n')).toMatch(/shared state in Netlify Blobs could not be read/);
  });
});

describe('the daily budget with no data yet', () => {
  it('refreshes while the day’s spend is under the cap, then answers rate_limited with when to retry', async () => {
    fake.scenario = 'down';
    const env = { SPOTIFY_DAILY_BUDGET: '10', SPOTIFY_REFRESH_INTERVAL_S: '1' };
    let last: Result<Listening> | undefined;
    for (let i = 0; i < 12; i += 1) {
      last = await call({}, env);
      advance(BACKOFF_MAX_MS);
    }
    expect(requests(), 'never past the cap').toBeLessThanOrEqual(10);
    expect(last!.ok || last!.error.code).toBe('rate_limited');
    expect(last!.ok || last!.error.retryAfterSeconds).toBeGreaterThan(0);
  });
});

describe('calls for different ranges at once', () => {
  it('each get their own top artists, although only one instance may refresh at a time', async () => {
    const answers = await Promise.all(
      (['short_term', 'long_term', 'medium_term', 'short_term'] as const).map(async (range) => data(await call({ range, limit: 3 }))),
    );
    expect(answers.map((answer) => answer.topArtists?.length)).toEqual([3, 3, 3, 3]);
    expect(answers.every((answer) => !answer.errors)).toBe(true);
  });
});
