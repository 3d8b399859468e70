/**
 * `/embed.js`, as esbuild bundles it for the build: one module that any page
 * can load, within its gzipped budget (scripts/size.ts).
 */
import { describe, expect, it } from 'vitest';
import { EMBED_BUDGET_BYTES } from '../../scripts/size';
import { bundleEmbed, gzippedBytes } from '../../src/integrations/embed';

describe('bundleEmbed', () => {
  it('is one self-contained module within its gzipped budget, Preact, CSS and the Spotify icon included', async () => {
    const code = await bundleEmbed();
    expect(/(?:^|[;}])\s*import\s*[\w{*"']/.test(code), 'no imports left: one request loads it all').toBe(false);
    // Booleans, not toContain: a failure must not print 30 KB of minified code.
    expect(code.includes('customElements.define("listening-widget"'), 'defines the element').toBe(true);
    expect(code.includes('.lw-cover{'), 'the widget CSS is inside').toBe(true);
    expect(code.includes('var(--lw-accent, #15803d)'), 'the themes are inside').toBe(true);
    expect(gzippedBytes(code)).toBeLessThanOrEqual(EMBED_BUDGET_BYTES);
  });
});
