/**
 * What the fake Spotify can be made to do. One list serves the msw handlers,
 * the HTTP fake used by e2e tests and the bench, and the states page.
 */
export const SCENARIOS = {
  playing: 'A track is playing; the fake player moves through the playlist as time passes.',
  paused: 'A track is loaded but paused.',
  last_played: 'Nothing is playing; the last played track comes from recently played.',
  episode: 'A podcast episode is playing.',
  ad: 'An ad is playing (item null), so the last played track is shown.',
  local_file: 'A local file is playing: no links, no images, an artist with an empty name.',
  hostile: 'A track whose names contain markup, quotes, right-to-left text and very long strings.',
  empty_history: 'Nothing playing, nothing recently played, no top artists.',
  scope_missing: 'The token lacks user-top-read: top artists answer 403 while now playing works.',
  revoked: 'The token endpoint answers invalid_grant: the refresh token is revoked or expired.',
  rotation: 'Every refresh returns a new refresh token and invalidates the one used.',
  rate_limited: 'The Web API answers 429 with Retry-After.',
  quota: 'The app is over its Web API quota: every /v1 request answers 429 QUOTA_EXCEEDED, Retry-After in hours; tokens still work.',
  down: 'Every Spotify host answers 503.',
  malformed: 'The Web API answers 200 with a body that is not JSON.',
  hung: 'The Web API never answers.',
} as const;

export type ScenarioName = keyof typeof SCENARIOS;

export const SCENARIO_NAMES = Object.keys(SCENARIOS) as ScenarioName[];

export const isScenarioName = (value: string): value is ScenarioName => Object.hasOwn(SCENARIOS, value);

/** Seconds the `rate_limited` scenario asks clients to wait. */
export const FAKE_RETRY_AFTER_S = 17;

/** Seconds the `quota` scenario asks clients to wait: over 13 hours, as Spotify sends when an app's quota runs out. */
export const FAKE_QUOTA_RETRY_AFTER_S = 48_925;
