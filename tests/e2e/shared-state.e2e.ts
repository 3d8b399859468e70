/**
 * The shared state in Netlify Blobs (issue 8), proved under `netlify serve`,
 * where every function call runs in a fresh worker and only Blobs connects
 * them: bursts, query variants, token rotation, Spotify's daily quota and the
 * owner's daily budget each cost Spotify a bounded number of requests, and
 * every answer still carries data.
 *
 * The main server of the suite runs stateless (SPOTIFY_REFRESH_INTERVAL_S=0)
 * because the other files need every call to reach the fake. This file serves
 * its own site from a copy of the project (support/private-site.ts) with its
 * own fake Spotify, and starts every test from empty stores and a fresh fake.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshCost } from '../../src/lib/spotify/refresh-policy';
import { TIME_RANGES, type Listening, type TimeRange } from '../../src/lib/spotify/types';
import { STATE_STORE_NAME, TOKEN_STORE_NAME } from '../../src/server/store';
import { controlFake, fakeState, type FakeState } from '../../test-support/fake-spotify/control';
import { FAKE_QUOTA_RETRY_AFTER_S, type ScenarioName } from '../../test-support/fake-spotify/scenarios';
import { startFakeSpotifyServer, type FakeSpotifyServer } from '../../test-support/fake-spotify/server';
import { TOP_ARTISTS } from '../../test-support/fixtures';
import { closeAfterTest } from './support/artifacts';
import { browserForFile, openPage, unexpectedErrors } from './support/browser';
import type { ServedSite } from '../../test-support/serve/netlify-serve';
import { breakBlobEntry, clearBlobStores, copyProject, fetchAnswer, serveCopy, waitUntilQuiet, type Answer, type ProjectCopy } from './support/private-site';
import { QUIET_ERROR_TEXT, waitForHydration, widgetRoot, widgetTitle } from './support/widget';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const LOG_DIR = join(ROOT, 'test-results', 'e2e');
/** A build plus start-up, on a cold two-core machine. */
const START_TIMEOUT_MS = 240_000;

const credentials = {
  clientId: 'e2e-state-client-id',
  clientSecret: `e2e-state-secret-${randomBytes(6).toString('hex')}`,
  refreshToken: `e2e-state-refresh-${randomBytes(6).toString('hex')}`,
};

let copy: ProjectCopy;
let fake: FakeSpotifyServer;
let site: ServedSite | undefined;

/** The served site, started with the shared state on and the given extra environment. */
async function serve(env: Record<string, string>, logName: string): Promise<void> {
  await site?.close();
  site = await serveCopy(copy, { ...credentials, url: fake.url }, { logFile: join(LOG_DIR, logName), readyTimeoutMs: START_TIMEOUT_MS, env });
  // The first call of each function loads its bundle, slowly: not in a test's burst. startClean empties what it stored.
  await get('/api/spotify');
  await get('/');
}

/**
 * Every test starts from nothing: no state, no lockout, no ledger, no rotated
 * token, and a fresh fake that accepts the environment's refresh token again.
 * Work a previous test left running (a refresh kept alive by waitUntil, an
 * island's poll) must end first, or it would write into the emptied store.
 */
async function startClean(scenario: ScenarioName): Promise<void> {
  await waitUntilQuiet(async () => (await fakeState(fake.url)).requests);
  clearBlobStores(copy.dir, [STATE_STORE_NAME, TOKEN_STORE_NAME]);
  await controlFake(fake.url, { reset: true, forgetRotations: true, scenario });
}

const get = (path: string): Promise<Answer> => fetchAnswer(site, path);

const listening = (answer: Answer) => JSON.parse(answer.text) as Listening;

/**
 * Store operations the site has logged as timed out so far. On a machine
 * busy with other work, Blobs answers can take over STORE_TIMEOUT_MS; calls
 * then read Spotify directly, and a burst costs more than it should.
 */
const storeTimeouts = () => (readFileSync(site!.logFile, 'utf8').match(/Netlify Blobs did not answer/g) ?? []).length;

/** Requests the fake saw on one path (or on every path starting with it) between two of its states. */
function spent(before: FakeState, after: FakeState, prefix: string): number {
  const sum = (state: FakeState) =>
    Object.entries(state.byPath).reduce((total, [path, count]) => (path.startsWith(prefix) ? total + count : total), 0);
  return sum(after) - sum(before);
}

const EXCHANGE = '/api/token';
const NOW_PLAYING = '/v1/me/player/currently-playing';
const TOP = '/v1/me/top/artists';

/** The numbers each test measured, in the test output. */
function report(what: string, before: FakeState, after: FakeState): void {
  const paths = Object.keys(after.byPath).map((path) => `${path} ${spent(before, after, path)}`);
  console.info(`${what}: ${after.requests - before.requests} requests to Spotify (${paths.join(', ')})`);
}

const escapeHtml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

beforeAll(async () => {
  copy = copyProject(ROOT);
  fake = await startFakeSpotifyServer({ ...credentials, scenario: 'playing' });
});

afterAll(async () => {
  await site?.close();
  await fake?.close();
  copy?.remove();
});

const browser = browserForFile();

describe('the shared state with a 10 s refresh interval', () => {
  const INTERVAL_S = 10;
  /** Past the interval, counted from when the last refresh's answers came back. */
  const pastInterval = () => sleep(INTERVAL_S * 1_000 + 1_500);

  beforeAll(async () => {
    // Reads of a hung Blobs entry each hold one libuv pool thread until released: leave room for the rest.
    await serve({ SPOTIFY_REFRESH_INTERVAL_S: String(INTERVAL_S), UV_THREADPOOL_SIZE: '16' }, 'netlify-serve-shared-state.log');
  }, START_TIMEOUT_MS);

  it('answers a burst of 20 polls and 10 page views with the track, from at most 2 token exchanges', async () => {
    await startClean('playing');
    // The burst comes when the state is due, as it does on a live site. (Into an empty state,
    // a page view may render the skeleton by design: its server render waits SSR_BUDGET_MS.)
    expect((await get('/api/spotify')).status).toBe(200);
    await pastInterval();
    const before = await fakeState(fake.url);
    const [polls, pages] = await Promise.all([
      Promise.all(Array.from({ length: 20 }, () => get('/api/spotify'))),
      Promise.all(Array.from({ length: 10 }, () => get('/'))),
    ]);
    const after = await fakeState(fake.url);

    for (const [index, poll] of polls.entries()) {
      expect(poll.status, `poll ${index}: ${poll.text} (store timeouts so far: ${storeTimeouts()})`).toBe(200);
      expect(listening(poll).nowPlaying?.title, `poll ${index} has the track`).toBeTruthy();
    }
    const titles = [...new Set(polls.map((poll) => listening(poll).nowPlaying!.title))];
    // A page whose server render outran SSR_BUDGET_MS renders the skeleton by design, and its
    // island fetches; on a loaded two-core machine 30 fresh workers can do that. Any other page
    // renders the track, and none the error state.
    let skeletons = 0;
    for (const [index, page] of pages.entries()) {
      expect(page.status, `page ${index}`).toBe(200);
      const state = /data-widget="listening"[^>]*data-state="([a-z]+)"|data-state="([a-z]+)"[^>]*data-widget="listening"/.exec(page.text);
      const widgetState = state?.[1] ?? state?.[2];
      if (widgetState === 'loading') {
        skeletons += 1;
        continue;
      }
      const shown = titles.some((title) => page.text.includes(`>${escapeHtml(title)}<`));
      expect(shown, `page ${index} (state ${widgetState}) renders the track (${titles.join(', ')}) in its HTML`).toBe(true);
    }
    report('burst', before, after);
    console.info(`burst: ${pages.length - skeletons} of ${pages.length} pages rendered the track, ${skeletons} the skeleton`);
    const exchanges = spent(before, after, EXCHANGE);
    expect(exchanges, `token exchanges for 30 calls in one window (store timeouts so far: ${storeTimeouts()})`).toBeLessThanOrEqual(2);
  });

  it('answers 12 query variants, each with its own limit, from one now-playing read and one top-artists read per range', async () => {
    await startClean('playing');
    const limits = [1, 7, 20, 50];
    const before = await fakeState(fake.url);
    const started = Date.now();
    const answers: { path: string; limit: number; answer: Answer }[] = [];
    const call = async (range: TimeRange, limit: number) => {
      const path = `/api/spotify?range=${range}&limit=${limit}`;
      answers.push({ path, limit, answer: await get(path) });
    };
    for (const range of TIME_RANGES) {
      // The first call of a range reads it alone: calls that arrive while another instance
      // reads a range they lack answer without top artists (reported on issue 8).
      await call(range, limits[0]!);
      await Promise.all([...limits.slice(1), ...limits].map((limit) => call(range, limit)));
    }
    const after = await fakeState(fake.url);
    expect(Date.now() - started, 'all 24 calls inside one refresh window').toBeLessThan(INTERVAL_S * 1_000);

    expect(answers).toHaveLength(24);
    for (const { path, limit, answer } of answers) {
      expect(answer.status, `${path}: ${answer.text}`).toBe(200);
      const body = listening(answer);
      expect(body.nowPlaying?.title, `${path} has the track`).toBeTruthy();
      expect(body.topArtists?.length, `${path}: ${JSON.stringify(body.errors ?? {})}`).toBe(Math.min(limit, TOP_ARTISTS.length));
    }
    report('query variants', before, after);
    expect(spent(before, after, NOW_PLAYING), 'now-playing reads').toBeLessThanOrEqual(2);
    expect(spent(before, after, TOP), 'top-artists reads').toBeLessThanOrEqual(5);
  });

  it('keeps answering 30 concurrent calls per window while Spotify rotates the refresh token at every exchange', async () => {
    await startClean('rotation');
    const before = await fakeState(fake.url);
    for (const window of [1, 2]) {
      if (window === 2) await pastInterval();
      const answers = await Promise.all(Array.from({ length: 30 }, () => get('/api/spotify')));
      const failed = answers.filter((answer) => answer.status !== 200).map((answer) => `${answer.status} ${answer.text}`);
      expect(failed, `window ${window}: every call answers 200 (store timeouts so far: ${storeTimeouts()})`).toEqual([]);
    }
    const after = await fakeState(fake.url);
    report('rotation', before, after);
    // `~rN`: the fake's Nth rotation. Two means the second window's exchange used the token the first one saved.
    const rotations = Number(/~r(\d+)$/.exec(after.acceptedRefreshToken ?? '')?.[1] ?? 0);
    expect(rotations, `rotations (the fake now accepts ${after.acceptedRefreshToken})`).toBeGreaterThanOrEqual(2);
  });

  it("serves the last track, marked stale, while Spotify's quota locks it out, and asks Spotify once", async (context) => {
    await startClean('playing');
    const good = await get('/api/spotify');
    expect(good.status, good.text).toBe(200);
    const track = listening(good).nowPlaying!.title;

    const switched = await controlFake(fake.url, { scenario: 'quota' });
    await pastInterval();
    for (let call = 0; call < 4; call += 1) {
      const answer = await get('/api/spotify');
      expect(answer.status, answer.text).toBe(200);
      const body = listening(answer);
      expect(body.nowPlaying?.title, 'the last good track').toBe(track);
      expect(body.stale?.code, 'marked stale').toBe('rate_limited');
      const aheadS = (Date.parse(body.stale?.retryAt ?? '') - Date.now()) / 1_000;
      expect(aheadS, `retryAt ${body.stale?.retryAt} follows the quota's Retry-After`).toBeGreaterThan(FAKE_QUOTA_RETRY_AFTER_S - 120);
      expect(aheadS).toBeLessThanOrEqual(FAKE_QUOTA_RETRY_AFTER_S);
    }

    const probe = await openPage(browser());
    closeAfterTest(context, probe, 'shared-state-quota');
    await probe.page.goto(`${site!.url}/`);
    await waitForHydration(probe.page);
    await expect.poll(() => widgetTitle(probe.page).textContent(), { timeout: 10_000 }).toBe(track);
    expect(await widgetRoot(probe.page).innerText(), 'no outage wording').not.toContain(QUIET_ERROR_TEXT);
    expect(await widgetRoot(probe.page).locator('[data-field="updated"]').isVisible(), 'the "Updated … ago" badge').toBe(true);
    expect(unexpectedErrors(probe.errors, { apiMayFail: false })).toEqual([]);

    const oneRefresh = await fakeState(fake.url);
    report('quota, after the switch', switched, oneRefresh);
    expect(spent(switched, oneRefresh, EXCHANGE), 'token exchanges after the switch').toBeLessThanOrEqual(1);
    expect(spent(switched, oneRefresh, '/'), 'requests after the switch: one refresh at most').toBeLessThanOrEqual(
      refreshCost({ nowPlaying: true, topArtists: false }, true),
    );

    await pastInterval();
    for (let call = 0; call < 4; call += 1) expect((await get('/api/spotify')).status).toBe(200);
    const later = await fakeState(fake.url);
    report('quota, while Retry-After runs', oneRefresh, later);
    expect(later.requests - oneRefresh.requests, 'nothing reaches Spotify while its Retry-After runs').toBe(0);
  });

  it('sends Spotify nothing while the state cannot be read, answers 503 with Retry-After, and keeps a lockout stored before the outage', async (context) => {
    await startClean('playing');
    expect((await get('/api/spotify')).status).toBe(200);
    // A 13.6 h quota lockout, stored before the outage.
    await controlFake(fake.url, { scenario: 'quota' });
    await pastInterval();
    const locked = await get('/api/spotify');
    expect(listening(locked).stale?.code, locked.text).toBe('rate_limited');
    await waitUntilQuiet(async () => (await fakeState(fake.url)).requests);
    const before = await fakeState(fake.url);
    await controlFake(fake.url, { scenario: 'playing' });

    for (const how of ['fails', 'hangs'] as const) {
      const restore = breakBlobEntry(copy.dir, STATE_STORE_NAME, 'state', how);
      try {
        // Every call runs in a fresh worker here, so no instance remembers a state: each answers 503.
        const answers = how === 'fails' ? await Promise.all(Array.from({ length: 10 }, () => fetch(`${site!.url}/api/spotify`))) : [await fetch(`${site!.url}/api/spotify`)];
        for (const answer of answers) {
          const body = await answer.text();
          expect(answer.status, `${how}: ${body}`).toBe(503);
          expect(JSON.parse(body).error.code).toBe('state_unavailable');
          expect(Number(answer.headers.get('retry-after')), `${how}: Retry-After`).toBeGreaterThan(0);
        }
        if (how === 'fails') {
          const probe = await openPage(browser());
          closeAfterTest(context, probe, 'shared-state-outage');
          await probe.page.goto(`${site!.url}/`);
          await waitForHydration(probe.page);
          await expect.poll(() => widgetRoot(probe.page).innerText(), { timeout: 10_000 }).toContain(QUIET_ERROR_TEXT);
          expect(unexpectedErrors(probe.errors, { apiMayFail: true })).toEqual([]);
        }
      } finally {
        restore();
      }
    }
    const after = await fakeState(fake.url);
    report('store outage', before, after);
    expect(after.requests - before.requests, 'Spotify requests while the state was unreadable').toBe(0);

    const back = await get('/api/spotify');
    expect(listening(back).stale?.code, `after the outage, the stored lockout holds: ${back.text}`).toBe('rate_limited');
    expect((await fakeState(fake.url)).requests - before.requests, 'and still no Spotify request').toBe(0);
  });
});

describe('the shared state with a daily budget of 16 requests and a 1 s interval', () => {
  beforeAll(async () => {
    await serve({ SPOTIFY_REFRESH_INTERVAL_S: '1', SPOTIFY_DAILY_BUDGET: '16' }, 'netlify-serve-shared-state-budget.log');
  }, START_TIMEOUT_MS);

  it('sends Spotify at most 16 requests over 14 calls 1.2 s apart, and answers each with data', async () => {
    await startClean('playing');
    const before = await fakeState(fake.url);
    const answers: Answer[] = [];
    for (let call = 0; call < 14; call += 1) {
      const next = sleep(1_200);
      answers.push(await get('/api/spotify'));
      await next;
    }
    const after = await fakeState(fake.url);

    for (const [index, answer] of answers.entries()) {
      expect(answer.status, `call ${index}: ${answer.text}`).toBe(200);
      expect(listening(answer).nowPlaying?.title, `call ${index} has the track`).toBeTruthy();
    }
    report('budget', before, after);
    expect(after.requests - before.requests, 'requests to Spotify, token exchanges included').toBeLessThanOrEqual(16);
  });
});
