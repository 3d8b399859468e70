/**
 * What the fake Spotify's player really had at each simulated instant, asked
 * of a second fake on the same clock and playlist (a fresh exchange and a
 * currently-playing read; its requests never count against the service's).
 * Every item seen is kept with the span it played, so a shown item's lag can
 * be measured from when it stopped playing.
 */
import { createFakeSpotify } from '../../test-support/fake-spotify/fake-spotify';

export interface PlayedItem {
  /** The item's open.spotify.com link, as the service's answer carries it. */
  url: string;
  /** Epoch ms. */
  startedAt: number;
  endsAt: number;
}

export interface PlayerTruth {
  /** The item playing at `at` (epoch ms, the clock's time now); read from the fake once per item. */
  current(at: number): Promise<PlayedItem>;
  /** The item that was playing at `at`, among those `current` has seen. */
  playingAt(at: number): PlayedItem | undefined;
}

export function createPlayerTruth(now: () => Date, playlistStartMs: number): PlayerTruth {
  const fake = createFakeSpotify({ scenario: 'playing', now, playlistStartMs });
  const seen: PlayedItem[] = [];

  async function read(at: number): Promise<PlayedItem> {
    const grant = await fake.fetch('https://accounts.spotify.com/api/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'truth' }),
    });
    const { access_token: token } = (await grant.json()) as { access_token: string };
    const player = await fake.fetch('https://api.spotify.com/v1/me/player/currently-playing', { headers: { Authorization: `Bearer ${token}` } });
    const body = (await player.json()) as { progress_ms: number; item: { duration_ms: number; external_urls: { spotify: string } } };
    const startedAt = at - body.progress_ms;
    return { url: body.item.external_urls.spotify, startedAt, endsAt: startedAt + body.item.duration_ms };
  }

  return {
    async current(at) {
      const last = seen.at(-1);
      if (last && last.startedAt <= at && at < last.endsAt) return last;
      const item = await read(at);
      seen.push(item);
      return item;
    },
    playingAt(at) {
      for (let index = seen.length - 1; index >= 0; index -= 1) {
        const item = seen[index]!;
        if (item.startedAt <= at && at < item.endsAt) return item;
        if (item.endsAt <= at) return undefined;
      }
      return undefined;
    },
  };
}
