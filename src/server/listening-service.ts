/**
 * The listening data for a request, shared by the function and the page.
 * With a refresh interval (the default), every call answers from the shared
 * state and at most one instance at a time refreshes it from Spotify; the
 * decisions are the pure decider's (src/lib/spotify/refresh-policy.ts), and
 * this module only reads, leases, fetches and writes. With
 * SPOTIFY_REFRESH_INTERVAL_S=0, every call reads Spotify afresh (the
 * per-call contract), keeping only the rotated refresh token.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { readConfig, type EnvAccessor } from '../lib/spotify/config';
import { getDemoListening } from '../lib/spotify/demo';
import { CALL_BUDGET_MS, STATE_POLL_MS, TOP_ARTISTS_READ_LIMIT, within } from '../lib/spotify/limits';
import { readListeningAfresh, readParts, type Logger } from '../lib/spotify/listening';
import type { ListeningQuery } from '../lib/spotify/query';
import {
  answerWithoutState,
  emptyState,
  nextStep,
  recordRefresh,
  usableAccess,
  type DueParts,
  type RefreshPolicy,
  type SharedState,
} from '../lib/spotify/refresh-policy';
import type { Fetch } from '../lib/spotify/spotify-api';
import { SpotifyError, fail, type Listening, type Result } from '../lib/spotify/types';
import { environmentTokenOf, logError, readWithBestToken, type TokenContext } from './refresh-token';
import { createSharedStateStore, createTokenStore, describeError, runtimeEnv, type RefreshTokenStore, type SharedStateStore } from './store';

interface ServiceOptions {
  env?: EnvAccessor;
  /** Netlify's deploy context of this request (`context.deploy.context`), which is how functions learn it at run time. */
  deployContext?: string;
  /** The function's own origin: demo pictures are then absolute, for the element on another site. */
  origin?: string;
  fetch?: Fetch;
  now?: () => Date;
  /** Keeps work that outlives the response alive (`context.waitUntil` on Netlify). */
  waitUntil?: (work: Promise<unknown>) => void;
  /**
   * How long a call that starts a refresh waits for it before answering from
   * the state it has. The page waits briefly (its first paint has a budget);
   * the function waits for fresh data. Calls with no data for their query
   * wait until the deadline.
   */
  refreshWaitMs?: number;
  /** The whole call's deadline (defaults to CALL_BUDGET_MS); a test shortens it. */
  callBudgetMs?: number;
  /** Defaults to Netlify Blobs. */
  tokenStore?: RefreshTokenStore;
  stateStore?: SharedStateStore;
  log?: Logger;
}

let defaultTokenStore: RefreshTokenStore | undefined;
let defaultStateStore: SharedStateStore | undefined;
/** Whether this instance has said that the shared state cannot be read: once is enough for the log. */
let warnedStateUnreadable = false;
/** Refreshes under way in this instance: calls that find the same one due share it. */
const flights = new Map<string, Promise<SharedState | null>>();

/** The entry for the function and the page: demo data without credentials, else the answer from the shared state (or, with a refresh interval of 0, read afresh). */
export async function loadListening(query: ListeningQuery, options: ServiceOptions = {}): Promise<Result<Listening>> {
  const setup = readConfig(options.env ?? runtimeEnv, options.deployContext);
  if (setup.status === 'demo') return getDemoListening(query, options.now, options.origin);
  if (setup.status === 'invalid') return fail(new SpotifyError('not_configured', setup.message));

  const { config } = setup;
  const context: TokenContext = {
    config,
    environment: await environmentTokenOf(config),
    fetch: options.fetch ?? globalThis.fetch,
    now: options.now ?? (() => new Date()),
    log: options.log ?? console,
    tokens: options.tokenStore ?? (defaultTokenStore ??= createTokenStore()),
  };
  const budgetMs = options.callBudgetMs ?? CALL_BUDGET_MS;
  if (config.refreshIntervalS === 0) return readWithBestToken(context, AbortSignal.timeout(budgetMs), (reader) => readListeningAfresh({ ...reader, query }));

  // From here: read the state and carry out the decider's steps until one is an answer or the wait runs out.
  const store = options.stateStore ?? (defaultStateStore ??= createSharedStateStore());
  const call: StatefulCall = {
    query,
    context,
    store,
    budgetMs,
    deadline: Date.now() + budgetMs,
    refreshWaitMs: options.refreshWaitMs ?? budgetMs,
    waitUntil: options.waitUntil,
    policy: { intervalMs: config.refreshIntervalS * 1_000, dailyBudget: config.dailyBudget },
  };
  const nowMs = () => context.now().getTime();
  let state: SharedState;
  try {
    state = (await store.read()) ?? emptyState(nowMs(), call.policy);
  } catch (error) {
    // Fail closed: without the state there is no budget, lockout or lease to honour.
    if (!warnedStateUnreadable) {
      warnedStateUnreadable = true;
      logError(context.log, `${STATE_UNREADABLE} (${describeError(error)})`);
    }
    return answerWithoutState(store.remembered, query, nowMs());
  }
  for (;;) {
    const step = nextStep(state, query, nowMs(), call.policy, context.environment.fingerprint);
    if (step.kind === 'answer') return step.answer;
    const left = call.deadline - Date.now();
    const early = step.mayAnswerEarly;
    const newer = await within(refreshOrWait(call, state, step.due, !early), early ? Math.min(call.refreshWaitMs, left) : left);
    if (!newer) return step.meanwhile;
    state = newer;
  }
}

interface StatefulCall {
  query: ListeningQuery;
  context: TokenContext;
  store: SharedStateStore;
  budgetMs: number;
  /** Epoch ms by which the call answers. */
  deadline: number;
  refreshWaitMs: number;
  waitUntil?: (work: Promise<unknown>) => void;
  policy: RefreshPolicy;
}

const STATE_UNREADABLE =
  'The shared state in Netlify Blobs could not be read: this instance answers from the last state it read, or with state_unavailable, and does not call Spotify until Blobs answers. Check the site\'s Blobs in the Netlify UI and the function log. To run without Blobs, set SPOTIFY_REFRESH_INTERVAL_S=0 (every call then reads Spotify).';

/**
 * A newer state: this call's refresh, or (when another instance holds the
 * lease and the call has nothing to show) the state that instance writes.
 * Null when there is none to wait for.
 *
 * Calls in this instance that find the same refresh due share one flight.
 */
async function refreshOrWait(call: StatefulCall, seen: SharedState, due: DueParts, waitForOthers: boolean): Promise<SharedState | null> {
  const key = `${seen.generation}:${due.nowPlaying}:${due.topArtists ? call.query.range : ''}`;
  let flight = flights.get(key);
  if (!flight) {
    flight = refreshUnderLease(call, seen, due)
      .catch((error: unknown) => {
        logError(call.context.log, `Refreshing the shared state failed: ${describeError(error)}`);
        return null;
      })
      .finally(() => flights.delete(key));
    flights.set(key, flight);
    // A refresh (and a rotated token's write) must finish even after the answer has gone.
    call.waitUntil?.(flight);
  }
  const refreshed = await flight;
  if (refreshed || !waitForOthers) return refreshed;
  while (Date.now() + STATE_POLL_MS < call.deadline) {
    await sleep(STATE_POLL_MS);
    const state = await call.store.read().catch(() => null);
    if (state && state.generation > seen.generation) return state;
  }
  return null;
}

/** Refreshes the due parts if this call wins the lease. */
async function refreshUnderLease({ context, store, query, budgetMs, policy }: StatefulCall, seen: SharedState, due: DueParts): Promise<SharedState | null> {
  const lease = await store.lease(seen.generation, context.now().getTime());
  if (!lease) return null;
  try {
    // Another instance may have finished a refresh between our read and the lease.
    const current = (await store.read()) ?? seen;
    if (current.generation !== seen.generation) return current;

    let requests = 0;
    const fetch: Fetch = (input, init) => (requests++, context.fetch(input, init));
    const wanted = { nowPlaying: due.nowPlaying, topArtists: due.topArtists ? { range: query.range, limit: TOP_ARTISTS_READ_LIMIT } : null, recentOnlyWhenIdle: true };
    const access = usableAccess(current, context.now().getTime());
    const read = await readWithBestToken({ ...context, fetch }, AbortSignal.timeout(budgetMs), (reader) => readParts({ ...reader, access }, wanted));
    const fingerprint = context.environment.fingerprint;
    const next = recordRefresh(current, { due, range: query.range, requests, read, environmentFingerprint: fingerprint }, context.now().getTime(), policy);
    await store.write(next);
    return next;
  } finally {
    await lease.release().catch(() => undefined);
  }
}
