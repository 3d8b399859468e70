import { READ_TIMEOUT_MS, TOKEN_TIMEOUT_MS } from './limits';
import type { SpotifyConfig } from './config';
import { normalizeCurrentlyPlaying, normalizeRecentlyPlayed, normalizeTopArtists } from './normalize';
import type { ListeningQuery } from './query';
import { exchangeRefreshToken, readCurrentlyPlaying, readRecentlyPlayed, readTopArtists, type ApiSession, type Fetch } from './spotify-api';
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
   * first. Its failure is logged, never returned: the reads can still succeed.
   */
  onRefreshTokenRotated?: (refreshToken: string) => Promise<void> | void;
  log?: Logger;
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
  const now = () => reader.now?.() ?? new Date();
  if (access) {
    const parts = await readWith(reader, access.token, wanted);
    // Spotify refusing the token (401, which reads as a missing scope) may mean it died early: exchange once and read again.
    const refused = [parts.nowPlaying, parts.topArtists].some((part) => part?.ok === false && part.error.code === 'scope_missing');
    if (!refused) return ok({ ...parts, readAt: now().toISOString(), access });
  }
  const startedAt = now().getTime();
  const grant = await exchangeRefreshToken({ ...config, fetch, signal: reader.signal, timeoutMs: reader.timeouts?.tokenMs ?? TOKEN_TIMEOUT_MS }, config.refreshToken);
  if (!grant.ok) return grant;
  const rotated = grant.value.refreshToken;
  if (rotated && rotated !== config.refreshToken) {
    try {
      await reader.onRefreshTokenRotated?.(rotated);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      (reader.log?.error ?? reader.log?.warn)?.call(reader.log, `Spotify rotated the refresh token, but saving the new one failed: ${reason}`);
    }
  }
  const token = { token: grant.value.accessToken, expiresAt: startedAt + grant.value.expiresInS * 1_000 };
  return ok({ ...(await readWith(reader, token.token, wanted)), readAt: now().toISOString(), access: token });
}

async function readWith(reader: SpotifyReader, accessToken: string, wanted: PartsWanted): Promise<Pick<PartsRead, 'nowPlaying' | 'topArtists'>> {
  const session: ApiSession = {
    fetch: reader.fetch,
    signal: reader.signal,
    apiUrl: reader.config.apiUrl,
    accessToken,
    timeoutMs: reader.timeouts?.readMs ?? READ_TIMEOUT_MS,
  };
  const [nowPlaying, top] = await Promise.all([
    wanted.nowPlaying ? readNowPlaying(session, wanted.recentOnlyWhenIdle ?? false) : undefined,
    wanted.topArtists ? readTopArtists(session, wanted.topArtists.range, wanted.topArtists.limit) : undefined,
  ]);
  return { nowPlaying, topArtists: top && (top.ok ? ok(normalizeTopArtists(top.value)) : top) };
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
