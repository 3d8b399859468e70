/**
 * The pictures inside `/card.svg`, as data URIs: GitHub's image proxy loads
 * no image an SVG refers to. Each is fetched once with a timeout and kept in
 * Netlify Blobs (store `card-images`) by its URL, so later cards read it from
 * there; an entry is trusted for a week (Spotify's image URLs name their
 * content, so they rarely change), a failed fetch for ten minutes. A picture
 * that fails, is too large or arrives late is left out, and the card draws
 * the widget's placeholder instead.
 */
import { IMAGES_BUDGET_MS, IMAGE_MISS_TTL_MS, IMAGE_TIMEOUT_MS, IMAGE_TTL_MS } from '../lib/spotify/limits';
import { within } from '../lib/spotify/limits';
import type { Fetch } from '../lib/spotify/spotify-api';
import type { Logger } from '../lib/spotify/listening';
import { isHttps } from '../lib/spotify/normalize';
import { describeError, openBlobStore, withStoreTimeout, type JsonStore } from './store';


/** Never re-encoded: what Spotify (or the site, for demo pictures) sent, by type. */
const TYPES = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/gif']);

interface StoredImage {
  url: string;
  /** Epoch ms. */
  storedAt: number;
  /** The data URI; null records a failed fetch. */
  data: string | null;
}

export interface CardImageOptions {
  /** Where a relative URL (a demo picture, `/demo/…`) is fetched from: the site itself. */
  origin: string;
  store?: JsonStore;
  fetch?: Fetch;
  now?: () => number;
  /** Keeps a store write alive after the card has gone (`context.waitUntil`). */
  waitUntil?: (work: Promise<unknown>) => void;
  /** Defaults to IMAGES_BUDGET_MS. */
  budgetMs?: number;
  log?: Pick<Logger, 'warn'>;
}

let defaultStore: JsonStore | undefined;

/** Data URIs by URL for the pictures that arrived within the budget. */
export async function embedImages(wanted: { url: string; maxBytes: number }[], options: CardImageOptions): Promise<Map<string, string | null>> {
  const budget = options.budgetMs ?? IMAGES_BUDGET_MS;
  const found = await Promise.all(wanted.map(async ({ url, maxBytes }) => [url, await within(embedImage(url, maxBytes, options), budget)] as const));
  return new Map(found);
}

async function embedImage(url: string, maxBytes: number, options: CardImageOptions): Promise<string | null> {
  const store = options.store ?? (defaultStore ??= openBlobStore('card-images'));
  const now = options.now ?? Date.now;
  const key = await keyOf(url);
  const stored = await withStoreTimeout(store.getWithMetadata(key, { type: 'json' }), 'reading a card image')
    .then((entry) => entry?.data as StoredImage | undefined)
    .catch(() => undefined);
  if (stored?.url === url && now() - stored.storedAt < (stored.data ? IMAGE_TTL_MS : IMAGE_MISS_TTL_MS)) return stored.data;

  const data = await download(url, maxBytes, options);
  const record: StoredImage = { url, storedAt: now(), data };
  const write = withStoreTimeout(store.setJSON(key, record), 'storing a card image').catch(() => undefined);
  if (options.waitUntil) options.waitUntil(write);
  else await write;
  return data;
}

/** Keys are a hash of the URL: Blobs keys have limits on length and characters, URLs do not. */
async function keyOf(url: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(url));
  return Buffer.from(digest).toString('hex');
}

/** The picture as a data URI, or null with a warning that says why. */
async function download(url: string, maxBytes: number, options: CardImageOptions): Promise<string | null> {
  // Spotify's pictures are https; the demo's are this site's own files, which may be SVG.
  const own = url.startsWith('/') && !url.startsWith('//');
  const target = own ? new URL(url, options.origin).href : url;
  if (!own && !isHttps(url)) return null;
  const fail = (why: string) => {
    options.log?.warn(`A card picture was left out (${why}): ${target}`);
    return null;
  };
  try {
    const response = await (options.fetch ?? globalThis.fetch)(target, { signal: AbortSignal.timeout(IMAGE_TIMEOUT_MS) });
    const type = response.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase() ?? '';
    if (!response.ok) return fail(`status ${response.status}`);
    if (!TYPES.has(type) && !(own && type === 'image/svg+xml')) return fail(`type ${type || 'unknown'}`);
    const bytes = await readAtMost(response, maxBytes);
    if (!bytes) return fail(`larger than ${maxBytes} bytes`);
    return `data:${type};base64,${Buffer.from(bytes).toString('base64')}`;
  } catch (error) {
    return fail(describeError(error));
  }
}

/** The body, or null as soon as it passes `max` bytes: a huge picture is never read whole. */
async function readAtMost(response: Response, max: number): Promise<Uint8Array | null> {
  if (Number(response.headers.get('content-length')) > max) {
    await response.body?.cancel();
    return null;
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body ?? []) {
    size += chunk.byteLength;
    if (size > max) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
