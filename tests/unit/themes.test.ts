/**
 * The theme presets: one source (src/lib/themes.ts) for the page's
 * stylesheet, the element and the card.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { THEMES_CSS_PATH } from '../../scripts/themes';
import { PALETTES, themeCss } from '../../src/lib/themes';

describe('themeCss', () => {
  it('is what src/components/themes.css holds (run `npm run themes` after editing the presets)', () => {
    expect(readFileSync(THEMES_CSS_PATH, 'utf8')).toBe(themeCss());
  });

  it("lets a site's --lw-* value win over every preset's colour", () => {
    const css = themeCss();
    for (const palette of Object.values(PALETTES)) {
      expect(css, 'the preset is a fallback').toContain(`--_accent: var(--lw-accent, ${palette.accent});`);
    }
    expect(css, 'no preset declares a public --lw-* property').not.toMatch(/^\s*--lw-/m);
  });
});
