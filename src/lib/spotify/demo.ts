import { ok, type Result } from './types';
import type { ListeningQuery } from './query';
import type { Artist, Listening, NowPlaying } from './types';

/**
 * Built-in demo data for a machine with no credentials: a few invented tracks
 * and artists as plain data. Pictures are small SVGs the site serves itself
 * (public/demo/), so demo mode needs no outside host. Nothing links anywhere:
 * the names are made up, so a Spotify link would lead nowhere.
 */

interface DemoTrack {
  title: string;
  artists: string[];
  album: string;
  cover: string;
  durationMs: number;
}

/** What the demo player loops through, in order. */
const PLAYLIST: readonly DemoTrack[] = [
  { title: 'Harbour Lights', artists: ['The Lanterns'], album: 'Night Ferry', cover: '/demo/cover-night-ferry.svg', durationMs: 214_000 },
  { title: 'Paper Satellites', artists: ['Mira Vale', 'Okonkwo & Sons'], album: 'Low Orbit', cover: '/demo/cover-low-orbit.svg', durationMs: 187_000 },
  { title: 'Slow Weather', artists: ['Juniper Drive'], album: 'Almanac', cover: '/demo/cover-almanac.svg', durationMs: 251_000 },
  { title: 'Updraft', artists: ['Kite Theory'], album: 'Paper Sky', cover: '/demo/cover-paper-sky.svg', durationMs: 198_000 },
];

const LOOP_MS = PLAYLIST.reduce((sum, track) => sum + track.durationMs, 0);

const TOP_ARTISTS: readonly Artist[] = [
  { name: 'The Lanterns', url: null, imageUrl: '/demo/artist-the-lanterns.svg' },
  { name: 'Mira Vale', url: null, imageUrl: '/demo/artist-mira-vale.svg' },
  { name: 'Juniper Drive', url: null, imageUrl: '/demo/artist-juniper-drive.svg' },
  { name: 'Okonkwo & Sons', url: null, imageUrl: '/demo/artist-okonkwo-and-sons.svg' },
  { name: 'Kite Theory', url: null, imageUrl: '/demo/artist-kite-theory.svg' },
  { name: 'Saltmarsh', url: null, imageUrl: '/demo/artist-saltmarsh.svg' },
];

/**
 * The demo player has been looping the playlist since the Unix epoch, so
 * every call works out the same moment from the clock alone: the progress
 * moves and the track changes over time, with no state kept between calls.
 */
function demoNowPlaying(at: number): NowPlaying {
  let elapsed = ((at % LOOP_MS) + LOOP_MS) % LOOP_MS;
  let index = 0;
  while (elapsed >= PLAYLIST[index]!.durationMs) {
    elapsed -= PLAYLIST[index]!.durationMs;
    index += 1;
  }
  const track = PLAYLIST[index]!;
  return {
    isPlaying: true,
    source: 'current',
    type: 'track',
    title: track.title,
    artists: track.artists.map((name) => ({ name, url: null })),
    album: track.album,
    imageUrl: track.cover,
    url: null,
    progressMs: elapsed,
    durationMs: track.durationMs,
    playedAt: null,
  };
}

/**
 * `origin`: the site's own origin, for answers read from elsewhere (the
 * `<listening-widget>` element on another site), whose pictures must not
 * resolve against the host page. The page and the card keep them relative.
 */
export async function getDemoListening(query: ListeningQuery, now: () => Date = () => new Date(), origin?: string): Promise<Result<Listening>> {
  const at = now();
  const picture = (path: string | null) => (path && origin ? new URL(path, origin).href : path);
  const playing = demoNowPlaying(at.getTime());
  return ok({
    nowPlaying: playing && { ...playing, imageUrl: picture(playing.imageUrl) },
    topArtists: TOP_ARTISTS.slice(0, query.limit).map((artist) => ({ ...artist, imageUrl: picture(artist.imageUrl) })),
    range: query.range,
    fetchedAt: at.toISOString(),
    demo: true,
  });
}

export const DEMO_NOTICE =
  'Spotify is not connected, so the widget shows built-in demo data. Run `npm run authorize` to connect your account.';
