/**
 * Every fake Spotify scenario, in a real browser, on the production build:
 * the page is served, the island hydrates and settles in the state a visitor
 * should see, with no `undefined`/`null`/`NaN`/raw codes, no console errors
 * or CSP violations, no layout shift, no serious axe violations, in light and
 * dark. A screenshot of each state is kept in test-results/e2e/.
 */
import { describe, expect, inject, it } from 'vitest';
import { SCENARIO_NAMES } from '../../test-support/fake-spotify/scenarios';
import { closeAfterTest, keepScreenshot } from './support/artifacts';
import { seriousA11yViolations } from './support/axe';
import { browserForFile, openPage, unexpectedErrors } from './support/browser';
import { useScenario } from '../../test-support/fake-spotify/control';
import { EXPECTED } from './support/scenario-states';
import { QUIET_ERROR_TEXT, visitorTextProblems, waitForHydration, waitForState, widgetRoot, widgetTitle } from './support/widget';

const siteUrl = inject('siteUrl');
const fakeUrl = inject('fakeUrl');

/** After the state settles: long enough for late images and fonts to cause any shift they would. */
const SETTLE_MS = 500;
/** The hung scenario waits out the server render budget and then the function's read timeout. */
const STATE_TIMEOUT_MS = 20_000;

const browser = browserForFile();

describe.each(SCENARIO_NAMES)('the page when Spotify is in the %s scenario', (scenario) => {
  const expected = EXPECTED[scenario];

  for (const colorScheme of ['light', 'dark'] as const) {
  it(`shows the ${expected.state} state cleanly (${colorScheme})`, async (context) => {
    await useScenario(fakeUrl, scenario);
    const probe = await openPage(browser(), { colorScheme });
    closeAfterTest(context, probe, `${scenario}-${colorScheme}`);
    const { page } = probe;

    const response = await page.goto(`${siteUrl}/`);
    expect(response?.status(), 'the page is always served').toBe(200);
    await waitForHydration(page);
    await waitForState(page, expected.state, STATE_TIMEOUT_MS);
    await page.waitForTimeout(SETTLE_MS);
    await keepScreenshot(context, page, `state-${scenario}-${colorScheme}`);

    if (expected.title !== null) {
      expect(await widgetTitle(page).textContent(), 'the title, as plain text').toBe(expected.title);
    }
    if (expected.state === 'error') {
      expect(await widgetRoot(page).innerText(), 'the quiet error text').toContain(QUIET_ERROR_TEXT);
    }
    expect(await visitorTextProblems(page), 'nothing a visitor should never see').toEqual([]);
    expect(unexpectedErrors(probe.errors, { apiMayFail: expected.apiFails }), 'console errors').toEqual([]);
    expect(await probe.cspViolations(), 'CSP violations').toEqual([]);
    expect(probe.externalRequests, 'requests that would leave the machine').toEqual([]);
    expect(await probe.layoutShift(), 'cumulative layout shift').toBeLessThan(0.01);
    expect(await seriousA11yViolations(page), `serious or critical axe violations (${colorScheme})`).toEqual([]);
  });
  }
});
