/**
 * The Last.fm client (src/lib/spotify/lastfm.ts), not wired in yet: the two
 * requests on the wire, Last.fm's JSON quirks read into the contract, each
 * error number mapped to a code whose message says what to do, and the API
 * key kept out of everything but the request URL. Runs against the in-memory
 * fake (test-support/fake-lastfm/); plain data covers what it has no scenario for.
 */
import { DEFAULT_LASTFM_API_URL } from '../../src/lib/spotify/lastfm-config';
import { readFileSync } from 'node:fs';
import { http, passthrough } from 'msw';
import { describe, expect, it } from 'vitest';
import {
  artistsFromTopArtists,
  lastfmAnswer,
  nowPlayingFromRecentTracks,
  pickLastfmImage,
  readLastfmParts,
  type LastfmPartsRead,
  type LastfmPartsWanted,
  type LastfmReader,
} from '../../src/lib/spotify/lastfm';
import { LASTFM_RATE_LIMIT_WAIT_S, MAX_TEXT_CHARS } from '../../src/lib/spotify/limits';
import type { Fetch } from '../../src/lib/spotify/spotify-api';
import type { ErrorCode, Result, TimeRange } from '../../src/lib/spotify/types';
import {
  FAKE_LASTFM_API_KEY,
  FAKE_LASTFM_USER,
  LASTFM_SCENARIOS,
  LAST_PLAYED_AGO_MS,
  createFakeLastfm,
  type LastfmScenarioName,
} from '../../test-support/fake-lastfm/fake-lastfm';
import { controlFakeLastfm, startFakeLastfmServer } from '../../test-support/fake-lastfm/server';
import { TEST_NOW } from '../mocks/spotify';
import { server as msw } from '../setup/msw';

const BOTH: LastfmPartsWanted = { nowPlaying: true, topArtists: { range: 'short_term', limit: 5 } };
const CDN = 'https://lastfm.freetls.fastly.net/i/u';

const readerFor = (fetch: Fetch, overrides: Partial<LastfmReader> = {}): LastfmReader => ({
  fetch,
  user: FAKE_LASTFM_USER,
  apiKey: FAKE_LASTFM_API_KEY,
  apiUrl: DEFAULT_LASTFM_API_URL,
  now: () => TEST_NOW,
  ...overrides,
});

async function readScenario(scenario: LastfmScenarioName, wanted: LastfmPartsWanted = BOTH) {
  const fake = createFakeLastfm({ scenario, now: () => TEST_NOW });
  return { fake, result: await readLastfmParts(readerFor(fake.fetch), wanted) };
}

function value<T>(result: Result<T> | undefined): T {
  if (!result) throw new Error('expected a result, got none');
  if (!result.ok) throw new Error(`expected success, got ${result.error.code}: ${result.error.message}`);
  return result.value;
}

function code(result: Result<unknown> | undefined): ErrorCode | 'ok' | undefined {
  return result && (result.ok ? 'ok' : result.error.code);
}

/** Everything a read hands back, messages included (an Error's message does not survive JSON.stringify). */
function everything(result: Result<LastfmPartsRead>): string {
  if (!result.ok) return `${result.error.message} ${JSON.stringify(result.error)}`;
  const parts = [result.value.nowPlaying, result.value.topArtists];
  return [JSON.stringify(result.value), ...parts.map((part) => (part && !part.ok ? part.error.message : ''))].join(' ');
}

/** A fetch that answers every request with this status and body. */
const answering = (status: number, body: string): Fetch => async () => new Response(body, { status });

/** A track as Last.fm sends one, with `overrides` on top. */
const track = (overrides: Record<string, unknown> = {}) => ({
  name: 'Cedar Smoke',
  artist: { mbid: '', '#text': 'The Marram Grass' },
  album: { mbid: '', '#text': 'Dune Songs' },
  url: 'https://www.last.fm/music/The+Marram+Grass/_/Cedar+Smoke',
  image: [],
  ...overrides,
});

describe('readLastfmParts: the requests', () => {
  it('reads recent tracks and top artists with one GET each, carrying the user, the key, JSON and the limits', async () => {
    const { fake } = await readScenario('playing');
    expect(fake.requests, 'one request per part').toHaveLength(2);
    const byMethod = Object.fromEntries(fake.requests.map((request) => [request.url.searchParams.get('method'), request]));
    for (const request of fake.requests) {
      expect(request.method).toBe('GET');
      expect(`${request.url.origin}${request.url.pathname}`, 'the default host').toBe(`${DEFAULT_LASTFM_API_URL}/2.0/`);
    }
    expect(Object.fromEntries(byMethod['user.getrecenttracks']!.url.searchParams)).toEqual({
      method: 'user.getrecenttracks',
      user: FAKE_LASTFM_USER,
      api_key: FAKE_LASTFM_API_KEY,
      format: 'json',
      limit: '1',
    });
    expect(Object.fromEntries(byMethod['user.gettopartists']!.url.searchParams)).toEqual({
      method: 'user.gettopartists',
      user: FAKE_LASTFM_USER,
      api_key: FAKE_LASTFM_API_KEY,
      format: 'json',
      period: '1month',
      limit: '5',
    });
  });

  it('asks only for the parts wanted', async () => {
    const { fake, result } = await readScenario('playing', { nowPlaying: false, topArtists: { range: 'long_term', limit: 3 } });
    expect(fake.requests.map((request) => request.url.searchParams.get('method'))).toEqual(['user.gettopartists']);
    expect(value(result).nowPlaying, 'no now-playing part').toBeUndefined();
    expect(value(result).readAt, 'read at the injected clock').toBe(TEST_NOW.toISOString());
  });

  it('maps each range to a Last.fm period', async () => {
    const periods: Record<TimeRange, string> = { short_term: '1month', medium_term: '6month', long_term: '12month' };
    for (const [range, period] of Object.entries(periods) as [TimeRange, string][]) {
      const { fake } = await readScenario('playing', { nowPlaying: false, topArtists: { range, limit: 5 } });
      expect(fake.requests[0]!.url.searchParams.get('period'), range).toBe(period);
    }
  });

  it("sends an identifiable User-Agent: package.json's name and version, and the widget's address when given", async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { name: string; version: string };
    const product = `${pkg.name}/${pkg.version}`;
    const userAgent = async (contactUrl?: string) => {
      const fake = createFakeLastfm({ now: () => TEST_NOW });
      await readLastfmParts(readerFor(fake.fetch, { contactUrl }), { nowPlaying: true, topArtists: null });
      return fake.requests[0]!.headers.get('user-agent');
    };
    expect(await userAgent(), 'without an address').toBe(product);
    expect(await userAgent('https://listening.example/some/page'), 'with the address').toBe(`${product} (+https://listening.example)`);
    expect(await userAgent('javascript:alert(1)'), 'not a web address').toBe(product);
  });
});

describe('readLastfmParts: now playing', () => {
  it('shows the track marked nowplaying as playing, with no position or length (Last.fm gives neither)', async () => {
    const { result } = await readScenario('playing');
    expect(value(value(result).nowPlaying)).toEqual({
      isPlaying: true,
      source: 'current',
      type: 'track',
      title: 'Cedar Smoke',
      artists: [{ name: 'The Marram Grass', url: null }],
      album: 'Dune Songs',
      imageUrl: `${CDN}/300x300/c3d4a1f0e2b54d6f8a9b0c1d2e3f4a5b.png`,
      url: 'https://www.last.fm/music/The+Marram+Grass/_/Cedar+Smoke',
      progressMs: null,
      durationMs: null,
      playedAt: null,
    });
  });

  it('shows the last scrobble as last played, at its time, when nothing is marked nowplaying', async () => {
    const { result } = await readScenario('last_played');
    expect(value(value(result).nowPlaying)).toMatchObject({
      isPlaying: false,
      source: 'recent',
      title: 'Long Division',
      artists: [{ name: 'Hollis & Rye', url: null }],
      playedAt: new Date(TEST_NOW.getTime() - LAST_PLAYED_AGO_MS).toISOString(),
    });
  });

  it('takes the newest dated track, skipping a shell marked nowplaying and a track without a time', () => {
    const tracks = [
      { '@attr': { nowplaying: 'true' }, artist: { '#text': '' }, name: '' },
      track({ name: 'Older', date: { uts: '1000' } }),
      track({ name: 'Undated' }),
      track({ name: 'Newer', date: { uts: '2000', '#text': '01 Jan 1970, 00:33' } }),
    ];
    expect(nowPlayingFromRecentTracks({ recenttracks: { track: tracks } })).toMatchObject({
      title: 'Newer',
      source: 'recent',
      isPlaying: false,
      playedAt: '1970-01-01T00:33:20.000Z',
    });
  });

  it('reads a single track, and a single top artist, sent as an object instead of a list', async () => {
    const { result } = await readScenario('single_track_object');
    expect(value(value(result).nowPlaying)?.title, 'the track').toBe('Long Division');
    expect(value(value(result).topArtists).map((artist) => artist.name), 'the artist').toEqual(['The Marram Grass']);
  });

  it('reads an empty album as no album, as an object or as a bare ""', async () => {
    const { result } = await readScenario('empty_album');
    expect(value(value(result).nowPlaying)?.album, '{ "#text": "" }').toBeNull();
    const bare = nowPlayingFromRecentTracks({ recenttracks: { track: track({ album: '', '@attr': { nowplaying: 'true' } }) } });
    expect(bare?.album, '""').toBeNull();
  });

  it('gives nothing playing and no top artists for a user who never scrobbled', async () => {
    const { result } = await readScenario('no_scrobbles');
    expect(value(value(result).nowPlaying)).toBeNull();
    expect(value(value(result).topArtists)).toEqual([]);
  });

  it('reads the artist from `name` as extended=1 sends it, and caps long text', () => {
    const playing = nowPlayingFromRecentTracks({
      recenttracks: {
        track: [
          track({
            name: 'x'.repeat(5_000),
            artist: { name: 'Noor Alley', url: 'https://www.last.fm/music/Noor+Alley' },
            '@attr': { nowplaying: 'true' },
          }),
        ],
      },
    });
    expect(playing?.artists).toEqual([{ name: 'Noor Alley', url: 'https://www.last.fm/music/Noor+Alley' }]);
    expect(playing?.title.length, 'the title is capped').toBeLessThanOrEqual(MAX_TEXT_CHARS);
  });
});

describe('readLastfmParts: top artists', () => {
  it('reads names, links and pictures, never more than the limit asked for', async () => {
    const { result } = await readScenario('playing');
    const artists = value(value(result).topArtists);
    expect(artists).toHaveLength(5);
    expect(artists[0]).toEqual({
      name: 'The Marram Grass',
      url: 'https://www.last.fm/music/The+Marram+Grass',
      imageUrl: `${CDN}/300x300/a0f00d0000000000000000000000000.png`,
    });
    // Last.fm sometimes sends more than the limit, and nameless entries.
    const sent = { topartists: { artist: [{ name: 'A' }, { name: '' }, { name: 'B' }, { name: 'C' }] } };
    expect(artistsFromTopArtists(sent, 3).map((artist) => artist.name)).toEqual(['A', 'B']);
  });
});

describe('pictures', () => {
  it('takes the largest https picture', () => {
    const images = [
      { size: 'small', '#text': `${CDN}/34s/p.png` },
      { size: 'mega', '#text': 'http://insecure.example/p.png' },
      { size: 'large', '#text': `${CDN}/174s/p.png` },
      { size: 'medium', '#text': `${CDN}/64s/p.png` },
    ];
    expect(pickLastfmImage(images)).toBe(`${CDN}/174s/p.png`);
    expect(pickLastfmImage([...images, { size: 'mega', '#text': `${CDN}/mega/p.png` }]), 'mega beats the rest').toBe(`${CDN}/mega/p.png`);
  });

  it("treats Last.fm's placeholder star and an empty URL as no picture", async () => {
    const { result } = await readScenario('placeholder_images');
    expect(value(value(result).nowPlaying)?.imageUrl, 'the cover').toBeNull();
    const artists = value(value(result).topArtists);
    expect(artists[0]?.imageUrl, 'empty URLs').toBeNull();
    expect(artists.map((artist) => artist.imageUrl), 'the star').toEqual(artists.map(() => null));
  });
});

describe('links', () => {
  it('links only to https://www.last.fm, by the parsed URL', () => {
    const urls = {
      'https://www.last.fm/music/Quillfeather': 'https://www.last.fm/music/Quillfeather',
      'http://www.last.fm/music/Quillfeather': null,
      'https://last.fm/music/Quillfeather': null,
      'https://www.last.fm.evil.example/music/Quillfeather': null,
      'https://www.last.fm@evil.example/': null,
      'https://www.last.fm:8443/music/Quillfeather': null,
      'javascript:alert(1)//www.last.fm': null,
    };
    const artists = artistsFromTopArtists({ topartists: { artist: Object.keys(urls).map((url) => ({ name: 'Quillfeather', url })) } }, 50);
    expect(artists.map((artist) => artist.url)).toEqual(Object.values(urls));
    const playing = nowPlayingFromRecentTracks({
      recenttracks: { track: track({ url: 'https://evil.example/_/Cedar+Smoke', '@attr': { nowplaying: 'true' } }) },
    });
    expect(playing?.url, "a track's link").toBeNull();
  });
});

describe('readLastfmParts: errors', () => {
  it.each([
    ['user_not_found', 'not_configured', ['LASTFM_USER', `"${FAKE_LASTFM_USER}"`]],
    ['bad_key', 'not_configured', ['LASTFM_API_KEY', 'https://www.last.fm/api/account/create']],
  ] as const)('fails the whole read for %s (a setup fault) with %s, saying what to set', async (scenario, expected, words) => {
    const { result } = await readScenario(scenario);
    if (result.ok) throw new Error('expected the whole read to fail');
    expect(result.error.code).toBe(expected);
    for (const word of words) expect(result.error.message).toContain(word);
  });

  it('maps error 17 to profile_private for now playing, naming the privacy setting, while top artists still answer', async () => {
    const { result } = await readScenario('private');
    const nowPlaying = value(result).nowPlaying;
    if (!nowPlaying || nowPlaying.ok) throw new Error('expected now playing to fail');
    expect(nowPlaying.error.code).toBe('profile_private');
    expect(nowPlaying.error.message).toContain('https://www.last.fm/settings/privacy');
    expect(nowPlaying.error.message).toContain('untick "Hide recent listening information"');
    expect(code(value(result).topArtists), 'top artists').toBe('ok');
  });

  it('maps error 29 to rate_limited with a fixed wait, since Last.fm sends no Retry-After', async () => {
    const { result } = await readScenario('rate_limited');
    for (const part of [value(result).nowPlaying, value(result).topArtists]) {
      if (!part || part.ok) throw new Error('expected the part to fail');
      expect(part.error.code).toBe('rate_limited');
      expect(part.error.retryAfterSeconds).toBe(LASTFM_RATE_LIMIT_WAIT_S);
    }
  });

  it('maps error 16 (a temporary error) to upstream_error for each part, saying the widget backs off', async () => {
    const { result } = await readScenario('unavailable');
    for (const part of [value(result).nowPlaying, value(result).topArtists]) {
      if (!part || part.ok) throw new Error('expected the part to fail');
      expect(part.error.code).toBe('upstream_error');
      expect(part.error.message).toContain('temporarily unavailable (error 16)');
    }
  });

  it('judges by the error number at any status, else by the status', () => {
    const judge = (status: number, text: string) => {
      const answer = lastfmAnswer({ status, text }, 'recent tracks endpoint', FAKE_LASTFM_USER);
      return answer.ok ? 'ok' : answer.error;
    };
    expect(judge(503, '{"message":"Service Offline - This service is temporarily offline. Try again later.","error":11}')).toMatchObject({
      code: 'upstream_error',
      message: expect.stringContaining('temporarily unavailable (error 11)') as unknown,
    });
    expect(judge(502, '<html>Bad Gateway</html>'), 'a 5xx without an error number').toMatchObject({ code: 'upstream_error', message: expect.stringContaining('failed with HTTP 502') as unknown });
    expect(judge(200, '{"message":"Rate Limit Exceeded","error":29}'), 'an error in a 200').toMatchObject({ code: 'rate_limited' });
    expect(judge(429, ''), 'a bare 429').toMatchObject({ code: 'rate_limited', retryAfterSeconds: LASTFM_RATE_LIMIT_WAIT_S });
    expect(judge(200, '{"recenttracks": tru'), 'a malformed body').toMatchObject({ code: 'upstream_error', message: expect.stringContaining('malformed') as unknown });
  });

  it('reports a 200 without the part asked for as upstream_error, not as nothing played', async () => {
    const result = await readLastfmParts(readerFor(answering(200, '{}')), BOTH);
    expect([code(value(result).nowPlaying), code(value(result).topArtists)]).toEqual(['upstream_error', 'upstream_error']);
  });

  it('reports a read that does not answer in time as upstream_timeout', async () => {
    const hung: Fetch = (_input, init) =>
      new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason as Error), { once: true }));
    const result = await readLastfmParts(readerFor(hung, { timeoutMs: 20 }), BOTH);
    const nowPlaying = value(result).nowPlaying;
    if (!nowPlaying || nowPlaying.ok) throw new Error('expected now playing to fail');
    expect(nowPlaying.error.code).toBe('upstream_timeout');
    expect(nowPlaying.error.message).toContain("Last.fm's recent tracks endpoint");
    expect(code(value(result).topArtists)).toBe('upstream_timeout');
  });

  it('never puts the API key in a message or a result', async () => {
    for (const scenario of Object.keys(LASTFM_SCENARIOS) as LastfmScenarioName[]) {
      const { result } = await readScenario(scenario);
      expect(everything(result), scenario).not.toContain(FAKE_LASTFM_API_KEY);
    }
    const unreachable: Fetch = async (input) => {
      throw new TypeError(`fetch failed: ${String(input)}`, { cause: { code: 'ECONNREFUSED' } });
    };
    const failures: Fetch[] = [unreachable, answering(500, ''), answering(403, `{"error": 10, "message": "bad key ${FAKE_LASTFM_API_KEY}"}`), answering(418, '')];
    for (const fetch of failures) {
      expect(everything(await readLastfmParts(readerFor(fetch), BOTH))).not.toContain(FAKE_LASTFM_API_KEY);
    }
  });
});

describe('startFakeLastfmServer', () => {
  it('serves the fake over HTTP, and its control endpoint switches scenarios', async () => {
    msw.use(http.all(/^http:\/\/127\.0\.0\.1:\d+\//, () => passthrough()));
    const server = await startFakeLastfmServer({ now: () => TEST_NOW });
    try {
      const reader = readerFor(fetch, { apiUrl: server.url });
      expect(code(value(await readLastfmParts(reader, BOTH)).nowPlaying), 'playing').toBe('ok');
      expect(await controlFakeLastfm(server.url, { scenario: 'private' })).toEqual({
        scenario: 'private',
        requests: 2,
        byMethod: { 'user.getrecenttracks': 1, 'user.gettopartists': 1 },
      });
      expect(code(value(await readLastfmParts(reader, BOTH)).nowPlaying), 'private').toBe('profile_private');
      await expect(controlFakeLastfm(server.url, { scenario: 'nope' as LastfmScenarioName }), 'an unknown scenario').rejects.toThrow(/unknown scenario/);
      expect(await controlFakeLastfm(server.url, { reset: true }), 'a reset').toEqual({ scenario: 'playing', requests: 0, byMethod: {} });
    } finally {
      await server.close();
    }
  });
});
