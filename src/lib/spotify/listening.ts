import { READ_TIMEOUT_MS, TOKEN_TIMEOUT_MS } from './limits';
import type { SpotifyConfig } from './config';
import { normalizeCurrentlyPlaying, normalizeRecentlyPlayed, normalizeTopArtists } from './normalize';
import type { ListeningQuery } from './query';
import { exchangeRefreshToken, readSpotify, type ApiSession, type Fetch } from './spotify-api';
import { ok, partErrors, type Artist, type Listening, type NowPlaying, type Result, type Service, type TimeRange } from './types';

export interface Logger {
  warn(message: string): void;
  error?(message: string): void;
}

export interface SpotifyReader {
  fetch: Fetch;
  config: SpotifyConfig;
  now?: () => Date;
  timeouts?: { tokenMs?: number; readMs?: number };
  signal?: AbortSignal;
  /**
   * Called when Spotify rotates the refresh token, and awaited before any
   * read: the old token may already be dead, so the new one must be safe
   * first. It never rejects: it reports its own failure, because the reads
   * can still succeed.
   */
  onRefreshTokenRotated?: (refreshToken: string) => Promise<void>;
  /** An access token from an earlier exchange, still valid: used instead of exchanging. */
  access?: AccessToken | null;
}

/** Server-side only: never logged, never in an answer or a page. */
export interface AccessToken {
  token: string;
  /** Epoch ms. */
  expiresAt: number;
}

/** Which parts of the listening data to read. */
export interface PartsWanted {
  nowPlaying: boolean;
  topArtists: { range: TimeRange; limit: number } | null;
  /**
   * Read recently played only when nothing is playing: one request fewer
   * while music plays, for one more round trip when it does not. The shared
   * state takes it to save budget; a stateless call reads both at once.
   */
  recentOnlyWhenIdle?: boolean;
}

export interface PartsRead {
  nowPlaying?: Result<NowPlaying | null>;
  topArtists?: Result<Artist[]>;
  /** ISO time the parts were read. */
  readAt: string;
  /** The access token the reads used, to reuse; null when Spotify refused it. */
  access: AccessToken | null;
}

/**
 * The wanted reads in parallel, with the reader's access token when it has
 * one, else after one refresh-token exchange. Spotify refusing a reused token
 * (401) drops it: one exchange, and the reads again. Fails only when the
 * exchange fails.
 */
export async function readParts(reader: SpotifyReader, wanted: PartsWanted): Promise<Result<PartsRead>> {
  const { access, config, fetch } = reader;
  if (access) {
    let refused = false;
    const watched: Fetch = async (input, init) => {
      const response = await fetch(input, init);
      refused ||= response.status === 401;
      return response;
    };
    const parts = await readWith({ ...reader, fetch: watched }, access, wanted);
    if (!refused) return ok(parts);
  }
  const startedAt = clockOf(reader).getTime();
  // The reader's fetch and signal; the config's accounts URL and credentials.
  const grant = await exchangeRefreshToken({ ...reader, ...config, timeoutMs: reader.timeouts?.tokenMs ?? TOKEN_TIMEOUT_MS }, config.refreshToken);
  if (!grant.ok) return grant;
  const { accessToken, refreshToken: rotated, expiresInS } = grant.value;
  if (rotated && rotated !== config.refreshToken) await reader.onRefreshTokenRotated?.(rotated);
  return ok(await readWith(reader, { token: accessToken, expiresAt: startedAt + expiresInS * 1_000 }, wanted));
}

const clockOf = (reader: SpotifyReader) => reader.now?.() ?? new Date();

/** The wanted reads in parallel, with one access token. */
async function readWith(reader: SpotifyReader, access: AccessToken, wanted: PartsWanted): Promise<PartsRead> {
  const session: ApiSession = { ...reader, apiUrl: reader.config.apiUrl, accessToken: access.token, timeoutMs: reader.timeouts?.readMs ?? READ_TIMEOUT_MS };
  const top = wanted.topArtists;
  const [nowPlaying, topArtists] = await Promise.all([
    wanted.nowPlaying ? readNowPlaying(session, wanted.recentOnlyWhenIdle) : undefined,
    top ? readSpotify(session, 'top artists', `time_range=${top.range}&limit=${top.limit}`) : undefined,
  ]);
  return { nowPlaying, topArtists: topArtists && (topArtists.ok ? ok(normalizeTopArtists(topArtists.value)) : topArtists), readAt: clockOf(reader).toISOString(), access };
}

/**
 * A source of listening data: Spotify, or Last.fm. `access` is Spotify's
 * stored access token; a source that has none passes it through.
 */
export interface ListeningSource {
  service: Service;
  /** Added to every answer from this source. */
  label: Pick<Listening, 'service' | 'profileUrl'>;
  read(wanted: PartsWanted, fetch: Fetch, signal: AbortSignal, access: AccessToken | null): Promise<Result<PartsRead>>;
}

export interface ListeningOptions extends SpotifyReader {
  query: ListeningQuery;
}

/** Spotify's per-call contract for one reader: every part read afresh, errors per part. */
export async function readListeningAfresh(options: ListeningOptions): Promise<Result<Listening>> {
  return listeningFrom(await readParts(options, { nowPlaying: true, topArtists: options.query }), options.query, { service: 'spotify' });
}

/** The answer from parts read afresh: errors per part, and a failure only when every part failed. */
export function listeningFrom(
  read: Result<Omit<PartsRead, 'access'>>,
  query: ListeningQuery,
  source: Pick<Listening, 'service' | 'profileUrl'>,
): Result<Listening> {
  if (!read.ok) return read;
  const { nowPlaying, topArtists, readAt } = read.value as Required<PartsRead>;
  if (!nowPlaying.ok && !topArtists.ok) return nowPlaying;
  return ok({
    nowPlaying: nowPlaying.ok ? nowPlaying.value : null,
    topArtists: topArtists.ok ? topArtists.value : null,
    range: query.range,
    fetchedAt: readAt,
    ...source,
    ...partErrors(!nowPlaying.ok && nowPlaying.error.code, !topArtists.ok && topArtists.error.code),
  });
}

/**
 * The player's item when there is one worth showing; otherwise the last played
 * track. A failed current read fails the part even when the fallback worked:
 * showing "last played" while something is actually playing would be wrong.
 */
async function readNowPlaying(session: ApiSession, recentOnlyWhenIdle?: boolean): Promise<Result<NowPlaying | null>> {
  const recentEarly = recentOnlyWhenIdle ? undefined : readSpotify(session, 'recently played');
  const current = await readSpotify(session, 'currently playing');
  if (!current.ok) return current;
  const item = normalizeCurrentlyPlaying(current.value);
  if (item) return ok(item);
  const recent = await (recentEarly ?? readSpotify(session, 'recently played'));
  return recent.ok ? ok(normalizeRecentlyPlayed(recent.value)) : recent;
}
