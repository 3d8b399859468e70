/**
 * The listening data for a request, shared by the function and the page.
 * With a refresh interval (the default), every call answers from the shared
 * state and at most one instance at a time refreshes it from Spotify, paced
 * by the daily budget. With SPOTIFY_REFRESH_INTERVAL_S=0, every call reads
 * Spotify afresh (the per-call contract), keeping only the rotated token.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CALL_BUDGET_MS,
  ROTATION_WRITE_ATTEMPTS,
  ROTATION_WRITE_BACKOFF_MS,
  SpotifyError,
  STATE_POLL_MS,
  TOP_ARTISTS_READ_LIMIT,
  answerFromState,
  chooseRefreshToken,
  emptyState,
  expiryWarning,
  fail,
  getDemoListening,
  readListeningAfresh,
  planRefresh,
  readConfig,
  readParts,
  recordRefresh,
  refreshTokenExpiry,
  rotatedRecord,
  tokenFingerprint,
  type DueParts,
  type EnvAccessor,
  type Fetch,
  type Listening,
  type ListeningQuery,
  type Logger,
  type PartsWanted,
  type RefreshPolicy,
  type Result,
  type SharedState,
  type SpotifyConfig,
  type SpotifyReader,
  type TimeRange,
  within,
} from '../lib/spotify';
import { describeError } from './blobs';
import { runtimeEnv } from './env';
import { createSharedStateStore, type SharedStateStore } from './shared-state';
import { createTokenStore, type RefreshTokenStore } from './token-store';

interface ServiceOptions {
  env?: EnvAccessor;
  /** Netlify's deploy context of this request (`context.deploy.context`), which is how functions learn it at run time. */
  deployContext?: string;
  fetch?: Fetch;
  now?: () => Date;
  /** Keeps work that outlives the response alive (`context.waitUntil` on Netlify). */
  waitUntil?: (work: Promise<unknown>) => void;
  /**
   * How long a call that starts a refresh waits for it before answering from
   * the state it has. The page waits briefly (its first paint has a budget);
   * the function waits for fresh data. Calls with no data at all always wait.
   */
  refreshWaitMs?: number;
  /** The whole call's deadline (defaults to CALL_BUDGET_MS); a test shortens it. */
  callBudgetMs?: number;
  /** Defaults to Netlify Blobs. */
  tokenStore?: RefreshTokenStore;
  stateStore?: SharedStateStore;
  log?: Logger;
}

interface CallContext {
  config: SpotifyConfig;
  environmentFingerprint: string;
  fetch: Fetch;
  now: () => Date;
  log: Logger;
  tokens: RefreshTokenStore;
}

let defaultTokenStore: RefreshTokenStore | undefined;
let defaultStateStore: SharedStateStore | undefined;
/** Issue times already warned about: once per instance, since a warm function instance serves many calls. */
const warnedExpiries = new Set<string>();
/** Refreshes under way in this instance: calls that find the same one due share it. */
const flights = new Map<string, Promise<SharedState | null>>();

/** The entry for the function and the page: demo data without credentials, else the answer from the shared state (or, with a refresh interval of 0, read afresh). */
export async function loadListening(query: ListeningQuery, options: ServiceOptions = {}): Promise<Result<Listening>> {
  const env = options.env ?? runtimeEnv;
  const state = readConfig(env, options.deployContext);
  if (state.status === 'demo') return getDemoListening(query, options.now);
  if (state.status === 'invalid') return fail(new SpotifyError('not_configured', state.message));

  const log = options.log ?? console;
  const now = options.now ?? (() => new Date());
  warnOfExpiry(state.config, now(), log);
  const context: CallContext = {
    config: state.config,
    environmentFingerprint: await tokenFingerprint(state.config.refreshToken),
    fetch: options.fetch ?? globalThis.fetch,
    now,
    log,
    tokens: options.tokenStore ?? (defaultTokenStore ??= createTokenStore()),
  };
  const budgetMs = options.callBudgetMs ?? CALL_BUDGET_MS;
  if (state.config.refreshIntervalS === 0) return readStatelessly(query, context, AbortSignal.timeout(budgetMs));

  const store = options.stateStore ?? (defaultStateStore ??= createSharedStateStore());
  return readThroughState(query, context, store, {
    deadline: Date.now() + budgetMs,
    budgetMs,
    refreshWaitMs: options.refreshWaitMs ?? budgetMs,
    waitUntil: options.waitUntil,
  });
}

/** The per-call contract: every part read afresh, errors as they come. */
async function readStatelessly(query: ListeningQuery, context: CallContext, signal: AbortSignal): Promise<Result<Listening>> {
  return readWithBestToken(context, signal, (reader) => readListeningAfresh({ ...reader, query }));
}

interface StatefulCall {
  /** Epoch ms by which the call answers. */
  deadline: number;
  budgetMs: number;
  refreshWaitMs: number;
  waitUntil?: (work: Promise<unknown>) => void;
}

async function readThroughState(query: ListeningQuery, context: CallContext, store: SharedStateStore, call: StatefulCall): Promise<Result<Listening>> {
  const policy: RefreshPolicy = { intervalMs: context.config.refreshIntervalS * 1_000, dailyBudget: context.config.dailyBudget };
  const nowMs = () => context.now().getTime();
  let state: SharedState;
  try {
    state = (await store.read()) ?? emptyState(nowMs(), policy);
  } catch (error) {
    // Without the state there is no coordination and no budget: read Spotify
    // directly rather than show nothing, and say so loudly.
    logError(context.log, `The shared state in Netlify Blobs could not be read (${describeError(error)}); this call read Spotify directly.`);
    return readStatelessly(query, context, AbortSignal.timeout(call.budgetMs));
  }

  const plan = planRefresh(state, query.range, nowMs(), policy, context.environmentFingerprint);
  if ((!plan.due.nowPlaying && !plan.due.topArtists) || plan.blocked) {
    return answerFromState(state, query, nowMs(), plan.blocked);
  }

  const refresh = refreshOnce(state, plan.due, query.range, context, store, policy, call.budgetMs);
  call.waitUntil?.(refresh);
  const hasData = state.nowPlaying !== null || Boolean(state.topArtists[query.range]?.value);
  const waitMs = hasData ? Math.min(call.refreshWaitMs, call.deadline - Date.now()) : call.deadline - Date.now();
  const refreshed = await within(refresh, waitMs);
  if (refreshed) {
    const after = planRefresh(refreshed, query.range, nowMs(), policy, context.environmentFingerprint);
    return answerFromState(refreshed, query, nowMs(), after.blocked);
  }
  if (hasData) return answerFromState(state, query, nowMs(), null);
  // Another instance holds the lease: wait for the state it writes.
  const awaited = await waitForNewerState(store, state.generation, call.deadline);
  if (awaited) return answerFromState(awaited, query, nowMs(), planRefresh(awaited, query.range, nowMs(), policy, context.environmentFingerprint).blocked);
  return fail(new SpotifyError('upstream_timeout', 'Spotify did not answer in time. Try again in a moment.'));
}

/**
 * Refreshes the due parts if this call wins the lease; resolves to the new
 * state, or null when another instance refreshes. Calls in this instance
 * that find the same refresh due share one flight.
 */
function refreshOnce(
  state: SharedState,
  due: DueParts,
  range: TimeRange,
  context: CallContext,
  store: SharedStateStore,
  policy: RefreshPolicy,
  budgetMs: number,
): Promise<SharedState | null> {
  const key = `${state.generation}:${due.nowPlaying}:${due.topArtists ? range : ''}`;
  const existing = flights.get(key);
  if (existing) return existing;
  const flight = refreshUnderLease(state, due, range, context, store, policy, budgetMs)
    .catch((error: unknown) => {
      logError(context.log, `Refreshing the shared state failed: ${describeError(error)}`);
      return null;
    })
    .finally(() => flights.delete(key));
  flights.set(key, flight);
  return flight;
}

async function refreshUnderLease(
  seen: SharedState,
  due: DueParts,
  range: TimeRange,
  context: CallContext,
  store: SharedStateStore,
  policy: RefreshPolicy,
  budgetMs: number,
): Promise<SharedState | null> {
  const lease = await store.lease(seen.generation, context.now().getTime());
  if (!lease) return null;
  try {
    // Another instance may have finished a refresh between our read and the lease.
    const current = (await store.read()) ?? seen;
    if (current.generation !== seen.generation) return current;

    let requests = 0;
    const fetch: Fetch = (input, init) => {
      requests += 1;
      return context.fetch(input, init);
    };
    const wanted: PartsWanted = {
      nowPlaying: due.nowPlaying,
      topArtists: due.topArtists ? { range, limit: TOP_ARTISTS_READ_LIMIT } : null,
      recentOnlyWhenIdle: true,
    };
    const read = await readWithBestToken({ ...context, fetch }, AbortSignal.timeout(budgetMs), (reader) => readParts(reader, wanted));
    const next = recordRefresh(current, { due, range, requests, read, environmentFingerprint: context.environmentFingerprint }, context.now().getTime(), policy);
    await store.write(next);
    return next;
  } finally {
    await lease.release().catch(() => undefined);
  }
}

/**
 * Runs `read` with the refresh token most likely to work: the newest
 * persisted descendant of the environment token, else the environment token.
 * A refused token is followed by the next candidate, so
 * `reauthorization_required` means Spotify refused the newest stored token
 * and the environment token alike.
 */
async function readWithBestToken<T>(
  context: CallContext,
  signal: AbortSignal,
  read: (reader: SpotifyReader) => Promise<Result<T>>,
): Promise<Result<T>> {
  const environmentToken = context.config.refreshToken;
  const tried = new Set<string>();
  const attempt = (refreshToken: string) => {
    tried.add(refreshToken);
    return read({
      fetch: context.fetch,
      config: { ...context.config, refreshToken },
      now: context.now,
      signal,
      log: context.log,
      onRefreshTokenRotated: (rotated) => saveRotatedToken(context, rotated),
    });
  };

  const first = await newestStoredToken(context);
  let result = await attempt(first);
  if (result.ok || result.error.code !== 'reauthorization_required') return result;
  // Another instance may have rotated the stored token meanwhile; else the environment's may still work.
  for (const candidate of [await newestStoredToken(context), environmentToken]) {
    if (tried.has(candidate)) continue;
    result = await attempt(candidate);
    if (result.ok || result.error.code !== 'reauthorization_required') return result;
  }
  return result;
}

async function newestStoredToken(context: CallContext): Promise<string> {
  try {
    const stored = await context.tokens.read();
    return chooseRefreshToken(context.config.refreshToken, context.environmentFingerprint, stored.record).refreshToken;
  } catch (error) {
    context.log.warn(`The rotated refresh token saved in Netlify Blobs could not be read (${describeError(error)}); using the environment's.`);
    return context.config.refreshToken;
  }
}

/**
 * Persists a token Spotify just rotated. The old one may already be dead, so
 * this is retried, re-reading on a conflict: a lost rotated token means the
 * owner must re-authorize.
 */
async function saveRotatedToken(context: CallContext, rotated: string): Promise<void> {
  const record = rotatedRecord(rotated, context.environmentFingerprint, context.now());
  let lastProblem = 'a conflicting write each time';
  for (let attempt = 1; attempt <= ROTATION_WRITE_ATTEMPTS; attempt += 1) {
    try {
      const { version } = await context.tokens.read();
      if ((await context.tokens.write(record, version)) === 'written') return;
    } catch (error) {
      lastProblem = describeError(error);
      logError(context.log, `Saving the rotated refresh token failed (attempt ${attempt} of ${ROTATION_WRITE_ATTEMPTS}): ${lastProblem}`);
    }
    await sleep(ROTATION_WRITE_BACKOFF_MS * attempt);
  }
  throw new Error(`${lastProblem}. If calls start failing with reauthorization_required, run \`npm run authorize -- --netlify\`.`);
}

async function waitForNewerState(store: SharedStateStore, generation: number, deadline: number): Promise<SharedState | null> {
  while (Date.now() + STATE_POLL_MS < deadline) {
    await sleep(STATE_POLL_MS);
    const state = await store.read().catch(() => null);
    if (state && state.generation > generation) return state;
  }
  return null;
}

function warnOfExpiry(config: SpotifyConfig, now: Date, log: Logger): void {
  if (!config.refreshTokenIssuedAt) return;
  const key = config.refreshTokenIssuedAt.toISOString();
  if (warnedExpiries.has(key)) return;
  const warning = expiryWarning(refreshTokenExpiry(config.refreshTokenIssuedAt, now));
  if (!warning) return;
  warnedExpiries.add(key);
  log.warn(warning);
}


/** Errors the owner must see in the function log; a logger without `error` gets a warning. */
const logError = (log: Logger, message: string) => (log.error ? log.error(message) : log.warn(message));
