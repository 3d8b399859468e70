import { createHash } from 'node:crypto';
import { EPISODE, HOSTILE_TRACK, LOCAL_FILE_TRACK, PLAYLIST, TOP_ARTISTS } from '../fixtures';
import { REQUIRED_SCOPES } from '../../src/lib/spotify/spotify-api';
import type { Fetch } from '../../src/lib/spotify/spotify-api';
import type { RawCurrentlyPlaying, RawTrack } from '../../src/lib/spotify/wire';
import { FAKE_QUOTA_RETRY_AFTER_S, FAKE_RETRY_AFTER_S, type ScenarioName } from './scenarios';

/** Every scope the widget needs: the fake grants them all unless a scenario says otherwise. */
export const FAKE_SCOPES = Object.values(REQUIRED_SCOPES).join(' ');

/** The Spotify account the fake signs in as unless told otherwise: the owner's. */
export const FAKE_OWNER_ID = 'fake-owner';

/** The prefix of every refresh token a code exchange issues, so a test can tell a renewed token apart. */
export const FAKE_RENEWED_PREFIX = 'fake-renewed-';

/**
 * A code that the token endpoint accepts again and again, without PKCE, for
 * the account the consent page signs in as: for callers that skip /authorize.
 * The codes /authorize hands out are single-use.
 */
export const FAKE_FIXED_CODE = 'fake-code';

/** A request as the fake saw it, for tests that assert on the exact upstream traffic. */
export interface RecordedRequest {
  method: string;
  url: URL;
  headers: Headers;
  body: string;
}

export interface FakeSpotifyOptions {
  scenario?: ScenarioName;
  now?: () => Date;
  /** When set, the token endpoint checks Basic auth against these. */
  clientId?: string;
  clientSecret?: string;
  /** When set, only this refresh token (and its rotated successors) is accepted. */
  refreshToken?: string;
  /** The account `refreshToken` belongs to (default FAKE_OWNER_ID): `/v1/me` answers it. */
  refreshTokenAccount?: string;
  /** The account the consent page signs in as (default FAKE_OWNER_ID). */
  account?: string;
  /** Delay before every answer, to measure how many round trips a caller waits for. */
  delayMs?: number;
  /** When the looping playlist started, in epoch ms. Defaults to creation time. */
  playlistStartMs?: number;
}

export interface FakeSpotify {
  /** Answers one request, host-agnostic: accounts and API paths are told apart by path. */
  handle(request: Request): Promise<Response>;
  /** A `fetch` that never touches the network. */
  fetch: Fetch;
  requests: RecordedRequest[];
  scenario: ScenarioName;
  delayMs: number;
  /** Puts the player on a playlist track from now on (the island should pick the change up). */
  playTrack(index: number): void;
  /** The account the consent page (/authorize) signs in as, and so grants a code for. */
  account: string;
  /** When true, the consent page answers `error=access_denied`, as when the Cancel button is clicked. */
  deny: boolean;
  /** The refresh token the fake currently accepts, after rotations and code exchanges. */
  readonly acceptedRefreshToken: string | undefined;
  /** The account the accepted refresh token belongs to. */
  readonly refreshTokenAccount: string;
}

/** What a code from the consent page is good for: one exchange, by this account, with this redirect URI and PKCE challenge. */
interface PendingCode {
  account: string;
  redirectUri: string;
  /** The S256 challenge sent to /authorize, or null for a code granted without PKCE. */
  challenge: string | null;
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });

const PAUSED_PROGRESS_MS = 73_000;
const LAST_PLAYED_AGO_MS = 12 * 60_000;

export function createFakeSpotify(options: FakeSpotifyOptions = {}): FakeSpotify {
  const now = options.now ?? (() => new Date());
  /** Access token → the account it belongs to. */
  const issuedAccessTokens = new Map<string, string>();
  const pendingCodes = new Map<string, PendingCode>();
  let acceptedRefreshToken = options.refreshToken;
  let refreshTokenAccount = options.refreshTokenAccount ?? FAKE_OWNER_ID;
  let rotations = 0;
  let codesIssued = 0;
  let playlistStart = options.playlistStartMs ?? now().getTime();
  let playlistOffset = 0;

  const fake: FakeSpotify = {
    requests: [],
    scenario: options.scenario ?? 'playing',
    delayMs: options.delayMs ?? 0,
    account: options.account ?? FAKE_OWNER_ID,
    deny: false,
    get acceptedRefreshToken() {
      return acceptedRefreshToken;
    },
    get refreshTokenAccount() {
      return refreshTokenAccount;
    },
    playTrack(index) {
      playlistOffset = ((index % PLAYLIST.length) + PLAYLIST.length) % PLAYLIST.length;
      playlistStart = now().getTime();
    },
    fetch: async (input, init) => fake.handle(new Request(input, init)),
    async handle(request) {
      const url = new URL(request.url);
      const body = request.method === 'POST' ? await request.text() : '';
      fake.requests.push({ method: request.method, url, headers: new Headers(request.headers), body });
      if (fake.scenario === 'hung' && url.pathname.startsWith('/v1/')) return hang(request.signal);
      if (fake.delayMs > 0) await sleep(fake.delayMs, request.signal);
      if (fake.scenario === 'down') return json({ error: { status: 503, message: 'Service unavailable' } }, 503);
      if (url.pathname === '/api/token' && request.method === 'POST') return token(request.headers, new URLSearchParams(body));
      if (url.pathname === '/authorize' && request.method === 'GET') return authorize(url.searchParams);
      if (url.pathname.startsWith('/v1/')) return api(url, request.headers);
      return json({ error: { status: 404, message: 'Service not found' } }, 404);
    },
  };

  function token(headers: Headers, form: URLSearchParams): Response {
    if (options.clientId !== undefined) {
      const expected = `Basic ${btoa(`${options.clientId}:${options.clientSecret ?? ''}`)}`;
      if (headers.get('authorization') !== expected) {
        return json({ error: 'invalid_client', error_description: 'Invalid client' }, 400);
      }
    }
    const grant = form.get('grant_type');
    if (grant === 'authorization_code') return exchangeCode(form);
    if (grant !== 'refresh_token') return json({ error: 'unsupported_grant_type' }, 400);

    const presented = form.get('refresh_token') ?? '';
    const known = acceptedRefreshToken === undefined || presented === acceptedRefreshToken;
    if (fake.scenario === 'revoked' || !presented || !known) {
      return json({ error: 'invalid_grant', error_description: 'Refresh token revoked' }, 400);
    }
    if (fake.scenario === 'rotation') {
      rotations += 1;
      acceptedRefreshToken = `${presented.replace(/~r\d+$/, '')}~r${rotations}`;
      return json({ ...issueAccess(refreshTokenAccount), refresh_token: acceptedRefreshToken });
    }
    return json(issueAccess(refreshTokenAccount));
  }

  /**
   * A code from the consent page works once (a second use is invalid_grant,
   * as is any use after a failed one), with the redirect URI it was granted
   * for and, when /authorize carried a PKCE challenge, a verifier whose S256
   * matches it. The refresh token it gives becomes the only one accepted.
   */
  function exchangeCode(form: URLSearchParams): Response {
    const invalid = (description: string) => json({ error: 'invalid_grant', error_description: description }, 400);
    const code = form.get('code') ?? '';
    const pending: PendingCode | undefined =
      code === FAKE_FIXED_CODE ? { account: fake.account, redirectUri: form.get('redirect_uri') ?? '', challenge: null } : pendingCodes.get(code);
    pendingCodes.delete(code);
    if (!pending) return invalid('Invalid authorization code');
    if (form.get('redirect_uri') !== pending.redirectUri) return invalid('Invalid redirect URI');
    if (pending.challenge !== null) {
      const verifier = form.get('code_verifier');
      if (!verifier || s256(verifier) !== pending.challenge) return invalid('code_verifier was incorrect');
    }
    codesIssued += 1;
    acceptedRefreshToken = `${FAKE_RENEWED_PREFIX}${codesIssued}x${Date.now().toString(36)}`;
    refreshTokenAccount = pending.account;
    return json({ ...issueAccess(pending.account), refresh_token: acceptedRefreshToken });
  }

  function issueAccess(account: string) {
    const accessToken = `fake-access-${issuedAccessTokens.size + 1}`;
    issuedAccessTokens.set(accessToken, account);
    // A token that lacks a scope says so in `scope`, as Spotify's does.
    const scope = fake.scenario === 'scope_missing' ? FAKE_SCOPES.replace(` ${REQUIRED_SCOPES['top artists']}`, '') : FAKE_SCOPES;
    // Rotation is proved over several refreshes, so its access tokens are too short-lived to reuse
    // (the widget keeps a minute's margin): every refresh then exchanges, and rotates.
    return { access_token: accessToken, token_type: 'Bearer', expires_in: fake.scenario === 'rotation' ? 60 : 3600, scope };
  }

  /**
   * The consent page, already answered: signed in as `fake.account`, it
   * redirects back with a fresh single-use code for that account, or with
   * `error=access_denied` when `fake.deny` is set. Spotify answers a bad
   * request with an error page rather than a redirect, and so does the fake.
   */
  function authorize(params: URLSearchParams): Response {
    const redirectUri = params.get('redirect_uri');
    if (options.clientId !== undefined && params.get('client_id') !== options.clientId) {
      return new Response('INVALID_CLIENT: Invalid client', { status: 400 });
    }
    if (params.get('response_type') !== 'code') return new Response('unsupported_response_type', { status: 400 });
    if (!redirectUri || !URL.canParse(redirectUri)) return new Response('INVALID_CLIENT: Invalid redirect URI', { status: 400 });
    const challenge = params.get('code_challenge');
    if (challenge !== null && params.get('code_challenge_method') !== 'S256') {
      return new Response('INVALID_REQUEST: code_challenge_method must be S256', { status: 400 });
    }
    const back = new URL(redirectUri);
    if (fake.deny) {
      back.searchParams.set('error', 'access_denied');
    } else {
      const code = `fake-code-${crypto.randomUUID()}`;
      pendingCodes.set(code, { account: fake.account, redirectUri, challenge });
      back.searchParams.set('code', code);
    }
    const state = params.get('state');
    if (state !== null) back.searchParams.set('state', state);
    return new Response(null, { status: 302, headers: { Location: back.href } });
  }

  function api(url: URL, headers: Headers): Response {
    const account = issuedAccessTokens.get(headers.get('authorization')?.replace(/^Bearer /, '') ?? '');
    if (account === undefined) {
      return json({ error: { status: 401, message: 'Invalid access token' } }, 401);
    }
    if (fake.scenario === 'rate_limited') {
      return json({ error: { status: 429, message: 'API rate limit exceeded' } }, 429, { 'Retry-After': String(FAKE_RETRY_AFTER_S) });
    }
    if (fake.scenario === 'quota') {
      const error = { status: 429, message: 'Too many requests', reason: 'QUOTA_EXCEEDED' };
      return json({ error }, 429, { 'Retry-After': String(FAKE_QUOTA_RETRY_AFTER_S) });
    }
    if (fake.scenario === 'malformed') return new Response('{"is_playing": tru', { status: 200 });

    switch (url.pathname) {
      case '/v1/me':
        // The profile of the account the access token was issued for; it needs no scope.
        return json({ id: account, display_name: account === FAKE_OWNER_ID ? 'Fake Owner' : account });
      case '/v1/me/player/currently-playing':
        return currentlyPlaying(url);
      case '/v1/me/player/recently-played':
        return recentlyPlayed();
      case '/v1/me/top/artists':
        return topArtists(url);
      default:
        return json({ error: { status: 404, message: 'Service not found' } }, 404);
    }
  }

  function currentlyPlaying(url: URL): Response {
    const withEpisodes = url.searchParams.get('additional_types')?.includes('episode') ?? false;
    const at = now().getTime();
    const player = (item: RawCurrentlyPlaying['item'], type: RawCurrentlyPlaying['currently_playing_type'], playing: boolean, progress: number | null) =>
      json({ timestamp: at, context: null, progress_ms: progress, is_playing: playing, currently_playing_type: type, item } satisfies RawCurrentlyPlaying & { timestamp: number; context: null });

    switch (fake.scenario) {
      case 'playing':
      case 'scope_missing':
      case 'rotation': {
        const { track, progressMs } = playlistPosition(at);
        return player(track, 'track', true, progressMs);
      }
      case 'paused':
        return player(PLAYLIST[0]!, 'track', false, PAUSED_PROGRESS_MS);
      case 'episode':
        // Without additional_types=episode Spotify hides the episode behind item: null.
        return player(withEpisodes ? EPISODE : null, 'episode', true, 1_234_000);
      case 'ad':
        return player(null, 'ad', true, 5_000);
      case 'local_file':
        return player(LOCAL_FILE_TRACK, 'track', true, 30_000);
      case 'hostile':
        return player(HOSTILE_TRACK, 'track', true, 50_000);
      default:
        return new Response(null, { status: 204 });
    }
  }

  function recentlyPlayed(): Response {
    if (fake.scenario === 'empty_history') return json({ items: [], limit: 1, next: null, cursors: null });
    const playedAt = new Date(now().getTime() - LAST_PLAYED_AGO_MS).toISOString();
    return json({ items: [{ track: PLAYLIST[1]!, played_at: playedAt, context: null }], limit: 1 });
  }

  function topArtists(url: URL): Response {
    if (fake.scenario === 'scope_missing') return json({ error: { status: 403, message: 'Insufficient client scope' } }, 403);
    if (fake.scenario === 'empty_history') return json({ items: [], total: 0, limit: 0, offset: 0 });
    const limit = Number(url.searchParams.get('limit') ?? 20);
    const items = TOP_ARTISTS.slice(0, limit);
    return json({ items, total: TOP_ARTISTS.length, limit, offset: 0 });
  }

  /** Where the looping playlist is at a given time, starting from the track last put on. */
  function playlistPosition(at: number): { track: RawTrack; progressMs: number } {
    const total = PLAYLIST.reduce((sum, track) => sum + (track.duration_ms ?? 0), 0);
    let elapsed = (at - playlistStart) % total;
    for (let step = 0; ; step += 1) {
      const track = PLAYLIST[(playlistOffset + step) % PLAYLIST.length]!;
      const duration = track.duration_ms ?? 0;
      if (elapsed < duration) return { track, progressMs: elapsed };
      elapsed -= duration;
    }
  }

  return fake;
}

/** base64url(SHA-256(verifier)), computed here rather than with the code under test. */
function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });
}

/** Never answers; gives up only when the caller aborts. */
function hang(signal: AbortSignal): Promise<Response> {
  return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
}
