/**
 * Runs a day profile on a fake clock through the real listening service (its
 * shared state in in-memory Blobs, the in-memory fake Spotify playing its
 * looping playlist) and measures what Spotify paid and what visitors saw.
 * The clock stands still while the calls of one instant run, refreshes
 * included: a refresh costs simulated time 0 (and real time a few ms).
 */
import { DAY_MS, DEFAULT_DAILY_BUDGET } from '../../src/lib/spotify/limits';
import type { Listening, Result } from '../../src/lib/spotify/types';
import type { DayProfile } from './day-profiles';
import { createInProcessService } from './in-process';
import { median, percentile } from './latency';
import { createPlayerTruth, type PlayedItem } from './player-truth';

export interface DayFigures {
  profile: DayProfile;
  dailyBudget: number;
  calls: number;
  /** The most calls at one instant (run concurrently). */
  mostAtOnce: number;
  /** Spotify requests the fake received, token exchanges included. */
  requests: number;
  exchanges: number;
  /** The most requests in any rolling 24 h of the run. */
  worstDayRequests: number;
  /** 200 answers with nowPlaying or topArtists non-null. */
  withData: number;
  /** Answers marked `stale` (a due refresh was blocked). */
  stale: number;
  /** Failed answers, by error code. */
  failures: Record<string, number>;
  /** Simulated now − fetchedAt, over answers with data, in ms. */
  age: { medianMs: number; p95Ms: number; worstMs: number };
  /** How long the shown item had stopped playing (0 while it plays), over answers with a now-playing item, in ms. */
  lag: { medianMs: number; p95Ms: number; worstMs: number; answers: number };
  /** Answers showing an item the player did not have when the data was read: should be 0. */
  wrongItems: number;
  realSeconds: number;
}

/** Any fixed time would do. */
const DAY_START_MS = Date.parse('2026-06-01T00:00:00Z');

export async function simulateDay(profile: DayProfile, options: { intervalS?: number; dailyBudget?: number } = {}): Promise<DayFigures> {
  const started = performance.now();
  let nowMs = DAY_START_MS;
  const now = () => new Date(nowMs);
  const service = createInProcessService({ now, intervalS: options.intervalS, dailyBudget: options.dailyBudget, playlistStartMs: DAY_START_MS });
  const truth = createPlayerTruth(now, DAY_START_MS);

  const spend: Array<[at: number, requests: number]> = [];
  const ages: number[] = [];
  const lags: number[] = [];
  const failures: Record<string, number> = {};
  let calls = 0;
  let mostAtOnce = 0;
  let withData = 0;
  let stale = 0;
  let wrongItems = 0;

  const record = (result: Result<Listening>, playing: PlayedItem) => {
    calls += 1;
    if (!result.ok) {
      failures[result.error.code] = (failures[result.error.code] ?? 0) + 1;
      return;
    }
    const answer = result.value;
    if (answer.stale) stale += 1;
    if (answer.nowPlaying === null && answer.topArtists === null) return;
    withData += 1;
    const fetchedAt = Date.parse(answer.fetchedAt);
    ages.push(nowMs - fetchedAt);
    const shown = answer.nowPlaying;
    if (!shown) return;
    // The play the data was read during (the playlist loops, so a link alone could match a later play).
    const then = truth.playingAt(fetchedAt);
    if (then?.url !== shown.url) {
      wrongItems += 1;
      return;
    }
    lags.push(then === playing ? 0 : nowMs - then.endsAt);
  };

  for (const instant of profile.instants()) {
    nowMs = DAY_START_MS + instant.at;
    const playing = await truth.current(nowMs);
    mostAtOnce = Math.max(mostAtOnce, instant.calls.length);
    const before = service.fake.requests.length;
    const results = await Promise.all(instant.calls.map((call) => service.call(call.query, { refreshWaitMs: call.refreshWaitMs })));
    const sent = service.fake.requests.length - before;
    if (sent > 0) spend.push([nowMs, sent]);
    for (const result of results) record(result, playing);
  }

  const requests = service.fake.requests;
  return {
    profile,
    dailyBudget: options.dailyBudget ?? DEFAULT_DAILY_BUDGET,
    calls,
    mostAtOnce,
    requests: requests.length,
    exchanges: requests.filter((request) => request.url.pathname === '/api/token').length,
    worstDayRequests: worstRollingDay(spend),
    withData,
    stale,
    failures,
    age: { medianMs: median(ages), p95Ms: percentile(ages, 95), worstMs: largest(ages) },
    lag: { medianMs: median(lags), p95Ms: percentile(lags, 95), worstMs: largest(lags), answers: lags.length },
    wrongItems,
    realSeconds: (performance.now() - started) / 1_000,
  };
}

/** Spread (`Math.max(...values)`) overflows the stack at a day's worth of answers. */
const largest = (values: number[]) => (values.length === 0 ? Number.NaN : values.reduce((max, value) => Math.max(max, value), -Infinity));

/** The largest sum of requests inside any window (t − 24 h, t]; `spend` is in time order. */
export function worstRollingDay(spend: Array<[at: number, requests: number]>): number {
  let worst = 0;
  let sum = 0;
  let first = 0;
  for (const [at, requests] of spend) {
    sum += requests;
    while (spend[first]![0] <= at - DAY_MS) sum -= spend[first++]![1];
    worst = Math.max(worst, sum);
  }
  return worst;
}
