/**
 * The core's entry for the runtime: the function (netlify/functions/), the
 * page's frontmatter and src/server/. The owner's CLIs use owner.ts. The
 * island imports types.ts and limits.ts directly, so its bundle holds nothing
 * else; tests may import any module directly.
 */
export { SpotifyError, fail, type Result } from './errors';
export { TIME_RANGES, type ErrorCode, type Listening, type TimeRange } from './types';
export { readConfig, type EnvAccessor, type SpotifyConfig } from './config';
export { apiUrl, parseListeningQuery, queryOf, type ListeningQuery } from './query';
export { readListeningAfresh, readParts, type Logger, type PartsWanted, type SpotifyReader } from './listening';
export {
  answerFromState,
  emptyState,
  parseSharedState,
  planRefresh,
  recordRefresh,
  type DueParts,
  type RefreshPolicy,
  type SharedState,
} from './refresh-policy';
export {
  RENEWAL_LINE,
  chooseRefreshToken,
  parsePersistedRefreshToken,
  renewedRecord,
  rotatedRecord,
  tokenFingerprint,
  type EnvironmentToken,
  type PersistedRefreshToken,
  type RefreshTokenChoice,
} from './rotation';
export { expiryWarning, refreshTokenExpiry } from './expiry';
export { buildAuthorizeUrl, codeChallengeOf, newAuthorizeState, newCodeVerifier } from './authorize-url';
export { exchangeAuthorizationCode } from './token';
export { REQUIRED_SCOPES, readAccountId } from './reads';
export { DEMO_NOTICE, getDemoListening } from './demo';
export type { Fetch } from './upstream';
export { errorResponse, listeningResponse } from './http-response';
export { pageCacheHeaders, type FirstPaint } from './cache-headers';
export {
  CALL_BUDGET_MS,
  DAY_MS,
  DEFAULT_DAILY_BUDGET,
  LEASE_MS,
  LEASE_SETTLE_MS,
  MIN_POLL_MS,
  PAGE_REFRESH_WAIT_MS,
  READ_TIMEOUT_MS,
  RENEWAL_ATTEMPTS_PER_WINDOW,
  RENEWAL_ATTEMPT_TTL_MS,
  RENEWAL_WINDOW_MS,
  ROTATION_WRITE_ATTEMPTS,
  ROTATION_SETTLE_MS,
  ROTATION_WRITE_BACKOFF_MS,
  SSR_BUDGET_MS,
  STATE_POLL_MS,
  STATE_READ_TIMEOUT_MS,
  STORE_TIMEOUT_MS,
  TOKEN_TIMEOUT_MS,
  TOP_ARTISTS_READ_LIMIT,
  within,
} from './limits';
