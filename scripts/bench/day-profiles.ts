/**
 * The traffic of a simulated day: which calls reach the service at which
 * instant. Every call goes straight to the service, as if no CDN cached
 * anything (the real site's answers are CDN-cached, so this is the worst
 * case for the function). Calls at the same instant run concurrently.
 */
import { queryOf } from '../../src/lib/spotify/query';
import { PAGE_REFRESH_WAIT_MS } from '../../src/lib/spotify/limits';
import type { ListeningQuery } from '../../src/lib/spotify/query';
import { TIME_RANGES } from '../../src/lib/spotify/types';
import { site } from '../../src/site.config';

export interface SimulatedCall {
  query: ListeningQuery;
  /** Set for a page render, which waits only briefly for a refresh (as src/pages/index.astro does). */
  refreshWaitMs?: number;
}

export interface Instant {
  /** Ms since the start of the day. */
  at: number;
  calls: SimulatedCall[];
}

export interface DayProfile {
  name: string;
  /** What the profile does, in a sentence or two, for the printed table and docs/benchmarks.md. */
  description: string;
  /** Simulated time the profile spans, in ms (the day's quiet rest is not simulated). */
  spanMs: number;
  /** Instants in time order. */
  instants(): Iterable<Instant>;
}

const HOUR_MS = 3_600_000;
const POLL_MS = site.pollIntervalMs;
/** The page and the island ask for the owner's query (src/site.config.ts). */
const page: SimulatedCall = { query: queryOf(site), refreshWaitMs: PAGE_REFRESH_WAIT_MS };
const poll: SimulatedCall = { query: queryOf(site) };
const seconds = (ms: number) => `${ms / 1_000} s`;

/**
 * One visible tab: a page load, then a poll every pollIntervalMs all day. The
 * island also polls just after a playing track should end, and less often
 * while answers are stale; this fixed pace leaves both out, so it asks at
 * least as often as the island.
 */
export function oneTab(hours: number): DayProfile {
  const spanMs = hours * HOUR_MS;
  return {
    name: 'one tab',
    description: `One visible tab for ${hours} h: a page load, then a poll every ${seconds(POLL_MS)} (fixed pace; the island's extra poll at a track's end and its slower pace while stale are not modelled).`,
    spanMs,
    *instants() {
      for (let at = 0; at < spanMs; at += POLL_MS) yield { at, calls: [at === 0 ? page : poll] };
    },
  };
}

/**
 * A front-page spike: visitors arrive at an even pace over the window, and
 * never more than `seats` are on the page at once. Each does a page load on
 * arrival and polls every pollIntervalMs while there. Seats × window /
 * visitors bounds how long each can stay: 50 seats over 2 h for 5,000
 * visitors is 72 s; "a few minutes" each would mean well over 50 at once.
 */
export function frontPageSpike(visitors: number, windowHours: number, seats: number): DayProfile {
  const windowMs = windowHours * HOUR_MS;
  const stayMs = (seats * windowMs) / visitors;
  const arrivalEveryMs = windowMs / visitors;
  return {
    name: 'front-page spike',
    description:
      `${visitors.toLocaleString('en')} visitors over ${windowHours} h, one every ${seconds(arrivalEveryMs)}, each staying ${seconds(stayMs)} ` +
      `(the longest that keeps ${seats} at once), with a page load on arrival and a poll every ${seconds(POLL_MS)} while there; ` +
      `times in whole seconds, so calls in the same second run concurrently; the rest of the day is quiet (no calls, not simulated).`,
    spanMs: windowMs,
    *instants() {
      const byTime = new Map<number, SimulatedCall[]>();
      const add = (at: number, call: SimulatedCall) => {
        const calls = byTime.get(at) ?? [];
        calls.push(call);
        byTime.set(at, calls);
      };
      for (let visitor = 0; visitor < visitors; visitor += 1) {
        // Whole seconds: calls in the same second run together, as calls do whose refresh overlaps.
        const arrival = Math.round((visitor * arrivalEveryMs) / 1_000) * 1_000;
        add(arrival, page);
        for (let at = arrival + POLL_MS; at < arrival + stayMs; at += POLL_MS) add(at, poll);
      }
      for (const at of [...byTime.keys()].sort((a, b) => a - b)) yield { at, calls: byTime.get(at)! };
    },
  };
}

/** A client cycling through every valid query (each range × limit 1–50), `perSecond` calls a second, evenly spaced. */
export function cacheBuster(hours: number, perSecond: number): DayProfile {
  const spanMs = hours * HOUR_MS;
  const variants = TIME_RANGES.flatMap((range) => Array.from({ length: 50 }, (_, index) => ({ range, limit: index + 1 })));
  return {
    name: 'cache-busting client',
    description: `${perSecond} calls a second for ${hours} h, cycling through all ${variants.length} valid queries (range × limit 1–50), one at a time.`,
    spanMs,
    *instants() {
      const stepMs = 1_000 / perSecond;
      for (let index = 0; index * stepMs < spanMs; index += 1) {
        yield { at: Math.round(index * stepMs), calls: [{ query: variants[index % variants.length]! }] };
      }
    },
  };
}
