/**
 * An in-memory fake of Last.fm's API (`GET /2.0/?method=…`), for the two
 * methods the widget reads: user.getRecentTracks and user.getTopArtists. It
 * checks the API key and the user name as Last.fm does, answers errors in
 * Last.fm's `{ "message", "error" }` form, and keeps Last.fm's JSON quirks.
 * Not wired into the project yet (see src/lib/spotify/lastfm.ts).
 */
import type { Fetch } from '../../src/lib/spotify/spotify-api';
import type { RawLastfmArtist, RawLastfmTrack } from '../../src/lib/spotify/lastfm';
import type { RecordedRequest } from '../fake-spotify/fake-spotify';
import { LASTFM_LAST_PLAYED, LASTFM_NOW_PLAYING, LASTFM_TOP_ARTISTS, PLACEHOLDER_STAR_ID, lastfmImages } from './fixtures';

export const LASTFM_SCENARIOS = {
  playing: 'A track is scrobbling now: recent tracks hold it (marked nowplaying) and the last scrobble.',
  last_played: 'Nothing is scrobbling: recent tracks hold only the last scrobble, with its date.',
  single_track_object: 'Nothing is scrobbling, and the one track (and the one top artist) arrives as an object, not a list.',
  empty_album: 'The track scrobbling now has no album: its album text is "".',
  no_scrobbles: 'A user who never scrobbled: no recent tracks (`track: []`), no top artists.',
  placeholder_images: "Every picture is Last.fm's grey star, and one artist's URLs are empty.",
  private: 'The user hides recent listening: recent tracks answer error 17; top artists still answer.',
  user_not_found: 'Every call answers error 6: no such user.',
  bad_key: 'Every call answers error 10: invalid API key.',
  rate_limited: 'Every call answers error 29: rate limit exceeded, with no Retry-After.',
  unavailable: 'Every call answers error 16: a temporary error.',
} as const;

export type LastfmScenarioName = keyof typeof LASTFM_SCENARIOS;

export const isLastfmScenarioName = (value: string): value is LastfmScenarioName => Object.hasOwn(LASTFM_SCENARIOS, value);

export const FAKE_LASTFM_USER = 'fake-listener';
/** Shaped like a real key: 32 hex digits. */
export const FAKE_LASTFM_API_KEY = 'f4ce1a57f4ce1a57f4ce1a57f4ce1a57';

/** How long before the fake's `now` the last scrobble happened. */
export const LAST_PLAYED_AGO_MS = 12 * 60_000;

export interface FakeLastfmOptions {
  /** The only user that exists (any letter case, as on Last.fm). */
  user?: string;
  /** The only API key accepted. */
  apiKey?: string;
  scenario?: LastfmScenarioName;
  now?: () => Date;
}

export interface FakeLastfm {
  handle(request: Request): Promise<Response>;
  /** A `fetch` that never touches the network. */
  fetch: Fetch;
  requests: RecordedRequest[];
  scenario: LastfmScenarioName;
}

/** Last.fm's error answers as it sends them: number, message, HTTP status. */
const ERRORS = {
  3: ['Invalid Method - No method with that name in this package', 400],
  6: ['User not found', 404],
  10: ['Invalid API key - You must be granted a valid key by last.fm', 403],
  16: ['There was a temporary error processing your request. Please try again', 500],
  17: ['Login: User required to be logged in', 403],
  29: ['Rate Limit Exceeded - Your IP has made too many requests in a short period', 429],
} as const;

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

const lastfmError = (number: keyof typeof ERRORS) => json({ message: ERRORS[number][0], error: number }, ERRORS[number][1]);

/** The error every call answers in a scenario, whatever it asks. */
const SCENARIO_ERRORS: Partial<Record<LastfmScenarioName, keyof typeof ERRORS>> = {
  bad_key: 10,
  user_not_found: 6,
  rate_limited: 29,
  unavailable: 16,
};

export function createFakeLastfm(options: FakeLastfmOptions = {}): FakeLastfm {
  const now = options.now ?? (() => new Date());
  const user = options.user ?? FAKE_LASTFM_USER;
  const apiKey = options.apiKey ?? FAKE_LASTFM_API_KEY;

  const fake: FakeLastfm = {
    requests: [],
    scenario: options.scenario ?? 'playing',
    fetch: async (input, init) => fake.handle(new Request(input, init)),
    async handle(request) {
      const url = new URL(request.url);
      fake.requests.push({ method: request.method, url, headers: new Headers(request.headers), body: '' });
      if (url.pathname !== '/2.0/' && url.pathname !== '/2.0') return new Response('Not found', { status: 404 });
      const params = url.searchParams;
      // Without format=json, Last.fm answers XML.
      if (params.get('format') !== 'json') {
        return new Response('<?xml version="1.0" encoding="UTF-8"?>\n<lfm status="ok"></lfm>', { headers: { 'Content-Type': 'text/xml' } });
      }
      const forced = SCENARIO_ERRORS[fake.scenario];
      if (forced) return lastfmError(forced);
      if (params.get('api_key') !== apiKey) return lastfmError(10);
      if (params.get('user')?.toLowerCase() !== user.toLowerCase()) return lastfmError(6);
      // Method names are case-insensitive: user.getRecentTracks and user.getrecenttracks both work.
      switch (params.get('method')?.toLowerCase()) {
        case 'user.getrecenttracks':
          return fake.scenario === 'private' ? lastfmError(17) : recentTracks(Number(params.get('limit') ?? 50));
        case 'user.gettopartists':
          return topArtists(Number(params.get('limit') ?? 50));
        default:
          return lastfmError(3);
      }
    },
  };

  function recentTracks(limit: number): Response {
    const at = now().getTime() - LAST_PLAYED_AGO_MS;
    const lastPlayed: RawLastfmTrack = { ...LASTFM_LAST_PLAYED, date: { uts: String(Math.floor(at / 1_000)), '#text': scrobbleDate(at) } };
    const nowPlaying: RawLastfmTrack = { ...LASTFM_NOW_PLAYING, '@attr': { nowplaying: 'true' } };
    const attr = (total: number) => ({ user, totalPages: String(total), page: '1', perPage: String(limit), total: String(total) });
    switch (fake.scenario) {
      case 'no_scrobbles':
        return json({ recenttracks: { track: [], '@attr': attr(0) } });
      case 'last_played':
        return json({ recenttracks: { track: [lastPlayed], '@attr': attr(1_234) } });
      case 'single_track_object':
        return json({ recenttracks: { track: lastPlayed, '@attr': attr(1) } });
      case 'empty_album':
        return json({ recenttracks: { track: [{ ...nowPlaying, album: { mbid: '', '#text': '' } }, lastPlayed], '@attr': attr(1_234) } });
      case 'placeholder_images':
        return json({ recenttracks: { track: [{ ...nowPlaying, image: lastfmImages(PLACEHOLDER_STAR_ID) }, lastPlayed], '@attr': attr(1_234) } });
      default:
        // While a track is playing, Last.fm sends it on top of the `limit` scrobbles.
        return json({ recenttracks: { track: [nowPlaying, lastPlayed], '@attr': attr(1_234) } });
    }
  }

  function topArtists(limit: number): Response {
    const star = lastfmImages(PLACEHOLDER_STAR_ID);
    const listed: RawLastfmArtist[] =
      fake.scenario === 'no_scrobbles'
        ? []
        : fake.scenario === 'placeholder_images'
          ? LASTFM_TOP_ARTISTS.slice(0, limit).map((artist, index) => ({ ...artist, image: index === 0 ? star.map((image) => ({ ...image, '#text': '' })) : star }))
          : LASTFM_TOP_ARTISTS.slice(0, limit);
    // One artist arrives as the object itself.
    const artists = fake.scenario === 'single_track_object' ? LASTFM_TOP_ARTISTS[0]! : listed;
    const total = Array.isArray(artists) ? artists.length : 1;
    return json({ topartists: { artist: artists, '@attr': { user, totalPages: '1', page: '1', perPage: String(limit), total: String(total) } } });
  }

  return fake;
}

/** Last.fm's own date text, as in "23 Nov 2026, 11:48" (UTC). */
function scrobbleDate(ms: number): string {
  const date = new Date(ms);
  const month = date.toLocaleString('en-GB', { month: 'short', timeZone: 'UTC' });
  const time = date.toISOString().slice(11, 16);
  return `${date.getUTCDate()} ${month} ${date.getUTCFullYear()}, ${time}`;
}
