/**
 * `/card.svg` and `/open`, behind the thin endpoints in src/pages/. Both read
 * through the same service as the page and the API (so through the shared
 * state, and its one refresh per interval), raced against a budget: a README
 * card must answer within GitHub's image-proxy timeout whatever Spotify does.
 */
import { createHash } from 'node:crypto';
import { parseCardOptions, type CardOptions } from '../lib/card/options';
import { imagesToEmbed, renderCard, renderMessage } from '../lib/card/render';
import { DEFAULT_QUERY, type ListeningQuery } from '../lib/spotify/query';
import { CARD_DATA_BUDGET_MS } from '../lib/spotify/limits';
import { PAGE_REFRESH_WAIT_MS } from '../lib/spotify/limits';
import { pageCacheHeaders } from '../lib/spotify/http';
import type { Listening, Result } from '../lib/spotify/types';
import { CARD_VARY } from '../lib/spotify/http';
import { linkOn } from '../lib/spotify/normalize';
import { embedImages, type CardImageOptions } from './card-images';
import { firstPaint } from './first-paint';
import { loadListening } from './listening-service';


/** An SVG opened on its own is a document: it may load nothing and run nothing. */
const SVG_HEADERS = {
  'Content-Type': 'image/svg+xml; charset=utf-8',
  'Content-Security-Policy': "default-src 'none'; img-src data:; style-src 'unsafe-inline'",
};

export interface CardContext {
  /** Netlify's deploy context of the request, as the page passes it. */
  deployContext?: string;
  waitUntil?: (work: Promise<unknown>) => void;
  /** The data for a query; defaults to the service, as the page calls it. */
  load?: (query: ListeningQuery) => Promise<Result<Listening>>;
  /** The pictures' store, fetch and clock (tests). */
  images?: Omit<CardImageOptions, 'origin' | 'waitUntil'>;
  now?: () => number;
}

const loader = (context: CardContext) =>
  context.load ??
  ((query: ListeningQuery) =>
    loadListening(query, { deployContext: context.deployContext, refreshWaitMs: PAGE_REFRESH_WAIT_MS, waitUntil: context.waitUntil }));

/** `GET` or `HEAD /card.svg?…`: 200 with the card, 304 when unchanged, 400 (still an SVG) for a bad option. */
export async function cardResponse(request: Request, context: CardContext = {}): Promise<Response> {
  const url = new URL(request.url);
  const parsed = parseCardOptions(url.search);
  if (!parsed.ok) return svg(request, renderMessage(`Bad card option: ${parsed.error.message}`), 400, { 'Cache-Control': 'no-store' });
  const options = parsed.value;

  const paint = await firstPaint(() => loader(context)(queryFor(options)), CARD_DATA_BUDGET_MS);
  const images = await embedImages(imagesToEmbed(paint.data, options), {
    ...context.images,
    origin: url.origin,
    waitUntil: context.waitUntil,
  });
  const body = renderCard({ listening: paint.data, options, images, now: (context.now ?? Date.now)() });
  return svg(request, body, 200, pageCacheHeaders(paint, CARD_VARY));
}

/**
 * Without top artists the range changes nothing on the card: read the
 * default one, which the page reads too, rather than start a read of another.
 */
const queryFor = (options: CardOptions): ListeningQuery => ({
  range: options.topArtists ? options.range : DEFAULT_QUERY.range,
  limit: options.limit,
});

/** The body's hash as a strong validator: the same picture is the same ETag on every instance. */
const etagOf = (body: string) => `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;

function matches(ifNoneMatch: string | null, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((tag) => {
    const value = tag.trim().replace(/^W\//, '');
    return value === '*' || value === etag;
  });
}

function svg(request: Request, body: string, status: number, cache: Record<string, string>): Response {
  const etag = etagOf(body);
  const headers = { ...SVG_HEADERS, ...cache, ETag: etag };
  if (status === 200 && matches(request.headers.get('if-none-match'), etag)) return new Response(null, { status: 304, headers });
  return new Response(request.method === 'HEAD' ? null : body, { status, headers });
}

/** `GET /open`: 302 to the track or episode the card shows (on Spotify, or on Last.fm for its data), else to the site's page. */
export async function openResponse(request: Request, context: CardContext = {}): Promise<Response> {
  const paint = await firstPaint(() => loader(context)(DEFAULT_QUERY), CARD_DATA_BUDGET_MS);
  const link = paint.data?.nowPlaying?.url;
  // Checked again here: the state may hold links written before the rule, and a Location header is a redirect target.
  const target = linkOn(paint.data?.service === 'lastfm' ? 'www.last.fm' : 'open.spotify.com', link) ?? new URL('/', request.url).href;
  return new Response(null, { status: 302, headers: { Location: target, ...pageCacheHeaders(paint) } });
}
