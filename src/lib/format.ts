import type { NowPlaying, TimeRange } from './spotify/types';

/** The top-artists period in words, as visitors read it. */
export const RANGE_WORDS: Record<TimeRange, string> = {
  short_term: 'Last 4 weeks',
  medium_term: 'Last 6 months',
  long_term: 'All time',
};

/** The quiet error, when there has never been data to show. */
export const UNAVAILABLE = 'Listening data is unavailable right now';

const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'} ago`;

/** "just now", "12 min ago", "3 hours ago", "2 days ago". Never NaN: bad or future times read "just now". */
export function ago(iso: string, now: number): string {
  const min = Math.floor((now - Date.parse(iso)) / 60_000);
  if (!(min >= 1)) return 'just now';
  if (min < 60) return `${min} min ago`;
  const hours = Math.floor(min / 60);
  return hours < 24 ? plural(hours, 'hour') : plural(Math.floor(hours / 24), 'day');
}

/** 83 000 ms → "1:23". */
export function clock(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** What the status line says (the widget, the element and the card), e.g. "Now playing", "Paused · Podcast", "Last played · 12 min ago", "Was playing". */
export function statusOf(item: NowPlaying, now: number, stale?: boolean): string {
  if (item.source === 'recent') return item.playedAt ? `Last played · ${ago(item.playedAt, now)}` : 'Last played';
  return (item.isPlaying ? (stale ? 'Was playing' : 'Now playing') : 'Paused') + (item.type === 'episode' ? ' · Podcast' : '');
}
