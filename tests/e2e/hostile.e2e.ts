/**
 * Hostile names from Spotify (markup, script, quotes, right-to-left text,
 * a very long artist name, a javascript: link, an http image) render as
 * inert text, and the widget keeps the layout of an ordinary track, on a
 * phone and on a desktop.
 */
import { describe, expect, inject, it } from 'vitest';
import { HOSTILE_TRACK } from '../../test-support/fixtures';
import { closeAfterTest, keepScreenshot } from './support/artifacts';
import { browserForFile, openPage, unexpectedErrors } from './support/browser';
import { useScenario } from '../../test-support/fake-spotify/control';
import { waitForHydration, waitForState, widgetRoot, widgetTitle } from './support/widget';

const siteUrl = inject('siteUrl');
const fakeUrl = inject('fakeUrl');

const browser = browserForFile();

const VIEWPORTS = { phone: { width: 375, height: 800 }, desktop: { width: 1280, height: 900 } };

describe('hostile track and artist names', () => {
  for (const [device, viewport] of Object.entries(VIEWPORTS)) {
    it(`render as text with the layout of an ordinary track (${device})`, async (context) => {
      const heightOf = async (scenario: 'playing' | 'hostile') => {
        await useScenario(fakeUrl, scenario);
        const probe = await openPage(browser(), { viewport });
        closeAfterTest(context, probe, `hostile-${device}-${scenario}`);
        const dialogs: string[] = [];
        probe.page.on('dialog', (dialog) => {
          dialogs.push(dialog.message());
          void dialog.dismiss();
        });
        await probe.page.goto(`${siteUrl}/`);
        await waitForHydration(probe.page);
        await waitForState(probe.page, 'playing');
        await probe.page.waitForTimeout(300);
        return { probe, dialogs, box: await widgetRoot(probe.page).boundingBox() };
      };

      const ordinary = await heightOf('playing');
      const hostile = await heightOf('hostile');
      const { page } = hostile.probe;
      await keepScreenshot(context, page, `hostile-${device}`);

      expect(await widgetTitle(page).textContent(), 'the title, character for character').toBe(HOSTILE_TRACK.name);
      const injected = await widgetRoot(page).evaluate((root) => ({
        images: [...root.querySelectorAll('img')].filter((img) => img.getAttribute('src') === 'x').length,
        scripts: root.querySelectorAll('script').length,
        bold: root.querySelectorAll('b').length,
        scriptLinks: [...root.querySelectorAll('a')].filter((a) => /^\s*javascript:/i.test(a.getAttribute('href') ?? '')).length,
        insecureImages: [...root.querySelectorAll('img')].filter((img) => (img.getAttribute('src') ?? '').startsWith('http:')).length,
      }));
      expect(injected, 'no markup from Spotify became elements').toEqual({ images: 0, scripts: 0, bold: 0, scriptLinks: 0, insecureImages: 0 });
      expect(hostile.dialogs, 'no script from Spotify ran').toEqual([]);
      expect(await widgetRoot(page).innerText()).toContain('مرحبا');
      // Each name from Spotify is its own bidi island (dir="auto" or <bdi>), so a right-to-left
      // name cannot pull the ", " after it or a neighbouring name into its run.
      const names = await widgetRoot(page).evaluate((root) =>
        [...root.querySelectorAll('[data-field="title"] > *, .lw-meta > .lw-muted > *, .lw-album > *, .lw-row > li > .lw-artist')].map(
          (name) => `${getComputedStyle(name).unicodeBidi}: ${(name.textContent ?? '').slice(0, 24)}`,
        ),
      );
      expect(names.length, 'title, two artists, album and top artists').toBeGreaterThanOrEqual(4);
      expect(names.filter((name) => !/^(isolate|plaintext|isolate-override):/.test(name)), 'names not isolated').toEqual([]);

      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, 'no horizontal scrolling').toBeLessThanOrEqual(0);
      expect(hostile.box?.width, 'the widget keeps its width').toBe(ordinary.box?.width);
      expect(hostile.box?.height, 'the widget keeps its height').toBe(ordinary.box?.height);
      expect(await hostile.probe.layoutShift()).toBeLessThan(0.01);
      expect(unexpectedErrors(hostile.probe.errors, { apiMayFail: false })).toEqual([]);
    });
  }
});
