/**
 * The normalizers: Spotify's loose JSON in, the contract's complete shapes out.
 * They must never throw on missing fields and never emit empty strings.
 */
import { describe, expect, it } from 'vitest';
import { pickImage } from '../../src/lib/spotify/normalize';
import { normalizeCurrentlyPlaying, normalizeRecentlyPlayed, normalizeTopArtists } from '../../src/lib/spotify/normalize';
import { ARTIST_WITHOUT_IMAGE, EPISODE, HOSTILE_TRACK, PLAYLIST, TOP_ARTISTS } from '../../test-support/fixtures';

describe('pickImage', () => {
  const sized = (...widths: number[]) => widths.map((width) => ({ url: `https://i.scdn.co/${width}`, width, height: width }));

  it('picks the smallest image at least as wide as the slot', () => {
    expect(pickImage(sized(640, 300, 64), 300)).toBe('https://i.scdn.co/300');
    expect(pickImage(sized(64, 640, 300), 200)).toBe('https://i.scdn.co/300');
  });

  it('falls back to the largest image when none covers the slot', () => {
    expect(pickImage(sized(64, 120), 300)).toBe('https://i.scdn.co/120');
  });

  it('returns null for no images, and drops anything that is not https', () => {
    expect(pickImage([], 300)).toBeNull();
    expect(pickImage(null, 300)).toBeNull();
    expect(pickImage([{ url: 'http://i.scdn.co/x', width: 640 }, { url: '', width: 300 }, { url: 'javascript:alert(1)' }], 300)).toBeNull();
    expect(pickImage([{ url: 'http://i.scdn.co/x', width: 640 }, { url: 'https://i.scdn.co/ok', width: 64 }], 300)).toBe(
      'https://i.scdn.co/ok',
    );
  });

  it('treats an image without a width (a mosaic) as large enough', () => {
    expect(pickImage([{ url: 'https://mosaic.scdn.co/m', width: null, height: null }], 300)).toBe('https://mosaic.scdn.co/m');
  });
});

describe('normalizeCurrentlyPlaying', () => {
  it('returns null for nothing playing, ads, unknown items and shells', () => {
    expect(normalizeCurrentlyPlaying(null)).toBeNull();
    expect(normalizeCurrentlyPlaying({ is_playing: true, currently_playing_type: 'ad', item: null })).toBeNull();
    expect(normalizeCurrentlyPlaying({ is_playing: true, currently_playing_type: 'unknown', item: PLAYLIST[0]! })).toBeNull();
    expect(normalizeCurrentlyPlaying({ is_playing: true, currently_playing_type: 'track', item: { name: '', artists: [] } })).toBeNull();
  });

  it('treats a null progress as unknown rather than NaN', () => {
    const item = normalizeCurrentlyPlaying({ is_playing: true, currently_playing_type: 'track', progress_ms: null, item: PLAYLIST[0]! });
    expect(item?.progressMs).toBeNull();
    expect(item?.durationMs).toBe(PLAYLIST[0]!.duration_ms);
  });

  it('uses the show image when an episode has none of its own', () => {
    const item = normalizeCurrentlyPlaying({
      is_playing: true,
      currently_playing_type: 'episode',
      item: { ...EPISODE, images: [] },
    });
    expect(item?.imageUrl).toBe('https://i.scdn.co/image/show-signal-300');
  });

  it('keeps hostile names as plain data and drops non-https links and images', () => {
    const item = normalizeCurrentlyPlaying({ is_playing: true, currently_playing_type: 'track', item: HOSTILE_TRACK });
    expect(item?.title).toBe(HOSTILE_TRACK.name);
    expect(item?.artists[1]).toMatchObject({ url: null });
    expect(item?.imageUrl).toBeNull();
  });
});

describe('links', () => {
  it('keeps only open.spotify.com links', () => {
    const track = (url: string) => ({ ...PLAYLIST[0]!, external_urls: { spotify: url } });
    const linkOf = (url: string) => normalizeCurrentlyPlaying({ is_playing: true, currently_playing_type: 'track', item: track(url) })?.url;
    expect(linkOf('https://open.spotify.com/track/1')).toBe('https://open.spotify.com/track/1');
    expect(linkOf('https://evil.example/track/1')).toBeNull();
    expect(linkOf('http://open.spotify.com/track/1')).toBeNull();
    expect(linkOf('')).toBeNull();
  });
});

describe('normalizeRecentlyPlayed', () => {
  it('returns null for an empty history or a malformed entry', () => {
    expect(normalizeRecentlyPlayed({ items: [] })).toBeNull();
    expect(normalizeRecentlyPlayed({})).toBeNull();
    expect(normalizeRecentlyPlayed({ items: [{ track: null, played_at: '2026-01-01T00:00:00Z' }] })).toBeNull();
  });

  it('keeps playedAt only when it is a real time', () => {
    const item = normalizeRecentlyPlayed({ items: [{ track: PLAYLIST[0]!, played_at: 'yesterday-ish' }] });
    expect(item?.playedAt).toBeNull();
  });
});

describe('normalizeTopArtists', () => {
  it('keeps names, links and an avatar-sized image, and skips nameless entries', () => {
    const artists = normalizeTopArtists({ items: [TOP_ARTISTS[0]!, ARTIST_WITHOUT_IMAGE, { name: '  ', images: [] }] });
    expect(artists).toEqual([
      { name: TOP_ARTISTS[0]!.name, url: TOP_ARTISTS[0]!.external_urls!.spotify, imageUrl: 'https://i.scdn.co/image/artist-0-160' },
      { name: ARTIST_WITHOUT_IMAGE.name, url: ARTIST_WITHOUT_IMAGE.external_urls!.spotify, imageUrl: null },
    ]);
  });
});
