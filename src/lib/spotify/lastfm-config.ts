/**
 * Last.fm's part of the configuration (read by readConfig in config.ts):
 * LASTFM_USER and LASTFM_API_KEY, set together or not at all. LASTFM_API_URL
 * is checked in config.ts with the other base URLs and passed in.
 */
import type { LastfmConfig } from './config';

export const DEFAULT_LASTFM_API_URL = 'https://ws.audioscrobbler.com';

/** Last.fm's settings; null when it is not set up; when only half of it is, what to say and which variable is missing. */
export function readLastfmConfig(
  value: (name: string) => string | undefined,
  apiUrl: string,
): LastfmConfig | null | { message: string; missing: string[] } {
  const [user, apiKey] = [value('LASTFM_USER'), value('LASTFM_API_KEY')];
  if (user && apiKey) return { user, apiKey, apiUrl };
  if (!user && !apiKey) return null;
  const unset = user ? 'LASTFM_API_KEY' : 'LASTFM_USER';
  return { message: `Last.fm needs both LASTFM_USER and LASTFM_API_KEY; ${unset} is not set.`, missing: [unset] };
}
