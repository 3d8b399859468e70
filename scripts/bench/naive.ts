/**
 * The pattern most public "now playing" widgets use, written out as plain
 * sequential fetches so the bench can time it against the same fake:
 * token → now playing → (recently played when nothing plays) → token again → top artists.
 * Each step waits for the one before: four or five round trips per refresh.
 */
export interface NaiveCredentials {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

export async function naiveListening(spotifyUrl: string, credentials: NaiveCredentials): Promise<void> {
  const token = await accessToken(spotifyUrl, credentials);
  const nowPlaying = await getJson(spotifyUrl, '/v1/me/player/currently-playing', token);
  if (nowPlaying === null || (nowPlaying as { item?: unknown }).item == null) {
    await getJson(spotifyUrl, '/v1/me/player/recently-played?limit=1', token);
  }
  // The top-artists helper fetches its own token, as in the widgets this copies.
  await getJson(spotifyUrl, '/v1/me/top/artists?time_range=short_term&limit=5', await accessToken(spotifyUrl, credentials));
}

async function accessToken(spotifyUrl: string, { clientId, clientSecret, refreshToken }: NaiveCredentials): Promise<string> {
  const response = await fetch(`${spotifyUrl}/api/token`, {
    method: 'POST',
    headers: {
      Authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
      'Content-Type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }),
  });
  const body = (await response.json()) as { access_token?: string };
  if (!response.ok || !body.access_token) throw new Error(`naive token exchange failed: ${response.status}`);
  return body.access_token;
}

async function getJson(spotifyUrl: string, path: string, token: string): Promise<unknown> {
  const response = await fetch(`${spotifyUrl}${path}`, { headers: { Authorization: `Bearer ${token}` } });
  if (response.status === 204) return null;
  if (!response.ok) throw new Error(`naive GET ${path} failed: ${response.status}`);
  return response.json();
}
