/**
 * The query options of `/card.svg`. Every option is checked: a typo or a bad
 * value answers 400 with a card that says which, rather than a card that
 * silently ignores it.
 */
import { SpotifyError, fail, ok, type Result } from '../spotify/types';
import { DEFAULT_QUERY } from '../spotify/query';
import { TIME_RANGES, type TimeRange } from '../spotify/types';
import { THEME_NAMES, isThemeName, type ThemeName } from '../themes';

export interface CardOptions {
  theme: ThemeName;
  /** `card`: art, status, title, artists, album, progress, and optionally top artists. `compact`: one line. */
  layout: 'card' | 'compact';
  /** Only in the card layout: the compact line has no room for them. */
  topArtists: boolean;
  range: TimeRange;
  /** How many top artists: as many as fit the card's one row. */
  limit: number;
  /** `#rrggbb`, replacing the theme's accent in light and dark alike; null keeps the theme's. */
  accent: string | null;
  /** Corner radius in px; null: the layout's default. */
  radius: number | null;
  /** `#rrggbb` or `transparent`; null: the theme's surface. */
  background: string | null;
}

/** Five artists fill the card's row, and keep it under its size budget with five pictures. */
export const CARD_MAX_ARTISTS = 5;
export const CARD_MAX_RADIUS = 40;

export const DEFAULT_CARD_OPTIONS: CardOptions = {
  theme: 'auto',
  layout: 'card',
  topArtists: false,
  range: DEFAULT_QUERY.range,
  limit: CARD_MAX_ARTISTS,
  accent: null,
  radius: null,
  background: null,
};

const NAMES = ['theme', 'layout', 'top_artists', 'range', 'limit', 'accent', 'radius', 'background'] as const;
type Name = (typeof NAMES)[number];

/** `#` is optional (it must be written %23 in a URL); 3 or 6 hex digits. */
const HEX = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i;

function hex(value: string): string | null {
  const digits = HEX.exec(value)?.[1]?.toLowerCase();
  if (!digits) return null;
  return `#${digits.length === 3 ? [...digits].map((d) => d + d).join('') : digits}`;
}

/** Plain digits without a leading zero, from `min` to `max`. */
function whole(value: string, min: number, max: number): number | null {
  if (!/^(?:0|[1-9]\d{0,2})$/.test(value)) return null;
  const n = Number(value);
  return n >= min && n <= max ? n : null;
}

/** Validates `url.search` of a `/card.svg` request. */
export function parseCardOptions(search: string): Result<CardOptions> {
  const seen = new Map<Name, string>();
  for (const [name, value] of new URLSearchParams(search)) {
    if (!(NAMES as readonly string[]).includes(name)) return bad(`Unknown option "${name}". Allowed: ${NAMES.join(', ')}.`);
    if (seen.has(name as Name)) return bad(`The option "${name}" is repeated. Give it once.`);
    if (value === '') return bad(`The option "${name}" is empty.`);
    seen.set(name as Name, value);
  }
  const options = { ...DEFAULT_CARD_OPTIONS };
  for (const [name, value] of seen) {
    switch (name) {
      case 'theme':
        if (!isThemeName(value)) return bad(`theme must be one of ${THEME_NAMES.join(', ')}.`);
        options.theme = value;
        break;
      case 'layout':
        if (value !== 'card' && value !== 'compact') return bad('layout must be card or compact.');
        options.layout = value;
        break;
      case 'top_artists':
        if (value !== 'on' && value !== 'off') return bad('top_artists must be on or off.');
        options.topArtists = value === 'on';
        break;
      case 'range':
        if (!(TIME_RANGES as readonly string[]).includes(value)) return bad(`range must be one of ${TIME_RANGES.join(', ')}.`);
        options.range = value as TimeRange;
        break;
      case 'limit': {
        const limit = whole(value, 1, CARD_MAX_ARTISTS);
        if (limit === null) return bad(`limit must be a whole number from 1 to ${CARD_MAX_ARTISTS}.`);
        options.limit = limit;
        break;
      }
      case 'accent':
        options.accent = hex(value);
        if (!options.accent) return bad('accent must be a hex colour such as 1db954 or %231db954.');
        break;
      case 'radius':
        options.radius = whole(value, 0, CARD_MAX_RADIUS);
        if (options.radius === null) return bad(`radius must be a whole number of pixels from 0 to ${CARD_MAX_RADIUS}.`);
        break;
      case 'background':
        options.background = value === 'transparent' ? value : hex(value);
        if (!options.background) return bad('background must be transparent or a hex colour such as 0d1117.');
        break;
    }
  }
  return ok(options);
}

const bad = (message: string) => fail<CardOptions>(new SpotifyError('bad_request', message));
