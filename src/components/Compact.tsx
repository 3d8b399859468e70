import { Fragment } from 'preact';
import type { Listening } from '../lib/spotify/types';
import Art from './Art';
import Equalizer from './Equalizer';
import { UNAVAILABLE, statusOf } from '../lib/format';
import Link from './Link';
import type { WidgetState } from './ListeningWidget';

/** Matches the .lw-mini box; the 300 px cover the core picks covers it on any screen. */
const MINI_PX = 40;

export type CompactProps = { data: Listening | null; state: WidgetState; now: number; stale: boolean };

/**
 * The one-line layout (`layout="compact"` on the element): art, title and
 * artists. The status ("Last played · 2 hours ago") is read out before the
 * title and shown on hover, so an old track never passes for a live one.
 */
export default function Compact({ data, state, now, stale }: CompactProps) {
  const item = data?.nowPlaying;
  if (!item) {
    // Worked out here rather than by the island, so the page's script does not carry it.
    const message = state === 'error' ? UNAVAILABLE : state === 'empty' ? 'Nothing playing right now' : null;
    return (
      <div class="lw-one">
        <span class={`lw-mini ${state === 'loading' ? 'lw-sk' : 'lw-ph'}`} aria-hidden="true" />
        {message ? <p class="lw-quiet">{message}</p> : <span class="lw-line lw-sk" aria-hidden="true" />}
      </div>
    );
  }
  const status = statusOf(item, now, stale);
  return (
    <div class="lw-one" title={status}>
      <Art key={item.imageUrl} src={item.imageUrl} size={MINI_PX} alt="" class="lw-mini" />
      {item.isPlaying && !stale && <Equalizer />}
      <p>
        <span class="lw-sr">{status}: </span>
        <span data-field="title">
          <Link href={item.url} class="lw-title">
            {item.title}
          </Link>
        </span>
        {item.artists.length > 0 && <span class="lw-muted"> · </span>}
        {item.artists.map((artist, i) => (
          <Fragment key={i}>
            {i > 0 && <span class="lw-muted">, </span>}
            <Link href={artist.url} class="lw-muted">
              {artist.name}
            </Link>
          </Fragment>
        ))}
      </p>
    </div>
  );
}
