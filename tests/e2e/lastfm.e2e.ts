/**
 * Last.fm as a second source (issue 16), under `netlify serve`, against a
 * fake Last.fm and a fake Spotify. One copy of the project is built once
 * and served in two configurations, with a 10 s refresh interval:
 *
 * - Last.fm only (no Spotify credentials): the page, the element and the card
 *   show Last.fm's track and top artists; a burst reads recent tracks at most
 *   twice; a private profile answers profile_private, naming the setting.
 * - Both: while Spotify is locked out by its quota (48,925 s) or refuses the
 *   token, Last.fm answers with fresh data and Spotify is not asked again.
 *
 * The last test scans every answer the site gave and both servers' logs for
 * the run's random Last.fm API key.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import type { Listening } from '../../src/lib/spotify/types';
import { STATE_STORE_NAME, TOKEN_STORE_NAME } from '../../src/server/store';
import { FAKE_LASTFM_USER, type LastfmScenarioName } from '../../test-support/fake-lastfm/fake-lastfm';
import { LASTFM_NOW_PLAYING, LASTFM_TOP_ARTISTS } from '../../test-support/fake-lastfm/fixtures';
import { controlFakeLastfm, fakeLastfmState, startFakeLastfmServer, type FakeLastfmServer, type FakeLastfmState } from '../../test-support/fake-lastfm/server';
import { controlFake, fakeState, type FakeState } from '../../test-support/fake-spotify/control';
import { FAKE_QUOTA_RETRY_AFTER_S, type ScenarioName } from '../../test-support/fake-spotify/scenarios';
import { startFakeSpotifyServer, type FakeSpotifyServer } from '../../test-support/fake-spotify/server';
import type { ServedSite } from '../../test-support/serve/netlify-serve';
import { closeAfterTest } from './support/artifacts';
import { browserForFile, openPage, unexpectedErrors, type ProbedPage } from './support/browser';
import { hostHtml, startHost, type Host } from './support/host';
import { clearBlobStores, copyProject, fetchAnswer, readBlobEntry, reuseBuild, serveCopy, waitUntilQuiet, type Answer, type ProjectCopy } from './support/private-site';
import { topArtists, waitForHydration, widgetRoot, widgetTitle } from './support/widget';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const LOG_DIR = join(ROOT, 'test-results', 'e2e');
/** A build plus start-up, on a cold two-core machine. */
const START_TIMEOUT_MS = 240_000;
const INTERVAL_S = 10;
/** Past the interval, counted from when the last refresh's answers came back. */
const pastInterval = () => sleep(INTERVAL_S * 1_000 + 1_500);

const spotifyApp = {
  clientId: 'e2e-lastfm-client-id',
  clientSecret: `e2e-lastfm-secret-${randomBytes(6).toString('hex')}`,
  refreshToken: `e2e-lastfm-refresh-${randomBytes(6).toString('hex')}`,
};
/** Shaped like a real key (32 hex digits), and new each run, so finding it anywhere means it leaked. */
const LASTFM_API_KEY = randomBytes(16).toString('hex');
const PROFILE_URL = `https://www.last.fm/user/${FAKE_LASTFM_USER}`;
const TRACK = LASTFM_NOW_PLAYING.name!;
/** The page asks for 5 top artists (src/site.config.ts). */
const PAGE_ARTISTS = LASTFM_TOP_ARTISTS.slice(0, 5).map((artist) => artist.name!);
const RECENT_TRACKS = 'user.getrecenttracks';

let copy: ProjectCopy;
let spotify: FakeSpotifyServer;
let lastfm: FakeLastfmServer;
let site: ServedSite | undefined;
let host: Host;
const logFiles: string[] = [];
/** Every answer the site gave (headers and body), from direct calls and from the browser, for the key scan. */
const answers: { where: string; text: string }[] = [];
const pendingAnswers: Promise<void>[] = [];

/** Serves the copy with Last.fm, and with Spotify too for `both`; the first call builds, later ones reuse that build. */
async function serve(sources: 'lastfm-only' | 'both'): Promise<void> {
  await site?.close();
  site = await serveCopy(copy, sources === 'both' ? { ...spotifyApp, url: spotify.url } : null, {
    logFile: join(LOG_DIR, `netlify-serve-lastfm-${sources}.log`),
    readyTimeoutMs: START_TIMEOUT_MS,
    env: {
      LASTFM_USER: FAKE_LASTFM_USER,
      LASTFM_API_KEY,
      LASTFM_API_URL: lastfm.url,
      SPOTIFY_REFRESH_INTERVAL_S: String(INTERVAL_S),
    },
  });
  if (logFiles.length === 0) reuseBuild(copy);
  logFiles.push(site.logFile);
  // The first call of each function loads its bundle, slowly: not in a test's burst. startClean empties what it stored.
  await get('/api/spotify');
  await get('/');
}

/**
 * Every test starts from empty stores and fresh fakes. Work a previous test
 * left running (a refresh kept alive by waitUntil, an island's poll) must end
 * first, or it would write into the emptied store.
 */
async function startClean(scenarios: { spotify?: ScenarioName; lastfm?: LastfmScenarioName } = {}): Promise<void> {
  await quiet();
  clearBlobStores(copy.dir, [STATE_STORE_NAME, TOKEN_STORE_NAME]);
  await controlFake(spotify.url, { reset: true, forgetRotations: true, scenario: scenarios.spotify ?? 'playing' });
  await controlFakeLastfm(lastfm.url, { reset: true, scenario: scenarios.lastfm ?? 'playing' });
}

/** Waits until neither fake has seen a request for a second. */
const quiet = () => waitUntilQuiet(async () => (await fakeState(spotify.url)).requests + (await fakeLastfmState(lastfm.url)).requests);

/** A direct call to the site, kept for the key scan. */
async function get(path: string): Promise<Answer> {
  const answer = await fetchAnswer(site, path);
  answers.push({ where: `fetch ${path}`, text: `${JSON.stringify([...answer.headers])}\n${answer.text}` });
  return answer;
}

const listening = (answer: Answer) => JSON.parse(answer.text) as Listening;
const heading = (html: string) => /<h1[^>]*>([^<]*)<\/h1>/.exec(html)?.[1]?.trim();
const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const spotifyRequests = (before: FakeState, after: FakeState) => after.requests - before.requests;
const recentTrackReads = (before: FakeLastfmState, after: FakeLastfmState) => (after.byMethod[RECENT_TRACKS] ?? 0) - (before.byMethod[RECENT_TRACKS] ?? 0);

/** The shared state as stored in the local Blobs. */
const storedState = () => JSON.parse(readBlobEntry(copy.dir, STATE_STORE_NAME, 'state') ?? 'null') as { lockout: { until: string; code: string } | null } | null;

/** A page in Chromium whose answers from the site are kept for the key scan. */
async function open(context: TestContext, name: string): Promise<ProbedPage> {
  const probe = await openPage(browser());
  closeAfterTest(context, probe, name);
  const origin = new URL(site!.url).origin;
  probe.page.on('response', (response) => {
    if (new URL(response.url()).origin !== origin) return;
    pendingAnswers.push(
      (async () => {
        const headers = await response.allHeaders().catch(() => ({}));
        const body = await response.text().catch(() => '');
        answers.push({ where: `browser ${response.url()}`, text: `${JSON.stringify(headers)}\n${body}` });
      })(),
    );
  });
  return probe;
}

/** Last.fm's credit in the Spotify mark's place: "Last.fm", linked to the owner's profile, and no Spotify mark. */
async function expectLastfmCredit(widget: Locator, where: string): Promise<void> {
  const credit = widget.locator('a.lw-brand');
  expect(await credit.textContent(), `${where}: the credit`).toContain('Last.fm');
  expect(await credit.getAttribute('href'), `${where}: the credit's link`).toBe(PROFILE_URL);
  expect(await widget.locator('[data-field="spotify"]').count(), `${where}: no Spotify mark`).toBe(0);
}

/** Playwright's CSS locators pierce open shadow roots: `listening-widget [data-widget]` is inside. */
const element = (page: Page) => page.locator('listening-widget [data-widget="listening"]');

beforeAll(async () => {
  copy = copyProject(ROOT);
  spotify = await startFakeSpotifyServer({ ...spotifyApp, scenario: 'playing' });
  lastfm = await startFakeLastfmServer({ user: FAKE_LASTFM_USER, apiKey: LASTFM_API_KEY });
  host = await startHost();
});

afterAll(async () => {
  await site?.close();
  await Promise.all([spotify?.close(), lastfm?.close(), host?.close()]);
  copy?.remove();
});

const browser = browserForFile();

describe('a Last.fm-only site', () => {
  beforeAll(() => serve('lastfm-only'), START_TIMEOUT_MS);

  it("shows Last.fm's track and top artists on the page, the element and the card, and asks Spotify nothing", async (context) => {
    await startClean();
    const spotifyBefore = await fakeState(spotify.url);

    const api = await get('/api/spotify');
    expect(api.status, api.text).toBe(200);
    const body = listening(api);
    expect(body.service, 'the source').toBe('lastfm');
    expect(body.profileUrl, 'the credit links to the profile').toBe(PROFILE_URL);
    expect(body.nowPlaying?.title).toBe(TRACK);
    expect(body.nowPlaying?.durationMs, 'Last.fm gives no length').toBeNull();
    expect(body.topArtists?.map((artist) => artist.name)).toEqual(PAGE_ARTISTS);

    const html = (await get('/')).text;
    expect(html, 'the server render has the track').toContain(`>${escapeHtml(TRACK)}<`);
    for (const name of PAGE_ARTISTS) expect(html, `the server render has ${name}`).toContain(escapeHtml(name));

    const probe = await open(context, 'lastfm-only-page');
    await probe.page.goto(`${site!.url}/`);
    await waitForHydration(probe.page);
    expect(await widgetRoot(probe.page).getAttribute('data-state')).toBe('playing');
    expect(await widgetTitle(probe.page).textContent()).toBe(TRACK);
    const shown = await topArtists(probe.page).innerText();
    for (const name of PAGE_ARTISTS) expect(shown, `the hydrated widget shows ${name}`).toContain(name);
    expect(await widgetRoot(probe.page).locator('progress').count(), 'no progress bar without a length').toBe(0);
    await expectLastfmCredit(widgetRoot(probe.page), 'the page widget');
    expect(unexpectedErrors(probe.errors, { apiMayFail: false })).toEqual([]);

    await probe.page.goto(host.page('/lastfm-element', hostHtml(site!.url, '<listening-widget></listening-widget>')));
    await expect.poll(() => element(probe.page).getAttribute('data-state'), { timeout: 15_000 }).toBe('playing');
    expect(await element(probe.page).locator('[data-field="title"]').textContent(), 'the element').toBe(TRACK);
    await expectLastfmCredit(element(probe.page), 'the element');

    const card = await get('/card.svg');
    expect(card.status).toBe(200);
    expect(card.text, 'the card').toContain(escapeHtml(TRACK));
    expect(card.text, "the card's credit").toContain('>Last.fm</text>');

    const connect = await get('/connect');
    expect(heading(connect.text)).toBe('Not connected');
    expect(connect.text, '/connect').toContain('Spotify is not in use');

    const spent = spotifyRequests(spotifyBefore, await fakeState(spotify.url));
    console.info(`Last.fm only: ${JSON.stringify((await fakeLastfmState(lastfm.url)).byMethod)} to Last.fm, ${spent} to Spotify`);
    expect(spent, 'requests to Spotify').toBe(0);
  });

  it('answers a burst of 20 calls, with the state due, from at most 2 recent-tracks reads', async () => {
    await startClean();
    expect((await get('/api/spotify')).status).toBe(200);
    await pastInterval();
    const before = await fakeLastfmState(lastfm.url);
    const burst = await Promise.all(Array.from({ length: 20 }, () => get('/api/spotify')));
    const after = await fakeLastfmState(lastfm.url);

    for (const [index, answer] of burst.entries()) {
      expect(answer.status, `call ${index}: ${answer.text}`).toBe(200);
      expect(listening(answer).nowPlaying?.title, `call ${index} has the track`).toBe(TRACK);
    }
    const reads = recentTrackReads(before, after);
    console.info(`burst of 20: ${reads} user.getRecentTracks read(s), ${after.requests - before.requests} Last.fm requests in all`);
    expect(reads, 'user.getRecentTracks reads').toBeGreaterThanOrEqual(1);
    expect(reads, 'user.getRecentTracks reads').toBeLessThanOrEqual(2);
  });

  it('answers profile_private for a profile that hides its recent listening, and the error names the setting', async () => {
    await startClean({ lastfm: 'private' });
    const first = await get('/api/spotify');
    expect(first.status, first.text).toBe(200);
    const body = listening(first);
    expect(body.errors?.nowPlaying, 'the now-playing part').toBe('profile_private');
    expect(body.nowPlaying).toBeNull();
    expect(body.topArtists?.map((artist) => artist.name), 'top artists stay visible').toEqual(PAGE_ARTISTS);

    // A range with nothing read yet has no data at all while the refusal holds: the whole answer is the error.
    const other = await get('/api/spotify?range=medium_term');
    console.info(`private profile: ${first.status} with errors ${JSON.stringify(body.errors)}; medium_term ${other.status} ${other.text}`);
    expect(other.status, other.text).toBe(503);
    const { error } = JSON.parse(other.text) as { error: { code: string; message: string } };
    expect(error.code).toBe('profile_private');
    expect(error.message, 'names the setting and where it is').toContain('https://www.last.fm/settings/privacy');
    expect(error.message).toContain('Hide recent listening information');
  });

  it("answers Last.fm's refusals with their codes: a rejected key, a temporary error", async () => {
    // Also puts Last.fm's error paths through the function and its log, for the key scan below.
    const codes: string[] = [];
    for (const [scenario, status, code] of [['bad_key', 503, 'not_configured'], ['unavailable', 502, 'upstream_error']] as const) {
      await startClean({ lastfm: scenario });
      const answer = await get('/api/spotify');
      codes.push(`${scenario}: ${answer.status} ${answer.text}`);
      expect(answer.status, `${scenario}: ${answer.text}`).toBe(status);
      expect((JSON.parse(answer.text) as { error: { code: string } }).error.code, scenario).toBe(code);
    }
    console.info(`Last.fm refusals:\n${codes.join('\n')}`);
  });
});

describe('a site with Spotify and Last.fm', () => {
  beforeAll(() => serve('both'), START_TIMEOUT_MS);

  it(`answers from Last.fm, fresh, through Spotify's ${FAKE_QUOTA_RETRY_AFTER_S} s quota lockout, and asks Spotify nothing while it runs`, async () => {
    await startClean();
    const good = await get('/api/spotify');
    expect(good.status, good.text).toBe(200);
    expect(listening(good).service, 'Spotify first').toBe('spotify');

    const switched = await controlFake(spotify.url, { scenario: 'quota' });
    await pastInterval();
    const due = Date.now();
    const covered = await get('/api/spotify');
    expect(covered.status, covered.text).toBe(200);
    const first = listening(covered);
    expect(first.service, covered.text).toBe('lastfm');
    expect(first.nowPlaying?.title).toBe(TRACK);
    expect(first.stale, 'fresh, not stale').toBeUndefined();
    expect(Date.parse(first.fetchedAt), `read by this call (${first.fetchedAt})`).toBeGreaterThanOrEqual(due - 1_000);
    expect(first.topArtists?.map((artist) => artist.name), 'top artists from Last.fm too').toEqual(PAGE_ARTISTS);

    await quiet();
    const lockout = storedState()?.lockout;
    expect(lockout?.code, 'the lockout is recorded').toBe('rate_limited');
    const aheadS = (Date.parse(lockout?.until ?? '') - Date.now()) / 1_000;
    expect(aheadS, `lockout until ${lockout?.until}`).toBeGreaterThan(FAKE_QUOTA_RETRY_AFTER_S - 120);
    expect(aheadS).toBeLessThanOrEqual(FAKE_QUOTA_RETRY_AFTER_S);
    const locked = await fakeState(spotify.url);
    const lastfmBefore = await fakeLastfmState(lastfm.url);

    await pastInterval();
    // One after another: a call that comes while another refreshes answers the state it has, by design.
    const since = Date.now();
    for (let call = 0; call < 4; call += 1) {
      const answer = await get('/api/spotify');
      expect(answer.status, `call ${call}: ${answer.text}`).toBe(200);
      const body = listening(answer);
      expect(body.service, `call ${call}`).toBe('lastfm');
      expect(body.nowPlaying?.title, `call ${call}`).toBe(TRACK);
      expect(Date.parse(body.fetchedAt), `call ${call}: read after the interval (${body.fetchedAt})`).toBeGreaterThanOrEqual(since - 1_000);
    }
    expect((await get('/')).text, "the page shows Last.fm's track").toContain(`>${escapeHtml(TRACK)}<`);
    await quiet();
    const end = await fakeState(spotify.url);
    const reads = recentTrackReads(lastfmBefore, await fakeLastfmState(lastfm.url));
    console.info(
      `quota: ${spotifyRequests(switched, locked)} Spotify request(s) to record the lockout (${JSON.stringify(locked.byPath)} in all), ` +
        `then ${spotifyRequests(locked, end)} during Retry-After; ${reads} Last.fm recent-tracks read(s) after the interval`,
    );
    expect(spotifyRequests(locked, end), 'Spotify requests while its Retry-After runs').toBe(0);
    expect(reads, 'Last.fm was read again after the interval').toBeGreaterThanOrEqual(1);
    expect(readFileSync(site!.logFile, 'utf8'), 'the log tells the owner').toMatch(/Spotify cannot answer until \S+ \(rate_limited\).*Last\.fm covers meanwhile/);
  });

  it('answers from Last.fm when Spotify refuses the refresh token, and /connect still says renewal is needed', async () => {
    await startClean({ spotify: 'revoked' });
    const before = await fakeState(spotify.url);
    const answer = await get('/api/spotify');
    expect(answer.status, answer.text).toBe(200);
    const body = listening(answer);
    expect(body.service, answer.text).toBe('lastfm');
    expect(body.nowPlaying?.title).toBe(TRACK);
    expect(body.profileUrl).toBe(PROFILE_URL);

    await quiet();
    expect(storedState()?.lockout?.code, 'the refusal is recorded').toBe('reauthorization_required');
    const connect = await get('/connect');
    console.info(`refused token: ${spotifyRequests(before, await fakeState(spotify.url))} Spotify request(s) (${JSON.stringify((await fakeState(spotify.url)).byPath)}); /connect: "${heading(connect.text)}"`);
    expect(heading(connect.text), '/connect').toBe('Expired: needs renewal');
    expect(connect.text, '/connect says what shows meanwhile').toContain('the widget shows Last.fm instead');
  });
});

describe('the Last.fm API key', () => {
  it('appears in no answer, page or server log of this file', async () => {
    await Promise.all(pendingAnswers);
    await quiet();
    const logs = logFiles.map((file) => ({ where: file, text: readFileSync(file, 'utf8') }));
    const found = [...answers, ...logs].filter(({ text }) => text.includes(LASTFM_API_KEY)).map(({ where }) => where);
    const bytes = [...answers, ...logs].reduce((total, { text }) => total + text.length, 0);
    console.info(`key scan: ${answers.length} answers and ${logs.length} logs, ${bytes} characters`);
    expect(answers.length, 'answers collected').toBeGreaterThan(30);
    // The fake answers data only to the right key: Last.fm's track in an answer means the key was in use.
    expect(answers.some(({ text }) => text.includes(TRACK)), 'answers with Last.fm data').toBe(true);
    expect(found, 'where the key was found').toEqual([]);
  });
});
