/**
 * The widget's states, built from the one set of fixtures: each runs the real
 * core (token exchange, reads, normalization) against the in-memory fake
 * Spotify in one scenario. Used by the dev states page (which loads it only
 * under the dev server) and the component tests; never imported by the island.
 */
import { getDemoListening } from '../src/lib/spotify/demo';
import { readListeningAfresh } from '../src/lib/spotify/listening';
import { DEFAULT_QUERY, type ListeningQuery } from '../src/lib/spotify/query';
import type { Listening } from '../src/lib/spotify/types';
import { createFakeSpotify, type FakeSpotifyOptions } from './fake-spotify/fake-spotify';
import type { ScenarioName } from './fake-spotify/scenarios';

/** What the island is given by the server render. */
export interface Start {
  initial: Listening | null;
  failed: boolean;
}

export interface StateExample extends Start {
  title: string;
  note: string;
}

/** The core's answer for one fake Spotify scenario, at a fixed time. `fake` tunes the fake (e.g. where the playlist is). */
export async function scenarioStart(
  scenario: ScenarioName,
  now: Date,
  query: ListeningQuery = DEFAULT_QUERY,
  fake: Omit<FakeSpotifyOptions, 'scenario' | 'now'> = {},
): Promise<Start> {
  const spotify = createFakeSpotify({ ...fake, scenario, now: () => now });
  const result = await readListeningAfresh({
    fetch: spotify.fetch,
    query,
    now: () => now,
    config: {
      clientId: 'states',
      clientSecret: 'states',
      refreshToken: 'states',
      accountsUrl: 'https://accounts.spotify.invalid',
      apiUrl: 'https://api.spotify.invalid',
      refreshTokenIssuedAt: null,
    },
  });
  return result.ok ? { initial: result.value, failed: false } : { initial: null, failed: true };
}

/** Every state the widget can be in, side by side on the states page. */
export async function stateExamples(now: Date, query: ListeningQuery = DEFAULT_QUERY): Promise<StateExample[]> {
  const at = (scenario: ScenarioName) => scenarioStart(scenario, now, query);
  const demo = await getDemoListening(query, () => now);
  const playing = await at('playing');
  return [
    { title: 'Loading', note: 'Server render ran out of time; the island fetches.', initial: null, failed: false },
    { title: 'Playing', note: 'Equalizer bars; the position moves locally.', ...playing },
    { title: 'Paused', note: 'A track is loaded but paused.', ...(await at('paused')) },
    { title: 'Last played', note: 'Nothing current; the relative time stays current.', ...(await at('last_played')) },
    { title: 'Podcast episode', note: 'The show is linked as the artist.', ...(await at('episode')) },
    { title: 'Nothing to show', note: 'Empty history and no top artists.', ...(await at('empty_history')) },
    { title: 'Demo', note: 'Built-in demo data carries a small label.', initial: demo.ok ? demo.value : null, failed: !demo.ok },
    { title: 'Error, last data kept', note: 'A poll failed after good data.', initial: playing.initial, failed: true },
    { title: 'Error, no data', note: 'Spotify failed before any good data (revoked token).', ...(await at('revoked')) },
    { title: 'Top artists failed', note: 'The token lacks user-top-read; now playing still works.', ...(await at('scope_missing')) },
    { title: 'Local file', note: 'No links and no album art: placeholders keep the size.', ...(await at('local_file')) },
    { title: 'Ad playing', note: 'Falls back to the last played track.', ...(await at('ad')) },
    { title: 'Hostile text', note: 'Markup, right-to-left and very long names render as text.', ...(await at('hostile')) },
  ];
}
