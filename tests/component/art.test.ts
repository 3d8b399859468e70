/** Which picture URLs the widget will load: Spotify's https images and this site's own demo files. */
import { describe, expect, it } from 'vitest';
import { isShowableImage } from '../../src/components/Art';

describe('isShowableImage', () => {
  it('accepts https URLs and paths on this site', () => {
    expect(isShowableImage('https://i.scdn.co/image/ab67')).toBe(true);
    expect(isShowableImage('/demo/cover-night-ferry.svg')).toBe(true);
  });

  it('accepts http only from a local dev server, whose demo pictures the element loads from another origin', () => {
    for (const url of ['http://localhost:4321/demo/a.svg', 'http://127.0.0.1:8888/demo/a.svg']) expect(isShowableImage(url), url).toBe(true);
    for (const url of ['http://localhost.evil.example/a.svg', 'http://127.0.0.1.evil.example/a.svg', 'http://localhost@evil.example/a.svg']) expect(isShowableImage(url), url).toBe(false);
  });

  it('refuses http, other schemes, other hosts written as paths, and nothing at all', () => {
    for (const url of ['http://i.scdn.co/x', 'javascript:alert(1)', 'data:image/svg+xml,<svg/>', '//evil.example/x.png', '/\\evil.example/x.png', 'demo/x.svg', '']) {
      expect(isShowableImage(url), url).toBe(false);
    }
    expect(isShowableImage(null)).toBe(false);
  });
});
