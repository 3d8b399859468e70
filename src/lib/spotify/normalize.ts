import { MAX_CREDITS, MAX_PLAUSIBLE_PROGRESS_MS, MAX_TEXT_CHARS, MAX_URL_CHARS, TOP_ARTISTS_READ_LIMIT } from './limits';
import type { Artist, ArtistCredit, NowPlaying } from './types';
import type { RawArtist, RawCurrentlyPlaying, RawEpisode, RawExternalUrls, RawImage, RawRecentlyPlayed, RawTopArtists, RawTrack } from './wire';

/**
 * The player's current item, or null when there is nothing to show from it:
 * nothing playing, an ad, an unknown type, or an item too empty to display.
 * Null sends the caller to the recently-played fallback.
 */
export function normalizeCurrentlyPlaying(raw: RawCurrentlyPlaying | null): NowPlaying | null {
  const kind = raw?.currently_playing_type ?? raw?.item?.type;
  const base = raw?.item && (kind === 'track' || kind === 'episode') ? fromItem(kind, raw.item) : null;
  return base && { ...base, isPlaying: raw!.is_playing === true, source: 'current', progressMs: progressWithin(raw!.progress_ms, base.durationMs), playedAt: null };
}

export function normalizeRecentlyPlayed(raw: RawRecentlyPlayed | null): NowPlaying | null {
  const entry = raw?.items?.[0];
  const base = entry?.track ? fromItem('track', entry.track) : null;
  const playedAt = new Date(entry?.played_at ?? Number.NaN);
  return base && { ...base, isPlaying: false, source: 'recent', progressMs: null, playedAt: Number.isNaN(playedAt.getTime()) ? null : playedAt.toISOString() };
}

export function normalizeTopArtists(raw: RawTopArtists | null): Artist[] {
  const artists = Array.isArray(raw?.items) ? raw.items.slice(0, TOP_ARTISTS_READ_LIMIT) : [];
  // Each named as a track's artists are (or dropped without a name), with its picture.
  return artists.flatMap((artist) => credits([artist]).map((credit) => ({ ...credit, imageUrl: pickImage(artist.images, AVATAR_MIN_WIDTH) })));
}

/** A track or an episode, as Spotify may send either. */
type RawItem = Omit<RawTrack, 'type'> & Omit<RawEpisode, 'type'>;

/**
 * The fields a track and an episode share. An episode has neither album nor
 * artists: it is filed under its show, credited to the show's publisher, and
 * pictured by its own images or else the show's. A track has no images of its
 * own, so it is pictured by its album's.
 */
function fromItem(type: NowPlaying['type'], item: RawItem): Omit<NowPlaying, 'isPlaying' | 'source' | 'progressMs' | 'playedAt'> | null {
  const { show } = item;
  const album = item.album ?? show;
  const title = text(item.name);
  const artists = credits(item.artists ?? [{ name: show?.publisher, external_urls: show?.external_urls }]);
  const albumName = text(album?.name);
  // An item with no title and nothing else to name it by is a shell: showing it would be an empty hole.
  if (!title && !artists.length && !albumName) return null;
  return {
    type,
    title: title ?? 'Unknown title',
    artists,
    album: albumName,
    imageUrl: pickImage(item.images?.length ? item.images : album?.images, COVER_MIN_WIDTH),
    url: spotifyUrl(item.external_urls),
    durationMs: positive(item.duration_ms),
  };
}

function credits(artists: RawArtist[] | null | undefined): ArtistCredit[] {
  return (Array.isArray(artists) ? artists : []).flatMap((artist) => {
    const name = text(artist?.name);
    return name ? [{ name, url: spotifyUrl(artist.external_urls) }] : [];
  }).slice(0, MAX_CREDITS);
}

/**
 * Trimmed text, or null for missing and empty strings (local files send "").
 * Capped where Spotify's data enters, so every surface (the answer, the page,
 * the element, the card's title and aria text) stays within its size.
 */
export function text(value: unknown): string | null {
  const trimmed = typeof value === 'string' ? value.trim() : '';
  if (!trimmed) return null;
  // Never cut a surrogate pair in half: a high surrogate left last goes too.
  return trimmed.length <= MAX_TEXT_CHARS ? trimmed : `${trimmed.slice(0, MAX_TEXT_CHARS - 1).replace(/[\uD800-\uDBFF]$/, '').trimEnd()}…`;
}

/**
 * The one link rule, by URL parsing: https, exactly `host`, no user info, no
 * port, and the parsed URL serialized again, so a strict RFC 3986 parser reads
 * the same host as a browser. Anything else is no link.
 */
export function linkOn(host: string, raw: unknown): string | null {
  const url = typeof raw === 'string' && isHttps(raw) ? new URL(raw) : null;
  return url?.hostname === host && !url.username && !url.password && !url.port ? url.href : null;
}

const spotifyUrl = (urls: RawExternalUrls | null | undefined) => linkOn('open.spotify.com', urls?.spotify);

/** A finite number above 0, rounded; else null (a duration of 0 or less is unknown). */
export function positive(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.round(value) : null;
}

/** Clamped to the item's duration when it is known; null when negative or, without a duration, absurd. */
function progressWithin(value: unknown, durationMs: number | null): number | null {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return null;
  const limit = durationMs ?? MAX_PLAUSIBLE_PROGRESS_MS;
  return durationMs === null && value > limit ? null : Math.min(Math.round(value), limit);
}

/**
 * The now-playing slot is 112 CSS px, 224 device px on a 2x screen: Spotify's
 * 300 px size (of 640, 300 and 64) is the smallest that covers it; 64 would blur.
 */
export const COVER_MIN_WIDTH = 300;
/** Top-artist avatars are 56 px; 160 px covers them on screens up to 2.8x. */
export const AVATAR_MIN_WIDTH = 160;

/**
 * The smallest https image at least `minWidth` wide, else the largest one.
 * Images without a width (mosaics) count as large: Spotify leaves the width
 * out only for composites built at full size.
 */
export function pickImage(images: RawImage[] | null | undefined, minWidth: number): string | null {
  const width = (image: RawImage) => image.width ?? Infinity;
  // Smallest first; the sort is stable, so of two the same size the first sent stays first.
  const bySize = (images ?? []).filter((image) => isHttps(image.url)).sort((a, b) => width(a) - width(b));
  return (bySize.find((image) => width(image) >= minWidth) ?? bySize.at(-1))?.url ?? null;
}

/** Only https URLs leave the server: no http, no javascript:, no empty strings, nothing oversized. */
export function isHttps(url: string | null | undefined): url is string {
  return !!url && url.length <= MAX_URL_CHARS && URL.parse(url)?.protocol === 'https:';
}
