/**
 * Embedding (issue 11), in Chromium against the production build: a static
 * page on another loopback origin loads `<listening-widget>` from the served
 * site's /embed.js and shows /card.svg as an `<img>`. The element hydrates in
 * each scenario's state under the strict CSP docs/embed.md gives, takes its
 * accent from the host page, asks nothing while the tab is hidden, and passes
 * axe; the card renders. The gallery in docs/embed.md is this file's
 * screenshots (test-results/e2e/gallery-*.png).
 *
 * The last block serves a second site with the shared state on (the main one
 * is stateless) and opens the portfolio page, the element and the card in one
 * refresh window: Spotify sees one refresh, not three.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it, type TestContext } from 'vitest';
import { PALETTES } from '../../src/lib/themes';
import { controlFake, fakeState, useScenario } from '../../test-support/fake-spotify/control';
import type { ScenarioName } from '../../test-support/fake-spotify/scenarios';
import { startFakeSpotifyServer, type FakeSpotifyServer } from '../../test-support/fake-spotify/server';
import { closeAfterTest } from './support/artifacts';
import { seriousA11yViolations } from './support/axe';
import { browserForFile, openPage, unexpectedErrors, type PageOptions, type ProbedPage } from './support/browser';
import type { ServedSite } from '../../test-support/serve/netlify-serve';
import { hostHtml, startHost, type Host } from './support/host';
import { copyProject, serveCopy, type ProjectCopy } from './support/private-site';

const siteUrl = inject('siteUrl');
const fakeUrl = inject('fakeUrl');
const browser = browserForFile();

/** What docs/embed.md says a host's CSP must allow, and nothing else (no style-src at all). */
const strictCsp = (site: string) => `default-src 'none'; script-src ${site}; connect-src ${site}; img-src https:`;

/** Playwright's CSS locators pierce open shadow roots: `listening-widget [data-widget]` is inside. */
const element = (page: Page, nth = 0) => page.locator('listening-widget').nth(nth).locator('[data-widget="listening"]');

async function settledState(page: Page, nth = 0): Promise<string> {
  const root = element(page, nth);
  await expect.poll(() => root.getAttribute('data-state'), { timeout: 15_000 }).not.toMatch(/^(loading|null)$/);
  return (await root.getAttribute('data-state'))!;
}

async function open(context: TestContext, name: string, options: PageOptions = {}): Promise<ProbedPage> {
  const probe = await openPage(browser(), options);
  closeAfterTest(context, probe, name);
  return probe;
}

let host: Host;
beforeAll(async () => {
  host = await startHost();
});
afterAll(async () => {
  await host?.close();
});

describe('<listening-widget> on another origin', () => {
  it('hydrates in the state of each scenario under the strict CSP, with no console, CORS or CSP errors', async (context) => {
    const url = host.page('/strict', hostHtml(siteUrl, '<listening-widget></listening-widget>'), strictCsp(siteUrl));
    const cases: [ScenarioName, string][] = [
      ['playing', 'playing'],
      ['last_played', 'recent'],
      ['episode', 'episode'],
      ['empty_history', 'empty'],
      ['revoked', 'error'],
    ];
    for (const [scenario, state] of cases) {
      await useScenario(fakeUrl, scenario);
      const probe = await open(context, `embed-${scenario}`);
      await probe.page.goto(url);
      expect(await settledState(probe.page), scenario).toBe(state);
      expect(await element(probe.page).evaluate((root) => getComputedStyle(root).borderTopLeftRadius), 'styled inside its shadow root').toBe('20px');
      expect(unexpectedErrors(probe.errors, { apiMayFail: scenario === 'revoked' }), scenario).toEqual([]);
      expect(await probe.cspViolations(), scenario).toEqual([]);
      expect(probe.apiRequests.every((request) => request.startsWith(`${siteUrl}/api/spotify`)), 'asks the site that served it').toBe(true);
      await probe.close();
    }
  });

  it('takes its accent from a --lw-accent on the host page, over any theme', async (context) => {
    await useScenario(fakeUrl, 'playing');
    const status = (page: Page, nth: number) => element(page, nth).locator('.lw-status').evaluate((node) => getComputedStyle(node).color);
    const plain = host.page('/plain', hostHtml(siteUrl, '<listening-widget></listening-widget><listening-widget theme="forest"></listening-widget>'));
    const styled = host.page(
      '/styled',
      hostHtml(siteUrl, '<listening-widget></listening-widget><listening-widget theme="forest"></listening-widget>', '<style>:root { --lw-accent: #7c3aed; }</style>'),
    );
    const probe = await open(context, 'embed-accent');
    await probe.page.goto(plain);
    await settledState(probe.page);
    expect(await status(probe.page, 0), 'the light theme').toBe(rgb(PALETTES.light.accent));
    expect(await status(probe.page, 1), 'the forest theme').toBe(rgb(PALETTES.forest.accent));
    await probe.page.goto(styled);
    await settledState(probe.page);
    expect([await status(probe.page, 0), await status(probe.page, 1)], "the host's accent").toEqual(['rgb(124, 58, 237)', 'rgb(124, 58, 237)']);
  });

  it('asks nothing while its tab is hidden, and at once when the tab shows again', async (context) => {
    await useScenario(fakeUrl, 'playing');
    const probe = await open(context, 'embed-hidden');
    // Hidden before any script runs: the element mounts in a background tab.
    await probe.context.addInitScript(() => {
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
    });
    await probe.page.goto(host.page('/hidden', hostHtml(siteUrl, '<listening-widget></listening-widget>')));
    await element(probe.page).waitFor({ state: 'attached' });
    await sleep(3_000);
    expect(probe.apiRequests, 'no request while hidden').toEqual([]);
    expect(await element(probe.page).getAttribute('data-state')).toBe('loading');
    await probe.page.evaluate(() => {
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => false });
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'visible' });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    expect(await settledState(probe.page)).toBe('playing');
    expect(probe.apiRequests, 'one request on return').toHaveLength(1);
  });

  it('passes axe in both layouts, light and dark', async (context) => {
    await useScenario(fakeUrl, 'playing');
    const url = host.page('/a11y', hostHtml(siteUrl, '<listening-widget></listening-widget><listening-widget layout="compact"></listening-widget>'));
    for (const colorScheme of ['light', 'dark'] as const) {
      const probe = await open(context, `embed-axe-${colorScheme}`, { colorScheme });
      await probe.page.goto(url);
      await settledState(probe.page, 0);
      await settledState(probe.page, 1);
      expect(await seriousA11yViolations(probe.page), colorScheme).toEqual([]);
      await probe.close();
    }
  });
});

describe('/card.svg as an <img> on another origin', () => {
  it('is served as an inert SVG with an ETag, and 304 while unchanged', async () => {
    await useScenario(fakeUrl, 'paused');
    const first = await fetch(`${siteUrl}/card.svg?theme=dark`);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');
    expect(first.headers.get('content-security-policy'), 'its own policy, not the page\'s').toBe("default-src 'none'; img-src data:; style-src 'unsafe-inline'");
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await fetch(`${siteUrl}/card.svg?theme=dark`, { headers: { 'If-None-Match': etag } });
    expect(again.status, 'a paused track draws the same card twice').toBe(304);
  });

  it('renders in every theme and layout, and the gallery keeps each with the element beside it', async (context) => {
    await useScenario(fakeUrl, 'playing');
    const themes: { name: string; card: string; element: string; colorScheme?: 'dark' }[] = [
      { name: 'light', card: '', element: '' },
      { name: 'dark', card: '', element: '', colorScheme: 'dark' },
      { name: 'forest', card: '?theme=forest', element: ' theme="forest"' },
      { name: 'sunset', card: '?theme=sunset', element: ' theme="sunset"' },
      { name: 'compact', card: '?layout=compact', element: ' layout="compact"' },
    ];
    for (const theme of themes) {
      const body =
        `<div class="shot" id="element"><listening-widget${theme.element}></listening-widget></div>` +
        `<div class="shot" id="card"><img src="${siteUrl}/card.svg${theme.card}" alt="What I'm listening to on Spotify"></div>`;
      const probe = await open(context, `gallery-${theme.name}`, { colorScheme: theme.colorScheme ?? 'light' });
      await probe.page.goto(host.page(`/gallery-${theme.name}`, hostHtml(siteUrl, body, GALLERY_STYLE)));
      await settledState(probe.page);
      const img = probe.page.locator('#card img');
      await expect.poll(() => img.evaluate((node: HTMLImageElement) => node.complete && node.naturalWidth), { timeout: 10_000 }).toBe(
        theme.name === 'compact' ? 400 : 480,
      );
      // The progress bar and the card were drawn a moment apart: let the live widget settle on its clock.
      await sleep(300);
      const dir = inject('artifactsDir');
      await probe.page.locator('#element').screenshot({ path: join(dir, `gallery-element-${theme.name}.png`) });
      await probe.page.locator('#card').screenshot({ path: join(dir, `gallery-card-${theme.name}.png`) });
      expect(unexpectedErrors(probe.errors, { apiMayFail: false }), theme.name).toEqual([]);
      await probe.close();
    }
  });
});

/** A host page with a sans-serif font (the element takes the host's) and a dark background in dark mode. */
const GALLERY_STYLE =
  '<style>body{margin:0;font-family:system-ui,sans-serif}.shot{width:fit-content;padding:28px}#element{width:560px}' +
  '@media (prefers-color-scheme:dark){body{background:#0d1117;color:#e6edf3}}</style>';

/* --- One refresh per window, with the shared state on --- */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// Long enough for three surfaces to load on a busy 2-core machine (one run took 10.3 s).
const REFRESH_INTERVAL_S = 20;

describe('the page, the element and the card together, through the shared state', () => {
  let copy: ProjectCopy;
  let fake: FakeSpotifyServer;
  let site: ServedSite;

  beforeAll(async () => {
    const credentials = {
      clientId: 'e2e-embed-client-id',
      clientSecret: `e2e-embed-secret-${randomBytes(6).toString('hex')}`,
      refreshToken: `e2e-embed-refresh-${randomBytes(6).toString('hex')}`,
    };
    copy = copyProject(ROOT);
    fake = await startFakeSpotifyServer({ ...credentials, scenario: 'playing' });
    site = await serveCopy(copy, { ...credentials, url: fake.url }, {
      logFile: join(ROOT, 'test-results', 'e2e', 'netlify-serve-embed.log'),
      env: { SPOTIFY_REFRESH_INTERVAL_S: String(REFRESH_INTERVAL_S) },
    });
  }, 240_000);
  afterAll(async () => {
    await site?.close();
    await fake?.close();
    copy?.remove();
  });

  it('cost Spotify one refresh in one refresh window, not one per surface', async (context) => {
    // Each function's first call loads its bundle slowly, and fills the state: then let the window pass.
    for (const path of ['/api/spotify', '/', '/card.svg']) expect((await fetch(`${site.url}${path}`)).status, path).toBe(200);
    // A track put on from its start, so no track's end falls in the window and asks for a second refresh.
    await controlFake(fake.url, { track: 0 });
    await sleep(REFRESH_INTERVAL_S * 1_000 + 1_500);

    const before = await fakeState(fake.url);
    const started = Date.now();
    const probe = await open(context, 'embed-shared-state');
    await probe.page.goto(`${site.url}/`);
    await expect.poll(() => probe.page.locator('[data-widget="listening"]').getAttribute('data-state')).toBe('playing');
    const elsewhere = host.page(
      '/together',
      hostHtml(site.url, `<listening-widget></listening-widget><img src="${site.url}/card.svg" alt="What I'm listening to on Spotify">`),
    );
    await probe.page.goto(elsewhere);
    expect(await settledState(probe.page)).toBe('playing');
    await expect.poll(() => probe.page.locator('main > img').evaluate((node: HTMLImageElement) => node.naturalWidth)).toBe(480);
    expect(probe.apiRequests.length, "the element's poll").toBeGreaterThanOrEqual(1);
    expect(Date.now() - started, 'all inside one window').toBeLessThan(REFRESH_INTERVAL_S * 1_000);

    const after = await fakeState(fake.url);
    // One refresh reads the player once; the access token of the warm-up is reused, so no exchange is needed.
    const playerReads = (after.byPath['/v1/me/player/currently-playing'] ?? 0) - (before.byPath['/v1/me/player/currently-playing'] ?? 0);
    console.info(`page + element + card in one window: ${after.requests - before.requests} requests to Spotify, ${playerReads} player read(s)`);
    expect(playerReads, 'one refresh for the three surfaces').toBe(1);
  });
});

/** `#rrggbb` as getComputedStyle writes it. */
function rgb(hex: string): string {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return `rgb(${r}, ${g}, ${b})`;
}
