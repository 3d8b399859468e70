/**
 * The one decider of the shared state, pure: what the state holds, which
 * parts are due, what blocks a refresh (a lockout, the budget), whether a
 * call answers now or waits for a refresh, what it answers, and what a
 * refresh's outcome does to the state. src/server/listening-service.ts only
 * carries data to and from these functions.
 */
import {
  ACCESS_TOKEN_MARGIN_MS,
  BACKOFF_FIRST_MS,
  BACKOFF_MAX_MS,
  BUDGET_BURST_FRACTION,
  DAY_MS,
  STATE_UNAVAILABLE_RETRY_S,
  TOP_ARTISTS_TTL_MS,
  TRACK_END_GRACE_MS,
  TRACK_END_RESERVE,
} from './limits';
import type { AccessToken, PartsRead } from './listening';
import type { ListeningQuery } from './query';
import {
  ERROR_CODES,
  SpotifyError,
  TIME_RANGES,
  fail,
  ok,
  type Artist,
  type ErrorCode,
  type Listening,
  type NowPlaying,
  type PartErrors,
  type Result,
  type Staleness,
  type TimeRange,
} from './types';

export interface RefreshPolicy {
  intervalMs: number;
  dailyBudget: number;
}

interface NowPlayingRecord {
  value: NowPlaying | null;
  /** ISO time of the read. */
  readAt: string;
}

interface TopArtistsRecord {
  /** The last good read, at TOP_ARTISTS_READ_LIMIT; null before the first. */
  value: Artist[] | null;
  readAt: string | null;
  /** The last read failed (but Spotify did not rate-limit): retried after the backoff. */
  failure?: { code: ErrorCode; message: string; at: string };
}

interface Lockout {
  /** ISO time before which no refresh may reach Spotify. */
  until: string;
  code: ErrorCode;
  /** Safe to show: SpotifyError messages never hold secrets. */
  message: string;
  /**
   * For a refused refresh token: the fingerprint of the environment token
   * that was refused too. A different one in the environment (the owner
   * re-authorized) lifts the lockout at once.
   */
  refusedEnvironmentToken?: string;
}

export interface SharedState {
  /** Counts writes; a refresh lease is taken for one generation. */
  generation: number;
  nowPlaying: NowPlayingRecord | null;
  topArtists: Partial<Record<TimeRange, TopArtistsRecord>>;
  lockout: Lockout | null;
  /** Failed refreshes in a row, for the backoff. */
  failures: number;
  /** The token bucket that paces and caps spend: `tokens` as of epoch ms `at`. */
  bucket: { tokens: number; at: number };
  /** The last exchange's access token, reused for its lifetime. Server-side only: never in an answer, a page or a log. */
  access: AccessToken | null;
}

export interface DueParts {
  nowPlaying: boolean;
  topArtists: boolean;
}

/** What a call does next, given the state it read. */
export type CallStep =
  | { kind: 'answer'; answer: Result<Listening> }
  | {
      kind: 'refresh';
      due: DueParts;
      /** False when the state has nothing for this query yet: the call waits for the refresh (or another instance's) until its deadline. */
      mayAnswerEarly: boolean;
      /** The answer if no newer state arrives in time. */
      meanwhile: Result<Listening>;
    };

interface RefreshOutcome {
  /** What was wanted; `range` is the query's. */
  due: DueParts;
  range: TimeRange;
  /** Requests sent to Spotify, exchanges included, whatever their outcome. */
  requests: number;
  read: Result<PartsRead>;
  /** Fingerprint of the environment token, remembered by a reauthorization lockout. */
  environmentFingerprint: string;
}

/* --- The budget: one token bucket --- */

/**
 * The most a refresh can cost: with a reused access token, the reads, then
 * (if Spotify refuses the token) one exchange and the reads again; without
 * one, an exchange and the reads. Now playing is two reads when nothing plays.
 */
export function refreshCost(due: DueParts, accessReused: boolean): number {
  const reads = (due.nowPlaying ? 2 : 0) + (due.topArtists ? 1 : 0);
  return accessReused ? 2 * reads + 1 : 1 + reads;
}
const MAX_REFRESH_COST = refreshCost({ nowPlaying: true, topArtists: true }, true);

/**
 * The bucket is the budget's one guard. A refresh starts only when the bucket
 * holds its worst-case cost and pays what it spent, so tokens never go below
 * zero. Any rolling day then spends at most what the bucket held at its
 * start (its capacity) plus a day of refill: capacity + (budget − capacity).
 * That is why the refill keeps the capacity in reserve.
 */
const bucketCapacity = (policy: RefreshPolicy) => Math.max(MAX_REFRESH_COST, Math.floor(policy.dailyBudget * BUDGET_BURST_FRACTION));
const bucketRate = (policy: RefreshPolicy) => Math.max(0, policy.dailyBudget - bucketCapacity(policy)) / DAY_MS;

function bucketTokens(state: SharedState, now: number, policy: RefreshPolicy): number {
  const elapsed = Math.max(0, now - state.bucket.at);
  return Math.min(bucketCapacity(policy), state.bucket.tokens + elapsed * bucketRate(policy));
}

/** Epoch ms at which the bucket holds `tokens`. */
function bucketHolds(state: SharedState, tokens: number, now: number, policy: RefreshPolicy): number {
  const missing = tokens - bucketTokens(state, now, policy);
  const rate = bucketRate(policy);
  return missing <= 0 ? now : rate > 0 ? now + Math.ceil(missing / rate) : now + DAY_MS;
}

export function emptyState(now: number, policy: RefreshPolicy): SharedState {
  return { generation: 0, nowPlaying: null, topArtists: {}, lockout: null, failures: 0, bucket: { tokens: bucketCapacity(policy), at: now }, access: null };
}

/** The stored access token while it has more than ACCESS_TOKEN_MARGIN_MS to live. */
export const usableAccess = (state: SharedState, now: number): AccessToken | null =>
  state.access && state.access.expiresAt - ACCESS_TOKEN_MARGIN_MS > now ? state.access : null;

/* --- What is due --- */

/** Why now playing is due: the interval passed, or the playing item should have ended. */
function nowPlayingDue(record: NowPlayingRecord | null, now: number, policy: RefreshPolicy): 'interval' | 'track-end' | null {
  if (!record) return 'interval';
  const readAt = Date.parse(record.readAt);
  const item = record.value;
  if (item?.isPlaying && item.durationMs !== null && item.progressMs !== null && now >= readAt + item.durationMs - item.progressMs + TRACK_END_GRACE_MS) {
    return 'track-end';
  }
  return now >= readAt + policy.intervalMs ? 'interval' : null;
}

function topArtistsDue(record: TopArtistsRecord | undefined, now: number, policy: RefreshPolicy): boolean {
  if (!record) return true;
  if (record.failure) return now >= Date.parse(record.failure.at) + backoffMs(1, policy);
  return record.readAt === null || now >= Date.parse(record.readAt) + TOP_ARTISTS_TTL_MS;
}

/** 30 s, doubling per failure up to 5 min; never shorter than the refresh interval. */
const backoffMs = (failures: number, policy: RefreshPolicy) =>
  Math.max(policy.intervalMs, Math.min(BACKOFF_FIRST_MS * 2 ** Math.max(0, failures - 1), BACKOFF_MAX_MS));

const hasGoodData = (state: SharedState) => state.nowPlaying !== null || TIME_RANGES.some((range) => Boolean(state.topArtists[range]?.value));

/** Whether the state can answer this range in full: now playing and its top artists (or their failure) are known. */
const hasDataFor = (state: SharedState, range: TimeRange) =>
  state.nowPlaying !== null && (Boolean(state.topArtists[range]?.value) || Boolean(state.topArtists[range]?.failure));

const NOTHING_DUE: DueParts = { nowPlaying: false, topArtists: false };

interface Plan {
  due: DueParts;
  /** Set when a part is due but no refresh may happen now; the answer is then stale. */
  blocked: Staleness | null;
}

/** Which parts a refresh for `range` would read now, and what blocks it. */
export function planRefresh(state: SharedState, range: TimeRange, now: number, policy: RefreshPolicy, environmentFingerprint: string): Plan {
  const why = nowPlayingDue(state.nowPlaying, now, policy);
  const due = { nowPlaying: why !== null, topArtists: topArtistsDue(state.topArtists[range], now, policy) };
  if (!due.nowPlaying && !due.topArtists) return { due, blocked: null };

  const lockout = state.lockout;
  const lifted = lockout?.refusedEnvironmentToken !== undefined && lockout.refusedEnvironmentToken !== environmentFingerprint;
  if (lockout && !lifted && Date.parse(lockout.until) > now) return { due, blocked: { code: lockout.code, retryAt: lockout.until } };

  const cost = refreshCost(due, usableAccess(state, now) !== null);
  // Only a playing track's end may spend the reserve: the widget then moves on with the music.
  const needed = why === 'track-end' || !hasGoodData(state) ? cost : cost + TRACK_END_RESERVE;
  if (bucketTokens(state, now, policy) >= needed) return { due, blocked: null };
  // With data, an empty bucket means "not due yet": the data is as fresh as the budget allows
  // by design. With none, visitors wait for the budget, and are told so.
  if (hasGoodData(state)) return { due: NOTHING_DUE, blocked: null };
  return { due, blocked: { code: 'rate_limited', retryAt: new Date(bucketHolds(state, cost, now, policy)).toISOString() } };
}

/** The decision for a call that read `state`: answer now, or refresh first. */
export function nextStep(state: SharedState, query: ListeningQuery, now: number, policy: RefreshPolicy, environmentFingerprint: string): CallStep {
  const { due, blocked } = planRefresh(state, query.range, now, policy, environmentFingerprint);
  if ((!due.nowPlaying && !due.topArtists) || blocked) return { kind: 'answer', answer: answerFromState(state, query, now, blocked) };
  const complete = hasDataFor(state, query.range);
  const meanwhile = complete || hasGoodData(state)
    ? answerFromState(state, query, now, null)
    : fail<Listening>(new SpotifyError('upstream_timeout', 'Spotify did not answer in time. Try again in a moment.'));
  return { kind: 'refresh', due, mayAnswerEarly: complete, meanwhile };
}

/* --- A refresh's outcome --- */

/** The state after a refresh: new parts, the spend, the access token, and a lockout or backoff when Spotify refused or failed. */
export function recordRefresh(state: SharedState, outcome: RefreshOutcome, now: number, policy: RefreshPolicy): SharedState {
  const next: SharedState = {
    ...state,
    generation: state.generation + 1,
    topArtists: { ...state.topArtists },
    bucket: { tokens: bucketTokens(state, now, policy) - outcome.requests, at: now },
    access: outcome.read.ok ? outcome.read.value.access : null,
  };

  if (!outcome.read.ok) return withFailure(next, outcome.read.error, now, policy, outcome.environmentFingerprint);
  const { nowPlaying, topArtists, readAt } = outcome.read.value;

  if (topArtists?.ok) next.topArtists[outcome.range] = { value: topArtists.value, readAt };
  else if (topArtists && topArtists.error.code !== 'rate_limited') {
    const previous = state.topArtists[outcome.range];
    next.topArtists[outcome.range] = {
      value: previous?.value ?? null,
      readAt: previous?.readAt ?? null,
      failure: { code: topArtists.error.code, message: topArtists.error.message, at: new Date(now).toISOString() },
    };
  }

  const refusal = [nowPlaying, topArtists].find((part) => part && !part.ok && part.error.code === 'rate_limited');
  if (refusal && !refusal.ok) return withFailure(next, refusal.error, now, policy, outcome.environmentFingerprint);
  if (nowPlaying && !nowPlaying.ok) return withFailure(next, nowPlaying.error, now, policy, outcome.environmentFingerprint);
  if (nowPlaying) next.nowPlaying = { value: nowPlaying.value, readAt };
  return { ...next, lockout: null, failures: 0 };
}

function withFailure(state: SharedState, error: SpotifyError, now: number, policy: RefreshPolicy, environmentFingerprint: string): SharedState {
  const failures = state.failures + 1;
  // Spotify's Retry-After is obeyed to the second, hours included: the daily quota's lockout lasts that long.
  const waitMs = error.code === 'rate_limited' && error.retryAfterSeconds !== undefined ? error.retryAfterSeconds * 1_000 : backoffMs(failures, policy);
  return {
    ...state,
    failures,
    lockout: {
      until: new Date(now + waitMs).toISOString(),
      code: error.code,
      message: error.message,
      ...(error.code === 'reauthorization_required' ? { refusedEnvironmentToken: environmentFingerprint } : {}),
    },
  };
}

/** The state after the owner renewed at /connect: the old lockout and the old grant's access token are gone. */
export const afterRenewal = (state: SharedState): SharedState => ({ ...state, generation: state.generation + 1, lockout: null, failures: 0, access: null });

/* --- What a call answers --- */

/**
 * What a call answers from the state: the last good data of each part, the
 * top artists sliced to the query's limit, `stale` when a due refresh was
 * blocked. Only a state with no good data at all answers an error.
 */
export function answerFromState(state: SharedState, query: ListeningQuery, now: number, blocked: Staleness | null): Result<Listening> {
  const nowPlaying = state.nowPlaying;
  const top = state.topArtists[query.range];
  const lockout = state.lockout;
  if (!nowPlaying && !top?.value) {
    // What blocks a refresh now says why there is nothing; an expired lockout only says what went wrong last.
    const cause = blocked
      ? { code: blocked.code, message: lockout && lockout.until === blocked.retryAt ? lockout.message : BUDGET_SPENT }
      : (lockout ?? top?.failure);
    if (!cause) return fail(new SpotifyError('upstream_error', 'Spotify has not been read yet. Try again in a moment.'));
    const until = blocked ? blocked.retryAt : lockout?.until;
    const retryAfterSeconds = cause.code === 'rate_limited' && until ? Math.max(1, Math.ceil((Date.parse(until) - now) / 1_000)) : undefined;
    return fail(new SpotifyError(cause.code, cause.message, { retryAfterSeconds }));
  }
  const errors: PartErrors = {};
  if (!nowPlaying) errors.nowPlaying = lockout?.code ?? 'upstream_error';
  if (!top?.value) errors.topArtists = top?.failure?.code ?? lockout?.code ?? 'upstream_error';
  return ok({
    nowPlaying: nowPlaying?.value ?? null,
    topArtists: top?.value ? top.value.slice(0, query.limit) : null,
    range: query.range,
    fetchedAt: nowPlaying?.readAt ?? top?.readAt ?? new Date(now).toISOString(),
    ...(Object.keys(errors).length > 0 ? { errors } : {}),
    ...(blocked ? { stale: blocked } : {}),
  });
}

const BUDGET_SPENT = 'The daily Spotify budget (SPOTIFY_DAILY_BUDGET) is spent; the widget will update when it allows.';

/**
 * The answer while the shared state cannot be read: no call may reach Spotify
 * then, since neither the budget, the lockout nor the lease can be checked.
 * A warm instance answers its last state as stale (a lockout it saw keeps its
 * own code and time); with none, the error says when to come back.
 */
export function answerWithoutState(remembered: SharedState | null, query: ListeningQuery, now: number): Result<Listening> {
  const retryAt = new Date(now + STATE_UNAVAILABLE_RETRY_S * 1_000).toISOString();
  if (remembered && hasGoodData(remembered)) {
    const lockout = remembered.lockout;
    const stale = lockout && lockout.until > retryAt ? { code: lockout.code, retryAt: lockout.until } : { code: 'state_unavailable' as const, retryAt };
    return answerFromState(remembered, query, now, stale);
  }
  return fail(new SpotifyError('state_unavailable', STATE_UNAVAILABLE, { retryAfterSeconds: STATE_UNAVAILABLE_RETRY_S }));
}

const STATE_UNAVAILABLE = 'The shared state in Netlify Blobs could not be read, so Spotify is not called. Try again in a moment.';

/* --- Reading a stored state --- */

/** Reads a stored state defensively: anything malformed counts as no state. */
export function parseSharedState(value: unknown): SharedState | null {
  if (typeof value !== 'object' || value === null) return null;
  const state = value as Partial<SharedState>;
  if (typeof state.generation !== 'number' || typeof state.failures !== 'number') return null;
  if (typeof state.bucket?.tokens !== 'number' || typeof state.bucket.at !== 'number') return null;
  if (typeof state.topArtists !== 'object' || state.topArtists === null) return null;
  if (state.lockout && !(ERROR_CODES as readonly string[]).includes(state.lockout.code)) return null;
  const access = typeof state.access?.token === 'string' && typeof state.access.expiresAt === 'number' ? state.access : null;
  return { ...(state as SharedState), nowPlaying: state.nowPlaying ?? null, lockout: state.lockout ?? null, access };
}
