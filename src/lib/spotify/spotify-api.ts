/**
 * The Spotify Web API client: the one fetch wrapper (timeouts, network
 * failures, 429 and 5xx), the token endpoint, and the reads.
 */
import { DEFAULT_RETRY_AFTER_S } from './limits';
import { SpotifyError, fail, ok, type Result, type TimeRange } from './types';
import type { RawAccountsError, RawCurrentlyPlaying, RawProfile, RawRecentlyPlayed, RawToken, RawTopArtists } from './wire';

export type Fetch = typeof globalThis.fetch;

interface UpstreamAnswer {
  status: number;
  headers: Headers;
  text: string;
}

/**
 * The one place the core touches the network. Timeouts and unreachable hosts
 * become typed errors; statuses are left to the caller, which knows what each
 * one means for its endpoint.
 */
export async function callUpstream(
  fetch: Fetch,
  url: string,
  init: RequestInit,
  {
    timeoutMs,
    what,
    signal,
    upstream = 'Spotify',
  }: {
    timeoutMs: number;
    what: string;
    signal?: AbortSignal;
    /** Who is named in the messages: Spotify unless said. */
    upstream?: string;
  },
): Promise<Result<UpstreamAnswer>> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const name = `${upstream}'s ${what}`;
  try {
    const response = await fetch(url, { ...init, signal: signal ? AbortSignal.any([timeout, signal]) : timeout });
    // 204 has no body; reading it anyway is harmless and keeps one code path.
    return ok({ status: response.status, headers: response.headers, text: await response.text() });
  } catch (error) {
    // Its own timeout, or the caller's whole-call deadline (see CALL_BUDGET_MS): the upstream being slow either way.
    if (timeout.aborted || (signal?.reason as Error | undefined)?.name === 'TimeoutError') {
      return fail(new SpotifyError('upstream_timeout', `${name} did not answer in time.`));
    }
    // A short, secret-free reason: Node puts the useful code in `cause`.
    const code = error instanceof Error ? (error.cause as { code?: unknown } | undefined)?.code : undefined;
    const reason = typeof code === 'string' ? code : error instanceof Error ? error.name : 'unknown error';
    return fail(new SpotifyError('upstream_error', `Could not reach ${name} at ${new URL(url).origin} (${reason}).`));
  }
}

/** A Spotify call: callUpstream, then the faults every Spotify endpoint shares (rate limiting and server errors). */
async function callSpotify(
  at: { fetch: Fetch; timeoutMs: number; signal?: AbortSignal },
  url: string,
  init: RequestInit,
  what: string,
): Promise<Result<UpstreamAnswer>> {
  const answered = await callUpstream(at.fetch, url, init, { timeoutMs: at.timeoutMs, what, signal: at.signal });
  if (!answered.ok) return answered;
  const { status, headers, text } = answered.value;
  if (status === 429) {
    const retryAfterSeconds = parseRetryAfter(headers.get('retry-after'));
    const quota = text.includes('QUOTA_EXCEEDED') ? ' (the app has used up its quota)' : '';
    return fail(new SpotifyError('rate_limited', `Spotify is rate limiting calls to its ${what}${quota}. Retry after ${retryAfterSeconds} s.`, { retryAfterSeconds }));
  }
  return status >= 500 ? fail(new SpotifyError('upstream_error', `Spotify's ${what} failed with HTTP ${status}.`)) : answered;
}

export function parseJson<T>(answer: UpstreamAnswer, what: string): Result<T> {
  try {
    const body: unknown = JSON.parse(answer.text);
    if (body !== null && typeof body === 'object') return ok(body as T);
  } catch {
    // fall through: a malformed body is reported below
  }
  return fail(new SpotifyError('upstream_error', `Spotify's ${what} sent a malformed body.`));
}

/**
 * The shape of an HTTP-date (RFC 9110 §5.6.7) in any of its three forms:
 * "Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT" and
 * "Sun Nov  6 08:49:37 1994". Checked before Date.parse, which reads
 * garbage such as "1.5" or "-5" as dates in 2001.
 */
const HTTP_DATE = /^[A-Z][a-z]{2,8},? [\dA-Za-z -]+ \d{2}:\d{2}:\d{2}(?: \d{4})?(?: GMT)?$/;

/**
 * Seconds from a Retry-After header: delay-seconds, or an HTTP-date counted
 * from `now`. At least 1, so a date already past still means "wait"; a value
 * that is neither gives DEFAULT_RETRY_AFTER_S.
 */
export function parseRetryAfter(header: string | null, now: Date = new Date()): number {
  const value = header?.trim() ?? '';
  if (/^\d+$/.test(value)) return Math.max(1, Number(value));
  // asctime dates carry no zone, but HTTP-dates are all GMT.
  const date = HTTP_DATE.test(value) ? Date.parse(value.endsWith('GMT') ? value : `${value} GMT`) : Number.NaN;
  if (!Number.isNaN(date)) return Math.max(1, Math.ceil((date - now.getTime()) / 1000));
  return DEFAULT_RETRY_AFTER_S;
}

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
  /** The access token's lifetime (`expires_in`); an hour when Spotify leaves it out. */
  expiresInS: number;
}

const GRANT_HINT = 'Run `npm run authorize -- --netlify` to grant it, then `npm run deploy`.';
const REAUTHORIZE_HINT = 'Run `npm run authorize -- --netlify` to connect Spotify again, then `npm run deploy`.';

export function exchangeRefreshToken(endpoint: TokenEndpoint, refreshToken: string): Promise<Result<AccessGrant>> {
  return requestToken(endpoint, { grant_type: 'refresh_token', refresh_token: refreshToken });
}

/** `codeVerifier`: the PKCE verifier whose challenge went into the authorize URL. */
export async function exchangeAuthorizationCode(
  endpoint: TokenEndpoint,
  code: string,
  redirectUri: string,
  codeVerifier?: string,
): Promise<Result<AccessGrant>> {
  const grant = await requestToken(endpoint, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: redirectUri,
    ...(codeVerifier ? { code_verifier: codeVerifier } : {}),
  });
  // invalid_grant here is about the code, not a refresh token.
  return !grant.ok && grant.error.code === 'reauthorization_required'
    ? fail(new SpotifyError('reauthorization_required', 'Spotify rejected the authorization code (expired, already used, or a redirect URI mismatch). Run `npm run authorize` again.'))
    : grant;
}

async function requestToken(endpoint: TokenEndpoint, form: Record<string, string>): Promise<Result<AccessGrant>> {
  const answered = await callSpotify(
    endpoint,
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
    'token endpoint',
  );
  if (!answered.ok) return answered;
  const answer = answered.value;
  if (answer.status !== 200) return fail(tokenError(answer.status, answer.text));

  const parsed = parseJson<RawToken>(answer, 'token endpoint');
  if (!parsed.ok) return parsed;
  const token = parsed.value;
  if (typeof token.access_token !== 'string' || token.access_token === '') {
    return fail(new SpotifyError('upstream_error', "Spotify's token endpoint answered without an access token."));
  }
  return ok({
    accessToken: token.access_token,
    scopes: typeof token.scope === 'string' ? token.scope.split(/\s+/).filter(Boolean) : [],
    refreshToken: (typeof token.refresh_token === 'string' && token.refresh_token) || null,
    expiresInS: Number.isFinite(token.expires_in) && token.expires_in! > 0 ? token.expires_in! : 3_600,
  });
}

function tokenError(status: number, text: string): SpotifyError {
  let body: RawAccountsError = {};
  try {
    body = JSON.parse(text) as RawAccountsError;
  } catch {
    // not JSON: handled as an unexpected answer below
  }
  if (body.error === 'invalid_grant') {
    return new SpotifyError('reauthorization_required', `Spotify no longer accepts the refresh token (revoked, or older than six months). ${REAUTHORIZE_HINT}`);
  }
  if (body.error === 'invalid_client') {
    return new SpotifyError('not_configured', 'Spotify rejected SPOTIFY_CLIENT_ID or SPOTIFY_CLIENT_SECRET (invalid_client). Copy both again from your app in the Spotify developer dashboard.');
  }
  return new SpotifyError('upstream_error', `Spotify's token endpoint answered HTTP ${status}${body.error ? ` (${body.error})` : ''}.`);
}

const PREMIUM_LAPSED =
  "Spotify refuses the app: its owner's Premium subscription is required and not active. Renew Premium (Spotify can take a few hours to notice), or set LASTFM_USER and LASTFM_API_KEY to show Last.fm meanwhile.";

/** Base64 of UTF-8 text, without Node's Buffer so the core runs on any runtime. */
const base64 = (text: string) => btoa(String.fromCharCode(...new TextEncoder().encode(text)));

export interface ApiSession {
  fetch: Fetch;
  /** Base of the Web API host, without `/v1`. */
  apiUrl: string;
  accessToken: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** The scopes the widget needs, each with the read that needs it. */
export const REQUIRED_SCOPES = {
  currentlyPlaying: 'user-read-currently-playing',
  recentlyPlayed: 'user-read-recently-played',
  topArtists: 'user-top-read',
} as const;

type ReadName = keyof typeof REQUIRED_SCOPES;

/** "currently playing" for `currentlyPlaying`. */
const spaced = (name: ReadName) => name.replace(/[A-Z]/g, (letter) => ` ${letter.toLowerCase()}`);

/** Null when nothing is playing (Spotify answers 204 with no body). */
export function readCurrentlyPlaying(session: ApiSession): Promise<Result<RawCurrentlyPlaying | null>> {
  return read<RawCurrentlyPlaying>(session, 'currentlyPlaying', '/v1/me/player/currently-playing?additional_types=episode');
}

export function readRecentlyPlayed(session: ApiSession): Promise<Result<RawRecentlyPlayed | null>> {
  return read<RawRecentlyPlayed>(session, 'recentlyPlayed', '/v1/me/player/recently-played?limit=1');
}

export function readTopArtists(session: ApiSession, range: TimeRange, limit: number): Promise<Result<RawTopArtists | null>> {
  const query = new URLSearchParams({ time_range: range, limit: String(limit) });
  return read<RawTopArtists>(session, 'topArtists', `/v1/me/top/artists?${query}`);
}

/**
 * The Spotify account id of the token's owner (`/v1/me`), which needs no
 * scope: renewal checks it against SPOTIFY_OWNER_ID, authorize records it.
 */
export async function readAccountId(session: ApiSession): Promise<Result<string>> {
  const what = 'profile endpoint';
  const answered = await getJson(session, '/v1/me', what);
  if (!answered.ok) return answered;
  if (answered.value.status !== 200) return fail(unexpected(what, answered.value.status));
  const profile = parseJson<RawProfile>(answered.value, what);
  if (!profile.ok) return profile;
  const id = profile.value.id;
  return typeof id === 'string' && id !== '' ? ok(id) : fail(new SpotifyError('upstream_error', `Spotify's ${what} answered without an account id.`));
}

/** A GET on the Web API with the session's access token. */
const getJson = (session: ApiSession, path: string, what: string) =>
  callSpotify(session, `${session.apiUrl}${path}`, { headers: { Authorization: `Bearer ${session.accessToken}`, Accept: 'application/json' } }, what);

const unexpected = (what: string, status: number) => new SpotifyError('upstream_error', `Spotify's ${what} answered HTTP ${status}.`);

async function read<T>(session: ApiSession, name: ReadName, path: string): Promise<Result<T | null>> {
  const what = `${spaced(name)} endpoint`;
  const answered = await getJson(session, path, what);
  if (!answered.ok) return answered;
  const answer = answered.value;
  if (answer.status === 204 || (answer.status === 200 && answer.text.trim() === '')) return ok(null);
  // Since February 2026 a development-mode app works only while its owner pays for Premium.
  if (answer.status === 403 && /premium/i.test(answer.text)) return fail(new SpotifyError('premium_required', PREMIUM_LAPSED));
  // The token is seconds old, so a refusal means a missing scope. Spotify
  // answers 401 "Permissions missing" for that as often as 403.
  if (answer.status === 401 || answer.status === 403) {
    return fail(new SpotifyError('scope_missing', `Spotify refused the ${spaced(name)} read: the token lacks the "${REQUIRED_SCOPES[name]}" scope. ${GRANT_HINT}`));
  }
  return answer.status === 200 ? parseJson<T>(answer, what) : fail(unexpected(what, answer.status));
}
