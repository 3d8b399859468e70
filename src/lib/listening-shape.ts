/**
 * The one check of an `/api/spotify` 200 body arriving in a browser (the
 * island and the `<listening-widget>` element). The API may be another
 * deployment, a proxy or a cache that answers 200 with something else; the
 * widget must then show its quiet error, never throw while rendering.
 *
 * One table of checks per interface of src/lib/spotify/types.ts. `satisfies`
 * makes the compiler fail here when a field is added there without a check,
 * and the `Record<…, 1>` sets when a value is added to a union it checks.
 * Types only from there, and small on purpose: it ships within the page's
 * 12 KB script budget (npm run size), which a runtime import would strain.
 */
import type { Artist, ArtistCredit, Listening, NowPlaying, PartErrors, Service, Staleness, TimeRange } from './spotify/types';

type Check = (v: unknown) => boolean;

const isString: Check = (v) => typeof v === 'string';
const isNumber: Check = (v) => Number.isFinite(v);
const orNull =
  (check: Check): Check =>
  (v) =>
    v === null || check(v);
const optional =
  (check: Check): Check =>
  (v) =>
    v === undefined || check(v);
/** One of the keys of `values`, a set written as a Record so that it must name every member of its union. */
const oneOf =
  (values: Record<string, 1>): Check =>
  (v) =>
    typeof v === 'string' && Object.hasOwn(values, v);
const listOf =
  (check: Check): Check =>
  (v) =>
    Array.isArray(v) && v.every(check);
/** An object (not an array) whose every listed field passes; other fields are ignored. */
const shape =
  (fields: Record<string, Check>): Check =>
  (v) =>
    typeof v === 'object' && v !== null && !Array.isArray(v) && Object.entries(fields).every(([key, check]) => check((v as Record<string, unknown>)[key]));

// Any string, not the closed list: the widget only asks whether a code is there, and the
// nine names put the page's scripts over their 12 KB budget (measured: 12.06 KB).
const errorCode = isString;

const credit = shape({ name: isString, url: orNull(isString) } satisfies Record<keyof ArtistCredit, Check>);

const nowPlaying = shape({
  isPlaying: (v) => typeof v === 'boolean',
  source: oneOf({ current: 1, recent: 1 } satisfies Record<NowPlaying['source'], 1>),
  type: oneOf({ track: 1, episode: 1 } satisfies Record<NowPlaying['type'], 1>),
  title: isString,
  artists: listOf(credit),
  album: orNull(isString),
  imageUrl: orNull(isString),
  url: orNull(isString),
  progressMs: orNull(isNumber),
  durationMs: orNull(isNumber),
  playedAt: orNull(isString),
} satisfies Record<keyof NowPlaying, Check>);

const artist = shape({ name: isString, url: orNull(isString), imageUrl: orNull(isString) } satisfies Record<keyof Artist, Check>);

const listening = shape({
  nowPlaying: orNull(nowPlaying),
  topArtists: orNull(listOf(artist)),
  range: oneOf({ short_term: 1, medium_term: 1, long_term: 1 } satisfies Record<TimeRange, 1>),
  // The island times its polls from it: it must read as a date.
  fetchedAt: (v) => isString(v) && isNumber(Date.parse(v as string)),
  service: optional(oneOf({ spotify: 1, lastfm: 1 } satisfies Record<Service, 1>)),
  profileUrl: optional(isString),
  demo: optional((v) => v === true),
  errors: optional(shape({ nowPlaying: optional(errorCode), topArtists: optional(errorCode) } satisfies Record<keyof PartErrors, Check>)),
  stale: optional(shape({ code: errorCode, retryAt: optional(isString) } satisfies Record<keyof Staleness, Check>)),
} satisfies Record<keyof Listening, Check>);

/**
 * `value` when it holds the contract of src/lib/spotify/types.ts (docs/api.md),
 * fields it does not know included; otherwise null.
 */
export function parseListening(value: unknown): Listening | null {
  return listening(value) ? (value as Listening) : null;
}
