import { ok, type Result } from './types';
import type { ListeningQuery } from './query';
import type { Listening } from './types';

/**
 * Built-in demo data for a machine with no credentials: a few invented tracks
 * and artists as plain data. Pictures are small SVGs the site serves itself
 * (public/demo/), so demo mode needs no outside host. Nothing links anywhere:
 * the names are made up, so a Spotify link would lead nowhere.
 */

/** What the demo player loops through, in order: title, artists (joined by "|"), album, seconds. */
const PLAYLIST = [
  ['Harbour Lights', 'The Lanterns', 'Night Ferry', 214],
  ['Paper Satellites', 'Mira Vale|Okonkwo & Sons', 'Low Orbit', 187],
  ['Slow Weather', 'Juniper Drive', 'Almanac', 251],
  ['Updraft', 'Kite Theory', 'Paper Sky', 198],
] as const;

const LOOP_MS = PLAYLIST.reduce((sum, track) => sum + track[3] * 1_000, 0);

const TOP_ARTISTS = ['The Lanterns', 'Mira Vale', 'Juniper Drive', 'Okonkwo & Sons', 'Kite Theory', 'Saltmarsh'];

/**
 * `origin`: the site's own origin, for answers read from elsewhere (the
 * `<listening-widget>` element on another site), whose pictures must not
 * resolve against the host page. The page and the card keep them relative.
 *
 * The demo player has been looping the playlist since the Unix epoch, so
 * every call works out the same moment from the clock alone: the progress
 * moves and the track changes over time, with no state kept between calls.
 */
export async function getDemoListening(query: ListeningQuery, now: () => Date = () => new Date(), origin?: string): Promise<Result<Listening>> {
  const at = now();
  /** The picture's file in public/demo/ ("Okonkwo & Sons" is artist-okonkwo-and-sons.svg), after `origin` when given. */
  const url = (kind: string, name: string) => `${origin ?? ''}/demo/${kind}-${name.toLowerCase().replace('&', 'and').replace(/ +/g, '-')}.svg`;
  let elapsed = ((at.getTime() % LOOP_MS) + LOOP_MS) % LOOP_MS;
  let i = 0;
  while (elapsed >= PLAYLIST[i]![3] * 1_000) elapsed -= PLAYLIST[i++]![3] * 1_000;
  const [title, artists, album, seconds] = PLAYLIST[i]!;
  return ok({
    nowPlaying: {
      isPlaying: true,
      source: 'current',
      type: 'track',
      title,
      artists: artists.split('|').map((name) => ({ name, url: null })),
      album,
      imageUrl: url('cover', album),
      url: null,
      progressMs: elapsed,
      durationMs: seconds * 1_000,
      playedAt: null,
    },
    topArtists: TOP_ARTISTS.slice(0, query.limit).map((name) => ({ name, url: null, imageUrl: url('artist', name) })),
    range: query.range,
    fetchedAt: at.toISOString(),
    demo: true,
  });
}

export const DEMO_NOTICE =
  'Spotify is not connected, so the widget shows built-in demo data. Run `npm run authorize` to connect your account.';
