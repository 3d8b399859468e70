/**
 * The shared state, through the service with in-memory Blobs and the fake
 * Spotify on a fake clock: what the I/O adds to the decider's rules (tested
 * directly in tests/unit/refresh-policy.test.ts): one refresh at a time, the
 * access token reused for its lifetime, failing closed when Blobs fails,
 * lockouts that keep the data, and interval 0 as the stateless contract.
 */
import { http, HttpResponse } from 'msw';
import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_API_URL } from '../../src/lib/spotify/config';
import type { Logger } from '../../src/lib/spotify/listening';
import type { ListeningQuery } from '../../src/lib/spotify/query';
import type { Listening, Result } from '../../src/lib/spotify/types';
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

  it('refreshes now playing once the interval has passed with one request: the access token reused, no recently-played read while a track plays', async () => {
    await call();
    const spent = requests();
    advance(15_000);
    const fresh = data(await call());
    expect(paths(spent)).toEqual(['/v1/me/player/currently-playing']);
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

/** How the fake Spotify names the first access token it issues. */
const FIRST_ACCESS_TOKEN = 'fake-access-1';

describe('the access token', () => {
  it('is exchanged once and reused until a minute before it expires', async () => {
    const exchanges = () => paths().filter((path) => path === '/api/token').length;
    for (let minute = 0; minute < 120; minute += 1) {
      await call();
      advance(60_000);
    }
    // The fake's tokens live an hour, so one is renewed a minute early: at minutes 0, 59 and 118.
    expect(exchanges()).toBe(3);
  });

  it('is dropped when Spotify refuses it (401), with one exchange and the read again, and the new one kept', async () => {
    await call();
    advance(15_000);
    const spent = requests();
    let refusals = 0;
    server.use(
      // From now on Spotify refuses the first token every time it sees it.
      http.get(`${DEFAULT_API_URL}/v1/me/player/currently-playing`, ({ request }) => {
        if (request.headers.get('authorization') !== `Bearer ${FIRST_ACCESS_TOKEN}`) return undefined;
        refusals += 1;
        return HttpResponse.json({ error: { status: 401, message: 'The access token expired' } }, { status: 401 });
      }),
    );
    const answer = data(await call());
    expect(refusals, 'the reused token was tried and refused').toBe(1);
    expect(paths(spent), 'then one exchange and the read again').toEqual(['/api/token', '/v1/me/player/currently-playing']);
    expect(answer.nowPlaying, 'read with the new token').not.toBeNull();
    expect(answer.errors).toBeUndefined();
    advance(15_000);
    const before = requests();
    await call();
    expect(paths(before), 'the next refresh reads with the new token, not the refused one').toEqual(['/v1/me/player/currently-playing']);
    expect(refusals).toBe(1);
  });

  it('never reaches an answer or the log', async () => {
    const lines: string[] = [];
    const log: Logger = { warn: (line) => lines.push(line), error: (line) => lines.push(line) };
    const answer = await loadListening({ range: 'short_term', limit: 5 }, { env: testEnv({ SPOTIFY_REFRESH_INTERVAL_S: '15' }), now, log, ...stores });
    const token = FIRST_ACCESS_TOKEN;
    expect(JSON.stringify(answer)).not.toContain(token);
    expect(lines.join('\n')).not.toContain(token);
  });
});

describe('one refresh at a time', () => {
  it('does not read Spotify when another instance refreshed between this call’s read and its lease', async () => {
    await call();
    advance(15_000);
    const spent = requests();
    const lease = stores.stateStore.lease.bind(stores.stateStore);
    stores.stateStore.lease = async (generation, at) => {
      const stored = (await stores.stateStore.read())!;
      await stores.stateStore.write({ ...stored, generation: stored.generation + 1, nowPlaying: { ...stored.nowPlaying!, readAt: now().toISOString() } });
      return lease(generation, at);
    };
    const answer = data(await call());
    expect(requests(), 'no Spotify request').toBe(spent);
    expect(answer.fetchedAt, 'the other instance’s state').toBe(now().toISOString());
  });
});

describe('when Blobs fails: fail closed', () => {
  const errorsLogged: string[] = [];
  const watched: Logger = { warn: () => {}, error: (line) => errorsLogged.push(line) };
  const callWatched = () => loadListening({ range: 'short_term', limit: 5 }, { env: testEnv({ SPOTIFY_REFRESH_INTERVAL_S: '15' }), now, log: watched, ...stores });

  it('answers 503 state_unavailable with a Retry-After, and no Spotify request, when this instance has read nothing', async () => {
    stores.stateBlobs.failing = true;
    const answer = await callWatched();
    expect(!answer.ok && [answer.error.code, answer.error.retryAfterSeconds]).toEqual(['state_unavailable', 30]);
    expect(requests()).toBe(0);
  });

  it('answers the last state this instance read, stale, with no Spotify request, and says once in the log what to do', async () => {
    const good = data(await callWatched());
    stores.stateBlobs.failing = true;
    const spent = requests();
    for (const step of [20_000, 60_000, 3_600_000]) {
      advance(step);
      const answer = data(await callWatched());
      expect(answer.nowPlaying?.title).toBe(good.nowPlaying?.title);
      expect(answer.stale?.code).toBe('state_unavailable');
    }
    expect(requests(), 'nothing reaches Spotify').toBe(spent);
    expect(errorsLogged.join('\n')).toMatch(/could not be read.*SPOTIFY_REFRESH_INTERVAL_S=0/s);
  });

  it('keeps a lockout read before the outage, during it and after it', async () => {
    await call();
    quota();
    advance(15_000);
    await call();
    const spent = requests();
    stores.stateBlobs.failing = true;
    advance(60_000);
    expect(data(await call()).stale?.code, 'during the outage').toBe('rate_limited');
    stores.stateBlobs.failing = false;
    server.resetHandlers();
    advance(60_000);
    expect(data(await call()).stale?.code, 'after it').toBe('rate_limited');
    expect(requests()).toBe(spent);
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
