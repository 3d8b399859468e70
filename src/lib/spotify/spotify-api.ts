/**
 * The Spotify Web API client: the one fetch wrapper (timeouts, network
 * failures, 429 and 5xx), the token endpoint, and the reads.
 */
import { DEFAULT_RETRY_AFTER_S } from './limits';
import { positive } from './normalize';
import { SpotifyError, fail, ok, type Result } from './types';
import type { RawAccountsError, RawCurrentlyPlaying, RawProfile, RawRecentlyPlayed, RawToken, RawTopArtists } from './wire';

export type Fetch = typeof globalThis.fetch;

interface UpstreamAnswer {
  status: number;
  headers: Headers;
  text: string;
}

/** Where a call goes and how long it may take. */
interface Caller {
  fetch: Fetch;
  timeoutMs: number;
  signal?: AbortSignal;
}

/**
 * The one place the core touches the network. Timeouts and unreachable hosts
 * become typed errors; statuses are left to the caller, which knows what each
 * one means for its endpoint. `what` names the endpoint in messages, its
 * service included: "Spotify's token endpoint".
 */
export async function callUpstream(caller: Caller, url: string, init: RequestInit, what: string): Promise<Result<UpstreamAnswer>> {
  const timeout = AbortSignal.timeout(caller.timeoutMs);
  const { signal } = caller;
  try {
    const response = await caller.fetch(url, { ...init, signal: signal ? AbortSignal.any([timeout, signal]) : timeout });
    // 204 has no body; reading it anyway is harmless and keeps one code path.
    return ok({ status: response.status, headers: response.headers, text: await response.text() });
  } catch (error) {
    // Its own timeout, or the caller's whole-call deadline (see CALL_BUDGET_MS): the upstream being slow either way.
    if (timeout.aborted || (signal?.reason as Error | undefined)?.name === 'TimeoutError') {
      return fail(new SpotifyError('upstream_timeout', `${what} did not answer in time.`));
    }
    // A short, secret-free reason: Node puts the useful code (ECONNREFUSED, ENOTFOUND) in `cause`.
    const failure = error as { name?: string; cause?: { code?: string } } | undefined;
    const reason = failure?.cause?.code ?? failure?.name ?? 'unknown error';
    return fail(new SpotifyError('upstream_error', `Could not reach ${what} at ${new URL(url).origin} (${reason}).`));
  }
}

/** A Spotify call: callUpstream, then the faults every Spotify endpoint shares (rate limiting and server errors). */
async function callSpotify(caller: Caller, url: string, init: RequestInit, what: string): Promise<Result<UpstreamAnswer>> {
  const answered = await callUpstream(caller, url, init, what);
  if (!answered.ok) return answered;
  const { status, headers, text } = answered.value;
  if (status === 429) {
    const retryAfterSeconds = parseRetryAfter(headers.get('retry-after'));
    const quota = text.includes('QUOTA_EXCEEDED') ? ' (it has used up its quota)' : '';
    return fail(new SpotifyError('rate_limited', `${what} is rate limiting the app${quota}. Retry after ${retryAfterSeconds} s.`, { retryAfterSeconds }));
  }
  return status >= 500 ? fail(unexpected(what, status)) : answered;
}

function parseJson<T>(answer: UpstreamAnswer, what: string): Result<T> {
  try {
    const body: unknown = JSON.parse(answer.text);
    if (typeof body === 'object' && body) return ok(body as T);
  } catch {
    // fall through: a malformed body is reported below
  }
  return fail(new SpotifyError('upstream_error', `${what} sent a malformed body.`));
}

/**
 * The shape of an HTTP-date (RFC 9110 §5.6.7) in any of its three forms:
 * "Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT" and
 * "Sun Nov  6 08:49:37 1994". Checked before Date.parse, which reads
 * garbage such as "1.5 00:00:00" as a date in 2001.
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
  return Number.isNaN(date) ? DEFAULT_RETRY_AFTER_S : Math.max(1, Math.ceil((date - now.getTime()) / 1000));
}

interface TokenEndpoint extends Caller {
  accountsUrl: string;
  clientId: string;
  clientSecret: string;
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

/** What the owner runs after a refused refresh token or a missing scope: authorizing again grants every scope. */
const REAUTHORIZE = 'Run `npm run authorize -- --netlify`, then `npm run deploy`.';

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
  const what = "Spotify's token endpoint";
  const credentials = base64(`${endpoint.clientId}:${endpoint.clientSecret}`);
  // No Accept header: Spotify answers JSON regardless.
  const headers = { Authorization: `Basic ${credentials}`, 'Content-Type': 'application/x-www-form-urlencoded' };
  const answered = await callSpotify(endpoint, `${endpoint.accountsUrl}/api/token`, { method: 'POST', headers, body: new URLSearchParams(form) }, what);
  if (!answered.ok) return answered;
  const { status } = answered.value;
  const parsed = parseJson<RawToken & RawAccountsError>(answered.value, what);
  // A refusal names its reason in OAuth's `error`.
  const error = parsed.ok ? parsed.value.error : undefined;
  if (error === 'invalid_grant') {
    return fail(new SpotifyError('reauthorization_required', `Spotify no longer accepts the refresh token (revoked, or older than six months). ${REAUTHORIZE}`));
  }
  if (error === 'invalid_client') {
    return fail(new SpotifyError('not_configured', "Spotify rejected SPOTIFY_CLIENT_ID or SPOTIFY_CLIENT_SECRET (invalid_client): copy both again from your app's Spotify dashboard."));
  }
  if (status !== 200) return fail(unexpected(what, error ? `${status} (${error})` : status));
  if (!parsed.ok) return parsed;
  const token = parsed.value;
  if (typeof token.access_token !== 'string' || token.access_token === '') {
    return fail(new SpotifyError('upstream_error', `${what} answered without an access token.`));
  }
  return ok({
    accessToken: token.access_token,
    scopes: typeof token.scope === 'string' ? token.scope.split(/\s+/).filter(Boolean) : [],
    refreshToken: (typeof token.refresh_token === 'string' && token.refresh_token) || null,
    expiresInS: positive(token.expires_in) ?? 3_600,
  });
}

const PREMIUM_LAPSED =
  'Spotify refuses the app until its owner renews Premium. Set LASTFM_USER and LASTFM_API_KEY to show Last.fm meanwhile.';

/** Base64 of UTF-8 text, without Node's Buffer so the core runs on any runtime. */
const base64 = (text: string) => btoa(String.fromCharCode(...new TextEncoder().encode(text)));

export interface ApiSession extends Caller {
  /** Base of the Web API host, without `/v1`. */
  apiUrl: string;
  accessToken: string;
}

/** The scopes the widget needs, each with the read that needs it, named as messages name it. */
export const REQUIRED_SCOPES = {
  'currently playing': 'user-read-currently-playing',
  'recently played': 'user-read-recently-played',
  'top artists': 'user-top-read',
} as const;

type ReadName = keyof typeof REQUIRED_SCOPES;

/** Each read's path; `readSpotify` appends its query to it. */
const READ_PATHS: Record<ReadName, string> = {
  'currently playing': '/v1/me/player/currently-playing?additional_types=episode',
  'recently played': '/v1/me/player/recently-played?limit=1',
  'top artists': '/v1/me/top/artists?',
};

interface ReadBodies {
  'currently playing': RawCurrentlyPlaying;
  'recently played': RawRecentlyPlayed;
  'top artists': RawTopArtists;
}

/**
 * The Spotify account id of the token's owner (`/v1/me`), which needs no
 * scope: renewal checks it against SPOTIFY_OWNER_ID, authorize records it.
 */
export async function readAccountId(session: ApiSession): Promise<Result<string>> {
  const what = "Spotify's profile endpoint";
  const answered = await getJson(session, '/v1/me', what);
  if (!answered.ok) return answered;
  if (answered.value.status !== 200) return fail(unexpected(what, answered.value.status));
  const profile = parseJson<RawProfile>(answered.value, what);
  if (!profile.ok) return profile;
  const id = profile.value.id;
  return typeof id === 'string' && id !== '' ? ok(id) : fail(new SpotifyError('upstream_error', `${what} answered without an account id.`));
}

/** A GET on the Web API with the session's access token. */
const getJson = (session: ApiSession, path: string, what: string) =>
  callSpotify(session, `${session.apiUrl}${path}`, { headers: { Authorization: `Bearer ${session.accessToken}` } }, what);

const unexpected = (what: string, status: number | string) => new SpotifyError('upstream_error', `${what} answered HTTP ${status}.`);

/**
 * One of the widget's reads; null when there is nothing to read (Spotify
 * answers 204 with no body when nothing is playing). `query`, for the top
 * artists: `time_range=…&limit=…`.
 */
export async function readSpotify<N extends ReadName>(session: ApiSession, name: N, query = ''): Promise<Result<ReadBodies[N] | null>> {
  const what = `Spotify's ${name} endpoint`;
  const answered = await getJson(session, READ_PATHS[name] + query, what);
  if (!answered.ok) return answered;
  const { status, text } = answered.value;
  if (status === 204 || (status === 200 && !text.trim())) return ok(null);
  // Since February 2026 a development-mode app works only while its owner pays for Premium.
  if (status === 403 && /premium/i.test(text)) return fail(new SpotifyError('premium_required', PREMIUM_LAPSED));
  // A refusal that reaches an answer met a fresh token (readParts exchanges
  // again when a reused one gets 401), so it means a missing scope. Spotify
  // answers 401 "Permissions missing" for that as often as 403.
  if (status === 401 || status === 403) {
    return fail(new SpotifyError('scope_missing', `${what} refused the token: it lacks the "${REQUIRED_SCOPES[name]}" scope. ${REAUTHORIZE}`));
  }
  return status === 200 ? parseJson(answered.value, what) : fail(unexpected(what, status));
}
