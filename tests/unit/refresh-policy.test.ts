/**
 * The decider of the shared state, on plain state objects and a fake clock:
 * what is due, what blocks a refresh, the budget's one guard, what a call
 * answers (with and without the state), and what a refresh does to the state.
 */
import { describe, expect, it } from 'vitest';
import { ACCESS_TOKEN_MARGIN_MS, BACKOFF_FIRST_MS, BACKOFF_MAX_MS, DAY_MS, STATE_UNAVAILABLE_RETRY_S, TRACK_END_GRACE_MS } from '../../src/lib/spotify/limits';
import type { PartsRead } from '../../src/lib/spotify/listening';
import {
  afterRenewal,
  answerFromState,
  answerWithoutState,
  emptyState,
  nextStep,
  parseSharedState,
  planRefresh,
  recordRefresh,
  refreshCost,
  usableAccess,
  type RefreshPolicy,
  type SharedState,
} from '../../src/lib/spotify/refresh-policy';
import { SpotifyError, fail, ok, type Artist, type NowPlaying, type Result, type Service } from '../../src/lib/spotify/types';

const T0 = Date.parse('2026-06-01T12:00:00Z');
const POLICY: RefreshPolicy = { intervalMs: 15_000, dailyBudget: 2_000, sources: ['spotify'] };
const QUERY = { range: 'short_term' as const, limit: 5 };
const ENV = 'env-fingerprint';
const iso = (ms: number) => new Date(ms).toISOString();

const track = (overrides: Partial<NowPlaying> = {}): NowPlaying => ({
  isPlaying: true,
  source: 'current',
  type: 'track',
  title: 'Song',
  artists: [{ name: 'Band', url: null }],
  album: null,
  imageUrl: null,
  url: null,
  progressMs: 60_000,
  durationMs: 200_000,
  playedAt: null,
  ...overrides,
});
const ARTISTS: Artist[] = Array.from({ length: 8 }, (_, index) => ({ name: `Artist ${index}`, url: null, imageUrl: null }));

/** A state read at `readAt` with a track and the short-term artists, and a full bucket. */
function stateWithData(readAt = T0, overrides: Partial<SharedState> = {}): SharedState {
  return {
    ...emptyState(readAt, POLICY),
    generation: 3,
    nowPlaying: { value: track(), readAt: iso(readAt) },
    topArtists: { short_term: { value: ARTISTS, readAt: iso(readAt) } },
    ...overrides,
  };
}

const goodRead = (at: number, access = { token: 'access', expiresAt: at + 3_600_000 }): Result<PartsRead> =>
  ok({ nowPlaying: ok(track({ title: 'Next' })), readAt: iso(at), access });
const outcomeOf = (read: Result<PartsRead>, requests = 1, service: Service = 'spotify') => ({
  service,
  range: QUERY.range,
  requests,
  read,
  environmentFingerprint: ENV,
});

describe('planRefresh: what is due', () => {
  it('has nothing due inside the interval while the track plays on', () => {
    expect(planRefresh(stateWithData(), 'short_term', T0 + 14_000, POLICY, ENV).due).toBeNull();
  });

  it('has now playing due once the interval has passed', () => {
    expect(planRefresh(stateWithData(), 'short_term', T0 + 15_000, POLICY, ENV).due?.nowPlaying).toBe(true);
  });

  it('has now playing due just after the playing track should end, before the interval', () => {
    const long = { ...POLICY, intervalMs: 3_600_000 };
    const endsAt = T0 + 200_000 - 60_000 + TRACK_END_GRACE_MS;
    expect(planRefresh(stateWithData(), 'short_term', endsAt - 1, long, ENV).due, 'before the end').toBeNull();
    expect(planRefresh(stateWithData(), 'short_term', endsAt, long, ENV).due?.nowPlaying, 'at the end').toBe(true);
  });

  it('has the top artists of a range due when that range was never read', () => {
    expect(planRefresh(stateWithData(), 'long_term', T0 + 1_000, POLICY, ENV).due).toEqual({ nowPlaying: false, topArtists: true });
  });
});

describe('planRefresh: what blocks a refresh', () => {
  it('blocks every refresh until a lockout ends, and says until when', () => {
    const until = iso(T0 + 48_925_000);
    const locked = stateWithData(T0, { lockout: { until, code: 'rate_limited', message: 'quota' } });
    expect(planRefresh(locked, 'short_term', T0 + 60_000, POLICY, ENV).blocked).toEqual({ code: 'rate_limited', retryAt: until });
    expect(planRefresh(locked, 'short_term', T0 + 48_925_000, POLICY, ENV).blocked, 'over at its end').toBeNull();
  });

  it('lifts a reauthorization lockout at once when the environment holds a different token', () => {
    const lockout = { until: iso(T0 + 300_000), code: 'reauthorization_required' as const, message: 'renew', refusedEnvironmentToken: ENV };
    const locked = stateWithData(T0, { lockout });
    expect(planRefresh(locked, 'short_term', T0 + 20_000, POLICY, ENV).blocked?.code, 'same token').toBe('reauthorization_required');
    expect(planRefresh(locked, 'short_term', T0 + 20_000, POLICY, 'a-new-token').blocked, 'new token').toBeNull();
  });

  it('keeps the reserve for a track’s end: with little budget left, only the end of the track refreshes', () => {
    const cost = refreshCost({ nowPlaying: true, topArtists: false }, false);
    const low = stateWithData(T0, { bucket: { tokens: cost, at: T0 } });
    const interval = planRefresh(low, 'short_term', T0 + 15_000, POLICY, ENV);
    expect(interval, 'interval: not due yet, and not stale').toEqual({ due: null, service: 'spotify', blocked: null });
    const endsAt = T0 + 200_000 - 60_000 + TRACK_END_GRACE_MS;
    const lowAtEnd = { ...low, bucket: { tokens: cost, at: endsAt } };
    const trackEnd = planRefresh(lowAtEnd, 'short_term', endsAt, { ...POLICY, intervalMs: 3_600_000 }, ENV);
    expect(trackEnd.due?.nowPlaying, 'track end: due').toBe(true);
  });

  it('blocks a state with no data, once the bucket is empty, with when it can pay', () => {
    const empty = { ...emptyState(T0, POLICY), bucket: { tokens: 0, at: T0 } };
    const plan = planRefresh(empty, 'short_term', T0, POLICY, ENV);
    expect(plan.blocked?.code).toBe('rate_limited');
    expect(Date.parse(plan.blocked!.retryAt!), 'when the bucket holds a refresh').toBeGreaterThan(T0);
  });
});

describe('the budget: one token bucket', () => {
  /** Always-due demand every 15 s for two days, each refresh spending its worst case: the spend per refresh. */
  function spendUnderDemand(policy: RefreshPolicy): Array<[number, number]> {
    let state = stateWithData(T0, { bucket: emptyState(T0, policy).bucket });
    const spend: Array<[number, number]> = [];
    for (let now = T0; now < T0 + 2 * DAY_MS; now += 15_000) {
      const { due, blocked } = planRefresh(state, 'short_term', now, { ...policy, intervalMs: 0 }, ENV);
      if (blocked || !due) continue;
      const requests = refreshCost(due, usableAccess(state, now) !== null);
      state = recordRefresh(state, outcomeOf(goodRead(now, { token: 'a', expiresAt: now + 3_600_000 }), requests), now, policy);
      spend.push([now, requests]);
    }
    return spend;
  }
  const worstWindow = (spend: Array<[number, number]>, windowMs: number) =>
    Math.max(...spend.map(([start]) => spend.filter(([at]) => at >= start && at < start + windowMs).reduce((sum, [, n]) => sum + n, 0)));

  it('keeps every rolling 24 h within the budget, whatever the demand', () => {
    for (const dailyBudget of [10, 16, 2_000]) {
      const spend = spendUnderDemand({ ...POLICY, dailyBudget });
      expect(worstWindow(spend, DAY_MS), `budget ${dailyBudget}`).toBeLessThanOrEqual(dailyBudget);
    }
    expect(worstWindow(spendUnderDemand(POLICY), DAY_MS), 'most of a real budget is spent').toBeGreaterThan(2_000 * 0.9);
  });

  it('spreads the spend over the day rather than spending it by noon', () => {
    const spend = spendUnderDemand(POLICY);
    const afterFirstHour = spend.filter(([at]) => at >= T0 + 3_600_000);
    // The bucket holds an hour's share (83) on top of the hourly refill.
    expect(worstWindow(afterFirstHour, 3_600_000)).toBeLessThanOrEqual(Math.ceil(2_000 / 24) + 8);
  });

  it('costs the reads alone, once over, when the access token is reused', () => {
    expect(refreshCost({ nowPlaying: true, topArtists: false }, false), 'an exchange and up to two reads').toBe(3);
    expect(refreshCost({ nowPlaying: true, topArtists: true }, true), 'the reads, then an exchange and the reads again').toBe(7);
  });
});

describe('nextStep: answer now or refresh first', () => {
  it('answers from the state, fresh, when nothing is due', () => {
    const step = nextStep(stateWithData(), QUERY, T0 + 5_000, POLICY, ENV);
    expect(step.kind).toBe('answer');
    if (step.kind !== 'answer' || !step.answer.ok) throw new Error('expected data');
    expect(step.answer.value.nowPlaying?.title).toBe('Song');
    expect(step.answer.value.topArtists, 'sliced to the limit').toHaveLength(5);
    expect(step.answer.value.stale).toBeUndefined();
  });

  it('refreshes a due state, and may answer the state meanwhile when it has everything the query needs', () => {
    const step = nextStep(stateWithData(), QUERY, T0 + 20_000, POLICY, ENV);
    expect(step).toMatchObject({ kind: 'refresh', due: { nowPlaying: true, topArtists: false }, mayAnswerEarly: true });
    if (step.kind === 'refresh') expect(step.meanwhile.ok && step.meanwhile.value.nowPlaying?.title).toBe('Song');
  });

  it('waits for the refresh when the query’s range has no data yet', () => {
    const step = nextStep(stateWithData(), { ...QUERY, range: 'long_term' }, T0 + 1_000, POLICY, ENV);
    expect(step).toMatchObject({ kind: 'refresh', mayAnswerEarly: false });
    if (step.kind === 'refresh') expect(step.meanwhile.ok && step.meanwhile.value.nowPlaying?.title, 'what there is, if the wait runs out').toBe('Song');
  });

  it('waits for the first refresh, and answers upstream_timeout if it never comes', () => {
    const step = nextStep(emptyState(T0, POLICY), QUERY, T0, POLICY, ENV);
    expect(step).toMatchObject({ kind: 'refresh', mayAnswerEarly: false });
    if (step.kind === 'refresh') expect(!step.meanwhile.ok && step.meanwhile.error.code).toBe('upstream_timeout');
  });

  it('answers the last good data marked stale while a lockout blocks the due refresh', () => {
    const until = iso(T0 + 48_925_000);
    const step = nextStep(stateWithData(T0, { lockout: { until, code: 'rate_limited', message: 'quota' } }), QUERY, T0 + 60_000, POLICY, ENV);
    expect(step.kind === 'answer' && step.answer.ok && step.answer.value.stale).toEqual({ code: 'rate_limited', retryAt: until });
  });

  it('answers rate_limited with a Retry-After when a state with no data is locked out', () => {
    const locked = { ...emptyState(T0, POLICY), lockout: { until: iso(T0 + 120_000), code: 'rate_limited' as const, message: 'slow down' } };
    const step = nextStep(locked, QUERY, T0, POLICY, ENV);
    expect(step.kind === 'answer' && !step.answer.ok && [step.answer.error.code, step.answer.error.retryAfterSeconds]).toEqual(['rate_limited', 120]);
  });
});

describe('recordRefresh: what a refresh does to the state', () => {
  it('keeps the new parts, bumps the generation and pays the bucket what was spent', () => {
    const before = stateWithData();
    const after = recordRefresh(before, outcomeOf(goodRead(T0 + 20_000), 2), T0 + 20_000, POLICY);
    expect(after.generation).toBe(before.generation + 1);
    expect(after.nowPlaying?.value?.title).toBe('Next');
    expect(after.bucket.tokens, 'the full bucket less two requests').toBeCloseTo(before.bucket.tokens - 2, 5);
  });

  it('resets the failure count and the lockout after a good refresh', () => {
    const failing = stateWithData(T0, { failures: 3, lockout: { until: iso(T0), code: 'upstream_error', message: 'down' } });
    const after = recordRefresh(failing, outcomeOf(goodRead(T0 + 1_000)), T0 + 1_000, POLICY);
    expect([after.failures, after.lockout]).toEqual([0, null]);
  });

  it('backs off after failures: 30 s, doubling, up to 5 minutes, keeping the data', () => {
    let state = stateWithData();
    const waits: number[] = [];
    for (let failure = 0; failure < 6; failure += 1) {
      const at = T0 + failure * 1_000_000;
      state = recordRefresh(state, outcomeOf(fail(new SpotifyError('upstream_error', 'down'))), at, POLICY);
      waits.push(Date.parse(state.lockout!.until) - at);
    }
    expect(waits).toEqual([BACKOFF_FIRST_MS, 60_000, 120_000, 240_000, BACKOFF_MAX_MS, BACKOFF_MAX_MS]);
    expect(state.nowPlaying?.value?.title, 'the last good track stays').toBe('Song');
  });

  it('obeys a quota’s Retry-After to the second, hours included', () => {
    const quota = new SpotifyError('rate_limited', 'quota', { retryAfterSeconds: 48_925 });
    const after = recordRefresh(stateWithData(), outcomeOf(ok({ nowPlaying: fail(quota), readAt: iso(T0), access: null })), T0, POLICY);
    expect(Date.parse(after.lockout!.until) - T0).toBe(48_925_000);
  });

  it('remembers which environment token was refused with a reauthorization lockout', () => {
    const refused = new SpotifyError('reauthorization_required', 'renew');
    const after = recordRefresh(stateWithData(), outcomeOf(fail(refused)), T0, POLICY);
    expect(after.lockout?.refusedEnvironmentToken).toBe(ENV);
  });

  it('keeps the access token the reads used, and drops it when the refresh failed', () => {
    const access = { token: 'fresh', expiresAt: T0 + 3_600_000 };
    expect(recordRefresh(stateWithData(), outcomeOf(goodRead(T0, access)), T0, POLICY).access).toEqual(access);
    const failed = recordRefresh(stateWithData(T0, { access }), outcomeOf(fail(new SpotifyError('upstream_timeout', 'slow'))), T0, POLICY);
    expect(failed.access).toBeNull();
  });
});

describe('the access token', () => {
  it('is reused until a minute before it expires', () => {
    const access = { token: 'a', expiresAt: T0 + 3_600_000 };
    const state = stateWithData(T0, { access });
    expect(usableAccess(state, access.expiresAt - ACCESS_TOKEN_MARGIN_MS - 1)).toEqual(access);
    expect(usableAccess(state, access.expiresAt - ACCESS_TOKEN_MARGIN_MS)).toBeNull();
  });

  it('is dropped with the lockout when the owner renews', () => {
    const renewed = afterRenewal(stateWithData(T0, { access: { token: 'old', expiresAt: T0 + 1 }, lockout: { until: iso(T0 + 1), code: 'reauthorization_required', message: 'renew' } }));
    expect([renewed.access, renewed.lockout, renewed.generation]).toEqual([null, null, 4]);
  });
});

describe('answerWithoutState: fail closed when the state cannot be read', () => {
  it('answers the last state this instance read, marked stale with state_unavailable', () => {
    const answer = answerWithoutState(stateWithData(), QUERY, T0 + 60_000);
    expect(answer.ok && answer.value.nowPlaying?.title).toBe('Song');
    expect(answer.ok && answer.value.stale).toEqual({ code: 'state_unavailable', retryAt: iso(T0 + 60_000 + STATE_UNAVAILABLE_RETRY_S * 1_000) });
  });

  it('keeps a lockout it read before the outage, with its own code and end', () => {
    const until = iso(T0 + 48_925_000);
    const answer = answerWithoutState(stateWithData(T0, { lockout: { until, code: 'rate_limited', message: 'quota' } }), QUERY, T0 + 60_000);
    expect(answer.ok && answer.value.stale).toEqual({ code: 'rate_limited', retryAt: until });
  });

  it('answers state_unavailable with a Retry-After when this instance has read nothing', () => {
    for (const remembered of [null, emptyState(T0, POLICY)]) {
      const answer = answerWithoutState(remembered, QUERY, T0);
      expect(!answer.ok && [answer.error.code, answer.error.retryAfterSeconds]).toEqual(['state_unavailable', STATE_UNAVAILABLE_RETRY_S]);
    }
  });
});

describe('parseSharedState', () => {
  it('reads back a state it wrote, and refuses a malformed one', () => {
    const state = stateWithData(T0, { access: { token: 'a', expiresAt: T0 } });
    expect(parseSharedState(JSON.parse(JSON.stringify(state)))).toEqual(state);
    expect(parseSharedState({ ...state, bucket: null })).toBeNull();
    expect(parseSharedState({ ...state, lockout: { until: iso(T0), code: 'no_such_code', message: '' } })).toBeNull();
    expect(parseSharedState({ ...state, access: { token: 7 } })?.access, 'a malformed access token is none').toBeNull();
  });
});

describe('two sources: Last.fm covers while Spotify cannot answer', () => {
  const BOTH: RefreshPolicy = { ...POLICY, sources: ['spotify', 'lastfm'] };
  const fullRead = (at: number): Result<PartsRead> => ok({ nowPlaying: ok(track({ title: 'Next' })), topArtists: ok(ARTISTS.slice(2)), readAt: iso(at), access: null });
  const locked = (code: 'rate_limited' | 'reauthorization_required' | 'premium_required' | 'upstream_error', until = T0 + 48_925_000) =>
    stateWithData(T0, { lockout: { until: iso(until), code, message: 'Spotify says no.' } });

  it.each(['rate_limited', 'reauthorization_required', 'premium_required', 'upstream_error'] as const)(
    'reads every part from Last.fm while a Spotify %s lockout holds, and answers nothing stale',
    (code) => {
      const plan = planRefresh(locked(code), 'short_term', T0 + 20_000, BOTH, ENV);
      expect(plan).toEqual({ due: { nowPlaying: true, topArtists: true }, service: 'lastfm', blocked: null });
    },
  );

  it('keeps Spotify alone blocked, and stale, without a second source', () => {
    expect(planRefresh(locked('rate_limited'), 'short_term', T0 + 20_000, POLICY, ENV).blocked?.code).toBe('rate_limited');
  });

  it('answers fresh Last.fm data, labelled, until its interval passes; then reads Last.fm again, not Spotify', () => {
    const covered = recordRefresh(locked('rate_limited'), outcomeOf(fullRead(T0 + 20_000), 2, 'lastfm'), T0 + 20_000, BOTH);
    const step = nextStep(covered, QUERY, T0 + 25_000, BOTH, ENV);
    expect(step.kind === 'answer' && step.answer.ok && step.answer.value).toMatchObject({ service: 'lastfm', nowPlaying: { title: 'Next' } });
    expect(step.kind === 'answer' && step.answer.ok && step.answer.value.stale).toBeUndefined();
    expect(planRefresh(covered, 'short_term', T0 + 36_000, BOTH, ENV).service).toBe('lastfm');
  });

  it('goes back to Spotify for every part once its lockout ends', () => {
    const covered = recordRefresh(locked('upstream_error', T0 + 30_000), outcomeOf(fullRead(T0 + 20_000), 2, 'lastfm'), T0 + 20_000, BOTH);
    expect(planRefresh(covered, 'short_term', T0 + 31_000, BOTH, ENV)).toMatchObject({ due: { nowPlaying: true, topArtists: true }, service: 'spotify' });
  });

  it("charges Spotify's bucket nothing for a Last.fm read, and keeps Spotify's access token", () => {
    const state = { ...locked('rate_limited'), access: { token: 'spotify-access', expiresAt: T0 + 3_600_000 } };
    const next = recordRefresh(state, outcomeOf(goodRead(T0 + 20_000, null as never), 2, 'lastfm'), T0 + 20_000, BOTH);
    expect(next.bucket.tokens).toBe(state.bucket.tokens);
    expect(next.access).toEqual(state.access);
    expect(next.nowPlaying?.service).toBe('lastfm');
  });

  it("keeps Last.fm's failures apart from Spotify's lockout, and answers Spotify's lockout when both are blocked", () => {
    const failed = fail<PartsRead>(new SpotifyError('rate_limited', 'Last.fm says slow down.', { retryAfterSeconds: 60 }));
    const next = recordRefresh(locked('rate_limited'), outcomeOf(failed, 1, 'lastfm'), T0 + 20_000, BOTH);
    expect(next.lockout?.code, "Spotify's lockout is untouched").toBe('rate_limited');
    expect(next.lockout?.message).toBe('Spotify says no.');
    expect(next.cover).toMatchObject({ failures: 1, lockout: { code: 'rate_limited', until: iso(T0 + 80_000) } });
    const plan = planRefresh(next, 'short_term', T0 + 30_000, BOTH, ENV);
    expect(plan.blocked).toEqual({ code: 'rate_limited', retryAt: iso(T0 + 48_925_000) });
    expect(planRefresh(next, 'short_term', T0 + 81_000, BOTH, ENV)).toMatchObject({ service: 'lastfm', blocked: null });
  });

  it("never answers one source's now playing with the other's top artists", () => {
    const topOnly = ok<PartsRead>({ nowPlaying: fail(new SpotifyError('profile_private', 'hidden')), topArtists: ok(ARTISTS.slice(2)), readAt: iso(T0 + 20_000), access: null });
    const mixed = recordRefresh(locked('rate_limited'), outcomeOf(topOnly, 2, 'lastfm'), T0 + 20_000, BOTH);
    const answer = answerFromState(mixed, QUERY, T0 + 21_000, null);
    expect(answer.ok && answer.value).toMatchObject({ service: 'spotify', topArtists: null, nowPlaying: { title: 'Song' } });
  });

  it("reads Last.fm, not nothing, when Spotify's bucket cannot pay to replace Last.fm's data", () => {
    const covered = recordRefresh(locked('upstream_error', T0 + 30_000), outcomeOf(fullRead(T0 + 20_000), 2, 'lastfm'), T0 + 20_000, BOTH);
    const short = { ...covered, bucket: { tokens: 3, at: T0 + 31_000 } };
    expect(planRefresh(short, 'short_term', T0 + 36_000, BOTH, ENV)).toMatchObject({ service: 'lastfm', due: { nowPlaying: true } });
  });

  it('uses Last.fm alone as the first source, with no budget', () => {
    const LASTFM: RefreshPolicy = { ...POLICY, sources: ['lastfm'] };
    const empty = { ...emptyState(T0, LASTFM), bucket: { tokens: 0, at: T0 } };
    expect(planRefresh(empty, 'short_term', T0, LASTFM, '')).toEqual({ due: { nowPlaying: true, topArtists: true }, service: 'lastfm', blocked: null });
  });
});
