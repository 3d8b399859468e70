/**
 * The widget's public data shapes: the `/api/spotify` 200 body and its parts,
 * and SpotifyError with the one closed list of codes. Shared by the function,
 * the page's server render and the island, so this file must stay free of
 * runtime imports.
 */

export const TIME_RANGES = ['short_term', 'medium_term', 'long_term'] as const;
export type TimeRange = (typeof TIME_RANGES)[number];

/** Where listening data comes from: Spotify, or Last.fm alone or as Spotify's cover. */
export const SERVICES = ['spotify', 'lastfm'] as const;
export type Service = (typeof SERVICES)[number];

/** The closed list of codes, in order: the request's faults and the setup's first, then upstream faults (see `isUpstream`). */
export const ERROR_CODES = [
  'bad_request',
  'method_not_allowed',
  'not_configured',
  'reauthorization_required',
  'scope_missing',
  'premium_required',
  'profile_private',
  'rate_limited',
  'upstream_error',
  'upstream_timeout',
  'state_unavailable',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ArtistCredit {
  name: string;
  url: string | null;
}

export interface NowPlaying {
  /** True only while playback runs. */
  isPlaying: boolean;
  /** `current`: the player's item, playing or paused; `recent`: the last played track. */
  source: 'current' | 'recent';
  type: 'track' | 'episode';
  title: string;
  /** For an episode: the show's publisher, linked to the show. Never an empty name. */
  artists: ArtistCredit[];
  /** Album name; for an episode, the show's name. */
  album: string | null;
  /** https only; the smallest image at least 300 px wide, else the largest. */
  imageUrl: string | null;
  /** open.spotify.com link. */
  url: string | null;
  /** Milliseconds into the item when `fetchedAt` was read. */
  progressMs: number | null;
  durationMs: number | null;
  /** ISO time, for source `recent`. */
  playedAt: string | null;
}

export interface Artist {
  name: string;
  url: string | null;
  imageUrl: string | null;
}

export interface PartErrors {
  nowPlaying?: ErrorCode;
  topArtists?: ErrorCode;
}

/**
 * Present when the data could not be refreshed when it was due: Spotify
 * refused (a rate limit or the daily quota), failed, or the daily budget is
 * spent. The data is the last good read, still worth showing.
 */
export interface Staleness {
  code: ErrorCode;
  /** ISO time the next refresh may happen, when known. */
  retryAt?: string;
}

/** The 200 body of `GET /api/spotify`. */
export interface Listening {
  /** Null: nothing playing and nothing recently played. */
  nowPlaying: NowPlaying | null;
  /** Null only when that part failed (see `errors`). */
  topArtists: Artist[] | null;
  range: TimeRange;
  /** ISO time the data was read from its service. */
  fetchedAt: string;
  /** The service the data came from; absent only in demo data. */
  service?: Service;
  /** With Last.fm data: the owner's profile, `https://www.last.fm/user/<name>`, which the credit links to. */
  profileUrl?: string;
  /** Only when serving built-in demo data. */
  demo?: true;
  /** A part that failed while the other succeeded. */
  errors?: PartErrors;
  /** The last good data, served because a refresh was due but could not happen. */
  stale?: Staleness;
}

/** The body of every non-200 answer of `GET /api/spotify`. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

/**
 * Every failure the core reports. `code` is the contract's error code; the
 * message is safe to show the owner (it never contains a secret or token).
 * `retryAfterSeconds`: seconds the caller should wait, for `rate_limited`.
 * `isUpstream`: true when the fault lies with Spotify or its shared state
 * rather than with the request or the setup: the codes from
 * `reauthorization_required` on.
 */
export class SpotifyError extends Error {
  override readonly name = 'SpotifyError';
  readonly retryAfterSeconds: number | undefined;

  constructor(
    readonly code: ErrorCode,
    message: string,
    options: { retryAfterSeconds?: number } = {},
  ) {
    super(message);
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  get isUpstream(): boolean {
    return ERROR_CODES.indexOf(this.code) >= ERROR_CODES.indexOf('reauthorization_required');
  }
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: SpotifyError };

/** `{ errors }` naming each failed part, or nothing when none failed. */
export function partErrors(nowPlaying: ErrorCode | false, topArtists: ErrorCode | false): { errors?: PartErrors } {
  return nowPlaying || topArtists ? { errors: { ...(nowPlaying && { nowPlaying }), ...(topArtists && { topArtists }) } } : {};
}

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = <T = never>(error: SpotifyError): Result<T> => ({ ok: false, error });
