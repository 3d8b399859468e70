import type { ComponentChildren, ComponentType } from 'preact';
import { useRef } from 'preact/hooks';
import { CLOCK_TICK_MS, IDLE_CLOCK_TICK_MS } from '../lib/spotify/limits';
import type { Listening } from '../lib/spotify/types';
import type { ThemeName } from '../lib/themes';
import type { CompactProps } from './Compact';
import { UNAVAILABLE, ago, statusOf } from '../lib/format';
import Link from './Link';
import Skeleton from './Skeleton';
import TopArtists from './TopArtists';
import Track from './Track';
import { useListening, useNow } from './use-listening';
import './themes.css';
import './listening.css';

export type WidgetState = 'loading' | 'playing' | 'paused' | 'recent' | 'episode' | 'empty' | 'error';

export type Props = {
  /** Server-rendered data; null when the server render ran out of time or failed. */
  initial: Listening | null;
  /** The server render failed: show the quiet error until the island gets data. */
  failed?: boolean;
  /** Epoch ms before which the island must not ask again: Spotify's Retry-After when the server render was rate-limited. */
  retryAt?: number;
  /** `/api/spotify` with the page's query. */
  url: string;
  /** Poll interval in ms; 0 keeps the data as given (the states page). */
  pollMs: number;
  showTopArtists: boolean;
  /** How many top artists the skeleton reserves room for. */
  count: number;
  /** A preset of src/lib/themes.ts; absent, the widget follows the visitor's light or dark setting. */
  theme?: ThemeName;
  /**
   * The one-line layout (src/components/Compact.tsx) instead of the card: the
   * element passes it for `layout="compact"`. Passed rather than imported, so
   * the page's island, which never shows it, does not carry it.
   */
  compact?: ComponentType<CompactProps>;
  /**
   * The Spotify mark (SpotifyMark.tsx), shown beside Spotify's data and demo data: given as
   * children, so the page renders it on the server. Last.fm's data gets its credit from the island.
   */
  children?: ComponentChildren;
};

/** The "what I'm listening to" widget: the page's island. */
export default function ListeningWidget({ initial, failed = false, retryAt, url, pollMs, showTopArtists, count, theme, compact: Compact, children }: Props) {
  const { data, failed: down } = useListening(url, initial, failed, pollMs, retryAt);
  const item = data?.nowPlaying;
  // The server could not refresh (Spotify refused, or the daily budget is spent): still the
  // owner's music, just older. It says when it was read, and claims nothing live.
  const stale = Boolean(data?.stale);
  // Ticks every second while a position moves, unless the visitor asked for less motion;
  // otherwise often enough to keep "12 min ago" current. Stale data (a poll failed) holds
  // the position where it is: only Spotify can say it moved on. (No matchMedia on the server.)
  const still = globalThis.matchMedia?.('(prefers-reduced-motion: reduce)').matches;
  const now = useNow(!item?.isPlaying || still ? IDLE_CLOCK_TICK_MS : down || stale ? 0 : CLOCK_TICK_MS);
  const state: WidgetState = !data
    ? down ? 'error' : 'loading'
    : down || data.errors?.nowPlaying ? 'error'
    : !item ? 'empty'
    : item.type === 'episode' ? 'episode'
    : item.source === 'recent' ? 'recent'
    : item.isPlaying ? 'playing' : 'paused';

  // Each source's data carries its own credit and only that one: Spotify's the mark, Last.fm's
  // its name (read out as "Listening data from Last.fm"), linked to the owner's profile. Drawn
  // here, not by the page, because a later poll may change the source (Spotify locked out,
  // Last.fm covering). Linked only onto Last.fm itself: the answer may come from another
  // deployment or a proxy.
  const credit = data?.service === 'lastfm' ? (
    <Link href={data.profileUrl?.startsWith('https://www.last.fm/') ? data.profileUrl : null} class="lw-brand">
      <span class="lw-sr">Listening data from </span>Last.fm
    </Link>
  ) : children;

  // Announce changes only: the first track is already on screen when the page loads. After the
  // first change, every text is news, a return to the first track included.
  const said = item ? `${statusOf(item, 0).replace(/ ·.*/, '')}: ${item.title}${item.artists.length ? ` by ${item.artists.map((a) => a.name).join(', ')}` : ''}` : '';
  const first = useRef<string | null>(said);
  if (first.current !== said) first.current = null;

  const section = {
    'aria-label': "What I'm listening to",
    'aria-busy': state === 'loading',
    'data-widget': 'listening',
    'data-state': state,
    'data-demo': data?.demo && '',
    'data-theme': theme,
  };
  const news = (
    <p class="lw-sr" aria-live="polite">
      {first.current === null && said}
    </p>
  );
  if (Compact) {
    return (
      <section class="lw lw-compact" {...section}>
        <Compact data={data} state={state} now={now} stale={down || stale} />
        {credit}
        {news}
      </section>
    );
  }

  return (
    <section class="lw" {...section}>
      <div class="lw-head">
        <h2 class="lw-h">Listening</h2>
        {data?.demo && <span class="lw-badge">Demo data</span>}
        {down && data && <span class="lw-badge">Not updating</span>}
        {stale && !down && data && (
          <span class="lw-badge" data-field="updated">
            Updated {ago(data.fetchedAt, now)}
          </span>
        )}
        {credit}
      </div>
      {!data ? (
        // The quiet error covers a hidden skeleton, so the widget keeps one size through
        // loading, failing and recovering: nothing below it moves.
        <div class="lw-void">
          <Skeleton count={showTopArtists ? count : 0} />
          {down && <p class="lw-quiet">{UNAVAILABLE}</p>}
        </div>
      ) : item ? (
        <Track
          item={item}
          fetchedAt={data.fetchedAt}
          // A stale position stays where Spotify last put it.
          now={stale && item.isPlaying ? Date.parse(data.fetchedAt) : now}
          stale={down || stale}
        />
      ) : (
        <div class="lw-np">
          <span class="lw-cover lw-ph" aria-hidden="true" />
          <p class="lw-quiet">{data.errors?.nowPlaying ? UNAVAILABLE : 'Nothing playing right now'}</p>
        </div>
      )}
      {data && showTopArtists && <TopArtists artists={data.topArtists} range={data.range} />}
      {news}
    </section>
  );
}
