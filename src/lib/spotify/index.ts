export * from './types';
export { SpotifyError, ok, fail, type Result } from './errors';
export * from './limits';
export { readConfig, isDeployed, CREDENTIAL_VARS, DEPLOYED_CONTEXTS, DEFAULT_ACCOUNTS_URL, DEFAULT_API_URL, type ConfigState, type EnvAccessor, type SpotifyConfig } from './config';
export { parseListeningQuery, DEFAULT_QUERY, type ListeningQuery } from './query';
export { getListening, readParts, type ListeningOptions, type Logger, type PartsRead, type PartsWanted, type SpotifyReader } from './listening';
export {
  answerFromState,
  emptyState,
  planRefresh,
  recordRefresh,
  spentInDay,
  type DueParts,
  type RefreshPolicy,
  type SharedState,
} from './refresh-policy';
export { getDemoListening, DEMO_NOTICE } from './demo';
export { exchangeRefreshToken, exchangeAuthorizationCode, type AccessGrant, type TokenEndpoint } from './token';
export { REQUIRED_SCOPES, readCurrentlyPlaying, readRecentlyPlayed, readTopArtists } from './reads';
export { listeningResponse, errorResponse, STATUS_BY_CODE, ALLOWED_METHODS } from './http-response';
export type { Fetch } from './upstream';
export { refreshTokenExpiry, expiryWarning, RENEW_COMMAND, type RefreshTokenExpiry } from './expiry';
export {
  chooseRefreshToken,
  rotatedRecord,
  tokenFingerprint,
  parsePersistedRefreshToken,
  type PersistedRefreshToken,
  type RefreshTokenChoice,
} from './rotation';
export {
  buildAuthorizeUrl,
  newAuthorizeState,
  readCallback,
  missingScopes,
  loopbackRedirect,
  AUTHORIZE_SCOPES,
  DEFAULT_REDIRECT_URI,
  type AuthorizeRequest,
  type CallbackOutcome,
} from './authorize-url';
