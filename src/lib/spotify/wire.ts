/**
 * Spotify's JSON as it arrives. Every field is optional and nullable because
 * Spotify leaves fields out (local files, ads, podcasts) more often than its
 * schema admits; the normalizers fill the gaps.
 */

export interface RawImage {
  url?: string | null;
  width?: number | null;
  height?: number | null;
}

export interface RawExternalUrls {
  spotify?: string | null;
}

export interface RawArtist {
  name?: string | null;
  external_urls?: RawExternalUrls | null;
  images?: RawImage[] | null;
}

export interface RawTrack {
  type?: 'track';
  name?: string | null;
  duration_ms?: number | null;
  is_local?: boolean | null;
  external_urls?: RawExternalUrls | null;
  artists?: RawArtist[] | null;
  album?: { name?: string | null; images?: RawImage[] | null } | null;
}

interface RawShow {
  name?: string | null;
  publisher?: string | null;
  external_urls?: RawExternalUrls | null;
  images?: RawImage[] | null;
}

export interface RawEpisode {
  type?: 'episode';
  name?: string | null;
  duration_ms?: number | null;
  external_urls?: RawExternalUrls | null;
  images?: RawImage[] | null;
  show?: RawShow | null;
}

export interface RawCurrentlyPlaying {
  is_playing?: boolean | null;
  progress_ms?: number | null;
  timestamp?: number | null;
  currently_playing_type?: 'track' | 'episode' | 'ad' | 'unknown' | null;
  item?: RawTrack | RawEpisode | null;
}

export interface RawRecentlyPlayed {
  items?: { track?: RawTrack | null; played_at?: string | null }[] | null;
}

export interface RawTopArtists {
  items?: RawArtist[] | null;
}

/** `GET /v1/me`: only `id` is still certain for development-mode apps (since 2026). */
export interface RawProfile {
  id?: string | null;
}

export interface RawToken {
  access_token?: string;
  token_type?: string;
  expires_in?: number;
  scope?: string;
  refresh_token?: string;
}

export interface RawAccountsError {
  error?: string;
  error_description?: string;
}
