/**
 * The refresh token a read uses, and keeping the newest one safe: the
 * precedence between the environment token, its rotated descendants and a
 * renewal from /connect (src/lib/spotify/rotation.ts), a fallback to the next
 * candidate when Spotify refuses one, and the rotated token's write, retried
 * until it holds (the old token may already be dead, so a lost rotated token
 * means the owner must re-authorize).
 */
import type { SpotifyConfig } from '../lib/spotify/config';
import { ROTATION_WRITE_ATTEMPTS, ROTATION_WRITE_BACKOFF_MS } from '../lib/spotify/limits';
import { readParts, type AccessToken, type ListeningSource, type Logger, type PartsRead, type PartsWanted } from '../lib/spotify/listening';
import { chooseRefreshToken, rotatedRecord, tokenFingerprint, type EnvironmentToken, type PersistedRefreshToken, type RefreshTokenChoice } from '../lib/spotify/rotation';
import type { Fetch } from '../lib/spotify/spotify-api';
import { SpotifyError, fail, type Result } from '../lib/spotify/types';
import { describeError, sleep, type RefreshTokenStore } from './store';

export interface TokenContext {
  config: SpotifyConfig;
  environment: EnvironmentToken;
  tokens: RefreshTokenStore;
  now: () => Date;
  log: Logger;
}

/** The token the next read would use, by the precedence rule. A store that fails leaves the environment's, marked unsure. */
export async function tokenInUse(
  context: Pick<TokenContext, 'environment' | 'tokens' | 'log'>,
  options?: { afterRefusal?: boolean },
): Promise<RefreshTokenChoice & { storeUnread?: true }> {
  try {
    return chooseRefreshToken(context.environment, await context.tokens.read(options));
  } catch (error) {
    context.log.warn(`The saved refresh token could not be read (${describeError(error)}); using the environment's.`);
    const environment = chooseRefreshToken(context.environment, null);
    // Outside a Netlify context there is no store, so no newer token to miss; a slow or failing store may hold one.
    return (error as Error | undefined)?.name === 'MissingBlobsEnvironmentError' ? environment : { ...environment, storeUnread: true };
  }
}

/** The environment's token, as the precedence rule compares it. */
export async function environmentTokenOf(config: SpotifyConfig): Promise<EnvironmentToken> {
  return { refreshToken: config.refreshToken, fingerprint: await tokenFingerprint(config.refreshToken), issuedAt: config.refreshTokenIssuedAt };
}

/** Writes `record` as the newest token; a failure is logged and retried. Throws once the attempts are spent. */
export async function saveToken(context: Pick<TokenContext, 'tokens' | 'log'>, record: PersistedRefreshToken, what: string): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await context.tokens.write(record);
    } catch (error) {
      const problem = describeError(error);
      logError(context.log, `Saving ${what} failed (attempt ${attempt} of ${ROTATION_WRITE_ATTEMPTS}): ${problem}`);
      if (attempt === ROTATION_WRITE_ATTEMPTS) throw error;
    }
    await sleep(ROTATION_WRITE_BACKOFF_MS * attempt);
  }
}

/** After saveToken has logged each failed attempt: what it means for the owner. The reads go on with the new token. */
const ROTATED_TOKEN_LOST = 'Spotify rotated the refresh token, but saving the new one failed. Renew at /connect if calls fail with reauthorization_required.';

/** Errors the owner must see in the function log; a logger without `error` gets a warning. */
export const logError = (log: Logger, message: string) => (log.error ?? log.warn).call(log, message);

/**
 * Spotify as a source: the stored access token while it lives, else the
 * token in use. A refused token is followed by the next candidate (a newer
 * one another instance stored meanwhile, then the environment's), so
 * `reauthorization_required` means Spotify refused the newest stored token
 * and the environment token alike.
 */
export function spotifySource(context: TokenContext): ListeningSource {
  async function read(wanted: PartsWanted, fetch: Fetch, signal: AbortSignal, access: AccessToken | null): Promise<Result<PartsRead>> {
    const tried = new Set<string>();
    const attempt = (choice: RefreshTokenChoice) => {
      tried.add(choice.refreshToken);
      const config = { ...context.config, refreshToken: choice.refreshToken };
      const onRefreshTokenRotated = (rotated: string) =>
        saveToken(context, rotatedRecord(rotated, choice, context.environment, context.now()), 'the rotated refresh token').catch(() => logError(context.log, ROTATED_TOKEN_LOST));
      // Only the first attempt may hold an access token: the next ones follow a refused exchange.
      return readParts({ fetch, config, now: context.now, signal, onRefreshTokenRotated, access: tried.size === 1 ? access : null }, wanted);
    };
    const settled = (result: Result<PartsRead>) => result.ok || result.error.code !== 'reauthorization_required';
    let result = await attempt(await tokenInUse(context));
    if (settled(result)) return result;
    const newest = await tokenInUse(context, { afterRefusal: true });
    for (const candidate of [newest, chooseRefreshToken(context.environment, null)]) {
      if (tried.has(candidate.refreshToken)) continue;
      result = await attempt(candidate);
      if (settled(result)) return result;
    }
    // Refused tokens prove nothing while the newest one could not be read: a
    // slow store must not tell the owner to re-authorize (and get that cached).
    if (newest.storeUnread) return fail(new SpotifyError('upstream_timeout', 'The saved refresh token could not be read. Try again in a moment.'));
    return result;
  }
  return { service: 'spotify', label: { service: 'spotify' }, read };
}
