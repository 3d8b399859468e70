/**
 * The core's entry for the owner's CLIs (scripts/authorize, scripts/doctor):
 * the one-time authorization, the token exchange, the reads the doctor tries
 * and the refresh token's expiry. The runtime uses index.ts.
 */
export type { Result, SpotifyError } from './errors';
export { CREDENTIAL_VARS, DEFAULT_ACCOUNTS_URL, DEFAULT_API_URL, DEPLOYED_CONTEXTS, readConfig, type EnvAccessor } from './config';
export { READ_TIMEOUT_MS, TOKEN_TIMEOUT_MS } from './limits';
export type { Fetch } from './upstream';
export { exchangeAuthorizationCode, exchangeRefreshToken } from './token';
export { readAccountId, readCurrentlyPlaying, readRecentlyPlayed, readTopArtists } from './reads';
export { RENEW_COMMAND, expiryWarning, refreshTokenExpiry } from './expiry';
export { DEFAULT_REDIRECT_URI, buildAuthorizeUrl, loopbackRedirect, missingScopes, newAuthorizeState, readCallback } from './authorize-url';
