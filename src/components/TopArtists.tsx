import type { Artist, TimeRange } from '../lib/spotify/types';
import Art from './Art';
import { RANGE_WORDS } from '../lib/format';
import Link from './Link';

/** Matches the .lw-avatar box; Spotify's 160 px image covers it on dense screens. */
const AVATAR_PX = 56;

type Props = { artists: Artist[] | null; range: TimeRange };

export default function TopArtists({ artists, range }: Props) {
  return (
    <div class="lw-top">
      <h3 class="lw-sub">
        Top artists <span class="lw-muted">· {RANGE_WORDS[range]}</span>
      </h3>
      {artists?.length ? (
        <ul class="lw-row" data-field="top-artists">
          {/* By position: names repeat, and an artist may have no link to key by. */}
          {artists.map((artist, i) => (
            <li key={i}>
              <Link href={artist.url} class="lw-artist">
                <Art key={artist.imageUrl} src={artist.imageUrl} size={AVATAR_PX} alt="" class="lw-avatar" />
                <span>{artist.name}</span>
              </Link>
            </li>
          ))}
        </ul>
      ) : (
        <p class="lw-note">{artists ? 'No top artists yet' : 'Top artists are unavailable right now'}</p>
      )}
    </div>
  );
}
