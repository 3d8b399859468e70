/**
 * Last.fm through the service, with in-memory Blobs, the fake Spotify and the
 * fake Last.fm on a fake clock: a Last.fm-only site, and Last.fm covering each
 * way Spotify cannot answer (the decider's rules are tested directly in
 * tests/unit/refresh-policy.test.ts).
 */
import { http, HttpResponse } from 'msw';
import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_ACCOUNTS_URL, DEFAULT_API_URL } from '../../src/lib/spotify/config';
import type { Listening, Result } from '../../src/lib/spotify/types';
import { loadListening } from '../../src/server/listening-service';
import { memoryStores } from '../helpers/service';
import { LASTFM_ENV, useFakeLastfm } from '../mocks/lastfm';
import { TEST_CREDENTIALS, TEST_NOW, useFakeSpotify } from '../mocks/spotify';
import { server } from '../setup/msw';

let clock = TEST_NOW.getTime();
const now = () => new Date(clock);
let warnings: string[];
let spotify: ReturnType<typeof useFakeSpotify>;
let lastfm: ReturnType<typeof useFakeLastfm>;
let stores: ReturnType<typeof memoryStores>;
beforeEach(() => {
  clock = TEST_NOW.getTime();
  warnings = [];
  spotify = useFakeSpotify({ now });
  lastfm = useFakeLastfm({ now });
  stores = memoryStores();
});

const call = (env: Record<string, string>) =>
  loadListening({ range: 'short_term', limit: 5 }, { env: (name) => env[name], now, log: { warn: (line) => warnings.push(line), error: (line) => warnings.push(line) }, ...stores });
const both = (extra: Record<string, string> = {}) => call({ ...TEST_CREDENTIALS, ...LASTFM_ENV, SPOTIFY_REFRESH_INTERVAL_S: '15', ...extra });
const data = (result: Result<Listening>): Listening => {
  if (!result.ok) throw new Error(`expected data, got ${result.error.code}: ${result.error.message}`);
  return result.value;
};
const recentTrackReads = () => lastfm.requests.filter((request) => request.url.searchParams.get('method') === 'user.getrecenttracks').length;

describe('a Last.fm-only site', () => {
  it('answers Last.fm data, labelled with the service and the profile, with no Spotify request', async () => {
    const answer = data(await call({ ...LASTFM_ENV, SPOTIFY_REFRESH_INTERVAL_S: '15' }));
    expect(answer).toMatchObject({ service: 'lastfm', profileUrl: `https://www.last.fm/user/${LASTFM_ENV.LASTFM_USER}` });
    expect(answer.nowPlaying?.title).toBeTruthy();
    expect(answer.topArtists?.length).toBeGreaterThan(0);
    expect(spotify.requests).toHaveLength(0);
    expect(lastfm.requests, 'one read per part').toHaveLength(2);
  });

  it('answers from the shared state inside the interval', async () => {
    const env = { ...LASTFM_ENV, SPOTIFY_REFRESH_INTERVAL_S: '15' };
    await call(env);
    clock += 10_000;
    data(await call(env));
    expect(recentTrackReads()).toBe(1);
  });

  it('answers profile_private, naming the privacy setting, when the profile hides recent listening', async () => {
    useFakeLastfm({ now, scenario: 'private' });
    const answer = data(await call({ ...LASTFM_ENV, SPOTIFY_REFRESH_INTERVAL_S: '0' }));
    expect(answer.errors).toEqual({ nowPlaying: 'profile_private' });
    lastfm = useFakeLastfm({ now, scenario: 'bad_key' });
    const refused = await call({ ...LASTFM_ENV, SPOTIFY_REFRESH_INTERVAL_S: '0' });
    expect(refused.ok || refused.error.code).toBe('not_configured');
  });
});

describe('Last.fm covering Spotify', () => {
  it("answers fresh Last.fm data through a quota lockout, with no Spotify request during the Retry-After, and logs Spotify's fault", async () => {
    server.use(
      http.get(`${DEFAULT_API_URL}/v1/*`, () =>
        HttpResponse.json({ error: { status: 429, message: 'Too many requests' } }, { status: 429, headers: { 'Retry-After': '48925' } }),
      ),
    );
    const first = data(await both());
    expect(first).toMatchObject({ service: 'lastfm' });
    expect(first.stale).toBeUndefined();
    const spent = spotify.requests.length;
    for (let minute = 1; minute <= 30; minute += 1) {
      clock += 60_000;
      const answer = data(await both());
      expect(answer.service).toBe('lastfm');
      expect(Date.parse(answer.fetchedAt), 'fresh, read this minute').toBe(clock);
    }
    expect(spotify.requests.length, 'no Spotify request while the lockout lasts').toBe(spent);
    expect(warnings.some((line) => line.includes('Spotify cannot answer') && line.includes('Last.fm covers'))).toBe(true);
  });

  it('answers Last.fm when Spotify refuses the refresh token', async () => {
    useFakeSpotify({ now, scenario: 'revoked' });
    expect(data(await both())).toMatchObject({ service: 'lastfm' });
  });

  it("answers Last.fm when Spotify refuses the app for its owner's lapsed Premium", async () => {
    server.use(http.get(`${DEFAULT_API_URL}/v1/*`, () => HttpResponse.json({ error: { status: 403, message: 'Active premium subscription required for the owner of the app.' } }, { status: 403 })));
    expect(data(await both())).toMatchObject({ service: 'lastfm' });
  });

  it('answers Last.fm in the per-call contract when Spotify is down, and Spotify again once it is back', async () => {
    server.use(http.post(`${DEFAULT_ACCOUNTS_URL}/api/token`, () => new HttpResponse(null, { status: 503 }), { once: true }));
    expect(data(await both({ SPOTIFY_REFRESH_INTERVAL_S: '0' }))).toMatchObject({ service: 'lastfm' });
    expect(warnings, "Spotify's fault reaches the log").toEqual([expect.stringMatching(/^Spotify cannot answer \(upstream_error\): .*Last\.fm covers meanwhile\.$/)]);
    const back = data(await both({ SPOTIFY_REFRESH_INTERVAL_S: '0' }));
    expect(back.service).toBe('spotify');
    expect(back.profileUrl).toBeUndefined();
    expect(warnings, 'nothing more once Spotify answers').toHaveLength(1);
  });

  it('stays on Spotify while it answers, reading Last.fm not at all', async () => {
    expect(data(await both())).toMatchObject({ service: 'spotify' });
    expect(lastfm.requests).toHaveLength(0);
  });
});
