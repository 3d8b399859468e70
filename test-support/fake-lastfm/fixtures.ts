/**
 * The fake Last.fm's data: invented names in Last.fm's real shapes, every
 * number a string, as the API sends them.
 */
import type { RawLastfmArtist, RawLastfmImage, RawLastfmTrack } from '../../src/lib/spotify/lastfm';

const CDN = 'https://lastfm.freetls.fastly.net/i/u';

/** The grey star Last.fm serves instead of a picture (every artist's since 2019). Written out here, not imported from the code under test. */
export const PLACEHOLDER_STAR_ID = '2a96cbd8b46e442fc41c2b86b821562f';

/** One picture in Last.fm's four sizes, smallest first, as it lists them. */
export function lastfmImages(id: string): RawLastfmImage[] {
  const sizes = [['small', '34s'], ['medium', '64s'], ['large', '174s'], ['extralarge', '300x300']] as const;
  return sizes.map(([size, path]) => ({ size, '#text': `${CDN}/${path}/${id}.png` }));
}

/** Last.fm's URL form of a name: `The Marram Grass` → `The+Marram+Grass`. */
const slug = (name: string) => encodeURIComponent(name).replace(/%20/g, '+');

function track(name: string, artist: string, album: string, imageId: string): RawLastfmTrack {
  return {
    artist: { mbid: '', '#text': artist },
    streamable: '0',
    image: lastfmImages(imageId),
    mbid: '',
    album: { mbid: '', '#text': album },
    name,
    url: `https://www.last.fm/music/${slug(artist)}/_/${slug(name)}`,
  };
}

/** What the fake's user is scrobbling now, in the `playing` scenario (without its `@attr`). */
export const LASTFM_NOW_PLAYING: RawLastfmTrack = track('Cedar Smoke', 'The Marram Grass', 'Dune Songs', 'c3d4a1f0e2b54d6f8a9b0c1d2e3f4a5b');

/** The last scrobble (without its `date`, which the fake sets from its clock). */
export const LASTFM_LAST_PLAYED: RawLastfmTrack = track('Long Division', 'Hollis & Rye', 'Arithmetic', '9e8d7c6b5a4f4e3d2c1b0a9f8e7d6c5b');

const TOP_NAMES = ['The Marram Grass', 'Hollis & Rye', 'Quillfeather', 'Brass Orchard', 'Noor Alley', 'Saltpan Radio', 'Wren Okafor', 'Low Tide Cinema'];

/** Top artists with pictures of their own, ranked, with play counts that fall by rank. */
export const LASTFM_TOP_ARTISTS: readonly RawLastfmArtist[] = TOP_NAMES.map((name, index) => ({
  streamable: '0',
  image: lastfmImages(`a${index}f00d0000000000000000000000000`.slice(0, 32)),
  mbid: '',
  url: `https://www.last.fm/music/${slug(name)}`,
  playcount: String(900 - index * 97),
  '@attr': { rank: String(index + 1) },
  name,
}));
