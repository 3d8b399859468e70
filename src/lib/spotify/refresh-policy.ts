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
  partErrors,
  type Artist,
  type ErrorCode,
  type Listening,
  type NowPlaying,
  type Result,
  type Service,
  type Staleness,
  type TimeRange,
} from './types';

export interface RefreshPolicy {
  intervalMs: number;
  dailyBudget: number;
  /**
   * The sources in order. The first is read while it can answer; the second
   * covers while the first is locked out or backing off. Only Spotify has a
   * daily budget.
   */
  sources: readonly Service[];
}

interface NowPlayingRecord {
  value: NowPlaying | null;
  /** ISO time of the read. */
  readAt: string;
  /** Where it was read; absent in states written before Last.fm, which were all Spotify's. */
  service?: Service;
}

interface TopArtistsRecord {
  service?: Service;
  /** The last good read, at TOP_ARTISTS_READ_LIMIT; absent (or null, in older states) before the first. */
  value?: Artist[] | null;
  readAt?: string | null;
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
  /** Failed refreshes in a row of the first source, for the backoff. */
  failures: number;
  /** The lockout and failures of the second source, when there is one. */
  cover?: Standing;
  /** The token bucket that paces and caps spend: `tokens` as of epoch ms `at`. */
  bucket: { tokens: number; at: number };
  /** The last exchange's access token, reused for its lifetime. Server-side only: never in an answer, a page or a log. */
  access: AccessToken | null;
}

/** A source's lockout and its failures in a row. */
interface Standing {
  lockout: Lockout | null;
  failures: number;
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
      service: Service;
      /** False when the state has nothing for this query yet: the call waits for the refresh (or another instance's) until its deadline. */
      mayAnswerEarly: boolean;
      /** The answer if no newer state arrives in time. */
      meanwhile: Result<Listening>;
    };

interface RefreshOutcome {
  /** Where the read went; `range` is the query's. */
  service: Service;
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
  return 1 + (accessReused ? 2 : 1) * reads;
}
const MAX_REFRESH_COST = refreshCost({ nowPlaying: true, topArtists: true }, true);

/**
 * The bucket is the budget's one guard. A refresh starts only when the bucket
 * holds its worst-case cost and pays what it spent, so tokens never go below
 * zero. Any rolling day then spends at most what the bucket held at its
 * start (its capacity) plus a day of refill: capacity + (budget − capacity).
 * That is why the refill keeps the capacity in reserve. The configuration
 * keeps the budget at MIN_DAILY_BUDGET or more, above MAX_REFRESH_COST, so
 * the refill rate is always positive.
 */
const bucketCapacity = (policy: RefreshPolicy) => Math.max(MAX_REFRESH_COST, Math.floor(policy.dailyBudget * BUDGET_BURST_FRACTION));
const bucketRate = (policy: RefreshPolicy) => (policy.dailyBudget - bucketCapacity(policy)) / DAY_MS;

function bucketTokens(state: SharedState, now: number, policy: RefreshPolicy): number {
  const refill = Math.max(0, now - state.bucket.at) * bucketRate(policy);
  return Math.min(bucketCapacity(policy), state.bucket.tokens + refill);
}

export function emptyState(now: number, policy: RefreshPolicy): SharedState {
  return { generation: 0, nowPlaying: null, topArtists: {}, lockout: null, failures: 0, bucket: { tokens: bucketCapacity(policy), at: now }, access: null };
}

/** The stored access token while it has more than ACCESS_TOKEN_MARGIN_MS to live. */
export const usableAccess = (state: SharedState, now: number): AccessToken | null =>
  state.access && state.access.expiresAt - ACCESS_TOKEN_MARGIN_MS > now ? state.access : null;

/* --- What is due --- */

const isoAt = (ms: number) => new Date(ms).toISOString();
const serviceOf = (record?: { service?: Service } | null): Service => record?.service ?? 'spotify';

/** Why now playing is due from `service`: none read from it, the interval passed, or the playing item should have ended. */
function nowPlayingDue(record: NowPlayingRecord | null, now: number, policy: RefreshPolicy, service: Service): 'interval' | 'track-end' | null {
  if (serviceOf(record) !== service || !record) return 'interval';
  const readAt = Date.parse(record.readAt);
  const item = record.value;
  if (item?.isPlaying && item.durationMs !== null && item.progressMs !== null && now >= readAt + item.durationMs - item.progressMs + TRACK_END_GRACE_MS) {
    return 'track-end';
  }
  return now >= readAt + policy.intervalMs ? 'interval' : null;
}

function topArtistsDue(record: TopArtistsRecord | undefined, now: number, policy: RefreshPolicy, service: Service): boolean {
  if (serviceOf(record) !== service || !record) return true;
  if (record.failure) return now >= Date.parse(record.failure.at) + backoffMs(1, policy);
  return !record.readAt || now >= Date.parse(record.readAt) + TOP_ARTISTS_TTL_MS;
}

/** 30 s, doubling per failure (from the first) up to 5 min; never shorter than the refresh interval. */
const backoffMs = (failures: number, policy: RefreshPolicy) => Math.max(policy.intervalMs, Math.min(BACKOFF_FIRST_MS * 2 ** (failures - 1), BACKOFF_MAX_MS));

const hasGoodData = (state: SharedState) => state.nowPlaying !== null || TIME_RANGES.some((range) => state.topArtists[range]?.value);

interface Plan {
  /** The parts to read; null when none is due. */
  due: DueParts | null;
  /** The source to read them from. */
  service: Service;
  /** Set when a part is due but no source may be read now; the answer is then stale. */
  blocked: Staleness | null;
}

/**
 * Which parts a refresh for `range` would read now, from which source, and
 * what blocks it. The first source that is not blocked is read; what blocked
 * the first one is the answer's `stale` when none can be read.
 */
export function planRefresh(state: SharedState, range: TimeRange, now: number, policy: RefreshPolicy, fingerprint: string): Plan {
  let first: Plan | undefined;
  for (const [index, service] of policy.sources.entries()) {
    const why = nowPlayingDue(state.nowPlaying, now, policy, service);
    const due = { nowPlaying: why !== null, topArtists: topArtistsDue(state.topArtists[range], now, policy, service) };
    const plan: Plan = { due, service, blocked: null };
    if (!due.nowPlaying && !due.topArtists) return { ...plan, due: null };
    first ??= plan;

    // A lockout that refused another environment token than today's is lifted: the owner re-authorized.
    const lock = (index === 0 ? state : state.cover)?.lockout;
    if (lock && Date.parse(lock.until) > now && (lock.refusedEnvironmentToken ?? fingerprint) === fingerprint) {
      first.blocked ??= { code: lock.code, retryAt: lock.until };
      continue;
    }
    if (service === 'lastfm') return plan;

    const cost = refreshCost(due, usableAccess(state, now) !== null);
    const good = hasGoodData(state);
    // Only a playing track's end may spend the reserve: the widget then moves on with the music.
    const missing = (why === 'track-end' || !good ? cost : cost + TRACK_END_RESERVE) - bucketTokens(state, now, policy);
    if (missing <= 0) return plan;
    // With data, an empty bucket means "not due yet": the data is as fresh as the budget allows
    // by design. With none, visitors wait for the budget (until the bucket holds `cost`), and are told so.
    // Only data of this source is "as fresh as its budget allows"; another source's data is not, so the next source reads.
    if (good && serviceOf(state.nowPlaying) === service) return { ...plan, due: null };
    first.blocked ??= { code: 'rate_limited', retryAt: isoAt(now + Math.ceil(missing / bucketRate(policy))) };
  }
  return first!;
}

/** The decision for a call that read `state`: answer now, or refresh first. */
export function nextStep(state: SharedState, query: ListeningQuery, now: number, policy: RefreshPolicy, fingerprint: string): CallStep {
  const { due, service, blocked } = planRefresh(state, query.range, now, policy, fingerprint);
  if (!due || blocked) return { kind: 'answer', answer: answerFromState(state, query, now, blocked) };
  // Whether the state can answer this range in full: now playing and its top artists (or their failure) are known.
  const top = state.topArtists[query.range];
  const complete = state.nowPlaying !== null && Boolean(top?.value || top?.failure);
  return { kind: 'refresh', due, service, mayAnswerEarly: complete, meanwhile: answerFromState(state, query, now, null) };
}

/* --- A refresh's outcome --- */

/** The state after a refresh: new parts, the spend, the access token, and a lockout or backoff when Spotify refused or failed. */
export function recordRefresh(state: SharedState, outcome: RefreshOutcome, now: number, policy: RefreshPolicy): SharedState {
  const { read, range, service } = outcome;
  const spotify = service === 'spotify';
  // A failed exchange counts as a failed now playing: it backs off (or locks out) the same way.
  const { nowPlaying, topArtists: top, readAt, access }: PartsRead = read.ok ? read.value : { nowPlaying: read, readAt: '', access: null };
  // The bucket is Spotify's budget, and the access token Spotify's.
  const next: SharedState = {
    ...state,
    generation: state.generation + 1,
    topArtists: { ...state.topArtists },
    bucket: { tokens: bucketTokens(state, now, policy) - (spotify ? outcome.requests : 0), at: now },
    access: spotify ? access : state.access,
  };

  const [nowPlayingError, topError] = [nowPlaying, top].map((part) => (part?.ok === false ? part.error : null));
  if (top?.ok) next.topArtists[range] = { value: top.value, readAt, service };
  else if (topError && topError.code !== 'rate_limited') {
    // The last good read of this source stays, with the failure.
    const kept = state.topArtists[range];
    const { code, message } = topError;
    next.topArtists[range] = { ...(serviceOf(kept) === service && kept), service, failure: { code, message, at: isoAt(now) } };
  }

  // A rate limit on either part locks both out; else a failed now playing (or exchange) backs off.
  const error = [nowPlayingError, topError].find((partError) => partError?.code === 'rate_limited') ?? nowPlayingError;
  if (!error && nowPlaying?.ok) next.nowPlaying = { value: nowPlaying.value, readAt, service };
  const first = service === policy.sources[0];
  const failures = error ? ((first ? state : state.cover)?.failures ?? 0) + 1 : 0;
  // A rate limit's Retry-After (only they carry one) is obeyed to the second, hours included: Spotify's daily quota locks out that long.
  const lockout = error
    ? {
        until: isoAt(now + (error.retryAfterSeconds !== undefined ? error.retryAfterSeconds * 1_000 : backoffMs(failures, policy))),
        code: error.code,
        message: error.message,
        ...(error.code === 'reauthorization_required' && { refusedEnvironmentToken: outcome.environmentFingerprint }),
      }
    : null;
  return first ? { ...next, lockout, failures } : { ...next, cover: { lockout, failures } };
}

/** The state after the owner renewed at /connect: the old lockout and the old grant's access token are gone. */
export const afterRenewal = (state: SharedState): SharedState => ({ ...state, generation: state.generation + 1, lockout: null, failures: 0, access: null });

/* --- What a call answers --- */

/**
 * What a call answers from the state: the last good data of each part, the
 * top artists sliced to the query's limit, `stale` when a due refresh was
 * blocked. With no data for the answer, an error: what blocks the refresh,
 * else what went wrong last, else upstream_timeout (a refresh was waited
 * for in vain: only a call's meanwhile answer gets here).
 */
export function answerFromState(state: SharedState, query: ListeningQuery, now: number, blocked: Staleness | null): Result<Listening> {
  const { nowPlaying, lockout } = state;
  // One answer, one source: top artists of another source than now playing's are left out.
  const stored = state.topArtists[query.range];
  const top = nowPlaying && serviceOf(stored) !== serviceOf(nowPlaying) ? undefined : stored;
  if (!nowPlaying && !top?.value) {
    // What blocks a refresh now says why there is nothing (the budget, unless it is the lockout);
    // without a block, an expired lockout only says what went wrong last.
    const cause: { code: ErrorCode; message: string } =
      (blocked && blocked.retryAt !== lockout?.until
        ? { ...blocked, message: 'SPOTIFY_DAILY_BUDGET is spent for now. Try again later.' }
        : (lockout ?? top?.failure)) ?? { code: 'upstream_timeout', message: 'Nothing read yet. Try again in a moment.' };
    const until = blocked?.retryAt ?? lockout?.until;
    const retryAfterSeconds = cause.code === 'rate_limited' && until ? Math.max(1, Math.ceil((Date.parse(until) - now) / 1_000)) : undefined;
    return fail(new SpotifyError(cause.code, cause.message, { retryAfterSeconds }));
  }
  const cause = lockout?.code ?? 'upstream_error';
  return ok({
    nowPlaying: nowPlaying?.value ?? null,
    topArtists: top?.value?.slice(0, query.limit) ?? null,
    range: query.range,
    fetchedAt: nowPlaying?.readAt ?? top?.readAt ?? isoAt(now),
    service: serviceOf(nowPlaying ?? top),
    ...partErrors(!nowPlaying && cause, !top?.value && (top?.failure?.code ?? cause)),
    ...(blocked && { stale: blocked }),
  });
}

/**
 * The answer while the shared state cannot be read: no call may reach Spotify
 * then, since neither the budget, the lockout nor the lease can be checked.
 * A warm instance answers its last state as stale (a lockout it saw keeps its
 * own code and time); with none, the error says when to come back.
 */
export function answerWithoutState(remembered: SharedState | null, query: ListeningQuery, now: number): Result<Listening> {
  const retryAt = isoAt(now + STATE_UNAVAILABLE_RETRY_S * 1_000);
  const lock = remembered?.lockout;
  return remembered && hasGoodData(remembered)
    ? answerFromState(remembered, query, now, lock && lock.until > retryAt ? { code: lock.code, retryAt: lock.until } : { code: 'state_unavailable', retryAt })
    : fail(new SpotifyError('state_unavailable', 'Netlify Blobs could not be read. Try again in a moment.', { retryAfterSeconds: STATE_UNAVAILABLE_RETRY_S }));
}

/* --- Reading a stored state --- */

/** Reads a stored state defensively: anything malformed counts as no state. */
export function parseSharedState(value: unknown): SharedState | null {
  const state = value as Partial<SharedState> | null;
  if (
    !state ||
    [state.generation, state.failures, state.bucket?.tokens, state.bucket?.at, state.cover?.failures ?? 0].some((field) => typeof field !== 'number') ||
    !(state.topArtists instanceof Object) ||
    (state.lockout && !(ERROR_CODES as readonly string[]).includes(state.lockout.code))
  ) {
    return null;
  }
  const access = typeof state.access?.token === 'string' && typeof state.access.expiresAt === 'number' ? state.access : null;
  return { ...(state as SharedState), nowPlaying: state.nowPlaying ?? null, lockout: state.lockout ?? null, access };
}
