/**
 * Renewing the connection from the live site (/connect): the owner's status,
 * the start of an Authorization Code flow with PKCE whose state is bound to
 * the browser by an HttpOnly cookie, and the callback that stores the new
 * refresh token only when it belongs to SPOTIFY_OWNER_ID. The verifier stays
 * in Blobs; no token, code or verifier is ever put in a URL we build, a page,
 * a response or a log line.
 *
 * Concurrency: the rate limit is counted in this instance's memory before any
 * await, and in the store as one slot per attempt that only one writer can
 * take; a state is spent by a write only one callback can win, before its
 * code is exchanged. A store that fails or times out makes any /connect page
 * answer `unavailable` (503, Retry-After), never an error, and before any
 * request to Spotify.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  CALL_BUDGET_MS,
  LOCAL_CONNECT_START_BUDGET_MS,
  LOCAL_LEASE_SETTLE_MS,
  READ_TIMEOUT_MS,
  RENEWAL_ATTEMPTS_PER_WINDOW,
  RENEWAL_ATTEMPT_TTL_MS,
  RENEWAL_CLIENTS_IN_MEMORY,
  RENEWAL_WINDOW_MS,
  STATE_UNAVAILABLE_RETRY_S,
  TOKEN_TIMEOUT_MS,
  within,
} from '../lib/spotify/limits';
import { REQUIRED_SCOPES, exchangeAuthorizationCode, readAccountId, type Fetch } from '../lib/spotify/spotify-api';
import { buildAuthorizeUrl, codeChallengeOf, newAuthorizeState, newCodeVerifier } from '../lib/spotify/authorize-url';
import { readConfig, type EnvAccessor, type SpotifyConfig } from '../lib/spotify/config';
import { refreshTokenExpiry, renewedRecord, tokenFingerprint, type RefreshTokenChoice } from '../lib/spotify/rotation';
import type { ErrorCode } from '../lib/spotify/types';
import type { Logger } from '../lib/spotify/listening';
import { afterRenewal } from '../lib/spotify/refresh-policy';
import {
  createSharedStateStore,
  createTokenStore,
  describeError,
  isLocalRuntime,
  openBlobStore,
  runtimeEnv,
  sleep,
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
  /** This instance's count of attempts; the module's own by default. */
  attempts?: AttemptCounter;
  /** The local Blobs server (its conditional writes are not atomic); `isLocalRuntime` by default. */
  local?: boolean;
  /** How long a start may take before it answers 503 (by default CALL_BUDGET_MS, or locally LOCAL_CONNECT_START_BUDGET_MS); a test shortens it. */
  startBudgetMs?: number;
}

/** Netlify Blobs failed or timed out: nothing changed, and the page says to come back in a moment. */
export interface Unavailable {
  kind: 'unavailable';
  status: 503;
  /** Seconds, for Retry-After. */
  retryAfterS: number;
  message: string;
}

export type ConnectStatus =
  | Unavailable
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
      /** Last.fm is set up too: it answers while Spotify is locked out. */
      covered: boolean;
    };

export type StartOutcome =
  | Unavailable
  | { kind: 'redirect'; location: string; browserNonce: string }
  | { kind: 'refused'; status: number; reason: 'not_configured' | 'no_owner' | 'rate_limited'; message: string };

export type CallbackOutcome =
  | Unavailable
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
  attempts: AttemptCounter;
  local: boolean;
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
    attempts: deps.attempts ?? instanceAttempts,
    local: deps.local ?? isLocalRuntime(env),
  };
};

const ownerId = (env: EnvAccessor) => env('SPOTIFY_OWNER_ID')?.trim() || null;

const NOT_CONFIGURED =
  'Spotify is not connected on this site yet. Connect it once from a clone of the project: run `npm run authorize -- --netlify`, then `npm run deploy`.';
const NO_OWNER =
  'Renewal from this page is off until SPOTIFY_OWNER_ID is set. Run `npm run authorize -- --netlify` once (it records your Spotify account id), then `npm run deploy`.';

const LASTFM_ONLY =
  'This site shows Last.fm; Spotify is not in use, so there is nothing to renew. To show Spotify (with Last.fm as its cover), run `npm run authorize -- --netlify`, then `npm run deploy`.';

/** Why /connect cannot renew: Spotify is not set up, or not in use (Last.fm alone). */
const notConfigured = (config: Resolved['config']) =>
  config.status === 'ready' ? LASTFM_ONLY : config.status === 'invalid' && config.missing.length === 0 ? config.message : NOT_CONFIGURED;

export async function connectStatus(deps: RenewalDeps = {}): Promise<ConnectStatus> {
  const { config, env, now, tokens, state, log } = resolve(deps);
  if (config.status !== 'ready' || !config.spotify) return { kind: 'not_configured', message: notConfigured(config) };

  const choice = await tokenInUse({ environment: await environmentTokenOf(config.spotify), tokens, log });
  // A status read past a failing store could say "Connected" over a token Spotify refused: say nothing instead.
  if (choice.storeUnread) return unavailable(log, 'the saved refresh token could not be read');
  let shared: Awaited<ReturnType<SharedStateStore['read']>>;
  try {
    shared = await state.read();
  } catch (error) {
    // Outside a Netlify context there is no store to miss (as tokenInUse decides).
    if (!(error instanceof Error && error.name === 'MissingBlobsEnvironmentError')) return unavailable(log, describeError(error));
    shared = null;
  }
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
    covered: config.lastfm !== null,
  };
}

/** Starts a renewal: the Spotify authorize URL to send the browser to, with its cookie nonce. */
export async function startRenewal(requestUrl: URL, clientAddress: string, deps: RenewalDeps = {}): Promise<StartOutcome> {
  const resolved = resolve(deps);
  const { config, env } = resolved;
  if (config.status !== 'ready' || !config.spotify) return { kind: 'refused', status: 503, reason: 'not_configured', message: notConfigured(config) };
  const spotify = config.spotify;
  if (!ownerId(env)) return { kind: 'refused', status: 409, reason: 'no_owner', message: NO_OWNER };
  // Counted in memory before any await, so a burst into this instance is counted one call at a time.
  const client = rateClientOf(resolved, clientAddress);
  if (!countInMemory(resolved, client, 'start')) return rateLimited();
  const budgetMs = deps.startBudgetMs ?? (resolved.local ? LOCAL_CONNECT_START_BUDGET_MS : CALL_BUDGET_MS);
  return orUnavailable(resolved, async () => {
    // A slow store must answer a 503 before the platform stops the function with a 500. What a late start
    // writes meanwhile is an attempt nobody holds the state of, and it expires by itself.
    const started = await within(
      (async () => ((await countInStore(resolved, client, 'start')) ? redirectToSpotify(resolved, spotify, requestUrl) : rateLimited()))(),
      budgetMs,
    );
    if (!started) throw new StoreUnavailable(`starting a renewal: no answer within ${budgetMs} ms`);
    return started;
  });
}

async function redirectToSpotify({ connect, now }: Resolved, spotify: SpotifyConfig, requestUrl: URL): Promise<StartOutcome> {
  const state = newAuthorizeState();
  const verifier = newCodeVerifier();
  const browserNonce = newAuthorizeState();
  // The callback must be this site's own, on the origin the owner is using.
  const redirectUri = `${requestUrl.origin}/connect/callback`;
  const attempt: RenewalAttempt = { browser: await tokenFingerprint(browserNonce), verifier, redirectUri, expiresAt: now().getTime() + RENEWAL_ATTEMPT_TTL_MS };
  const key = attemptKey(await tokenFingerprint(state));
  await fromStore(() => connect.setJSON(key, attempt), 'saving the renewal');
  const location = buildAuthorizeUrl({
    accountsUrl: spotify.accountsUrl,
    clientId: spotify.clientId,
    redirectUri,
    state,
    codeChallenge: await codeChallengeOf(verifier),
  });
  return { kind: 'redirect', location, browserNonce };
}

/** Finishes a renewal from Spotify's redirect back to /connect/callback. */
export async function finishRenewal(requestUrl: URL, browserNonce: string | undefined, clientAddress: string, deps: RenewalDeps = {}): Promise<CallbackOutcome> {
  const resolved = resolve(deps);
  const { config, env } = resolved;
  if (config.status !== 'ready' || !config.spotify) return refused(503, 'not_configured', notConfigured(config));
  const spotify = config.spotify;
  const owner = ownerId(env);
  if (!owner) return refused(409, 'not_configured', NO_OWNER);
  const client = rateClientOf(resolved, clientAddress);
  if (!countInMemory(resolved, client, 'check')) return rateLimited();
  return orUnavailable(resolved, async () => {
    if (!(await countInStore(resolved, client, 'check'))) return rateLimited();
    return finishWithSpotify(resolved, spotify, owner, requestUrl, browserNonce, client);
  });
}

async function finishWithSpotify(
  resolved: Resolved,
  spotify: SpotifyConfig,
  owner: string,
  requestUrl: URL,
  browserNonce: string | undefined,
  client: RateClient,
): Promise<CallbackOutcome> {
  const { connect, now, log } = resolved;
  const params = requestUrl.searchParams;
  const state = params.get('state');
  const stateHash = state ? await tokenFingerprint(state) : null;
  const stored = stateHash
    ? ((await fromStore(() => connect.getWithMetadata(attemptKey(stateHash), { type: 'json' }), 'reading the renewal'))?.data as RenewalAttempt | undefined)
    : undefined;
  const sameBrowser = stored && browserNonce !== undefined && stored.browser === (await tokenFingerprint(browserNonce));
  // Single use, before anything else: of callbacks racing with one state, only the one that writes its
  // spent marker goes on to exchange the code; a replay finds the marker, or no attempt at all.
  const attempt = stored && sameBrowser && stored.expiresAt > now().getTime() ? stored : null;
  if (!stateHash || !attempt || !(await claimKey(resolved, spentKey(stateHash), 'closing the renewal'))) {
    await recordFailure(resolved, client, 'bad_state');
    return refused(400, 'bad_state', 'This renewal link is not valid here: it has expired, was already used, or was started in another browser. Start again from /connect.');
  }
  // The verifier is no longer needed; the spent marker alone keeps the state single-use, so a failure here changes nothing.
  await fromStore(() => connect.delete(attemptKey(stateHash)), 'closing the renewal').catch((error: unknown) =>
    log.warn(`A spent renewal could not be removed (${describeError(error)}); its spent marker keeps it from being used again.`),
  );

  if (params.get('error')) {
    return refused(200, 'denied', 'Spotify says access was not granted, so nothing changed. Start again from /connect when you are ready.');
  }
  const code = params.get('code');
  if (!code) return refused(400, 'bad_state', 'Spotify sent no authorization code. Start again from /connect.');

  const endpoint = { fetch: resolved.fetch, accountsUrl: spotify.accountsUrl, clientId: spotify.clientId, clientSecret: spotify.clientSecret, timeoutMs: TOKEN_TIMEOUT_MS };
  const grant = await exchangeAuthorizationCode(endpoint, code, attempt.redirectUri, attempt.verifier);
  if (!grant.ok) {
    await recordFailure(resolved, client, 'code_rejected');
    const rejected = grant.error.code === 'reauthorization_required';
    return refused(rejected ? 400 : 502, rejected ? 'code_rejected' : 'upstream', rejected ? 'Spotify did not accept this sign-in (it may have been used already). Try again from /connect.' : 'Spotify could not be reached to finish the renewal. Try again from /connect in a minute.');
  }
  if (!grant.value.refreshToken) return refused(502, 'upstream', 'Spotify answered without a refresh token. Try again from /connect.');
  const missing = Object.values(REQUIRED_SCOPES).filter((scope) => !grant.value.scopes.includes(scope));
  if (missing.length > 0) return refused(400, 'missing_scopes', `Spotify granted too little (missing ${missing.join(', ')}). Try again from /connect and leave every permission on.`);

  const account = await readAccountId({ fetch: resolved.fetch, apiUrl: spotify.apiUrl, accessToken: grant.value.accessToken, timeoutMs: READ_TIMEOUT_MS });
  if (!account.ok) return refused(502, 'upstream', 'Spotify could not say which account signed in. Try again from /connect.');
  if (account.value !== owner) {
    await recordFailure(resolved, client, 'wrong_account');
    return refused(403, 'wrong_account', 'That Spotify account is not the one this site shows, so nothing changed. Sign in to Spotify as the site’s owner and try again.');
  }

  try {
    await saveRenewal(resolved, grant.value.refreshToken);
  } catch (error) {
    // saveToken has retried and logged each try; the code is spent, so the owner starts again.
    throw new StoreUnavailable(`saving the renewed refresh token: ${describeError(error)}`);
  }
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

/* --- The rate limit: per client address, counted in this instance's memory and in the store --- */

export type RateUse = 'start' | 'check' | 'failure';

export interface RateClient {
  /** SHA-256 of the address (its first 32 hex digits): the address itself is never kept. */
  id: string;
  /** The fixed window the call falls in: epoch ms / RENEWAL_WINDOW_MS, rounded down. */
  window: number;
}

/** Synchronous, so a caller can count before its first await. */
const rateClientOf = (resolved: Resolved, clientAddress: string): RateClient => ({
  id: createHash('sha256').update(`renewal:${clientAddress}`).digest('hex').slice(0, 32),
  window: Math.floor(resolved.now().getTime() / RENEWAL_WINDOW_MS),
});

/**
 * The rule on a client's count in one window. A start is allowed while fewer
 * than RENEWAL_ATTEMPTS_PER_WINDOW are counted, and counts (a refused one does
 * not). A failure always counts. A callback (`check`) counts nothing and is
 * allowed until a failure has gone past the limit, so the last start allowed
 * can still come back.
 */
export function countAttempt(count: number, use: RateUse): { allowed: boolean; count: number } {
  if (use === 'check') return { allowed: count <= RENEWAL_ATTEMPTS_PER_WINDOW, count };
  if (use === 'failure') return { allowed: count < RENEWAL_ATTEMPTS_PER_WINDOW, count: count + 1 };
  return count < RENEWAL_ATTEMPTS_PER_WINDOW ? { allowed: true, count: count + 1 } : { allowed: false, count };
}

/**
 * The store's side of the same rule. A start or a failure takes one of the
 * client's RENEWAL_ATTEMPTS_PER_WINDOW slots in the window (`taken`: those known
 * to be taken), a free one at random so that a burst spreads over them instead of all
 * contending for the lowest. With none free a start is refused (null), and a
 * failure takes the slot past the limit, whose presence refuses callbacks.
 */
export function slotToClaim(taken: readonly boolean[], use: 'start' | 'failure', random: () => number = Math.random): number | null {
  const free = taken.flatMap((isTaken, slot) => (isTaken ? [] : [slot]));
  if (free.length > 0) return free[Math.min(free.length - 1, Math.floor(random() * free.length))]!;
  return use === 'failure' ? RENEWAL_ATTEMPTS_PER_WINDOW : null;
}

/** An instance's own count of attempts, by client and window. */
export interface AttemptCounter {
  /** `countAttempt` on the client's count, read and written in one synchronous step: no other call comes between. */
  take(client: RateClient, use: RateUse): boolean;
}

export function createAttemptCounter(capacity = RENEWAL_CLIENTS_IN_MEMORY): AttemptCounter {
  const counts = new Map<string, { window: number; count: number }>();
  let latest = Number.NEGATIVE_INFINITY;
  return {
    take({ id, window }, use) {
      if (window > latest) {
        // A new window: the old ones count no more.
        latest = window;
        for (const [key, entry] of counts) if (entry.window < window) counts.delete(key);
      }
      const key = `${id}/${window}`;
      const before = counts.get(key)?.count ?? 0;
      const { allowed, count } = countAttempt(before, use);
      if (count !== before) {
        // Re-inserted, so the Map runs from the least recently counted client, which the cap forgets first.
        counts.delete(key);
        counts.set(key, { window, count });
        for (const oldest of counts.keys()) {
          if (counts.size <= capacity) break;
          counts.delete(oldest);
        }
      }
      return allowed;
    },
  };
}

/**
 * This instance's counter, shared by the calls a warm instance serves. Under
 * `netlify serve` every call runs in a fresh worker, so there only the store counts.
 */
const instanceAttempts = createAttemptCounter();

const countInMemory = (resolved: Resolved, client: RateClient, use: RateUse) => resolved.attempts.take(client, use);

const rateKey = (client: RateClient, slot: number) => `rate/${client.id}/${client.window}/${slot}`;

/** Which of the client's slots are known to be taken: a hint, so a call reads one key rather than every slot. */
const hintKey = (client: RateClient) => `rate/${client.id}/${client.window}/taken`;

/**
 * The store's count, which covers every instance: one record per attempt, in
 * a slot only one writer can take. A callback's check reads one key, the slot
 * past the limit. Throws StoreUnavailable.
 *
 * Which slots to try comes from the hint. It only ever names slots someone
 * won, and writers may overwrite each other's, so it can lag but never
 * overstate: a slot it misses costs a lost claim, never an extra attempt.
 */
async function countInStore(resolved: Resolved, client: RateClient, use: RateUse): Promise<boolean> {
  const { connect } = resolved;
  if (use === 'check') return (await fromStore(() => connect.getWithMetadata(rateKey(client, RENEWAL_ATTEMPTS_PER_WINDOW), { type: 'json' }), 'reading the renewal rate')) === null;
  const hint = (await fromStore(() => connect.getWithMetadata(hintKey(client), { type: 'json' }), 'reading the renewal rate'))?.data;
  const hinted = Array.isArray(hint) ? hint.filter((slot): slot is number => Number.isInteger(slot) && slot >= 0 && slot < RENEWAL_ATTEMPTS_PER_WINDOW) : [];
  const known = new Set(hinted);
  const tell = () =>
    known.size > hinted.length ? fromStore(() => connect.setJSON(hintKey(client), [...known].sort((a, b) => a - b)), 'counting the renewal').catch(() => undefined) : undefined;
  // Each lost claim adds a slot to `known`, so this ends within RENEWAL_ATTEMPTS_PER_WINDOW + 1 claims.
  for (;;) {
    const slot = slotToClaim(Array.from({ length: RENEWAL_ATTEMPTS_PER_WINDOW }, (_, index) => known.has(index)), use);
    if (slot === null) {
      await tell();
      return false;
    }
    if (await claimKey(resolved, rateKey(client, slot), 'counting the renewal')) {
      if (slot < RENEWAL_ATTEMPTS_PER_WINDOW) known.add(slot);
      await tell();
      return slot < RENEWAL_ATTEMPTS_PER_WINDOW;
    }
    if (slot === RENEWAL_ATTEMPTS_PER_WINDOW) return false;
    known.add(slot);
  }
}

/**
 * Counts a refused callback against its client and logs it. The refusal
 * stands even when the store cannot count it (this instance's memory did).
 */
async function recordFailure(resolved: Resolved, client: RateClient, reason: string): Promise<void> {
  const inMemory = countInMemory(resolved, client, 'failure');
  const inStore = await countInStore(resolved, client, 'failure').catch((error: unknown) => {
    if (!(error instanceof StoreUnavailable)) throw error;
    resolved.log.warn(`A refused renewal could not be counted in Netlify Blobs (${error.message}).`);
    return true;
  });
  const over = !inMemory || !inStore;
  resolved.log.warn(`A renewal on /connect was refused (${reason}) for client ${client.id.slice(0, 8)}${over ? '; further attempts from it are refused for now' : ''}.`);
}

/* --- Blobs: each operation time-limited, each failure an `unavailable` answer --- */

/** A Blobs operation failed or timed out. Any other error is a bug, and stays one. */
class StoreUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreUnavailable';
  }
}

/** One store operation within its time limit. A thunk, because outside a Netlify context the call itself throws. */
async function fromStore<T>(work: () => Promise<T>, what: string): Promise<T> {
  try {
    return await withStoreTimeout(work(), what);
  } catch (error) {
    throw new StoreUnavailable(`${what}: ${describeError(error)}`);
  }
}

async function orUnavailable<T>(resolved: Resolved, work: () => Promise<T>): Promise<T | Unavailable> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof StoreUnavailable)) throw error;
    return unavailable(resolved.log, error.message);
  }
}

/** The 503 and its Retry-After, set by each /connect page before it renders (src/pages/connect/_unavailable.astro). */
export function applyUnavailable(response: { status?: number; headers: Headers }, outcome: Unavailable): void {
  response.status = outcome.status;
  response.headers.set('Retry-After', String(outcome.retryAfterS));
}

function unavailable(log: Logger, why: string): Unavailable {
  log.warn(`/connect answered 503: Netlify Blobs failed (${why}). Nothing was changed.`);
  return {
    kind: 'unavailable',
    status: 503,
    retryAfterS: STATE_UNAVAILABLE_RETRY_S,
    message: 'This site could not reach its storage just now, so nothing changed. Try again in a moment.',
  };
}

/**
 * Writes `key` only if it is new; true when this caller won it. Deployed Blobs
 * decides at once. The local server answers `modified` to every same-instant
 * writer and keeps the last, so there the winner is whoever still holds the
 * key a moment later: the read-back of the refresh lease (store.ts), local only.
 */
async function claimKey(resolved: Resolved, key: string, what: string): Promise<boolean> {
  const holder = randomUUID();
  const written = await fromStore(() => resolved.connect.setJSON(key, { holder, at: resolved.now().toISOString() }, { onlyIfNew: true }), what);
  if (!written.modified) return false;
  if (!resolved.local) return true;
  await sleep(LOCAL_LEASE_SETTLE_MS);
  const found = await fromStore(() => resolved.connect.getWithMetadata(key, { type: 'json' }), what);
  return (found?.data as { holder?: unknown } | undefined)?.holder === holder;
}

const attemptKey = (stateHash: string) => `attempt/${stateHash}`;
/** Written once, by the one callback that may exchange the state's code. */
const spentKey = (stateHash: string) => `spent/${stateHash}`;
const refused = (status: number, reason: Extract<CallbackOutcome, { kind: 'refused' }>['reason'], message: string): CallbackOutcome => ({ kind: 'refused', status, reason, message });
const rateLimited = () =>
  ({ kind: 'refused', status: 429, reason: 'rate_limited', message: 'Too many renewal attempts from here. Wait ten minutes, then start again from /connect.' }) as const;
