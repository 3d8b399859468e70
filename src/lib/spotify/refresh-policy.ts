/**
 * The rules of the shared state, pure: what the state holds, when a part is
 * due for a refresh, what blocks one (a lockout, the daily budget), how a
 * refresh's outcome changes the state, and what a call answers from it.
 * src/server/shared-state.ts stores it; this file never touches I/O.
 */
import {
  BACKOFF_FIRST_MS,
  BACKOFF_MAX_MS,
  BUDGET_BURST_FRACTION,
  DAY_MS,
  LEDGER_SLOT_MS,
  TOP_ARTISTS_TTL_MS,
  TRACK_END_GRACE_MS,
} from './limits';
import { SpotifyError, fail, ok, type Result } from './errors';
import type { PartsRead } from './listening';
import type { ListeningQuery } from './query';
import { ERROR_CODES, TIME_RANGES, type Artist, type ErrorCode, type Listening, type NowPlaying, type PartErrors, type Staleness, type TimeRange } from './types';

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
  /** Spotify requests per LEDGER_SLOT_MS slot: [slot start in epoch ms, requests], oldest first. */
  ledger: Array<[number, number]>;
  /** The token bucket that paces refreshes: `tokens` as of epoch ms `at`. */
  bucket: { tokens: number; at: number };
}

export interface DueParts {
  nowPlaying: boolean;
  topArtists: boolean;
}

interface RefreshPlan {
  due: DueParts;
  /** Set when a part is due but no refresh may happen now; the answer is then stale. */
  blocked: Staleness | null;
}

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

const bucketCapacity = (policy: RefreshPolicy) => Math.max(MAX_REFRESH_REQUESTS, Math.floor(policy.dailyBudget * BUDGET_BURST_FRACTION));
/**
 * Refill per ms. Any rolling day then holds at most a full bucket plus a day
 * of refill, and the ledger, which counts whole slots, may see one slot more:
 * a second bucket's worth of room keeps paced spend from ever reaching the
 * cap, so only the cap's own guard (or a budget lowered mid-day) makes data stale.
 */
const bucketRate = (policy: RefreshPolicy) => Math.max(0, policy.dailyBudget - 2 * bucketCapacity(policy)) / (DAY_MS + LEDGER_SLOT_MS);
/** An exchange, two now-playing reads and one top-artists read. */
const MAX_REFRESH_REQUESTS = 4;

export function emptyState(now: number, policy: RefreshPolicy): SharedState {
  return {
    generation: 0,
    nowPlaying: null,
    topArtists: {},
    lockout: null,
    failures: 0,
    ledger: [],
    bucket: { tokens: bucketCapacity(policy), at: now },
  };
}

/** What a refresh costs at most, for the budget check before it. */
export const refreshCost = (due: DueParts) => 1 + (due.nowPlaying ? 2 : 0) + (due.topArtists ? 1 : 0);

/** Spotify requests in the rolling 24 hours up to `now` (a slot counts while any part of it is inside). */
function spentInDay(state: SharedState, now: number): number {
  return state.ledger.reduce((sum, [start, count]) => (start + LEDGER_SLOT_MS > now - DAY_MS ? sum + count : sum), 0);
}

function bucketTokens(state: SharedState, now: number, policy: RefreshPolicy): number {
  const elapsed = Math.max(0, now - state.bucket.at);
  return Math.min(bucketCapacity(policy), state.bucket.tokens + elapsed * bucketRate(policy));
}

/** Whether the now-playing part is due: the interval passed, or the playing item should have ended. */
function nowPlayingDue(record: NowPlayingRecord | null, now: number, policy: RefreshPolicy): boolean {
  if (!record) return true;
  const readAt = Date.parse(record.readAt);
  if (!(now < readAt + policy.intervalMs)) return true;
  const item = record.value;
  if (!item?.isPlaying || item.durationMs === null || item.progressMs === null) return false;
  return now >= readAt + item.durationMs - item.progressMs + TRACK_END_GRACE_MS;
}

function topArtistsDue(record: TopArtistsRecord | undefined, now: number, policy: RefreshPolicy): boolean {
  if (!record) return true;
  if (record.failure) return now >= Date.parse(record.failure.at) + backoffMs(1, policy);
  return record.readAt === null || now >= Date.parse(record.readAt) + TOP_ARTISTS_TTL_MS;
}

/** 30 s, doubling per failure up to 5 min; never shorter than the refresh interval. */
const backoffMs = (failures: number, policy: RefreshPolicy) =>
  Math.max(policy.intervalMs, Math.min(BACKOFF_FIRST_MS * 2 ** Math.max(0, failures - 1), BACKOFF_MAX_MS));

const hasGoodData = (state: SharedState) =>
  state.nowPlaying !== null || TIME_RANGES.some((range) => Boolean(state.topArtists[range]?.value));

export function planRefresh(
  state: SharedState,
  range: TimeRange,
  now: number,
  policy: RefreshPolicy,
  environmentFingerprint: string,
): RefreshPlan {
  const due = { nowPlaying: nowPlayingDue(state.nowPlaying, now, policy), topArtists: topArtistsDue(state.topArtists[range], now, policy) };
  if (!due.nowPlaying && !due.topArtists) return { due, blocked: null };

  const lockout = state.lockout;
  const lifted = lockout?.refusedEnvironmentToken !== undefined && lockout.refusedEnvironmentToken !== environmentFingerprint;
  if (lockout && !lifted && Date.parse(lockout.until) > now) return { due, blocked: { code: lockout.code, retryAt: lockout.until } };

  const cost = refreshCost(due);
  const overBy = spentInDay(state, now) + cost - policy.dailyBudget;
  if (overBy > 0) return { due, blocked: { code: 'rate_limited', retryAt: new Date(whenLedgerFrees(state, overBy)).toISOString() } };
  // The bucket paces refreshes: an empty one means "not due yet", not stale. The data is
  // as fresh as the budget allows by design, and a playing track's position still moves on.
  // With no good data yet, anything under the cap goes: visitors have nothing to look at.
  if (hasGoodData(state) && bucketTokens(state, now, policy) < cost) return { due: NOTHING_DUE, blocked: null };
  return { due, blocked: null };
}

const NOTHING_DUE: DueParts = { nowPlaying: false, topArtists: false };

/** When enough old slots leave the rolling day to free `requests`. */
function whenLedgerFrees(state: SharedState, requests: number): number {
  let freed = 0;
  for (const [start, count] of state.ledger) {
    freed += count;
    if (freed >= requests) return start + LEDGER_SLOT_MS + DAY_MS;
  }
  return (state.ledger.at(-1)?.[0] ?? 0) + LEDGER_SLOT_MS + DAY_MS;
}

/** The state after a refresh: new parts, the spend, and a lockout or backoff when Spotify refused or failed. */
export function recordRefresh(state: SharedState, outcome: RefreshOutcome, now: number, policy: RefreshPolicy): SharedState {
  const slot = Math.floor(now / LEDGER_SLOT_MS) * LEDGER_SLOT_MS;
  const ledger = state.ledger.filter(([start]) => start + LEDGER_SLOT_MS > now - DAY_MS && start !== slot);
  const inSlot = state.ledger.find(([start]) => start === slot)?.[1] ?? 0;
  const next: SharedState = {
    ...state,
    generation: state.generation + 1,
    topArtists: { ...state.topArtists },
    ledger: outcome.requests > 0 || inSlot > 0 ? [...ledger, [slot, inSlot + outcome.requests]] : ledger,
    bucket: { tokens: bucketTokens(state, now, policy) - outcome.requests, at: now },
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

/** Reads a stored state defensively: anything malformed counts as no state. */
export function parseSharedState(value: unknown): SharedState | null {
  if (typeof value !== 'object' || value === null) return null;
  const state = value as Partial<SharedState>;
  if (typeof state.generation !== 'number' || typeof state.failures !== 'number') return null;
  if (!Array.isArray(state.ledger) || typeof state.bucket?.tokens !== 'number' || typeof state.bucket.at !== 'number') return null;
  if (typeof state.topArtists !== 'object' || state.topArtists === null) return null;
  if (state.lockout && !(ERROR_CODES as readonly string[]).includes(state.lockout.code)) return null;
  return {
    generation: state.generation,
    nowPlaying: state.nowPlaying ?? null,
    topArtists: state.topArtists,
    lockout: state.lockout ?? null,
    failures: state.failures,
    ledger: state.ledger,
    bucket: state.bucket,
  };
}
