/**
 * The `/card.svg` picture: the listening data as one self-contained SVG for
 * READMEs and anywhere an `<img>` goes. GitHub's image proxy loads nothing an
 * SVG refers to, so pictures arrive as data URIs (src/server/card-images.ts)
 * and nothing else points outside the file. An SVG cannot measure text, so
 * names are cut to an estimated width with an ellipsis. Pure: data, options
 * and pictures in, a string out.
 */
import { RANGE_WORDS, UNAVAILABLE, clock, statusOf } from '../format';
import { AVATAR_MAX_BYTES, COVER_MAX_BYTES } from '../spotify/limits';
import { SPOTIFY_ICON_MIN_PX, SPOTIFY_ICON_PATH } from '../brand';
import type { Listening, NowPlaying } from '../spotify/types';
import { RADIUS_PX, paletteOf, type Palette } from '../themes';
import { DEFAULT_CARD_OPTIONS, type CardOptions } from './options';

/** Data URIs by image URL; an absent or null entry draws the placeholder, as the widget does. */
export type CardImages = ReadonlyMap<string, string | null>;

export interface CardInput {
  /** Null: no data to show (Spotify failed before any good read, or did not answer in time). */
  listening: Listening | null;
  options: CardOptions;
  images: CardImages;
  /** Epoch ms of the read: the progress bar and "12 min ago" are as of this moment. */
  now: number;
}

/* --- Sizes --- */

const CARD = { width: 480, pad: 20, cover: 96, textX: 132, height: 136, withArtists: 262 } as const;
const COMPACT = { width: 400, height: 64, art: 40, pad: 12, radius: 14 } as const;
const AVATAR = 52;
/** Spotify's artwork rule: corners of 2.5% of the picture's height, rounded (96 px and 40 px). */
const ART_CORNER = { card: 2, compact: 1 } as const;


const FONT = "-apple-system, BlinkMacSystemFont, 'Segoe UI', Helvetica, Arial, sans-serif";

/* --- Text --- */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
/** Characters XML 1.0 forbids (C0 controls, lone surrogates, U+FFFE/F): a name holding one would break the whole file. */
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Text safe inside an XML element or a quoted attribute. */
export const xml = (text: string): string => text.replace(NOT_XML, '\uFFFD').replace(/[&<>"']/g, (c) => ENTITIES[c]!);

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** A generous estimate of one character's width in em, for a system sans-serif. */
function em(char: string): number {
  const code = char.codePointAt(0) ?? 0;
  if (code >= 0x1100 && (code <= 0x115f || (code >= 0x2e80 && code <= 0xffdc) || code >= 0x1f000)) return 1;
  if (char === ' ') return 0.28;
  if (/[ijlI.,:;'|!`]/.test(char)) return 0.28;
  if (/[frt()[\]{}"\-/]/.test(char)) return 0.38;
  if (/[mwMW@%]/.test(char)) return 0.88;
  if (/[A-Z]/.test(char)) return 0.68;
  if (/[0-9]/.test(char)) return 0.57;
  if (/[a-z]/.test(char)) return 0.54;
  return 0.62;
}

/** Estimated width in px. */
export function textWidth(text: string, size: number, bold = false): number {
  let total = 0;
  for (const { segment } of graphemes.segment(text)) total += em(segment);
  return total * size * (bold ? 1.06 : 1);
}

/** The text, cut at a grapheme with an ellipsis when it would be wider than `max` px. */
export function fit(text: string, max: number, size: number, bold = false): string {
  if (textWidth(text, size, bold) <= max) return text;
  const room = max - textWidth('…', size, bold);
  let used = 0;
  let kept = '';
  for (const { segment } of graphemes.segment(text)) {
    used += em(segment) * size * (bold ? 1.06 : 1);
    if (used > room) break;
    kept += segment;
  }
  return `${kept.trimEnd()}…`;
}

/* --- Colours: the theme presets of src/lib/themes.ts --- */

function colours(palette: Palette, options: CardOptions): string {
  const { background, accent } = options;
  const transparent = background === 'transparent';
  return (
    `.bg{fill:${transparent ? 'none' : (background ?? palette.surface)}}` +
    `.bd{fill:none;stroke:${transparent ? 'none' : palette.border}}` +
    `.fg{fill:${palette.text}}.mu{fill:${palette.muted}}.ac{fill:${accent ?? palette.accent}}` +
    `.tr{fill:${palette.track}}.ph{fill:${palette.placeholder}}`
  );
}

/** `auto` answers the viewer's light or dark preference from inside the SVG. */
function stylesheet(options: CardOptions): string {
  const base = `text{font-family:${FONT}}.b{font-weight:650}.s{font-weight:600}.i{unicode-bidi:isolate}`;
  const light = colours(paletteOf(options.theme, false), options);
  if (options.theme !== 'auto') return base + light;
  return `${base}${light}@media (prefers-color-scheme:dark){${colours(paletteOf('auto', true), options)}}`;
}

/* --- Parts --- */

interface Box {
  x: number;
  y: number;
  size: number;
}

/** A picture in a rounded or round frame, or the widget's placeholder (a note on the placeholder colour). */
function picture(id: string, href: string | null | undefined, box: Box, round: boolean, corner: number): string {
  const { x, y, size } = box;
  const shape = round
    ? `<circle cx="${x + size / 2}" cy="${y + size / 2}" r="${size / 2}"`
    : `<rect x="${x}" y="${y}" width="${size}" height="${size}" rx="${corner}"`;
  if (!href) {
    const note = Math.round(size * 0.36);
    return (
      `${shape} class="ph"/>` +
      `<text x="${x + size / 2}" y="${y + size / 2 + note * 0.35}" font-size="${note}" text-anchor="middle" class="mu" opacity=".6" aria-hidden="true">♪</text>`
    );
  }
  return (
    `<clipPath id="${id}">${shape}/></clipPath>` +
    `<image href="${xml(href)}" x="${x}" y="${y}" width="${size}" height="${size}" preserveAspectRatio="xMidYMid ${round ? 'slice' : 'meet'}" clip-path="url(#${id})"/>`
  );
}

/** Spotify's icon (and the word where there is room), which its guidelines ask for beside its data; `x` is where it ends. */
function spotifyMark(right: number, top: number, word: boolean): string {
  const size = SPOTIFY_ICON_MIN_PX;
  const wordWidth = word ? Math.ceil(textWidth('Spotify', 13, true)) + 6 : 0;
  const x = right - size - wordWidth;
  return (
    `<g class="fg" transform="translate(${x} ${top}) scale(${size / 24})"><path d="${SPOTIFY_ICON_PATH}"/></g>` +
    (word ? `<text x="${x + size + 6}" y="${top + size / 2 + 4.5}" font-size="13" class="b fg">Spotify</text>` : '')
  );
}
/** The width `spotifyMark` takes, with a gap before it. */
const markRoom = (word: boolean) => SPOTIFY_ICON_MIN_PX + (word ? Math.ceil(textWidth('Spotify', 13, true)) + 6 : 0) + 10;

/** Whom the card credits for its data: Spotify for its own data, for demo data (which imitates it) and when there is none. */
type Source = 'spotify' | 'lastfm';
const sourceOf = (listening: Listening | null): Source => (listening?.service === 'lastfm' ? 'lastfm' : 'spotify');

/** Last.fm's data is credited by name, where and as Spotify's word is drawn; no Spotify mark beside it. */
const LASTFM_WORD = 'Last.fm';

/**
 * The credit in the top right corner, ending at `right`. Unlinked either way, like the mark: an
 * image's links do not work where the card goes, and nothing in it may point outside the file.
 */
function credit(source: Source, right: number, top: number, word: boolean): string {
  if (source === 'spotify') return spotifyMark(right, top, word);
  return `<text x="${right}" y="${top + SPOTIFY_ICON_MIN_PX / 2 + 4.5}" font-size="13" text-anchor="end" class="b fg">${xml(LASTFM_WORD)}</text>`;
}
/** The width `credit` takes, with a gap before it. */
const creditRoom = (source: Source, word: boolean) => (source === 'spotify' ? markRoom(word) : Math.ceil(textWidth(LASTFM_WORD, 13, true)) + 10);

/** The three equalizer bars of a live track, still (an image cannot animate politely). */
const bars = (x: number, baseline: number) =>
  [0.6, 1, 0.45].map((h, i) => `<rect x="${x + i * 5}" y="${baseline - 12 * h}" width="3" height="${12 * h}" rx="1" class="ac"/>`).join('');

/** Names in one line, each isolated in its own direction, cut to `max` px as a whole. */
function names(list: { name: string }[], max: number, size: number): string {
  const joined = fit(list.map((a) => a.name).join(', '), max, size);
  // Split the cut line back into names so each keeps its own direction.
  return joined
    .split(', ')
    .map((name) => `<tspan class="i">${xml(name)}</tspan>`)
    .join(', ');
}

interface Shown {
  item: NowPlaying;
  status: string;
  live: boolean;
  position: number | null;
}

/** What the card shows of the item: the status as of `now`, and the position as of the read. */
function shown(listening: Listening, item: NowPlaying, now: number): Shown {
  const stale = Boolean(listening.stale);
  const live = item.isPlaying && !stale;
  const { durationMs: total, progressMs } = item;
  const elapsed = live ? Math.max(0, now - Date.parse(listening.fetchedAt)) : 0;
  return {
    item,
    status: statusOf(item, now, stale),
    live,
    position: total && progressMs !== null ? Math.min(total, progressMs + elapsed) : null,
  };
}

function frame(width: number, height: number, options: CardOptions, radius: number, label: string, body: string): string {
  const r = Math.min(options.radius ?? radius, height / 2);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="t">` +
    `<title id="t">${xml(label)}</title><style>${stylesheet(options)}</style>` +
    `<rect class="bg" width="${width}" height="${height}" rx="${r}"/>` +
    `<rect class="bd" x=".5" y=".5" width="${width - 1}" height="${height - 1}" rx="${Math.max(0, r - 0.5)}"/>` +
    `${body}</svg>`
  );
}

const labelOf = ({ item, status }: Shown) =>
  `${status}: ${item.title}${item.artists.length ? ` by ${item.artists.map((a) => a.name).join(', ')}` : ''}`;

/* --- The card layout --- */

function cardNowPlaying(s: Shown, images: CardImages, source: Source): string {
  const { item, live, status, position } = s;
  const x = CARD.textX;
  const max = CARD.width - CARD.pad - x;
  const statusX = live ? x + 18 : x;
  let out = picture('cv', item.imageUrl && images.get(item.imageUrl), { x: CARD.pad, y: CARD.pad, size: CARD.cover }, false, ART_CORNER.card);
  if (live) out += bars(x, 34);
  out += `<text x="${statusX}" y="34" font-size="12" class="s ${live ? 'ac' : 'mu'}">${xml(fit(status, CARD.width - CARD.pad - statusX - creditRoom(source, true), 12, true))}</text>`;
  out += credit(source, CARD.width - CARD.pad, 19, true);
  out += `<text x="${x}" y="57" font-size="17" class="b fg"><tspan class="i">${xml(fit(item.title, max, 17, true))}</tspan></text>`;
  if (item.artists.length) out += `<text x="${x}" y="77" font-size="13" class="mu">${names(item.artists, max, 13)}</text>`;
  if (item.album) out += `<text x="${x}" y="95" font-size="12" class="mu"><tspan class="i">${xml(fit(item.album, max, 12))}</tspan></text>`;
  if (position !== null && item.durationMs) {
    const barX = x + 34;
    const barWidth = CARD.width - CARD.pad - 34 - barX;
    const done = Math.round((barWidth * position) / item.durationMs);
    out +=
      `<text x="${x}" y="114" font-size="11" class="mu">${clock(position)}</text>` +
      `<rect x="${barX}" y="107" width="${barWidth}" height="4" rx="2" class="tr"/>` +
      `<rect x="${barX}" y="107" width="${done}" height="4" rx="2" class="ac"/>` +
      `<text x="${CARD.width - CARD.pad}" y="114" font-size="11" text-anchor="end" class="mu">${clock(item.durationMs)}</text>`;
  }
  return out;
}

function cardQuiet(message: string, source: Source): string {
  return (
    picture('cv', null, { x: CARD.pad, y: CARD.pad, size: CARD.cover }, false, ART_CORNER.card) +
    credit(source, CARD.width - CARD.pad, 19, true) +
    `<text x="${CARD.textX}" y="73" font-size="15" class="mu">${xml(fit(message, CARD.width - CARD.pad - CARD.textX, 15))}</text>`
  );
}

function cardTopArtists(listening: Listening, options: CardOptions, images: CardImages): string {
  const top = CARD.height;
  let out =
    `<line x1="${CARD.pad}" x2="${CARD.width - CARD.pad}" y1="${top + 0.5}" y2="${top + 0.5}" class="bd"/>` +
    `<text x="${CARD.pad}" y="${top + 26}" font-size="11" class="mu"><tspan class="s" letter-spacing="0.9">TOP ARTISTS</tspan> · ${xml(RANGE_WORDS[listening.range])}</text>`;
  const artists = listening.topArtists?.slice(0, options.limit);
  if (!artists?.length) {
    const note = artists ? 'No top artists yet' : 'Top artists are unavailable right now';
    return `${out}<text x="${CARD.pad}" y="${top + 80}" font-size="14" class="mu">${note}</text>`;
  }
  const slot = (CARD.width - 2 * CARD.pad) / options.limit;
  artists.forEach((artist, i) => {
    const centre = CARD.pad + slot * i + slot / 2;
    const box = { x: centre - AVATAR / 2, y: top + 40, size: AVATAR };
    out +=
      picture(`a${i}`, artist.imageUrl && images.get(artist.imageUrl), box, true, 0) +
      `<text x="${centre}" y="${top + 110}" font-size="11" text-anchor="middle" class="fg"><tspan class="i">${xml(fit(artist.name, slot - 8, 11))}</tspan></text>`;
  });
  return out;
}

/* --- The compact layout: one line --- */

function compactLine(s: Shown | null, message: string | null, images: CardImages, source: Source): string {
  const { pad, art, width, height } = COMPACT;
  const middle = height / 2 + 5;
  let out = picture('cv', s?.item.imageUrl && images.get(s.item.imageUrl), { x: pad, y: pad, size: art }, false, ART_CORNER.compact);
  out += credit(source, width - pad, (height - SPOTIFY_ICON_MIN_PX) / 2, false);
  const end = width - pad - creditRoom(source, false);
  let x = pad + art + 12;
  if (!s) return `${out}<text x="${x}" y="${middle}" font-size="14" class="mu">${xml(fit(message ?? '', end - x, 14))}</text>`;
  if (s.live) {
    out += bars(x, middle);
    x += 20;
  }
  const room = end - x;
  const title = fit(s.item.title, room, 14, true);
  let line = `<tspan class="b fg i" font-size="14">${xml(title)}</tspan>`;
  const rest = room - textWidth(title, 14, true) - textWidth(' · ', 13);
  if (s.item.artists.length && rest > 40) line += `<tspan class="mu" font-size="13"> · ${names(s.item.artists, rest, 13)}</tspan>`;
  return `${out}<text x="${x}" y="${middle}">${line}</text>`;
}

/* --- Entry points --- */

/** The card for the data as of `now`. */
export function renderCard({ listening, options, images, now }: CardInput): string {
  const item = listening?.nowPlaying;
  const s = listening && item ? shown(listening, item, now) : null;
  const message = s ? null : listening && !listening.errors?.nowPlaying ? 'Nothing playing right now' : UNAVAILABLE;
  const label = s ? labelOf(s) : message!;
  const source = sourceOf(listening);

  if (options.layout === 'compact') {
    return frame(COMPACT.width, COMPACT.height, options, COMPACT.radius, label, compactLine(s, message, images, source));
  }
  const withArtists = options.topArtists && listening !== null;
  const body =
    (s ? cardNowPlaying(s, images, source) : cardQuiet(message!, source)) + (withArtists ? cardTopArtists(listening, options, images) : '');
  return frame(CARD.width, withArtists ? CARD.withArtists : CARD.height, options, RADIUS_PX, label, body);
}

/** Words in at most two lines of `max` px; the rest of a longer text is cut with an ellipsis. */
function wrap(text: string, max: number, size: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const next = line ? `${line} ${word}` : word;
    if (!line || textWidth(next, size) <= max) line = next;
    else {
      lines.push(line);
      line = word;
    }
  }
  lines.push(line);
  return [lines[0]!, ...(lines.length > 1 ? [lines.slice(1).join(' ')] : [])].map((l) => fit(l, max, size));
}

/** A card that only says something (a bad option, with a 400), in the layout asked for when known. */
export function renderMessage(message: string, options: CardOptions = DEFAULT_CARD_OPTIONS): string {
  const width = options.layout === 'compact' ? COMPACT.width : CARD.width;
  const lines = wrap(message, width - 2 * CARD.pad, 13);
  const top = lines.length > 1 ? 27 : 37;
  const body = lines.map((line, i) => `<text x="${CARD.pad}" y="${top + i * 18}" font-size="13" class="fg">${xml(line)}</text>`).join('');
  return frame(width, COMPACT.height, options, COMPACT.radius, message, body);
}

/** The pictures a card embeds, each with its size cap: the cover, and the top artists' when shown. */
export function imagesToEmbed(listening: Listening | null, options: CardOptions): { url: string; maxBytes: number }[] {
  const wanted: { url: string; maxBytes: number }[] = [];
  const cover = listening?.nowPlaying?.imageUrl;
  if (cover) wanted.push({ url: cover, maxBytes: COVER_MAX_BYTES });
  if (options.layout === 'card' && options.topArtists) {
    for (const artist of listening?.topArtists?.slice(0, options.limit) ?? []) {
      if (artist.imageUrl) wanted.push({ url: artist.imageUrl, maxBytes: AVATAR_MAX_BYTES });
    }
  }
  return wanted;
}
