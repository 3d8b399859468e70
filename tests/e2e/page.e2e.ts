/**
 * The home page's HTTP answers on the production build, before any
 * JavaScript runs: the server render already carries the track, the page is
 * served whatever Spotify does, and no secret reaches a visitor.
 */
import { describe, expect, inject, it } from 'vitest';
import { CDN_MAX_AGE_S, LATE_PAGE_CACHE_S, UPSTREAM_ERROR_CACHE_S } from '../../src/lib/spotify/limits';
import { FAKE_RETRY_AFTER_S, SCENARIO_NAMES } from '../../test-support/fake-spotify/scenarios';
import { browserForFile, openPage } from './support/browser';
import { useScenario } from '../../test-support/fake-spotify/control';
import { EXPECTED } from './support/scenario-states';

const siteUrl = inject('siteUrl');
const fakeUrl = inject('fakeUrl');
const secrets = inject('secrets');

const escapeHtml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

async function firstHtml(): Promise<{ status: number; headers: Headers; html: string; ms: number }> {
  const started = performance.now();
  const response = await fetch(`${siteUrl}/`);
  const html = await response.text();
  return { status: response.status, headers: response.headers, html, ms: performance.now() - started };
}

/** An HTML tag, attribute values quoted or not (a `>` inside quotes does not end it). */
const TAG = /<\/?([a-z0-9]+)((?:\s+[^\s=>\/]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*)\s*\/?>/gi;

/**
 * The title element's text as served: its content up to the closing tag of
 * the same name (it wraps a link or a span, never its own kind), tags
 * stripped, entities decoded the few ways Astro and Preact write them.
 */
function servedTitle(html: string): string | null {
  const open = [...html.matchAll(TAG)].find((tag) => /\sdata-field="title"/.test(tag[2] ?? ''));
  if (!open) return null;
  const start = open.index + open[0].length;
  const end = html.indexOf(`</${open[1]}>`, start);
  return html
    .slice(start, end)
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(TAG, '')
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;|&#x27;/g, "'").replace(/&amp;/g, '&');
}

describe('the first HTML response of the home page', () => {
  it.each(SCENARIO_NAMES)('is served with the widget in the %s scenario', async (scenario) => {
    await useScenario(fakeUrl, scenario);
    const page = await firstHtml();
    expect(page.status, 'the page is always served').toBe(200);
    expect(page.html).toContain('data-widget="listening"');
    expect(page.ms, 'a hung Spotify costs the page at most its render budget').toBeLessThan(5_000);
    const expected = EXPECTED[scenario];
    if (expected.title !== null) {
      expect(servedTitle(page.html), 'the server render already shows the title').toBe(expected.title);
    }
    for (const secret of secrets) expect(page.html.includes(secret), 'a secret in the HTML').toBe(false);
  });

  it('escapes hostile names in the server render', async () => {
    await useScenario(fakeUrl, 'hostile');
    const { html } = await firstHtml();
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<script>alert');
    expect(html).toContain(escapeHtml('<img src=x onerror='));
  });

  it.each(['playing', 'revoked'] as const)('carries the full Content-Security-Policy and security headers (%s)', async (scenario) => {
    await useScenario(fakeUrl, scenario);
    const { headers } = await firstHtml();
    const csp = headers.get('content-security-policy') ?? '';
    // The site's own directives (src/middleware.ts) and Astro's script hashes, in the one header.
    for (const directive of ["default-src 'self'", "img-src 'self' https:", "frame-ancestors 'none'", "connect-src 'self'", 'script-src']) {
      expect(csp, `CSP has ${directive}`).toContain(directive);
    }
    expect(csp, 'inline code runs only by hash').not.toContain('unsafe-inline');
    expect(headers.get('x-content-type-options')).toBe('nosniff');
    expect(headers.get('x-frame-options')).toBe('DENY');
    expect(headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
    expect(headers.get('permissions-policy')).toContain('camera=()');
  });

  // The CDN honours Netlify-CDN-Cache-Control; `netlify serve` passes it through without caching.
  it.each([
    ['playing', CDN_MAX_AGE_S, 'fresh data, like a good answer'],
    ['rate_limited', FAKE_RETRY_AFTER_S, "a rate limit, for Spotify's Retry-After"],
    ['down', UPSTREAM_ERROR_CACHE_S, 'a failing Spotify, briefly'],
    ['hung', LATE_PAGE_CACHE_S, 'a render past the budget, a few seconds'],
  ] as const)('is cached on the CDN in the %s scenario (%d s: %s)', async (scenario, seconds, _why) => {
    await useScenario(fakeUrl, scenario);
    const { headers } = await firstHtml();
    expect(headers.get('netlify-cdn-cache-control'), 'CDN cache').toMatch(new RegExp(`^public, durable, s-maxage=${seconds}(,|$)`));
    expect(headers.get('cache-control'), 'browsers revalidate').toBe('public, max-age=0, must-revalidate');
  });
});

describe('everything the browser downloads', () => {
  const browser = browserForFile();

  it.each(['playing', 'revoked'] as const)('holds no secret (%s)', async (scenario) => {
    await useScenario(fakeUrl, scenario);
    const probe = await openPage(browser());
    try {
      const bodies: Promise<string>[] = [];
      probe.page.on('response', (response) => {
        if (new URL(response.url()).origin === new URL(siteUrl).origin) bodies.push(response.text().catch(() => ''));
      });
      await probe.page.goto(`${siteUrl}/`, { waitUntil: 'networkidle' });
      const downloaded = await Promise.all(bodies);
      expect(downloaded.length, 'the page, its scripts and styles').toBeGreaterThan(1);
      for (const body of downloaded) for (const secret of secrets) expect(body.includes(secret)).toBe(false);
    } finally {
      await probe.close();
    }
  });
});
