import { READ_TIMEOUT_MS, TOKEN_TIMEOUT_MS } from './limits';
import type { SpotifyConfig } from './config';
import { ok, type Result } from './errors';
import { normalizeCurrentlyPlaying, normalizeRecentlyPlayed, normalizeTopArtists } from './normalize';
import type { ListeningQuery } from './query';
import { readCurrentlyPlaying, readRecentlyPlayed, readTopArtists, type ApiSession } from './reads';
import { exchangeRefreshToken } from './token';
import type { Artist, Listening, NowPlaying, PartErrors, TimeRange } from './types';
import type { Fetch } from './upstream';

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
   * first. Its failure is logged, never returned: the reads can still succeed.
   */
  onRefreshTokenRotated?: (refreshToken: string) => Promise<void> | void;
  log?: Logger;
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
}

/**
 * One refresh-token exchange, then the wanted reads in parallel. No access
 * token outlives the call. Fails only when the exchange fails.
 */
export async function readParts(reader: SpotifyReader, wanted: PartsWanted): Promise<Result<PartsRead>> {
  const { config, fetch, signal } = reader;
  const now = reader.now ?? (() => new Date());

  const grant = await exchangeRefreshToken(
    {
      fetch,
      signal,
      accountsUrl: config.accountsUrl,
      clientId: config.clientId,
      clientSecret: config.clientSecret,
      timeoutMs: reader.timeouts?.tokenMs ?? TOKEN_TIMEOUT_MS,
    },
    config.refreshToken,
  );
  if (!grant.ok) return grant;
  const rotated = grant.value.refreshToken;
  if (rotated && rotated !== config.refreshToken) await persistRotation(reader, rotated);

  const session: ApiSession = {
    fetch,
    signal,
    apiUrl: config.apiUrl,
    accessToken: grant.value.accessToken,
    timeoutMs: reader.timeouts?.readMs ?? READ_TIMEOUT_MS,
  };
  const [nowPlaying, top] = await Promise.all([
    wanted.nowPlaying ? readNowPlaying(session, wanted.recentOnlyWhenIdle ?? false) : undefined,
    wanted.topArtists ? readTopArtists(session, wanted.topArtists.range, wanted.topArtists.limit) : undefined,
  ]);
  const topArtists: Result<Artist[]> | undefined = top && (top.ok ? ok(normalizeTopArtists(top.value)) : top);
  return ok({ nowPlaying, topArtists, readAt: now().toISOString() });
}

export interface ListeningOptions extends SpotifyReader {
  query: ListeningQuery;
}

/** The per-call contract: every part read afresh, errors per part. */
export async function readListeningAfresh(options: ListeningOptions): Promise<Result<Listening>> {
  const { query } = options;
  const read = await readParts(options, { nowPlaying: true, topArtists: query });
  if (!read.ok) return read;
  const { nowPlaying, topArtists } = read.value as Required<PartsRead>;

  if (!nowPlaying.ok && !topArtists.ok) return nowPlaying;
  const errors: PartErrors = {};
  if (!nowPlaying.ok) errors.nowPlaying = nowPlaying.error.code;
  if (!topArtists.ok) errors.topArtists = topArtists.error.code;

  return ok({
    nowPlaying: nowPlaying.ok ? nowPlaying.value : null,
    topArtists: topArtists.ok ? topArtists.value : null,
    range: query.range,
    fetchedAt: read.value.readAt,
    ...(Object.keys(errors).length > 0 ? { errors } : {}),
  });
}

/**
 * The player's item when there is one worth showing; otherwise the last played
 * track. A failed current read fails the part even when the fallback worked:
 * showing "last played" while something is actually playing would be wrong.
 */
async function readNowPlaying(session: ApiSession, recentOnlyWhenIdle: boolean): Promise<Result<NowPlaying | null>> {
  const recentEarly = recentOnlyWhenIdle ? undefined : readRecentlyPlayed(session);
  const current = await readCurrentlyPlaying(session);
  if (!current.ok) return current;
  const item = normalizeCurrentlyPlaying(current.value);
  if (item) return ok(item);
  const recent = await (recentEarly ?? readRecentlyPlayed(session));
  if (!recent.ok) return recent;
  return ok(normalizeRecentlyPlayed(recent.value));
}

async function persistRotation(reader: SpotifyReader, refreshToken: string): Promise<void> {
  try {
    await reader.onRefreshTokenRotated?.(refreshToken);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    (reader.log?.error ?? reader.log?.warn)?.call(reader.log, `Spotify rotated the refresh token, but saving the new one failed: ${reason}`);
  }
}
