/**
 * Spotify's mark is simple-icons' own icon (issue 15): every surface draws
 * SPOTIFY_ICON_PATH, so that constant must be the package's path, never a redrawn one.
 */
import { siSpotify } from 'simple-icons';
import { describe, expect, it } from 'vitest';
import { SPOTIFY_HOME, SPOTIFY_ICON_PATH } from '../../src/lib/brand';

describe('the Spotify mark', () => {
  it("is simple-icons' Spotify icon, linking to Spotify", () => {
    expect(SPOTIFY_ICON_PATH, "simple-icons' path").toBe(siSpotify.path);
    expect(SPOTIFY_HOME).toBe('https://open.spotify.com');
  });
});
