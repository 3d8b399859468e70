/**
 * The listening data for a request, shared by the function and the page.
 * With a refresh interval (the default), every call answers from the shared
 * state and at most one instance at a time refreshes it from Spotify; the
 * decisions are the pure decider's (src/lib/spotify/refresh-policy.ts), and
 * this module only reads, leases, fetches and writes. With
 * SPOTIFY_REFRESH_INTERVAL_S=0, every call reads Spotify afresh (the
 * per-call contract), keeping only the rotated refresh token.
 */
import { readConfig, type EnvAccessor } from '../lib/spotify/config';
import { getDemoListening } from '../lib/spotify/demo';
import { CALL_BUDGET_MS, STATE_POLL_MS, TOP_ARTISTS_READ_LIMIT, within } from '../lib/spotify/limits';
import { listeningFrom, type Logger } from '../lib/spotify/listening';
import { lastfmSource } from '../lib/spotify/lastfm';
import type { ListeningQuery } from '../lib/spotify/query';
import {
  answerWithoutState,
  emptyState,
  nextStep,
  recordRefresh,
  usableAccess,
  type CallStep,
  type RefreshPolicy,
  type SharedState,
} from '../lib/spotify/refresh-policy';
import type { Fetch } from '../lib/spotify/spotify-api';
import { SpotifyError, fail, ok, type Listening, type Result } from '../lib/spotify/types';
import { environmentTokenOf, logError, spotifySource } from './refresh-token';
import { createSharedStateStore, createTokenStore, describeError, runtimeEnv, sleep, type RefreshTokenStore, type SharedStateStore } from './store';

type RefreshStep = Extract<CallStep, { kind: 'refresh' }>;

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

/**
 * The entry for the function and the page: demo data without any source,
 * else the answer from the shared state (or, with a refresh interval of 0,
 * read afresh). With Spotify and Last.fm both set up, Last.fm answers while
 * Spotify cannot.
 */
export async function loadListening(query: ListeningQuery, options: ServiceOptions = {}): Promise<Result<Listening>> {
  const setup = readConfig(options.env ?? runtimeEnv, options.deployContext);
  if (setup.status === 'demo') return getDemoListening(query, options.now, options.origin);
  if (setup.status === 'invalid') return fail(new SpotifyError('not_configured', setup.message));

  const { spotify, lastfm } = setup;
  const { now = () => new Date(), fetch = globalThis.fetch, log = console } = options;
  const environment = spotify && (await environmentTokenOf(spotify));
  const tokens = options.tokenStore ?? (defaultTokenStore ??= createTokenStore());
  const sources = [
    spotify && environment && spotifySource({ config: spotify, environment, now, log, tokens }),
    lastfm && lastfmSource(lastfm, now, options.origin),
  ].filter((source) => source !== null);
  const budgetMs = options.callBudgetMs ?? CALL_BUDGET_MS;
  if (setup.refreshIntervalS === 0) {
    // The per-call contract, source by source: the next one only when the one before could not answer.
    let answer!: Result<Listening>;
    const signal = AbortSignal.timeout(budgetMs);
    for (const source of sources) {
      const read = await source.read({ nowPlaying: true, topArtists: query }, fetch, signal, null);
      answer = listeningFrom(read, query, source.label);
      if (answer.ok || !answer.error.isUpstream) break;
      if (source !== sources.at(-1)) log.warn(coverWarning(answer.error));
    }
    return answer;
  }

  // From here: read the state and carry out the decider's steps until one is an answer or the wait runs out.
  const store = options.stateStore ?? (defaultStateStore ??= createSharedStateStore());
  /** Of the environment's Spotify refresh token, which a reauthorization lockout remembers; empty without Spotify. */
  const fingerprint = environment?.fingerprint ?? '';
  const policy: RefreshPolicy = { intervalMs: setup.refreshIntervalS * 1_000, dailyBudget: setup.dailyBudget, sources: sources.map((source) => source.service) };
  const deadline = Date.now() + budgetMs;
  const labelled = (answer: Result<Listening>) =>
    answer.ok ? ok({ ...answer.value, ...sources.find((source) => source.service === answer.value.service)?.label }) : answer;
  const nowMs = () => now().getTime();
  let state: SharedState;
  try {
    state = (await store.read()) ?? emptyState(nowMs(), policy);
  } catch (error) {
    // Fail closed: without the state there is no budget, lockout or lease to honour.
    if (!warnedStateUnreadable) {
      warnedStateUnreadable = true;
      logError(log, `${STATE_UNREADABLE} (${describeError(error)})`);
    }
    return labelled(answerWithoutState(store.remembered, query, nowMs()));
  }
  for (;;) {
    const step = nextStep(state, query, nowMs(), policy, fingerprint);
    if (step.kind === 'answer') return labelled(step.answer);
    const left = deadline - Date.now();
    const early = step.mayAnswerEarly;
    const newer = await within(refreshOrWait(state, step, !early), early ? Math.min(options.refreshWaitMs ?? budgetMs, left) : left);
    if (!newer) return labelled(step.meanwhile);
    state = newer;
  }

  /**
   * A newer state: this call's refresh, or (when another instance holds the
   * lease and the call has nothing to show) the state that instance writes.
   * Null when there is none to wait for.
   */
  async function refreshOrWait(seen: SharedState, step: RefreshStep, waitForOthers: boolean): Promise<SharedState | null> {
    const refresh = refreshUnderLease(seen, step).catch((error: unknown) => {
      logError(log, `Refreshing the shared state failed: ${describeError(error)}`);
      return null;
    });
    // A refresh (and a rotated token's write) must finish even after the answer has gone.
    options.waitUntil?.(refresh);
    const refreshed = await refresh;
    if (refreshed || !waitForOthers) return refreshed;
    while (Date.now() + STATE_POLL_MS < deadline) {
      await sleep(STATE_POLL_MS);
      const polled = await store.read().catch(() => null);
      if (polled && polled.generation > seen.generation) return polled;
    }
    return null;
  }

  /** Refreshes the due parts from the step's source if this call wins the lease. */
  async function refreshUnderLease(seen: SharedState, { due, service }: RefreshStep): Promise<SharedState | null> {
    const lease = await store.lease(seen.generation, nowMs());
    if (!lease) return null;
    try {
      // Another instance may have finished a refresh between our read and the lease.
      const current = (await store.read()) ?? seen;
      if (current.generation !== seen.generation) return current;

      let requests = 0;
      const counted: Fetch = (input, init) => (requests++, fetch(input, init));
      const wanted = { nowPlaying: due.nowPlaying, topArtists: due.topArtists ? { range: query.range, limit: TOP_ARTISTS_READ_LIMIT } : null, recentOnlyWhenIdle: true };
      const source = sources.find((candidate) => candidate.service === service)!;
      const read = await source.read(wanted, counted, AbortSignal.timeout(budgetMs), usableAccess(current, nowMs()));
      const next = recordRefresh(current, { service, range: query.range, requests, read, environmentFingerprint: fingerprint }, nowMs(), policy);
      await store.write(next);
      const lockout = next.lockout;
      // While Last.fm covers, Spotify's fault reaches the owner here (and on /connect and in the doctor).
      if (sources.length > 1 && service === 'spotify' && lockout && lockout !== current.lockout) log.warn(coverWarning(lockout, lockout.until));
      return next;
    } finally {
      await lease.release().catch(() => undefined);
    }
  }
}

const STATE_UNREADABLE =
  'Netlify Blobs could not be read, so no call reads Spotify until it can. Check Blobs in the Netlify UI, or set SPOTIFY_REFRESH_INTERVAL_S=0 to run without it.';

/** What the owner reads in the function log while Last.fm answers for Spotify, in either mode. */
const coverWarning = ({ code, message }: { code: string; message: string }, until?: string) =>
  `Spotify cannot answer${until ? ` until ${until}` : ''} (${code}): ${message} Last.fm covers meanwhile.`;
