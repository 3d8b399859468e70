/**
 * The Last.fm client: the two reads the widget needs
 * (user.getRecentTracks for now playing, user.getTopArtists), Last.fm's error
 * numbers mapped onto the closed code list, and its loose JSON read into the
 * contract's NowPlaying and Artist. Pure: fetch, clock and signal are passed
 * in, and every request goes through callUpstream, the one fetch wrapper.
 *
 * The API key is a secret that travels in the query string: it appears in the
 * request URL and nowhere else, never in a message or a result.
 */
import type { LastfmConfig } from './config';
import type { ListeningSource, PartsRead, PartsWanted } from './listening';
import { LASTFM_RATE_LIMIT_WAIT_S, LASTFM_READ_TIMEOUT_MS } from './limits';
import { isHttps, linkOn, text } from './normalize';
import { callUpstream, type Fetch } from './spotify-api';
import { SpotifyError, fail, ok, type Artist, type ArtistCredit, type NowPlaying, type Result, type TimeRange } from './types';

/** The widget's name and version as package.json has them (a unit test keeps the two in step). */
export const WIDGET_PRODUCT = 'listening-widget/0.1.0';

/**
 * Last.fm's API terms ask for an identifiable User-Agent. With the widget's
 * public address it also says whose widget calls; anything but an http(s)
 * URL is left out.
 */
export function lastfmUserAgent(contactUrl?: string): string {
  const url = contactUrl && URL.canParse(contactUrl) ? new URL(contactUrl) : null;
  return url && (url.protocol === 'https:' || url.protocol === 'http:') ? `${WIDGET_PRODUCT} (+${url.origin})` : WIDGET_PRODUCT;
}

/** Spotify's ranges as Last.fm periods: about four weeks, six months and a year. */
export const LASTFM_PERIODS: Record<TimeRange, '1month' | '6month' | '12month'> = {
  short_term: '1month',
  medium_term: '6month',
  long_term: '12month',
};

/** In the file name of the grey star Last.fm serves for every artist since 2019: no picture. */
export const LASTFM_PLACEHOLDER_IMAGE_ID = '2a96cbd8b46e442fc41c2b86b821562f';

export interface LastfmReader extends LastfmConfig {
  fetch: Fetch;
  now?: () => Date;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** The widget's public address, named in the User-Agent. */
  contactUrl?: string;
}

export type LastfmPartsWanted = Pick<PartsWanted, 'nowPlaying' | 'topArtists'>;
export type LastfmPartsRead = Omit<PartsRead, 'access'>;

/**
 * The wanted reads in parallel, one request each. A part that fails fails
 * alone, except for a wrong user name or API key: that is the setup, wrong
 * for every read, so the whole read fails, as a refused Spotify token
 * exchange does.
 */
export async function readLastfmParts(reader: LastfmReader, wanted: LastfmPartsWanted): Promise<Result<LastfmPartsRead>> {
  const now = reader.now ?? (() => new Date());
  const top = wanted.topArtists;
  const [recent, artists] = await Promise.all([
    wanted.nowPlaying ? callMethod(reader, 'recenttracks', 'user.getrecenttracks', { limit: '1' }) : undefined,
    top ? callMethod(reader, 'topartists', 'user.gettopartists', { period: LASTFM_PERIODS[top.range], limit: String(top.limit) }) : undefined,
  ]);
  const nowPlaying = recent && (recent.ok ? ok(nowPlayingFromRecentTracks(recent.value)) : recent);
  const topArtists = artists && (artists.ok ? ok(artistsFromTopArtists(artists.value, top?.limit ?? 0)) : artists);
  for (const part of [nowPlaying, topArtists]) {
    if (part && !part.ok && part.error.code === 'not_configured') return fail(part.error);
  }
  return ok({ nowPlaying, topArtists, readAt: now().toISOString() });
}

/* --- The wire --- */

export interface RawLastfmImage {
  '#text'?: string;
  size?: string;
}

/** Most fields arrive as strings, numbers included; a list of one arrives as the item itself. */
export interface RawLastfmTrack {
  name?: string;
  url?: string;
  /** `{ '#text' }`, or `{ name, url }` with extended=1. */
  artist?: { '#text'?: string; name?: string; url?: string; mbid?: string } | string;
  /** `""` (or `{ '#text': '' }`) when the track has no album. */
  album?: { '#text'?: string; mbid?: string } | string;
  image?: RawLastfmImage[];
  /** Absent on the track playing now. */
  date?: { uts?: string; '#text'?: string };
  '@attr'?: { nowplaying?: string };
  mbid?: string;
  streamable?: string;
}

export interface RawLastfmArtist {
  name?: string;
  url?: string;
  image?: RawLastfmImage[];
  playcount?: string;
  mbid?: string;
  '@attr'?: { rank?: string };
}

type RawList<T> = T | T[] | '' | null;
type RawAttr = Record<string, string>;

export interface RawLastfmRecentTracks {
  recenttracks?: { track?: RawList<RawLastfmTrack>; '@attr'?: RawAttr };
}

export interface RawLastfmTopArtists {
  topartists?: { artist?: RawList<RawLastfmArtist>; '@attr'?: RawAttr };
}

/** Last.fm's answer to a failed call, at any HTTP status (sometimes 200). */
export interface RawLastfmError {
  error?: number | string;
  message?: string;
}

const WHAT = { recenttracks: 'recent tracks endpoint', topartists: 'top artists endpoint' } as const;
type Key = keyof typeof WHAT;
type Answer<K extends Key> = K extends 'recenttracks' ? RawLastfmRecentTracks : RawLastfmTopArtists;

async function callMethod<K extends Key>(reader: LastfmReader, key: K, method: string, params: Record<string, string>): Promise<Result<Answer<K>>> {
  const query = new URLSearchParams({ method, user: reader.user, api_key: reader.apiKey, format: 'json', ...params });
  const answered = await callUpstream(
    { fetch: reader.fetch, timeoutMs: reader.timeoutMs ?? LASTFM_READ_TIMEOUT_MS, signal: reader.signal },
    `${reader.apiUrl}/2.0/?${query}`,
    { headers: { 'User-Agent': lastfmUserAgent(reader.contactUrl), Accept: 'application/json' } },
    `Last.fm's ${WHAT[key]}`,
  );
  if (!answered.ok) return answered;
  const body = lastfmAnswer(answered.value, WHAT[key], reader.user);
  if (!body.ok) return body;
  const part = body.value[key];
  // A 200 without the part asked for is Last.fm changing shape: saying "nothing played" would hide it.
  if (typeof part !== 'object' || part === null) {
    return fail(new SpotifyError('upstream_error', `Last.fm's ${WHAT[key]} answered without "${key}".`));
  }
  return ok(body.value as Answer<K>);
}

/**
 * Last.fm's answer as a JSON object, or the fault it reports. The error
 * number decides, at any status; without one, the status does.
 */
export function lastfmAnswer(answer: { status: number; text: string }, what: string, user: string): Result<Record<string, unknown>> {
  let body: Record<string, unknown> | null = null;
  try {
    const parsed: unknown = JSON.parse(answer.text);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
  } catch {
    // not JSON: judged by the status below
  }
  const error = (body as RawLastfmError | null)?.error;
  const number = typeof error === 'number' ? error : typeof error === 'string' && /^\d+$/.test(error) ? Number(error) : null;
  if (number !== null) return fail(lastfmError(number, what, user));
  if (answer.status === 429) return fail(lastfmError(29, what, user));
  if (answer.status >= 500) {
    return fail(new SpotifyError('upstream_error', `Last.fm's ${what} failed with HTTP ${answer.status}. ${BACKING_OFF}`));
  }
  if (answer.status !== 200) return fail(new SpotifyError('upstream_error', `Last.fm's ${what} answered HTTP ${answer.status}.`));
  if (!body) return fail(new SpotifyError('upstream_error', `Last.fm's ${what} sent a malformed body.`));
  return ok(body);
}

const BACKING_OFF = 'Nothing to change: the widget backs off and asks again later.';
const CREATE_KEY = 'https://www.last.fm/api/account/create';

/**
 * Last.fm's error numbers (https://www.last.fm/api/errorcodes), each with
 * what the owner should do. Its own message is never passed on: the
 * numbers say enough, and nothing from the wire ends up beside a secret.
 */
export function lastfmError(number: number, what: string, user: string): SpotifyError {
  switch (number) {
    case 6:
      return new SpotifyError(
        'not_configured',
        `Last.fm has no user named "${user}" (error 6). Set LASTFM_USER to the name in your profile's address, https://www.last.fm/user/<name>.`,
      );
    case 10:
      return new SpotifyError(
        'not_configured',
        `Last.fm rejected the API key (error 10). Set LASTFM_API_KEY to your application's key, from ${CREATE_KEY} (or https://www.last.fm/api/accounts for an existing one).`,
      );
    case 26:
      return new SpotifyError('not_configured', `Last.fm has suspended the API key (error 26). Create a new one at ${CREATE_KEY} and set LASTFM_API_KEY to it.`);
    case 17:
      return new SpotifyError(
        'profile_private',
        `Last.fm hides ${user}'s recent listening (error 17), so the widget cannot see it. At https://www.last.fm/settings/privacy, untick "Hide recent listening information" and save.`,
      );
    case 29:
      return new SpotifyError(
        'rate_limited',
        `Last.fm is rate limiting calls to its ${what} (error 29). Retry after ${LASTFM_RATE_LIMIT_WAIT_S} s; if it keeps happening, read less often.`,
        { retryAfterSeconds: LASTFM_RATE_LIMIT_WAIT_S },
      );
    case 11:
    case 16:
      return new SpotifyError('upstream_error', `Last.fm's ${what} is temporarily unavailable (error ${number}). ${BACKING_OFF}`);
    default:
      return new SpotifyError('upstream_error', `Last.fm's ${what} answered error ${number}.`);
  }
}

/* --- Last.fm's JSON into the contract --- */

const UNKNOWN_TITLE = 'Unknown title';
const lastfmUrl = (raw: unknown) => linkOn('www.last.fm', raw);

/**
 * The track marked now playing; else the newest track with a play time, as
 * last played. Null: no scrobbles, or nothing worth showing.
 */
export function nowPlayingFromRecentTracks(body: RawLastfmRecentTracks): NowPlaying | null {
  const tracks = list(body.recenttracks?.track);
  const playing = tracks.find((track) => track['@attr']?.nowplaying === 'true');
  const current = playing ? fromTrack(playing) : null;
  if (current) return { ...current, isPlaying: true, source: 'current', playedAt: null };

  const dated = tracks.flatMap((track) => {
    const at = playedAtMs(track);
    return at === null ? [] : [{ track, at }];
  });
  const newest = dated.sort((a, b) => b.at - a.at)[0];
  const recent = newest ? fromTrack(newest.track) : null;
  return recent && newest ? { ...recent, isPlaying: false, source: 'recent', playedAt: new Date(newest.at).toISOString() } : null;
}

export function artistsFromTopArtists(body: RawLastfmTopArtists, limit: number): Artist[] {
  // Last.fm sometimes sends more than the limit asked for.
  return list(body.topartists?.artist)
    .slice(0, limit)
    .flatMap((artist) => {
      const name = text(artist.name);
      return name ? [{ name, url: lastfmUrl(artist.url), imageUrl: pickLastfmImage(artist.image) }] : [];
    });
}

const IMAGE_SIZES = ['small', 'medium', 'large', 'extralarge', 'mega'];

/** The largest https picture that is not the placeholder star; an empty URL is no picture. */
export function pickLastfmImage(images: RawLastfmImage[] | null | undefined): string | null {
  const usable = (Array.isArray(images) ? images : []).flatMap((image) => {
    const url = image?.['#text'];
    return isHttps(url) && !url.includes(LASTFM_PLACEHOLDER_IMAGE_ID) ? [{ url, rank: IMAGE_SIZES.indexOf(image.size ?? '') }] : [];
  });
  return usable.reduce<{ url: string; rank: number } | null>((best, image) => (!best || image.rank >= best.rank ? image : best), null)?.url ?? null;
}

type TrackFields = Omit<NowPlaying, 'isPlaying' | 'source' | 'playedAt'>;

function fromTrack(track: RawLastfmTrack): TrackFields | null {
  const title = text(track.name);
  const artist = typeof track.artist === 'string' ? { '#text': track.artist } : track.artist;
  const name = text(artist?.['#text']) ?? text(artist?.name);
  const artists: ArtistCredit[] = name ? [{ name, url: lastfmUrl(artist?.url) }] : [];
  // A track with neither a title nor an artist is a shell: showing it would be an empty hole.
  if (!title && artists.length === 0) return null;
  return {
    type: 'track',
    title: title ?? UNKNOWN_TITLE,
    artists,
    album: text(typeof track.album === 'string' ? track.album : track.album?.['#text']),
    imageUrl: pickLastfmImage(track.image),
    url: lastfmUrl(track.url),
    // Last.fm knows neither the position nor, here, the length.
    progressMs: null,
    durationMs: null,
  };
}

/** `date.uts` is epoch seconds as a string. */
function playedAtMs(track: RawLastfmTrack): number | null {
  const uts = track.date?.uts;
  return typeof uts === 'string' && /^\d{1,11}$/.test(uts) ? Number(uts) * 1_000 : null;
}

/** A list of one arrives as the item itself, and an empty one as `[]` or `""`. */
function list<T>(value: RawList<T> | undefined): T[] {
  const items = Array.isArray(value) ? value : [value];
  return items.filter((item): item is T => typeof item === 'object' && item !== null);
}

/** The owner's Last.fm profile, which the widget's credit links to. */
export const lastfmProfileUrl = (user: string) => `https://www.last.fm/user/${encodeURIComponent(user)}`;

/** Last.fm as a source of the shared state or of a stateless call. */
export function lastfmSource(config: LastfmConfig, now: () => Date, contactUrl?: string): ListeningSource {
  return {
    service: 'lastfm',
    label: { service: 'lastfm', profileUrl: lastfmProfileUrl(config.user) },
    async read(wanted, fetch, signal, access) {
      const read = await readLastfmParts({ ...config, fetch, now, signal, contactUrl }, wanted);
      return read.ok ? ok({ ...read.value, access }) : read;
    },
  };
}
