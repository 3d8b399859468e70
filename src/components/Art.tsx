import { useState } from 'preact/hooks';

type Props = { src: string | null; size: number; alt: string; class: string };

/**
 * Pictures from Spotify come over https; demo pictures are this site's own
 * files (`/demo/…`, or absolute for the element on another site), over http
 * only from a local dev server. Anything else (http elsewhere, `//host`,
 * `javascript:`) is refused.
 */
export const isShowableImage = (src: string | null): src is string => !!src && /^(https:\/\/|\/(?![/\\])|http:\/\/(localhost|127\.0\.0\.1)(:\d+)?\/)/.test(src);

/**
 * An image of fixed size that never leaves a hole: no URL, a refused URL or
 * a failed load all show a styled placeholder of the same size. Give it
 * `key={src}` so a new picture starts fresh.
 */
export default function Art({ src, size, alt, class: cls }: Props) {
  const [broken, setBroken] = useState(!isShowableImage(src));
  const fail = () => setBroken(true);
  return broken ? (
    <span class={`${cls} lw-ph`} aria-hidden="true" />
  ) : (
    <img
      // A load that failed before hydration fired its error event before onError existed: the
      // element says so itself (complete, yet no width), checked as soon as we hold it.
      ref={(img) => {
        if (img?.complete && !img.naturalWidth) fail();
      }}
      class={cls}
      src={src!}
      width={size}
      height={size}
      alt={alt}
      decoding="async"
      onError={fail}
    />
  );
}
