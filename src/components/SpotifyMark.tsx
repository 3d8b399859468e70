import { SPOTIFY_HOME, SPOTIFY_ICON_MIN_PX, SPOTIFY_ICON_PATH } from '../lib/brand';

/**
 * The attribution Spotify's Design & Branding Guidelines ask of any surface
 * showing its metadata or artwork: the icon with the word "Spotify" where
 * there is room, the icon alone in the compact layout, linking to Spotify.
 * The page renders it on the server and hands it to the island as children,
 * so the page's script does not carry the icon; the element renders it itself.
 * The island shows it beside Spotify's data and demo data, and its own
 * Last.fm credit beside Last.fm's (ListeningWidget.tsx).
 * Monochrome, in the theme's text colour: the guidelines allow Spotify green
 * only on pure black or white, and the themes have other backgrounds.
 */
export default function SpotifyMark({ word }: { word: boolean }) {
  return (
    <a class="lw-brand" href={SPOTIFY_HOME} aria-label={word ? undefined : 'Spotify'} data-field="spotify">
      <svg viewBox="0 0 24 24" width={SPOTIFY_ICON_MIN_PX} height={SPOTIFY_ICON_MIN_PX} aria-hidden="true" focusable="false">
        <path d={SPOTIFY_ICON_PATH} fill="currentColor" />
      </svg>
      {word && <span>Spotify</span>}
    </a>
  );
}
