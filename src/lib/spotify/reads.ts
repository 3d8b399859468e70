import { SpotifyError, fail, ok, type Result } from './errors';
import type { TimeRange } from './types';
import { callUpstream, commonFault, parseJson, type Fetch } from './upstream';
import type { RawCurrentlyPlaying, RawProfile, RawRecentlyPlayed, RawTopArtists } from './wire';

export interface ApiSession {
  fetch: Fetch;
  /** Base of the Web API host, without `/v1`. */
  apiUrl: string;
  accessToken: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** The scopes the widget needs, each with the read that needs it. */
export const REQUIRED_SCOPES = {
  currentlyPlaying: 'user-read-currently-playing',
  recentlyPlayed: 'user-read-recently-played',
  topArtists: 'user-top-read',
} as const;

type ReadName = keyof typeof REQUIRED_SCOPES;

const DESCRIPTIONS: Record<ReadName, string> = {
  currentlyPlaying: 'currently playing',
  recentlyPlayed: 'recently played',
  topArtists: 'top artists',
};

/** Null when nothing is playing (Spotify answers 204 with no body). */
export function readCurrentlyPlaying(session: ApiSession): Promise<Result<RawCurrentlyPlaying | null>> {
  return read<RawCurrentlyPlaying>(session, 'currentlyPlaying', '/v1/me/player/currently-playing?additional_types=episode');
}

export function readRecentlyPlayed(session: ApiSession): Promise<Result<RawRecentlyPlayed | null>> {
  return read<RawRecentlyPlayed>(session, 'recentlyPlayed', '/v1/me/player/recently-played?limit=1');
}

export function readTopArtists(session: ApiSession, range: TimeRange, limit: number): Promise<Result<RawTopArtists | null>> {
  const query = new URLSearchParams({ time_range: range, limit: String(limit) });
  return read<RawTopArtists>(session, 'topArtists', `/v1/me/top/artists?${query}`);
}

/**
 * The Spotify account id of the token's owner (`/v1/me`), which needs no
 * scope: renewal checks it against SPOTIFY_OWNER_ID, authorize records it.
 */
export async function readAccountId(session: ApiSession): Promise<Result<string>> {
  const what = 'profile endpoint';
  const answered = await callUpstream(
    session.fetch,
    `${session.apiUrl}/v1/me`,
    { headers: { Authorization: `Bearer ${session.accessToken}`, Accept: 'application/json' } },
    { timeoutMs: session.timeoutMs, what, signal: session.signal },
  );
  if (!answered.ok) return answered;
  const common = commonFault(answered.value, what);
  if (common) return fail(common);
  if (answered.value.status !== 200) return fail(new SpotifyError('upstream_error', `Spotify's ${what} answered HTTP ${answered.value.status}.`));
  const profile = parseJson<RawProfile>(answered.value, what);
  if (!profile.ok) return profile;
  const id = profile.value.id;
  return typeof id === 'string' && id !== '' ? ok(id) : fail(new SpotifyError('upstream_error', `Spotify's ${what} answered without an account id.`));
}

async function read<T>(session: ApiSession, name: ReadName, path: string): Promise<Result<T | null>> {
  const what = `${DESCRIPTIONS[name]} endpoint`;
  const answered = await callUpstream(
    session.fetch,
    `${session.apiUrl}${path}`,
    { headers: { Authorization: `Bearer ${session.accessToken}`, Accept: 'application/json' } },
    { timeoutMs: session.timeoutMs, what, signal: session.signal },
  );
  if (!answered.ok) return answered;
  const answer = answered.value;

  if (answer.status === 204 || (answer.status === 200 && answer.text.trim() === '')) return ok(null);
  const common = commonFault(answer, what);
  if (common) return fail(common);
  // The token is seconds old, so a refusal means a missing scope. Spotify
  // answers 401 "Permissions missing" for that as often as 403.
  if (answer.status === 401 || answer.status === 403) {
    const scope = REQUIRED_SCOPES[name];
    return fail(
      new SpotifyError(
        'scope_missing',
        `Spotify refused the ${DESCRIPTIONS[name]} read: the token lacks the "${scope}" scope. Run \`npm run authorize -- --netlify\` to grant it, then \`npm run deploy\`.`,
      ),
    );
  }
  if (answer.status !== 200) {
    return fail(new SpotifyError('upstream_error', `Spotify's ${what} answered HTTP ${answer.status}.`));
  }
  return parseJson<T>(answer, what);
}
