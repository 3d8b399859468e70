/**
 * Renewing the connection from the live site (/connect): the owner's status,
 * the start of an Authorization Code flow with PKCE whose state is bound to
 * the browser by an HttpOnly cookie, and the callback that stores the new
 * refresh token only when it belongs to SPOTIFY_OWNER_ID. The verifier stays
 * in Blobs; no token, code or verifier is ever put in a URL we build, a page,
 * a response or a log line.
 */
import { RENEWAL_ATTEMPTS_PER_WINDOW, RENEWAL_ATTEMPT_TTL_MS, RENEWAL_WINDOW_MS, TOKEN_TIMEOUT_MS, READ_TIMEOUT_MS } from '../lib/spotify/limits';
import { REQUIRED_SCOPES, exchangeAuthorizationCode, readAccountId, type Fetch } from '../lib/spotify/spotify-api';
import { buildAuthorizeUrl, codeChallengeOf, newAuthorizeState, newCodeVerifier } from '../lib/spotify/authorize-url';
import { readConfig, type EnvAccessor } from '../lib/spotify/config';
import { refreshTokenExpiry, renewedRecord, tokenFingerprint, type RefreshTokenChoice } from '../lib/spotify/rotation';
import type { ErrorCode } from '../lib/spotify/types';
import type { Logger } from '../lib/spotify/listening';
import { afterRenewal } from '../lib/spotify/refresh-policy';
import {
  createSharedStateStore,
  createTokenStore,
  describeError,
  openBlobStore,
  runtimeEnv,
  withStoreTimeout,
  type JsonStore,
  type RefreshTokenStore,
  type SharedStateStore,
} from './store';
import { environmentTokenOf, saveToken, tokenInUse } from './refresh-token';

export const CONNECT_STORE_NAME = 'spotify-connect';
/** Binds a renewal to the browser that started it; scoped to /connect, never readable by scripts. */
export const RENEWAL_COOKIE = 'lw_connect';

export interface RenewalDeps {
  env?: EnvAccessor;
  deployContext?: string;
  fetch?: Fetch;
  now?: () => Date;
  tokenStore?: RefreshTokenStore;
  stateStore?: SharedStateStore;
  connectStore?: JsonStore;
  log?: Logger;
}

export type ConnectStatus =
  | { kind: 'not_configured'; message: string }
  | {
      kind: 'ready';
      /** SPOTIFY_OWNER_ID is set, so /connect may renew. */
      renewable: boolean;
      /** Where the token in use came from. */
      source: RefreshTokenChoice['source'];
      expiry: { status: 'ok' | 'expiring' | 'expired'; daysLeft: number; expiresOn: string } | null;
      /** Spotify refused the token: only a renewal helps. */
      refused: boolean;
      lastGoodRead: string | null;
      lockout: { code: ErrorCode; until: string } | null;
    };

export type StartOutcome =
  | { kind: 'redirect'; location: string; browserNonce: string }
  | { kind: 'refused'; status: number; reason: 'not_configured' | 'no_owner' | 'rate_limited'; message: string };

export type CallbackOutcome =
  | { kind: 'renewed'; daysLeft: number }
  | {
      kind: 'refused';
      status: number;
      reason: 'bad_state' | 'denied' | 'code_rejected' | 'wrong_account' | 'missing_scopes' | 'not_configured' | 'rate_limited' | 'upstream';
      message: string;
    };

interface RenewalAttempt {
  /** SHA-256 of the cookie's nonce: the browser that started the renewal. */
  browser: string;
  verifier: string;
  redirectUri: string;
  /** Epoch ms. */
  expiresAt: number;
}

interface Resolved {
  env: EnvAccessor;
  config: ReturnType<typeof readConfig>;
  fetch: Fetch;
  now: () => Date;
  tokens: RefreshTokenStore;
  state: SharedStateStore;
  connect: JsonStore;
  log: Logger;
}

const resolve = (deps: RenewalDeps): Resolved => {
  const env = deps.env ?? runtimeEnv;
  return {
    env,
    config: readConfig(env, deps.deployContext),
    fetch: deps.fetch ?? globalThis.fetch,
    now: deps.now ?? (() => new Date()),
    tokens: deps.tokenStore ?? createTokenStore(),
    state: deps.stateStore ?? createSharedStateStore(),
    connect: deps.connectStore ?? openBlobStore(CONNECT_STORE_NAME),
    log: deps.log ?? console,
  };
};

const ownerId = (env: EnvAccessor) => env('SPOTIFY_OWNER_ID')?.trim() || null;

const NOT_CONFIGURED =
  'Spotify is not connected on this site yet. Connect it once from a clone of the project: run `npm run authorize -- --netlify`, then `npm run deploy`.';
const NO_OWNER =
  'Renewal from this page is off until SPOTIFY_OWNER_ID is set. Run `npm run authorize -- --netlify` once (it records your Spotify account id), then `npm run deploy`.';

export async function connectStatus(deps: RenewalDeps = {}): Promise<ConnectStatus> {
  const { config, env, now, tokens, state, log } = resolve(deps);
  if (config.status !== 'ready') return { kind: 'not_configured', message: config.status === 'invalid' && config.missing.length === 0 ? config.message : NOT_CONFIGURED };

  const choice = await tokenInUse({ environment: await environmentTokenOf(config.config), tokens, log });
  const shared = await state.read().catch(() => null);
  const expiry = choice.issuedAt ? refreshTokenExpiry(choice.issuedAt, now()) : null;
  const lockout = shared?.lockout && Date.parse(shared.lockout.until) > now().getTime() ? shared.lockout : null;
  const reads = [shared?.nowPlaying?.readAt, ...Object.values(shared?.topArtists ?? {}).map((part) => part?.readAt)].filter((at): at is string => Boolean(at));
  return {
    kind: 'ready',
    renewable: ownerId(env) !== null,
    source: choice.source,
    expiry: expiry && { status: expiry.status, daysLeft: expiry.daysLeft, expiresOn: expiry.expiresAt.toISOString().slice(0, 10) },
    refused: shared?.lockout?.code === 'reauthorization_required',
    lastGoodRead: reads.sort().at(-1) ?? null,
    lockout: lockout && { code: lockout.code, until: lockout.until },
  };
}

/** Starts a renewal: the Spotify authorize URL to send the browser to, with its cookie nonce. */
export async function startRenewal(requestUrl: URL, clientAddress: string, deps: RenewalDeps = {}): Promise<StartOutcome> {
  const resolved = resolve(deps);
  const { config, env, connect, now } = resolved;
  if (config.status !== 'ready') return { kind: 'refused', status: 503, reason: 'not_configured', message: NOT_CONFIGURED };
  if (!ownerId(env)) return { kind: 'refused', status: 409, reason: 'no_owner', message: NO_OWNER };
  if (!(await withinRateLimit(resolved, clientAddress, 'start'))) return rateLimited();

  const state = newAuthorizeState();
  const verifier = newCodeVerifier();
  const browserNonce = newAuthorizeState();
  // The callback must be this site's own, on the origin the owner is using.
  const redirectUri = `${requestUrl.origin}/connect/callback`;
  const attempt: RenewalAttempt = { browser: await tokenFingerprint(browserNonce), verifier, redirectUri, expiresAt: now().getTime() + RENEWAL_ATTEMPT_TTL_MS };
  await withStoreTimeout(connect.setJSON(attemptKey(await tokenFingerprint(state)), attempt), 'saving the renewal');
  const location = buildAuthorizeUrl({
    accountsUrl: config.config.accountsUrl,
    clientId: config.config.clientId,
    redirectUri,
    state,
    codeChallenge: await codeChallengeOf(verifier),
  });
  return { kind: 'redirect', location, browserNonce };
}

/** Finishes a renewal from Spotify's redirect back to /connect/callback. */
export async function finishRenewal(requestUrl: URL, browserNonce: string | undefined, clientAddress: string, deps: RenewalDeps = {}): Promise<CallbackOutcome> {
  const resolved = resolve(deps);
  const { config, env, connect, now, log } = resolved;
  if (config.status !== 'ready') return refused(503, 'not_configured', NOT_CONFIGURED);
  const owner = ownerId(env);
  if (!owner) return refused(409, 'not_configured', NO_OWNER);
  if (!(await withinRateLimit(resolved, clientAddress, 'check'))) return rateLimited();

  const params = requestUrl.searchParams;
  const state = params.get('state');
  const key = state ? attemptKey(await tokenFingerprint(state)) : null;
  const stored = key ? ((await withStoreTimeout(connect.getWithMetadata(key, { type: 'json' }), 'reading the renewal'))?.data as RenewalAttempt | undefined) : undefined;
  const sameBrowser = stored && browserNonce !== undefined && stored.browser === (await tokenFingerprint(browserNonce));
  if (!key || !stored || !sameBrowser || stored.expiresAt <= now().getTime()) {
    await recordFailure(resolved, clientAddress, 'bad_state');
    return refused(400, 'bad_state', 'This renewal link is not valid here: it has expired, was already used, or was started in another browser. Start again from /connect.');
  }
  // Single use, before anything else: a replayed callback finds nothing.
  await withStoreTimeout(connect.delete(key), 'closing the renewal');

  if (params.get('error')) {
    return refused(200, 'denied', 'Spotify says access was not granted, so nothing changed. Start again from /connect when you are ready.');
  }
  const code = params.get('code');
  if (!code) return refused(400, 'bad_state', 'Spotify sent no authorization code. Start again from /connect.');

  const endpoint = { fetch: resolved.fetch, accountsUrl: config.config.accountsUrl, clientId: config.config.clientId, clientSecret: config.config.clientSecret, timeoutMs: TOKEN_TIMEOUT_MS };
  const grant = await exchangeAuthorizationCode(endpoint, code, stored.redirectUri, stored.verifier);
  if (!grant.ok) {
    await recordFailure(resolved, clientAddress, 'code_rejected');
    const rejected = grant.error.code === 'reauthorization_required';
    return refused(rejected ? 400 : 502, rejected ? 'code_rejected' : 'upstream', rejected ? 'Spotify did not accept this sign-in (it may have been used already). Try again from /connect.' : 'Spotify could not be reached to finish the renewal. Try again from /connect in a minute.');
  }
  if (!grant.value.refreshToken) return refused(502, 'upstream', 'Spotify answered without a refresh token. Try again from /connect.');
  const missing = Object.values(REQUIRED_SCOPES).filter((scope) => !grant.value.scopes.includes(scope));
  if (missing.length > 0) return refused(400, 'missing_scopes', `Spotify granted too little (missing ${missing.join(', ')}). Try again from /connect and leave every permission on.`);

  const account = await readAccountId({ fetch: resolved.fetch, apiUrl: config.config.apiUrl, accessToken: grant.value.accessToken, timeoutMs: READ_TIMEOUT_MS });
  if (!account.ok) return refused(502, 'upstream', 'Spotify could not say which account signed in. Try again from /connect.');
  if (account.value !== owner) {
    await recordFailure(resolved, clientAddress, 'wrong_account');
    return refused(403, 'wrong_account', 'That Spotify account is not the one this site shows, so nothing changed. Sign in to Spotify as the site’s owner and try again.');
  }

  await saveRenewal(resolved, grant.value.refreshToken);
  log.warn('The Spotify connection was renewed from /connect.');
  return { kind: 'renewed', daysLeft: refreshTokenExpiry(now(), now()).daysLeft };
}

/**
 * Stores the renewed token (retrying a conflict), lifts a lockout the old token caused, and drops the old
 * grant's access token, so the next call reads at once with the new grant's scopes.
 */
async function saveRenewal(resolved: Resolved, refreshToken: string): Promise<void> {
  await saveToken(resolved, renewedRecord(refreshToken, resolved.now()), 'the renewed refresh token');
  try {
    const shared = await resolved.state.read();
    if (shared) await resolved.state.write(afterRenewal(shared));
  } catch (error) {
    resolved.log.warn(`The renewal is saved, but the old lockout could not be lifted (${describeError(error)}); the widget resumes when it ends.`);
  }
}

interface RateRecord {
  windowStart: number;
  count: number;
}

/** Counts an attempt against the client's window; false once over. The address is stored only as a hash. */
async function withinRateLimit(resolved: Resolved, clientAddress: string, what: 'start' | 'check' | 'failure'): Promise<boolean> {
  const key = `rate/${(await tokenFingerprint(`renewal:${clientAddress}`)).slice(0, 32)}`;
  const now = resolved.now().getTime();
  try {
    const found = (await withStoreTimeout(resolved.connect.getWithMetadata(key, { type: 'json' }), 'reading the renewal rate'))?.data as RateRecord | undefined;
    const current = found && now - found.windowStart < RENEWAL_WINDOW_MS ? found : { windowStart: now, count: 0 };
    const counted = what === 'check' ? current : { ...current, count: current.count + 1 };
    if (counted !== current) await withStoreTimeout(resolved.connect.setJSON(key, counted), 'counting the renewal');
    return counted.count <= RENEWAL_ATTEMPTS_PER_WINDOW;
  } catch (error) {
    resolved.log.warn(`The renewal rate limit could not be checked (${describeError(error)}); allowing this attempt.`);
    return true;
  }
}

async function recordFailure(resolved: Resolved, clientAddress: string, reason: string): Promise<void> {
  const within = await withinRateLimit(resolved, clientAddress, 'failure');
  const client = (await tokenFingerprint(`renewal:${clientAddress}`)).slice(0, 8);
  resolved.log.warn(`A renewal on /connect was refused (${reason}) for client ${client}${within ? '' : '; further attempts from it are refused for now'}.`);
}

const attemptKey = (stateHash: string) => `attempt/${stateHash}`;
const refused = (status: number, reason: Extract<CallbackOutcome, { kind: 'refused' }>['reason'], message: string): CallbackOutcome => ({ kind: 'refused', status, reason, message });
const rateLimited = () =>
  ({ kind: 'refused', status: 429, reason: 'rate_limited', message: 'Too many renewal attempts from here. Wait ten minutes, then start again from /connect.' }) as const;
