/**
 * `npm run doctor`'s checks, from configuration to each Spotify endpoint, as
 * data: every problem carries the command that fixes it. Values are looked
 * at, never reported.
 */
import {
  READ_TIMEOUT_MS,
  RENEW_COMMAND,
  TOKEN_TIMEOUT_MS,
  exchangeRefreshToken,
  expiryWarning,
  missingScopes,
  readConfig,
  readCurrentlyPlaying,
  readRecentlyPlayed,
  readTopArtists,
  refreshTokenExpiry,
  type EnvAccessor,
  type Fetch,
  type Result,
  type SpotifyError,
} from '../../src/lib/spotify/owner';

export interface Check {
  /** `info` is neither good nor bad news, such as a check skipped or a host override. */
  status: 'ok' | 'problem' | 'info';
  label: string;
  /** The command or step that fixes a failed check. */
  fix?: string;
}

export interface Diagnosis {
  checks: Check[];
  /** Set when Spotify rotated the refresh token during the check: the caller must save it. */
  rotatedRefreshToken: string | null;
}

const DASHBOARD = 'https://developer.spotify.com/dashboard';
const VARIABLES: Array<{ name: string; fix: string }> = [
  { name: 'SPOTIFY_CLIENT_ID', fix: `Copy the Client ID from your app's Settings at ${DASHBOARD} into .env, or run \`npm run authorize\`, which asks for it.` },
  { name: 'SPOTIFY_CLIENT_SECRET', fix: `Copy the Client secret from your app's Settings at ${DASHBOARD} into .env, or run \`npm run authorize\`, which asks for it.` },
  { name: 'SPOTIFY_REFRESH_TOKEN', fix: 'npm run authorize' },
  { name: 'SPOTIFY_REFRESH_TOKEN_ISSUED_AT', fix: 'npm run authorize (it records when the token was issued)' },
];

export async function diagnose(env: EnvAccessor, fetch: Fetch, now: Date): Promise<Diagnosis> {
  const checks: Check[] = [];
  for (const variable of VARIABLES) {
    const set = Boolean(env(variable.name)?.trim());
    checks.push(set ? { status: 'ok', label: `${variable.name} is set` } : { status: 'problem', label: `${variable.name} is missing`, fix: variable.fix });
  }

  const state = readConfig(env);
  if (state.status === 'invalid' && state.missing.length === 0) {
    checks.push({ status: 'problem', label: state.message, fix: 'Correct or remove the variable in .env (or unset it in your shell).' });
  }
  if (state.status !== 'ready') {
    checks.push({ status: 'info', label: 'Spotify itself was not contacted: set the variables above first.' });
    return { checks, rotatedRefreshToken: null };
  }
  const { config } = state;
  if (config.accountsUrl !== 'https://accounts.spotify.com' || config.apiUrl !== 'https://api.spotify.com') {
    const hosts = `${withoutUserInfo(config.accountsUrl)}, ${withoutUserInfo(config.apiUrl)}`;
    checks.push({ status: 'info', label: `Using Spotify hosts from SPOTIFY_ACCOUNTS_URL / SPOTIFY_API_URL: ${hosts}` });
  }

  checks.push(expiryCheck(env('SPOTIFY_REFRESH_TOKEN_ISSUED_AT'), config.refreshTokenIssuedAt, now));

  const grant = await exchangeRefreshToken(
    { fetch, accountsUrl: config.accountsUrl, clientId: config.clientId, clientSecret: config.clientSecret, timeoutMs: TOKEN_TIMEOUT_MS },
    config.refreshToken,
  );
  if (!grant.ok) {
    checks.push({ status: 'problem', label: `Token exchange failed: ${grant.error.message}`, fix: fixFor(grant.error) });
    return { checks, rotatedRefreshToken: null };
  }
  checks.push({ status: 'ok', label: 'Token exchange works (the refresh token gives an access token)' });

  const missing = missingScopes(grant.value.scopes);
  checks.push(
    missing.length === 0
      ? { status: 'ok', label: 'All scopes granted' }
      : { status: 'problem', label: `Scopes not granted: ${missing.join(', ')}`, fix: RENEW_COMMAND },
  );

  const session = { fetch, apiUrl: config.apiUrl, accessToken: grant.value.accessToken, timeoutMs: READ_TIMEOUT_MS };
  const [current, recent, top] = await Promise.all([
    readCurrentlyPlaying(session),
    readRecentlyPlayed(session),
    readTopArtists(session, 'short_term', 1),
  ]);
  checks.push(endpointCheck('Currently playing', current), endpointCheck('Recently played', recent), endpointCheck('Top artists', top));

  const rotated = grant.value.refreshToken && grant.value.refreshToken !== config.refreshToken ? grant.value.refreshToken : null;
  return { checks, rotatedRefreshToken: rotated };
}

/** A URL fit to print: `http://user:password@host` loses its username and password. */
function withoutUserInfo(href: string): string {
  const url = new URL(href);
  url.username = '';
  url.password = '';
  // readConfig's URLs have no trailing slash; keep them that way after URL adds one back.
  return href.endsWith('/') ? url.href : url.href.replace(/\/$/, '');
}

function expiryCheck(raw: string | undefined, issuedAt: Date | null, now: Date): Check {
  if (!raw?.trim()) return { status: 'problem', label: 'Days left before the refresh token expires: unknown (no issue time)', fix: 'npm run authorize' };
  if (!issuedAt) return { status: 'problem', label: `SPOTIFY_REFRESH_TOKEN_ISSUED_AT is not a date ("${raw}")`, fix: 'npm run authorize' };
  const expiry = refreshTokenExpiry(issuedAt, now);
  const day = expiry.expiresAt.toISOString().slice(0, 10);
  const warning = expiryWarning(expiry);
  if (warning) return { status: 'problem', label: warning.replace(/ Run `.*$/, ''), fix: RENEW_COMMAND };
  return { status: 'ok', label: `${expiry.daysLeft} days left before the refresh token expires (on ${day})` };
}

function endpointCheck(name: string, result: Result<unknown>): Check {
  if (result.ok) return { status: 'ok', label: `${name} endpoint reachable${result.value === null ? ' (nothing to show right now)' : ''}` };
  return { status: 'problem', label: `${name} endpoint failed (${result.error.code}): ${result.error.message}`, fix: fixFor(result.error) };
}

function fixFor(error: SpotifyError): string {
  switch (error.code) {
    case 'reauthorization_required':
    case 'scope_missing':
      return RENEW_COMMAND;
    case 'not_configured':
      return `Copy SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET again from your app's Settings at ${DASHBOARD} into .env, then run \`npm run doctor\`.`;
    case 'rate_limited':
      return `Wait ${error.retryAfterSeconds ?? 30} seconds, then run \`npm run doctor\` again.`;
    default:
      return 'Spotify is failing or unreachable from here: check the connection (and SPOTIFY_ACCOUNTS_URL / SPOTIFY_API_URL if set), then run `npm run doctor` again.';
  }
}
