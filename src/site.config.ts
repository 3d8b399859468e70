import type { TimeRange } from './lib/spotify/types';
import type { ThemeName } from './lib/themes';

/**
 * Everything the owner personalizes, in one place. The page, the server
 * render and the island all read from here.
 */
interface SiteConfig {
  /** Shown as the page heading and in the browser tab. */
  name: string;
  /** One or two sentences under the name. */
  bio: string;
  /** Where visitors can find you elsewhere. Shown in this order. */
  links: { label: string; href: string }[];
  /** How often the widget asks for fresh data while the tab is visible, in milliseconds. At least 5 000. */
  pollIntervalMs: number;
  /** Whether the widget shows your top artists under the current track. */
  showTopArtists: boolean;
  /** The period top artists are counted over: about 4 weeks, 6 months, or all time. */
  topArtistsRange: TimeRange;
  /** How many top artists to show, 1–50. Five fit one row on a phone. */
  topArtistsCount: number;
  /**
   * The widget's colours: 'auto' follows the visitor's light or dark setting; 'light', 'dark',
   * 'forest' and 'sunset' are the presets of src/lib/themes.ts, shared with /embed.js and /card.svg.
   */
  theme: ThemeName;
}

export const site: SiteConfig = {
  name: 'Alex Rivera',
  bio: 'I build small, fast things for the web, and I listen to a lot of music while I do it.',
  links: [
    { label: 'GitHub', href: 'https://github.com/' },
    { label: 'Mastodon', href: 'https://mastodon.social/' },
    { label: 'Email', href: 'mailto:hello@example.com' },
  ],
  pollIntervalMs: 15_000,
  showTopArtists: true,
  topArtistsRange: 'short_term',
  topArtistsCount: 5,
  theme: 'auto',
};
