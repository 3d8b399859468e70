/**
 * Which picture URLs the widget will load: Spotify's https images and this site's own demo files;
 * and how it draws covers, as Spotify's guidelines ask: whole, unfiltered, corners of 2.5% of their height.
 */
import { readFileSync } from 'node:fs';
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

describe('the cover rules of listening.css', () => {
  it('show covers whole (never cropped), unfiltered, with corners of 2.5% of their height', () => {
    const css = readFileSync(new URL('../../src/components/listening.css', import.meta.url), 'utf8');
    for (const [selector, side] of [['.lw-cover', 112], ['.lw-mini', 40]] as const) {
      const rule = new RegExp(`^\\${selector} \\{([^}]*)\\}`, 'm').exec(css)?.[1] ?? '';
      expect(rule, `${selector}: its box`).toContain(`width: ${side}px;`);
      expect(rule, `${selector}: whole`).toContain('object-fit: contain;');
      expect(rule, `${selector}: corners`).toContain(`border-radius: ${Math.round(side * 0.025)}px;`);
    }
    expect(css, 'no filter, blend or mask that could recolour or blur a cover').not.toMatch(/\b(?:filter|mix-blend-mode|mask)\s*:/);
  });
});
