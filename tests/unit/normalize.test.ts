/**
 * The normalizers: Spotify's loose JSON in, the contract's complete shapes out.
 * They must never throw on missing fields and never emit empty strings.
 */
import { describe, expect, it } from 'vitest';
import { pickImage } from '../../src/lib/spotify/normalize';
import { linkOn, normalizeCurrentlyPlaying, normalizeRecentlyPlayed, normalizeTopArtists, text } from '../../src/lib/spotify/normalize';
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

describe('what Spotify may send: links, sizes and numbers', () => {
  const HOSTILE_LINKS = [
    'https://open.spotify.com\\@evil.example/',
    'https://open%2espotify.com/x',
    'https://open.spotify.com:8443/x',
    'http://open.spotify.com/x',
    'https://user:pass@open.spotify.com/x',
    'https://open.spotify.com.evil.example/x',
    'https://open.spotify.com/x"><script>alert(1)</script>',
  ];
  const playing = (track: Partial<typeof PLAYLIST[0]>, progress = 1_000) =>
    normalizeCurrentlyPlaying({ is_playing: true, currently_playing_type: 'track', progress_ms: progress, item: { ...PLAYLIST[0]!, ...track } })!;

  it('lets a link out only as an https URL on exactly open.spotify.com, with no user info or port, serialized again', () => {
    for (const raw of HOSTILE_LINKS) {
      const url = playing({ external_urls: { spotify: raw } }).url;
      expect(url, raw).not.toBe(raw);
      if (url !== null) expect([new URL(url).host, url]).toEqual(['open.spotify.com', new URL(url).href]);
    }
    expect(linkOn('open.spotify.com', 'https://open.spotify.com/track/abc')).toBe('https://open.spotify.com/track/abc');
    expect(linkOn('open.spotify.com', 'https://open.spotify.com:8443/x'), 'a port').toBeNull();
    expect(linkOn('open.spotify.com', 'https://u@open.spotify.com/x'), 'user info').toBeNull();
    expect(linkOn('open.spotify.com', `https://open.spotify.com/${'x'.repeat(5_000)}`), 'oversized').toBeNull();
  });

  it('cuts every text field to a few hundred characters, with an ellipsis, and caps the credits', () => {
    const huge = 'A'.repeat(200_000);
    const item = playing({ name: huge, album: { ...PLAYLIST[0]!.album!, name: huge }, artists: Array.from({ length: 500 }, () => ({ name: huge })) });
    expect(item.title.length).toBeLessThanOrEqual(300);
    expect(item.title.endsWith('…')).toBe(true);
    expect(item.album!.length).toBeLessThanOrEqual(300);
    expect(item.artists.length).toBeLessThanOrEqual(10);
    expect(JSON.stringify(item).length, 'the whole item').toBeLessThan(10_000);
    expect(text(`${'a'.repeat(298)}😀😀`), 'never half a surrogate pair').toBe(`${'a'.repeat(298)}…`);
  });

  it('reads a duration of 0 or less as unknown, clamps progress to the duration, and drops an absurd progress', () => {
    expect(playing({ duration_ms: 0 }, 1).durationMs).toBeNull();
    expect(playing({ duration_ms: -5 }).durationMs).toBeNull();
    expect(playing({ duration_ms: 1_686_230 }, 2_147_483_648).progressMs, 'clamped').toBe(1_686_230);
    expect(playing({ duration_ms: 200_000 }, -1).progressMs).toBeNull();
    expect(playing({ duration_ms: undefined }, 1e13).progressMs, 'no duration, absurd').toBeNull();
    expect(playing({ duration_ms: undefined }, 90_000).progressMs, 'no duration, plausible').toBe(90_000);
  });
});
