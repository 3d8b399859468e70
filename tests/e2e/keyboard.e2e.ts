/**
 * Keyboard use of the widget on the production build: Tab reaches every link
 * in it, in order, and each focused link shows a focus ring that no clipping
 * box cuts off, on a desktop and on a 360 px phone, in the scenarios whose
 * links sit in clipping lines and the scrolling top-artists row.
 */
import { describe, expect, inject, it } from 'vitest';
import type { ScenarioName } from '../../test-support/fake-spotify/scenarios';
import { closeAfterTest } from './support/artifacts';
import { browserForFile, openPage } from './support/browser';
import { inspectFocus, type FocusedLink } from './support/drawing';
import { useScenario } from '../../test-support/fake-spotify/control';
import { EXPECTED } from './support/scenario-states';
import { waitForHydration, waitForState, widgetRoot } from './support/widget';

const siteUrl = inject('siteUrl');
const fakeUrl = inject('fakeUrl');

/** Tracks with one and with two artists, a podcast, and hostile names (a non-link artist, a long title). */
const SCENARIOS: ScenarioName[] = ['playing', 'last_played', 'episode', 'hostile'];
const VIEWPORTS = { desktop: { width: 1280, height: 900 }, phone: { width: 360, height: 800 } };
/** More presses than the page has links before and in the widget. */
const MAX_TABS = 40;

const browser = browserForFile();

describe.each(SCENARIOS)('keyboard focus in the %s scenario', (scenario) => {
  for (const [device, viewport] of Object.entries(VIEWPORTS)) {
    it(`reaches every widget link with Tab and shows each one's focus ring whole (${device})`, async (context) => {
      await useScenario(fakeUrl, scenario);
      const probe = await openPage(browser(), { viewport });
      closeAfterTest(context, probe, `keyboard-${scenario}-${device}`);
      const { page } = probe;
      await page.goto(`${siteUrl}/`);
      await waitForHydration(page);
      await waitForState(page, EXPECTED[scenario].state);

      const links = await widgetRoot(page).locator('a[href]').evaluateAll((anchors) => anchors.map((a) => a.getAttribute('href')));
      expect(links.length, 'the widget has links to tab through').toBeGreaterThan(1);

      const focused: FocusedLink[] = [];
      for (let press = 0; press < MAX_TABS; press += 1) {
        await page.keyboard.press('Tab');
        const now = await page.evaluate(inspectFocus);
        if (now) focused.push(now);
        else if (focused.length) break;
      }
      expect(focused.map((link) => link.href), 'Tab visits every widget link once, in order').toEqual(links);
      const problems = focused.filter((link) => link.problem).map((link) => `"${link.label}": ${link.problem}`);
      expect(problems, 'focus rings drawn whole').toEqual([]);
    });
  }
});
