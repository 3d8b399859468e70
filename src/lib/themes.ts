/**
 * The widget's colour themes, the one source for all three surfaces: the
 * page's stylesheet (src/components/themes.css, generated from this file by
 * `npm run themes`), the `<listening-widget>` element (which bundles that
 * stylesheet) and the `/card.svg` card (src/lib/card/, which reads the
 * palettes directly). Plain data and string functions only: the element's
 * bundle and the server both import it.
 */

/** `auto` follows the visitor's light or dark setting; every other name is one fixed palette. */
export const THEME_NAMES = ['auto', 'light', 'dark', 'forest', 'sunset'] as const;
export type ThemeName = (typeof THEME_NAMES)[number];
export type PaletteName = Exclude<ThemeName, 'auto'>;

export const isThemeName = (value: string): value is ThemeName => (THEME_NAMES as readonly string[]).includes(value);

/** One value per `--lw-*` colour custom property (`surface` is `--lw-surface`, and so on). */
export interface Palette {
  surface: string;
  text: string;
  /** Secondary text: at least 4.5:1 against `surface`, like `text` and `accent`. */
  muted: string;
  border: string;
  /** The status line, the progress and focus rings. */
  accent: string;
  /** The progress bar's background. */
  track: string;
  /** Missing pictures and the loading skeleton. */
  placeholder: string;
  /** A CSS box-shadow; the card draws no shadow. */
  shadow: string;
}

export const PALETTES: Record<PaletteName, Palette> = {
  light: {
    surface: '#ffffff',
    text: '#17171c',
    muted: '#63636e',
    border: '#e7e5e0',
    accent: '#15803d',
    track: '#e9e7e2',
    placeholder: '#efede8',
    shadow: '0 1px 2px rgb(20 20 30 / 0.04), 0 8px 24px rgb(20 20 30 / 0.06)',
  },
  dark: {
    surface: '#17181c',
    text: '#f1f1f3',
    muted: '#a3a3ad',
    border: '#2a2b31',
    accent: '#3ddc84',
    track: '#2c2d33',
    placeholder: '#24252b',
    shadow: '0 1px 2px rgb(0 0 0 / 0.3), 0 12px 32px rgb(0 0 0 / 0.35)',
  },
  forest: {
    surface: '#102219',
    text: '#e6f2ea',
    muted: '#9dbfaa',
    border: '#21402f',
    accent: '#74d99f',
    track: '#21402f',
    placeholder: '#1a3326',
    shadow: '0 1px 2px rgb(0 0 0 / 0.3), 0 12px 32px rgb(0 20 10 / 0.35)',
  },
  sunset: {
    surface: '#fff6ee',
    text: '#2d1a12',
    muted: '#7c4a33',
    border: '#f2d8c4',
    accent: '#b93c0b',
    track: '#f5dfcd',
    placeholder: '#f7e3d3',
    shadow: '0 1px 2px rgb(90 40 10 / 0.06), 0 8px 24px rgb(150 60 20 / 0.1)',
  },
};

/** The corner radius every theme shares (`--lw-radius`). */
export const RADIUS_PX = 20;

/** The palette a fixed theme names, or the one `auto` shows for a light or dark preference. */
export const paletteOf = (theme: ThemeName, prefersDark = false): Palette =>
  PALETTES[theme === 'auto' ? (prefersDark ? 'dark' : 'light') : theme];

/**
 * One theme's declarations. Each colour is the site's own `--lw-*` value when
 * one is inherited (a host page's `:root { --lw-accent: … }`, which also
 * reaches into the element's shadow root), else the palette's: the widget's
 * rules read the private `--_*` names, so a site's value always wins over any
 * preset, without specificity games.
 */
function declarations(palette: Palette): string[] {
  return Object.entries(palette).map(([key, value]) => `--_${key}: var(--lw-${key}, ${value});`);
}

/**
 * The stylesheet of every theme, for the widget's root `.lw`: light by
 * default, dark under `prefers-color-scheme: dark` unless a fixed theme is
 * set with `data-theme`.
 */
export function themeCss(): string {
  const rule = (selector: string, lines: string[]) => `${selector} {\n${lines.map((line) => `  ${line}`).join('\n')}\n}`;
  const named = (Object.keys(PALETTES) as PaletteName[])
    .filter((name) => name !== 'light')
    .map((name) => rule(`.lw[data-theme='${name}']`, declarations(PALETTES[name])));
  // Light is the default and a fixed theme: one rule serves both. Dark stays twice, because a rule
  // inside @media cannot share a selector list with one outside it.
  return [
    '/* Generated from src/lib/themes.ts by `npm run themes`: edit that file, not this one. */',
    rule(".lw,\n.lw[data-theme='light']", declarations(PALETTES.light)),
    rule('.lw', [`--_radius: var(--lw-radius, ${RADIUS_PX}px);`]),
    `@media (prefers-color-scheme: dark) {\n${rule(".lw:not([data-theme]),\n.lw[data-theme='auto']", declarations(PALETTES.dark)).replace(/^/gm, '  ')}\n}`,
    ...named,
    '',
  ].join('\n');
}
