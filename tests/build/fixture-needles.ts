import { SCENARIOS } from '../../test-support/fake-spotify/scenarios';
import { EPISODE, HOSTILE_TRACK, LOCAL_FILE_TRACK } from '../../test-support/fixtures';

/**
 * Strings only the fixtures and the fake contain, each plain ASCII without
 * quotes so the bundler writes it unchanged: the hostile title up to its first
 * quote, two fixture titles, a scenario's description and the fake's tokens.
 */
export const FIXTURE_NEEDLES = [
  HOSTILE_TRACK.name!.slice(0, HOSTILE_TRACK.name!.indexOf('"')),
  LOCAL_FILE_TRACK.name!,
  EPISODE.name!,
  SCENARIOS.hung,
  'fake-access-',
];

