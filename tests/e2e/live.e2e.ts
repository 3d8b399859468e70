/**
 * The island after the first paint, on the production build: it picks up a
 * track change from Spotify on its next poll, and makes no requests while
 * the tab is hidden. The page's clock is Playwright's, so a poll interval
 * passes in an instant instead of in real seconds.
 */
import { describe, expect, inject, it, type TestContext } from 'vitest';
import { MIN_POLL_MS } from '../../src/lib/spotify/limits';
import { PLAYLIST } from '../../test-support/fixtures';
import { site } from '../../src/site.config';
import { closeAfterTest, keepScreenshot } from './support/artifacts';
import { browserForFile, openPage, unexpectedErrors, type ProbedPage } from './support/browser';
import { controlFake, useScenario } from '../../test-support/fake-spotify/control';
import { setTabHidden } from './support/visibility';
import { waitForHydration, waitForState, widgetTitle } from './support/widget';

const siteUrl = inject('siteUrl');
const fakeUrl = inject('fakeUrl');
/** The interval the page gives the island (index.astro clamps the owner's setting the same way). */
const POLL_MS = Math.max(MIN_POLL_MS, site.pollIntervalMs);

const isApi = (url: string) => new URL(url).pathname === '/api/spotify';

const browser = browserForFile();

/** The home page in the playing scenario, hydrated, with the page's clock under the test's control. */
async function openPlaying(context: TestContext, name: string): Promise<ProbedPage> {
  await useScenario(fakeUrl, 'playing');
  const probe = await openPage(browser());
  closeAfterTest(context, probe, name);
  await probe.page.clock.install();
  await probe.page.goto(`${siteUrl}/`);
  await waitForHydration(probe.page);
  await waitForState(probe.page, 'playing');
  return probe;
}

describe('the island on the production build', () => {
  it('shows the new track after the fake Spotify changes track, without layout shift', async (context) => {
    const probe = await openPlaying(context, 'island-track-change');
    const { page } = probe;
    expect(await widgetTitle(page).textContent(), 'the server-rendered track').toBe(PLAYLIST[0]!.name);
    expect(probe.apiRequests, 'the first paint needs no request').toEqual([]);

    await controlFake(fakeUrl, { track: 1 });
    const polled = page.waitForResponse((response) => isApi(response.url()));
    await page.clock.fastForward(POLL_MS + 1_000);
    expect((await polled).status()).toBe(200);
    await expect.poll(() => widgetTitle(page).textContent(), { timeout: 10_000 }).toBe(PLAYLIST[1]!.name);
    await keepScreenshot(context, page, 'island-after-track-change');

    expect(await probe.layoutShift(), 'layout shift across the update').toBeLessThan(0.01);
    expect(unexpectedErrors(probe.errors, { apiMayFail: false })).toEqual([]);
  });

  it('makes no requests while the tab is hidden, and refreshes at once when it comes back', async (context) => {
    const probe = await openPlaying(context, 'island-hidden-tab');
    const { page } = probe;

    // Visible, it polls after one interval: so the silence below is the hidden tab's doing.
    const visiblePoll = page.waitForResponse((response) => isApi(response.url()));
    await page.clock.fastForward(POLL_MS + 1_000);
    // The island reads the body and schedules its next poll after the response event. runFor
    // below keeps the page's event loop busy for a while: if the answer were still unread then,
    // the next poll would be scheduled from the far side of the five minutes, not before them.
    await (await visiblePoll).finished();
    await page.waitForTimeout(250);
    const seen = probe.apiRequests.length;

    await setTabHidden(page, true);
    await page.clock.runFor('05:00');
    // Any request the timers started would be on the wire by now.
    await page.waitForTimeout(500);
    expect(probe.apiRequests.length - seen, 'requests while hidden for five minutes').toBe(0);

    const onReturn = page.waitForRequest((request) => isApi(request.url()), { timeout: 5_000 });
    await setTabHidden(page, false);
    await onReturn;
    expect(probe.apiRequests.length - seen, 'one refresh on return, the data being older than the interval').toBe(1);
  });

  it('recovers from a Spotify outage at the first paint without moving the page', async (context) => {
    await useScenario(fakeUrl, 'down');
    const probe = await openPage(browser());
    closeAfterTest(context, probe, 'island-recovers');
    const { page } = probe;
    await page.clock.install();
    await page.goto(`${siteUrl}/`);
    await waitForHydration(page);
    await waitForState(page, 'error');
    await keepScreenshot(context, page, 'island-outage-first-paint');
    const widgetHeight = async () => (await page.locator('[data-widget="listening"]').boundingBox())?.height ?? 0;
    const quietHeight = await widgetHeight();

    await useScenario(fakeUrl, 'playing');
    // The server render failed, so the island waits one interval before its first try.
    const polled = page.waitForResponse((response) => isApi(response.url()));
    await page.clock.fastForward(POLL_MS + 1_000);
    expect((await polled).status()).toBe(200);
    await waitForState(page, 'playing');
    // The page below the widget is short, so layout shift alone would miss a widget that grows.
    expect(Math.abs((await widgetHeight()) - quietHeight), 'widget height change, px').toBeLessThanOrEqual(1);
    expect(await probe.layoutShift(), 'layout shift from the quiet error to the data').toBeLessThan(0.01);
  });
});
