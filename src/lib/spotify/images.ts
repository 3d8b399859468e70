import type { RawImage } from './wire';

/**
 * The now-playing slot is 112 CSS px, 224 device px on a 2x screen: Spotify's
 * 300 px size (of 640, 300 and 64) is the smallest that covers it; 64 would blur.
 */
export const COVER_MIN_WIDTH = 300;
/** Top-artist avatars are 56 px; 160 px covers them on screens up to 2.8x. */
export const AVATAR_MIN_WIDTH = 160;

/**
 * The smallest https image at least `minWidth` wide, else the largest one.
 * Images without a width (mosaics) count as large: Spotify leaves the width
 * out only for composites built at full size.
 */
export function pickImage(images: RawImage[] | null | undefined, minWidth: number): string | null {
  const usable = (images ?? []).filter((image): image is RawImage & { url: string } => isHttps(image.url));
  if (usable.length === 0) return null;
  const width = (image: RawImage) => image.width ?? Number.MAX_SAFE_INTEGER;
  const covering = usable.filter((image) => width(image) >= minWidth).sort((a, b) => width(a) - width(b));
  const largest = [...usable].sort((a, b) => width(b) - width(a));
  return (covering[0] ?? largest[0])!.url;
}

/** Only https URLs leave the server: no http, no javascript:, no empty strings. */
export function isHttps(url: string | null | undefined): url is string {
  if (!url) return false;
  try {
    return new URL(url).protocol === 'https:';
  } catch {
    return false;
  }
}
