import { Fragment } from 'preact';
import type { NowPlaying } from '../lib/spotify/types';
import Art from './Art';
import Equalizer from './Equalizer';
import { clock, statusOf } from '../lib/format';
import Link from './Link';

/** Matches the .lw-cover box; the core picks an image of at least 300 px for it. */
const COVER_PX = 112;

/** `stale`: the data is no longer updating (a poll failed), so nothing may claim to be live. */
type Props = { item: NowPlaying; fetchedAt: string; now: number; stale?: boolean };

/**
 * The current or last played item. While it plays, the position moves on
 * locally from `fetchedAt` (the caller holds `now` still for stale data).
 */
export default function Track({ item, fetchedAt, now, stale }: Props) {
  const { durationMs: total, progressMs } = item;
  const elapsed = item.isPlaying ? Math.max(0, now - Date.parse(fetchedAt)) : 0;
  const position = total && progressMs !== null ? Math.min(total, progressMs + elapsed) : null;
  return (
    <div class="lw-np">
      <Art
        key={item.imageUrl}
        src={item.imageUrl}
        size={COVER_PX}
        alt={`Cover of ${item.album || item.title}`}
        class="lw-cover"
      />
      <div class="lw-meta">
        <p class="lw-status">
          {item.isPlaying && !stale && <Equalizer />}
          <span>{statusOf(item, now, stale)}</span>
        </p>
        <p class="lw-title" data-field="title" title={item.title}>
          <Link href={item.url}>{item.title}</Link>
        </p>
        {item.artists.length > 0 && (
          <p class="lw-muted">
            {item.artists.map((artist, i) => (
              <Fragment key={i}>
                {i > 0 && ', '}
                <Link href={artist.url}>{artist.name}</Link>
              </Fragment>
            ))}
          </p>
        )}
        {item.album && (
          <p class="lw-muted lw-album">
            <bdi>{item.album}</bdi>
          </p>
        )}
        {position !== null && (
          <div class="lw-prog">
            <span>{clock(position)}</span>
            <progress max={total!} value={position} aria-label="Playback position" />
            <span>{clock(total!)}</span>
          </div>
        )}
      </div>
    </div>
  );
}
