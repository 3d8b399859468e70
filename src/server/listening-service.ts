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
  SpotifyError,
  STATE_POLL_MS,
  STATE_READ_TIMEOUT_MS,
  TOP_ARTISTS_READ_LIMIT,
  answerFromState,
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
  type DueParts,
  type EnvAccessor,
  type Fetch,
  type Listening,
  type ListeningQuery,
  type Logger,
  type PartsWanted,
  type RefreshPolicy,
  type RefreshTokenChoice,
  type Result,
  type SharedState,
  type TimeRange,
  within,
} from '../lib/spotify';
import { describeError } from './blobs';
import { runtimeEnv } from './env';
import { createSharedStateStore, type SharedStateStore } from './shared-state';
import { environmentTokenOf, logError, readWithBestToken, type TokenContext } from './refresh-token';
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

type CallContext = TokenContext;

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
  const context: CallContext = {
    config: state.config,
    environment: await environmentTokenOf(state.config),
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
  return readWithBestToken(context, signal, (reader) => readListeningAfresh({ ...reader, query }), (choice) =>
    warnOfExpiry(choice, context.now(), context.log),
  );
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
    state = (await store.read(STATE_READ_TIMEOUT_MS)) ?? emptyState(nowMs(), policy);
  } catch (error) {
    // Without the state there is no coordination and no budget: read Spotify
    // directly rather than show nothing, and say so loudly.
    logError(context.log, `The shared state in Netlify Blobs could not be read (${describeError(error)}); this call read Spotify directly.`);
    return readStatelessly(query, context, AbortSignal.timeout(call.budgetMs));
  }
  const plan = (of: SharedState) => planRefresh(of, query.range, nowMs(), policy, context.environment.fingerprint);
  /** The answer from `of`, stale when a refresh is due but blocked. */
  const answer = (of: SharedState, blocked = plan(of).blocked) => answerFromState(of, query, nowMs(), blocked);

  // Each turn either awaits a refresh or a newer state, so the loop ends by the deadline at the latest.
  for (;;) {
    const { due, blocked } = plan(state);
    if ((!due.nowPlaying && !due.topArtists) || blocked) return answer(state, blocked);

    const complete = hasDataFor(state, query.range);
    const refresh = refreshOnce({ seen: state, due, range: query.range, context, store, policy, budgetMs: call.budgetMs });
    call.waitUntil?.(refresh);
    const left = call.deadline - Date.now();
    const refreshed = await within(refresh, complete ? Math.min(call.refreshWaitMs, left) : left);
    if (refreshed) {
      // Another instance's newer state may still lack this call's range: then go round again.
      const stillDue = plan(refreshed);
      if (complete || hasDataFor(refreshed, query.range) || stillDue.blocked || (!stillDue.due.nowPlaying && !stillDue.due.topArtists)) return answer(refreshed);
      state = refreshed;
      continue;
    }
    // Another instance holds the lease (or this refresh is slow): stale-while-revalidate.
    if (complete) return answer(state, null);
    // Something this call needs is missing: wait for the state the lease holder writes.
    const newer = await waitForNewerState(store, state.generation, call.deadline);
    if (newer) {
      state = newer;
      continue;
    }
    if (state.nowPlaying || state.topArtists[query.range]?.value) return answer(state, null);
    return fail(new SpotifyError('upstream_timeout', 'Spotify did not answer in time. Try again in a moment.'));
  }
}

/** Whether the state can answer this range in full: now playing and its top artists (or their failure) are known. */
const hasDataFor = (state: SharedState, range: TimeRange) =>
  state.nowPlaying !== null && (Boolean(state.topArtists[range]?.value) || Boolean(state.topArtists[range]?.failure));

/** One refresh of the parts `due` in `seen`, for the query's `range`. */
interface RefreshJob {
  seen: SharedState;
  due: DueParts;
  range: TimeRange;
  context: CallContext;
  store: SharedStateStore;
  policy: RefreshPolicy;
  budgetMs: number;
}

/**
 * Refreshes the due parts if this call wins the lease; resolves to the new
 * state, or null when another instance refreshes. Calls in this instance
 * that find the same refresh due share one flight.
 */
function refreshOnce(job: RefreshJob): Promise<SharedState | null> {
  const key = `${job.seen.generation}:${job.due.nowPlaying}:${job.due.topArtists ? job.range : ''}`;
  const existing = flights.get(key);
  if (existing) return existing;
  const flight = refreshUnderLease(job)
    .catch((error: unknown) => {
      logError(job.context.log, `Refreshing the shared state failed: ${describeError(error)}`);
      return null;
    })
    .finally(() => flights.delete(key));
  flights.set(key, flight);
  return flight;
}

async function refreshUnderLease({ seen, due, range, context, store, policy, budgetMs }: RefreshJob): Promise<SharedState | null> {
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
    const read = await readWithBestToken({ ...context, fetch }, AbortSignal.timeout(budgetMs), (reader) => readParts(reader, wanted), (choice) =>
      warnOfExpiry(choice, context.now(), context.log),
    );
    const next = recordRefresh(current, { due, range, requests, read, environmentFingerprint: context.environment.fingerprint }, context.now().getTime(), policy);
    await store.write(next);
    return next;
  } finally {
    await lease.release().catch(() => undefined);
  }
}

async function waitForNewerState(store: SharedStateStore, generation: number, deadline: number): Promise<SharedState | null> {
  while (Date.now() + STATE_POLL_MS < deadline) {
    await sleep(STATE_POLL_MS);
    const state = await store.read().catch(() => null);
    if (state && state.generation > generation) return state;
  }
  return null;
}

/** Warns of the token in use, once per instance and issue time: a warm instance serves many calls. */
function warnOfExpiry(choice: RefreshTokenChoice, now: Date, log: Logger): void {
  if (!choice.issuedAt) return;
  const key = choice.issuedAt.toISOString();
  if (warnedExpiries.has(key)) return;
  const warning = expiryWarning(refreshTokenExpiry(choice.issuedAt, now));
  if (!warning) return;
  warnedExpiries.add(key);
  log.warn(warning);
}

