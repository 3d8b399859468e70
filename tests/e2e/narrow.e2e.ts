/**
 * The widget on a 360 px phone, in every scenario, on the production build:
 * no line of text stops mid-letter. Every text box that is too narrow for its
 * text ends in an ellipsis, and the page does not scroll sideways. Top-artist
 * names of a few short words take two lines there rather than an ellipsis.
 */
import { describe, expect, inject, it } from 'vitest';
import { SCENARIO_NAMES } from '../../test-support/fake-spotify/scenarios';
import { closeAfterTest, keepScreenshot } from './support/artifacts';
import { browserForFile, openPage } from './support/browser';
import { textCutWithoutEllipsis } from './support/drawing';
import { useScenario } from '../../test-support/fake-spotify/control';
import { EXPECTED } from './support/scenario-states';
import { topArtists, waitForHydration, waitForState } from './support/widget';

const siteUrl = inject('siteUrl');
const fakeUrl = inject('fakeUrl');

const PHONE = { width: 360, height: 800 };
/** The hung scenario waits out the server render budget and then the function's deadline. */
const STATE_TIMEOUT_MS = 20_000;

const browser = browserForFile();

describe('the widget on a 360 px phone', () => {
  it.for(SCENARIO_NAMES)('cuts no text mid-letter in the %s scenario', async (scenario, context) => {
    await useScenario(fakeUrl, scenario);
    const probe = await openPage(browser(), { viewport: PHONE });
    closeAfterTest(context, probe, `narrow-${scenario}`);
    const { page } = probe;
    await page.goto(`${siteUrl}/`);
    await waitForHydration(page);
    await waitForState(page, EXPECTED[scenario].state, STATE_TIMEOUT_MS);
    await keepScreenshot(context, page, `narrow-${scenario}`);

    expect(await page.evaluate(textCutWithoutEllipsis), 'text boxes that overflow without an ellipsis').toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth), 'no sideways scrolling').toBeLessThanOrEqual(0);
  });

  it('shows top-artist names of short words whole, on two lines if need be', async (context) => {
    await useScenario(fakeUrl, 'playing');
    const probe = await openPage(browser(), { viewport: PHONE });
    closeAfterTest(context, probe, 'narrow-top-artist-names');
    const { page } = probe;
    await page.goto(`${siteUrl}/`);
    await waitForHydration(page);
    await waitForState(page, 'playing');
    const names = await topArtists(page).locator('.lw-artist > span:last-child').evaluateAll((spans) =>
      spans.map((span) => ({ name: span.textContent ?? '', whole: span.scrollWidth <= span.clientWidth && span.scrollHeight <= span.clientHeight })),
    );
    // The fixtures' multi-word names ("The Lanterns", "Juniper Drive", "Okonkwo & Sons") each fit two lines.
    const multiWord = names.filter(({ name }) => name.includes(' '));
    expect(multiWord.length, 'multi-word names in the fixture').toBeGreaterThanOrEqual(3);
    expect(multiWord.filter(({ whole }) => !whole).map(({ name }) => name), 'names cut short').toEqual([]);
  });
});
