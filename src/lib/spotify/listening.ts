import { READ_TIMEOUT_MS, TOKEN_TIMEOUT_MS } from './budget';
import type { SpotifyConfig } from './config';
import { ok, type Result } from './errors';
import { normalizeCurrentlyPlaying, normalizeRecentlyPlayed, normalizeTopArtists } from './normalize';
import type { ListeningQuery } from './query';
import { readCurrentlyPlaying, readRecentlyPlayed, readTopArtists, type ApiSession } from './reads';
import { exchangeRefreshToken } from './token';
import type { Artist, Listening, NowPlaying, PartErrors } from './types';
import type { Fetch } from './upstream';

export interface Logger {
  warn(message: string): void;
}

export interface ListeningOptions {
  fetch: Fetch;
  config: SpotifyConfig;
  query: ListeningQuery;
  now?: () => Date;
  timeouts?: { tokenMs?: number; readMs?: number };
  signal?: AbortSignal;
  /**
   * Called when Spotify rotates the refresh token. It runs beside the reads,
   * and its failure is logged, never returned: the call can still succeed.
   */
  onRefreshTokenRotated?: (refreshToken: string) => Promise<void> | void;
  log?: Logger;
}

/**
 * One refresh-token exchange, then the three reads in parallel: two round
 * trips on the critical path. No access token outlives the call.
 */
export async function getListening(options: ListeningOptions): Promise<Result<Listening>> {
  const { config, query, fetch, signal } = options;
  const now = options.now ?? (() => new Date());

  const grant = await exchangeRefreshToken(
    {
      fetch,
      signal,
      accountsUrl: config.accountsUrl,
      clientId: config.clientId,
      clientSecret: config.clientSecret,
      timeoutMs: options.timeouts?.tokenMs ?? TOKEN_TIMEOUT_MS,
    },
    config.refreshToken,
  );
  if (!grant.ok) return grant;

  const session: ApiSession = {
    fetch,
    signal,
    apiUrl: config.apiUrl,
    accessToken: grant.value.accessToken,
    timeoutMs: options.timeouts?.readMs ?? READ_TIMEOUT_MS,
  };
  const rotated = grant.value.refreshToken;
  const [current, recent, top] = await Promise.all([
    readCurrentlyPlaying(session),
    readRecentlyPlayed(session),
    readTopArtists(session, query.range, query.limit),
    rotated && rotated !== config.refreshToken ? persistRotation(options, rotated) : undefined,
  ]);
  const fetchedAt = now().toISOString();

  const nowPlaying = chooseNowPlaying(current, recent);
  const topArtists: Result<Artist[]> = top.ok ? ok(normalizeTopArtists(top.value)) : top;

  if (!nowPlaying.ok && !topArtists.ok) return nowPlaying;
  const errors: PartErrors = {};
  if (!nowPlaying.ok) errors.nowPlaying = nowPlaying.error.code;
  if (!topArtists.ok) errors.topArtists = topArtists.error.code;

  return ok({
    nowPlaying: nowPlaying.ok ? nowPlaying.value : null,
    topArtists: topArtists.ok ? topArtists.value : null,
    range: query.range,
    fetchedAt,
    ...(Object.keys(errors).length > 0 ? { errors } : {}),
  });
}

/**
 * The player's item when there is one worth showing; otherwise the last played
 * track. A failed current read fails the part even when the fallback worked:
 * showing "last played" while something is actually playing would be wrong.
 */
function chooseNowPlaying(
  current: Awaited<ReturnType<typeof readCurrentlyPlaying>>,
  recent: Awaited<ReturnType<typeof readRecentlyPlayed>>,
): Result<NowPlaying | null> {
  if (!current.ok) return current;
  const item = normalizeCurrentlyPlaying(current.value);
  if (item) return ok(item);
  if (!recent.ok) return recent;
  return ok(normalizeRecentlyPlayed(recent.value));
}

async function persistRotation(options: ListeningOptions, refreshToken: string): Promise<void> {
  try {
    await options.onRefreshTokenRotated?.(refreshToken);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    options.log?.warn(`Spotify rotated the refresh token, but saving the new one failed: ${reason}`);
  }
}
