/**
 * How `npm run size` decides what JavaScript a page loads: inline scripts,
 * island modules and their static imports count; dynamic imports and JSON
 * script blocks do not; and how it counts the function's request path.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pageScripts, requestPath } from '../../scripts/size';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function client(files: Record<string, string>): string {
  dir = mkdtempSync(join(tmpdir(), 'size-test-'));
  mkdirSync(join(dir, '_astro'));
  for (const [name, code] of Object.entries(files)) writeFileSync(join(dir, '_astro', name), code);
  return dir;
}

describe('pageScripts', () => {
  it('counts inline scripts, island modules and their static imports, once each', () => {
    const root = client({
      'Island.js': 'import{a}from"./preact.js";import"./hooks.js";export default a;',
      'client.js': 'import{b}from"./preact.js";const s=()=>import("./signals.js");export{b,s};',
      'preact.js': 'export const a=1,b=2;',
      'hooks.js': 'export{a as h}from"./preact.js";',
      'signals.js': 'export const never=1;',
    });
    const html = `<script>self.Astro={}</script><script type="application/ld+json">{"x":1}</script>
      <astro-island component-url="/_astro/Island.js" renderer-url="/_astro/client.js?dpl=1"></astro-island>`;
    const names = pageScripts(html, root).map((script) => script.name);
    expect(names).toEqual(['inline script #1', '/_astro/Island.js', '/_astro/preact.js', '/_astro/hooks.js', '/_astro/client.js']);
  });

  it('follows imports that carry a deploy query, as Netlify builds write them', () => {
    const root = client({
      'Island.js': 'import{a}from"./preact.js?dpl=abc";export default a;',
      'preact.js': 'export const a=1;',
    });
    const html = '<astro-island component-url="/_astro/Island.js?dpl=abc"></astro-island>';
    expect(pageScripts(html, root).map((script) => script.name)).toEqual(['/_astro/Island.js', '/_astro/preact.js']);
  });

  it('reports gzipped sizes no larger than the raw ones for real code', () => {
    const root = client({ 'a.js': `export const text = ${JSON.stringify('listening '.repeat(200))};` });
    const [script] = pageScripts('<script type="module" src="/_astro/a.js"></script>', root);
    expect(script!.gzipped).toBeGreaterThan(0);
    expect(script!.gzipped).toBeLessThan(script!.bytes);
  });
});

describe('requestPath', () => {
  it('counts the entry and its own modules, but neither packages nor Last.fm\'s module', async () => {
    const root = client({});
    const big = JSON.stringify('x'.repeat(5_000));
    writeFileSync(join(root, 'entry.ts'), "import { h } from 'preact';\nimport { a } from './a';\nimport { lastfm } from './lastfm';\nexport default () => [h, a, lastfm()];\n");
    writeFileSync(join(root, 'a.ts'), 'export const a = 1;\n');
    writeFileSync(join(root, 'lastfm.ts'), `export const lastfm = () => ${big};\n`);
    const path = await requestPath(join(root, 'entry.ts'));
    expect(path.files.map((file) => file.split('/').at(-1))).toEqual(['a.ts', 'entry.ts']);
    expect(path.bytes).toBeGreaterThan(0);
    expect(path.bytes, 'the 5 KB in Last.fm\'s module is left out').toBeLessThan(1_000);
  });
});
