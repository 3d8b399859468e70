/**
 * Spotify's brand, as its Design & Branding Guidelines ask every surface that
 * shows its metadata or artwork to carry it: the icon from simple-icons
 * (never redrawn), the word "Spotify" where there is room, a link to Spotify.
 * One source for the widget, the element and the card.
 */
import { siSpotify } from 'simple-icons';

/** The icon's SVG path, on a 24 × 24 box. */
export const SPOTIFY_ICON_PATH = siSpotify.path;
export const SPOTIFY_HOME = 'https://open.spotify.com';
/** The guidelines' smallest icon on screen, in px. */
export const SPOTIFY_ICON_MIN_PX = 21;
