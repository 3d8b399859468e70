/**
 * Every time limit, interval, backoff, cap and cache duration, each with its
 * reason. Nothing else in src/ writes one down: it imports it from here. The
 * island imports this file too, so it holds only constants and `within`.
 *
 * Deadlines are kept two ways: a fetch gets `AbortSignal.timeout` (see
 * spotify-api.ts), since an abandoned request should stop; any other wait is
 * outrun with `within`, which leaves the work running.
 */

/* --- One call to Spotify --- */

/**
 * Time budgets for one call. The contract promises an answer within 10 s even
 * when Spotify hangs: the token exchange and the parallel reads run one after
 * the other, so their sum must stay well below that.
 */
export const TOKEN_TIMEOUT_MS = 4_000;
export const READ_TIMEOUT_MS = 4_000;
/**
 * The whole call, including the rotated-token store and a retry with a token
 * another instance rotated meanwhile: still under the contract's 10 s.
 */
export const CALL_BUDGET_MS = 9_000;
/** Used when a 429 comes without a usable Retry-After. */
export const DEFAULT_RETRY_AFTER_S = 30;

/* --- One call to Last.fm (src/lib/spotify/lastfm.ts; not wired in yet) --- */

/**
 * One Last.fm read. There is no token exchange before it, so the reads alone
 * must fit the contract's 10 s: the same budget as a Spotify read leaves room.
 */
export const LASTFM_READ_TIMEOUT_MS = 4_000;
/**
 * Last.fm's error 29 (rate limited) comes without a Retry-After, and its terms
 * name no window: a minute is long enough not to make it worse.
 */
export const LASTFM_RATE_LIMIT_WAIT_S = 60;

/* --- What Spotify's data may hold (src/lib/spotify/normalize.ts) --- */

/**
 * Every text field is cut to this many characters, with an ellipsis, where
 * Spotify's data enters: a 200,000-character track name must not become an
 * 800 KB answer or a 400 KB card. Real titles stay far below it.
 */
export const MAX_TEXT_CHARS = 300;
/** Artists credited on one item: the widget shows a handful; a hostile body may hold thousands. */
export const MAX_CREDITS = 10;
/** Longer links and picture URLs are no links: Spotify's are about 60 to 120 characters. */
export const MAX_URL_CHARS = 2_048;
/** Without a duration, a position past a day (the longest podcasts run hours) is nonsense: shown as unknown. */
export const MAX_PLAUSIBLE_PROGRESS_MS = 24 * 3_600_000;

/* --- The page's server render --- */

/** How long the page's server render waits for Spotify before it renders the skeleton. */
export const SSR_BUDGET_MS = 800;
/**
 * How long the page's render waits for a refresh it started before it renders
 * the state it already has: inside SSR_BUDGET_MS, so the first paint shows data.
 */
export const PAGE_REFRESH_WAIT_MS = 600;

/* --- The owner's authorization --- */

/** Spotify refresh tokens expire this long after authorization (since July 2026). */
export const REFRESH_TOKEN_LIFETIME_DAYS = 182;
/** Warn the owner when fewer days than this remain. */
export const EXPIRY_WARNING_DAYS = 14;
/** How many times a rotated token is written before the failure is left to the log. */
export const ROTATION_WRITE_ATTEMPTS = 3;
/** The wait after a failed write of a rotated token, times the attempt number: a conflicting writer gets time to finish. */
export const ROTATION_WRITE_BACKOFF_MS = 100;
/**
 * Local runs only (src/server/store.ts): before a refused token is called
 * dead, the store is read once more after this long, because the local Blobs
 * server may not yet show the successor another worker just saved (the e2e
 * saw two refreshes race under a loaded local runtime).
 */
export const ROTATION_SETTLE_MS = 500;

/*
 * --- Shared state (src/lib/spotify/refresh-policy.ts, stored by src/server/store.ts) ---
 * How often Spotify is read, whatever the traffic. Every call reads the
 * state; only a due refresh reaches Spotify, and only one at a time across
 * instances.
 */

/** Default of SPOTIFY_REFRESH_INTERVAL_S: a call within this long of the last now-playing read costs Spotify nothing. */
export const DEFAULT_REFRESH_INTERVAL_S = 15;
/** Spotify moves to the next track a moment after the last one ends: refresh (and poll) just after that. */
export const TRACK_END_GRACE_MS = 1_000;
/** Top artists change over weeks: one read per range every few hours is plenty. */
export const TOP_ARTISTS_TTL_MS = 6 * 3_600_000;
/** Top artists are read once at Spotify's maximum; each answer slices its own `limit` from it. */
export const TOP_ARTISTS_READ_LIMIT = 50;
/** After a 5xx or a timeout, wait this long before the next refresh, doubling per failure... */
export const BACKOFF_FIRST_MS = 30_000;
/** ...up to this. The island's polls back off to the same cap. */
export const BACKOFF_MAX_MS = 5 * 60_000;

/** Default of SPOTIFY_DAILY_BUDGET: Spotify requests, token exchanges included, in any rolling 24 hours. */
export const DEFAULT_DAILY_BUDGET = 2_000;
/** Below this a budget cannot pay for one refresh and its retries. */
export const MIN_DAILY_BUDGET = 10;
/** The daily budget's rolling window; also the unit of the refresh token's lifetime. */
export const DAY_MS = 24 * 3_600_000;
/**
 * The token bucket that smooths spend holds one hour of the budget: a quiet
 * hour banks enough for a burst of refreshes, and a busy day slows down
 * evenly instead of hitting the cap at noon.
 */
export const BUDGET_BURST_FRACTION = 1 / 24;

/**
 * Budget held back from refreshes that are due only because the interval
 * passed, in requests: a refresh due because a playing track just ended still
 * finds the bucket able to pay for it, so the widget moves on with the music.
 */
export const TRACK_END_RESERVE = 2;
/**
 * An access token lives an hour (Spotify's `expires_in`). It is reused until
 * this long before it expires, so no read starts with a token about to die.
 */
export const ACCESS_TOKEN_MARGIN_MS = 60_000;

/** A refresh lease outlives the longest refresh (CALL_BUDGET_MS), so two instances never refresh at once. */
export const LEASE_MS = 12_000;
/**
 * Local runs only: the local Blobs server's conditional write is not atomic,
 * so writes in the same instant may all report success. A winner waits this
 * long, then reads the lease back to confirm it holds it.
 */
export const LOCAL_LEASE_SETTLE_MS = 150;
/** How often a call that found no data for its query looks for the refresh another instance is making. */
export const STATE_POLL_MS = 150;
/**
 * Each Blobs operation gets this long on a deployed site, where Blobs answers
 * in tens of milliseconds. Giving up costs little: a call without the state
 * answers from memory or with state_unavailable, and never calls Spotify.
 */
export const STORE_TIMEOUT_MS = 1_000;
/** The local Blobs server, a fresh worker per call on a small machine, took up to 2.8 s per operation in a burst. */
export const LOCAL_STORE_TIMEOUT_MS = 4_000;
/**
 * How long /connect/start may take before it answers 503: a deployed start has CALL_BUDGET_MS, under the
 * platform's function limit. Locally each store operation may take LOCAL_STORE_TIMEOUT_MS, and netlify serve
 * stops a call at 30 s, so a local start gets longer, still under that.
 */
export const LOCAL_CONNECT_START_BUDGET_MS = 25_000;
/** While the shared state cannot be read, answers say to come back after this long (Retry-After, `stale.retryAt`). */
export const STATE_UNAVAILABLE_RETRY_S = 30;

/* --- CDN caching (src/lib/spotify/http.ts) --- */

/** CDN freshness of a good answer... */
export const CDN_MAX_AGE_S = 10;
/** ...and how long the CDN may serve it stale while it refetches. */
export const CDN_STALE_WHILE_REVALIDATE_S = 20;
/**
 * A stale answer is CDN-cached until the next refresh may happen, and an error
 * with a Retry-After (a rate limit) for that long, but never longer than this:
 * the CDN asks again within minutes even when Spotify asks for hours.
 */
export const MAX_RETRY_CACHE_S = 300;
/** Errors caused by Spotify are cached briefly so a failing Spotify is not hit once per visitor; also the stale cache when the next refresh time is unknown. */
export const UPSTREAM_ERROR_CACHE_S = 30;
/**
 * CDN freshness of a page rendered past the budget. Spotify was slow or hung:
 * without a cache every page view would start another slow call; a few
 * seconds keep that to one call per CDN node per few seconds, and cost
 * visitors nothing, since the skeleton page's island fetches at once.
 */
export const LATE_PAGE_CACHE_S = 5;

/* --- The island --- */

/** Shortest poll interval the island accepts, so a typo cannot hammer the function. */
export const MIN_POLL_MS = 5_000;
/** While the answer is stale and its next refresh is far off, the island polls no more often than this. */
export const STALE_POLL_MS = 60_000;
/** The widget's clock ticks this often while a track's position moves on screen... */
export const CLOCK_TICK_MS = 1_000;
/** ...and this often otherwise (nothing playing, or reduced motion): enough to keep "12 min ago" current. */
export const IDLE_CLOCK_TICK_MS = 15_000;

/* --- Keeping a deadline --- */

/** The promise's value, or null if it takes longer than `ms`. The work is outrun, not stopped. */
export async function within<T>(work: Promise<T | null>, ms: number): Promise<T | null> {
  if (ms <= 0) {
    // Nobody awaits `work` then: its rejection must not go unhandled.
    work.catch(() => undefined);
    return null;
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<null>((resolve) => {
    timer = setTimeout(resolve, ms, null);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/*
 * Renewal from /connect (src/server/renewal.ts).
 */

/** A renewal must come back from Spotify within this long of its start; its state and cookie expire then. */
export const RENEWAL_ATTEMPT_TTL_MS = 600_000; // 10 min, written out so the bundler can drop it where unused
/** Renewal starts and failures allowed per client address in one window, so /connect is no oracle or amplifier... */
export const RENEWAL_ATTEMPTS_PER_WINDOW = 6;
/** ...of this length. */
export const RENEWAL_WINDOW_MS = 600_000; // 10 min
/**
 * Clients one instance counts in memory in a window (about 100 bytes each):
 * past this, the oldest are forgotten and only the store's count holds them.
 */
export const RENEWAL_CLIENTS_IN_MEMORY = 10_000;

/*
 * The SVG card (/card.svg): GitHub's image proxy gives up after about 10 s; the card answers in under 3.
 */

/**
 * How long the card waits for the data. With data in the shared state the
 * service answers at once (or within PAGE_REFRESH_WAIT_MS when it starts a
 * refresh); only a state with no data at all waits this long. With the
 * pictures' budget the card answers in under 3 s.
 */
export const CARD_DATA_BUDGET_MS = 1_500;

/** One image fetch; the card's whole picture phase has IMAGES_BUDGET_MS. */
export const IMAGE_TIMEOUT_MS = 1_200;
/**
 * All pictures of one card, fetched side by side, store reads included: with
 * the data's own budget the card answers within 3 s. A picture still on its
 * way is outrun, not stopped, so it lands in the store for the next card.
 */
export const IMAGES_BUDGET_MS = 1_300;
/** How long a stored picture is used before it is fetched again. */
export const IMAGE_TTL_MS = 604_800_000; // 7 days
/** How long a failed fetch is remembered, so a dead URL costs one fetch per ten minutes, not one per card. */
export const IMAGE_MISS_TTL_MS = 600_000; // 10 min

/**
 * The largest picture each slot embeds, in bytes before base64. A 300 px
 * cover (the smallest Spotify size that covers the 96 px slot on a 2x screen)
 * and 160 px artist pictures usually stay well under; a larger one becomes the
 * placeholder, so a card stays under 60 KB with its cover and under 150 KB
 * with five artists too. Pictures are never re-encoded.
 */
export const COVER_MAX_BYTES = 40_000;
export const AVATAR_MAX_BYTES = 12_000;
