/**
 * What a visitor should see for each fake Spotify scenario. A Record over
 * every scenario name: a scenario added to the fake without an expectation
 * here fails type-checking, so the e2e suite keeps covering them all.
 */
import { EPISODE, HOSTILE_TRACK, LOCAL_FILE_TRACK, PLAYLIST } from '../../../test-support/fixtures';
import type { ScenarioName } from '../../../test-support/fake-spotify/scenarios';
import type { WidgetState } from './widget';

export interface Expectation {
  state: WidgetState;
  /** The title the widget shows; null when it shows no item. */
  title: string | null;
  /** Whether the island's own requests to /api/spotify fail in this scenario. */
  apiFails: boolean;
}

/** Fixture names are optional in the wire types; these fixtures all have one. */
function nameOf(item: { name?: string | null } | undefined): string {
  if (!item?.name) throw new Error('a fixture the e2e expectations use has no name');
  return item.name;
}

const playingTitle = nameOf(PLAYLIST[0]);
const lastPlayedTitle = nameOf(PLAYLIST[1]);
const failing: Expectation = { state: 'error', title: null, apiFails: true };

export const EXPECTED: Record<ScenarioName, Expectation> = {
  playing: { state: 'playing', title: playingTitle, apiFails: false },
  paused: { state: 'paused', title: playingTitle, apiFails: false },
  last_played: { state: 'recent', title: lastPlayedTitle, apiFails: false },
  episode: { state: 'episode', title: nameOf(EPISODE), apiFails: false },
  ad: { state: 'recent', title: lastPlayedTitle, apiFails: false },
  local_file: { state: 'playing', title: nameOf(LOCAL_FILE_TRACK), apiFails: false },
  hostile: { state: 'playing', title: nameOf(HOSTILE_TRACK), apiFails: false },
  empty_history: { state: 'empty', title: null, apiFails: false },
  scope_missing: { state: 'playing', title: playingTitle, apiFails: false },
  rotation: { state: 'playing', title: playingTitle, apiFails: false },
  revoked: failing,
  rate_limited: failing,
  quota: failing,
  down: failing,
  malformed: failing,
  hung: failing,
};
