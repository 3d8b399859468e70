/**
 * Spotify's brand, as its Design & Branding Guidelines ask every surface that
 * shows its metadata or artwork to carry it: the icon from simple-icons
 * (never redrawn), the word "Spotify" where there is room, a link to Spotify.
 * One source for the widget, the element and the card.
 */
// The one icon's own file, not the package's index: that index is 5 MB of every brand, and the
// server build leaves package imports to run time, so the function would load all of it on each
// cold start. `?raw` inlines the file's text at build time (Vite; src/integrations/embed.ts for
// /embed.js), so no bundle imports simple-icons.
import spotifySvg from 'simple-icons/icons/spotify.svg?raw';

/** The icon's SVG path, on a 24 × 24 box. */
export const SPOTIFY_ICON_PATH = /<path d="([^"]+)"/.exec(spotifySvg)![1]!;
export const SPOTIFY_HOME = 'https://open.spotify.com';
/** The guidelines' smallest icon on screen, in px. */
export const SPOTIFY_ICON_MIN_PX = 21;
