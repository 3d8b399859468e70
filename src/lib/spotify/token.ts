import { SpotifyError, fail, ok, type Result } from './errors';
import { callUpstream, commonFault, parseJson, type Fetch } from './upstream';
import type { RawAccountsError, RawToken } from './wire';

interface TokenEndpoint {
  fetch: Fetch;
  accountsUrl: string;
  clientId: string;
  clientSecret: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

interface AccessGrant {
  accessToken: string;
  /** Scopes the token carries, as Spotify reported them. */
  scopes: string[];
  /** Present when Spotify rotated the refresh token: the old one may stop working. */
  refreshToken: string | null;
}

const REAUTHORIZE_HINT = 'Run `npm run authorize -- --netlify` to connect Spotify again, then `npm run deploy`.';

export function exchangeRefreshToken(endpoint: TokenEndpoint, refreshToken: string): Promise<Result<AccessGrant>> {
  return requestToken(endpoint, { grant_type: 'refresh_token', refresh_token: refreshToken });
}

/** `codeVerifier`: the PKCE verifier whose challenge went into the authorize URL. */
export function exchangeAuthorizationCode(
  endpoint: TokenEndpoint,
  code: string,
  redirectUri: string,
  codeVerifier?: string,
): Promise<Result<AccessGrant>> {
  return requestToken(endpoint, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: redirectUri,
    ...(codeVerifier ? { code_verifier: codeVerifier } : {}),
  });
}

async function requestToken(endpoint: TokenEndpoint, form: Record<string, string>): Promise<Result<AccessGrant>> {
  const what = 'token endpoint';
  const answered = await callUpstream(
    endpoint.fetch,
    `${endpoint.accountsUrl}/api/token`,
    {
      method: 'POST',
      headers: {
        Authorization: `Basic ${base64(`${endpoint.clientId}:${endpoint.clientSecret}`)}`,
        'Content-Type': 'application/x-www-form-urlencoded',
        Accept: 'application/json',
      },
      body: new URLSearchParams(form).toString(),
    },
    { timeoutMs: endpoint.timeoutMs, what, signal: endpoint.signal },
  );
  if (!answered.ok) return answered;
  const answer = answered.value;

  const common = commonFault(answer, what);
  if (common) return fail(common);
  if (answer.status !== 200) return fail(tokenError(answer.status, answer.text, form.grant_type!));

  const parsed = parseJson<RawToken>(answer, what);
  if (!parsed.ok) return parsed;
  const token = parsed.value;
  if (typeof token.access_token !== 'string' || token.access_token === '') {
    return fail(new SpotifyError('upstream_error', "Spotify's token endpoint answered without an access token."));
  }
  return ok({
    accessToken: token.access_token,
    scopes: typeof token.scope === 'string' ? token.scope.split(/\s+/).filter(Boolean) : [],
    refreshToken: typeof token.refresh_token === 'string' && token.refresh_token !== '' ? token.refresh_token : null,
  });
}

function tokenError(status: number, text: string, grant: string): SpotifyError {
  let body: RawAccountsError = {};
  try {
    body = JSON.parse(text) as RawAccountsError;
  } catch {
    // not JSON: handled as an unexpected answer below
  }
  if (body.error === 'invalid_grant') {
    return grant === 'refresh_token'
      ? new SpotifyError(
          'reauthorization_required',
          `Spotify no longer accepts the refresh token (revoked, or older than six months). ${REAUTHORIZE_HINT}`,
        )
      : new SpotifyError('reauthorization_required', 'Spotify rejected the authorization code (expired, already used, or a redirect URI mismatch). Run `npm run authorize` again.');
  }
  if (body.error === 'invalid_client') {
    return new SpotifyError(
      'not_configured',
      'Spotify rejected the client id or secret (invalid_client). Copy both again from the app in the Spotify developer dashboard into SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET.',
    );
  }
  return new SpotifyError('upstream_error', `Spotify's token endpoint answered HTTP ${status}${body.error ? ` (${body.error})` : ''}.`);
}

/** Base64 of UTF-8 text, without Node's Buffer so the core runs on any runtime. */
function base64(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}
