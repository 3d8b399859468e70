/**
 * `npm run dev` (astro dev, which serves netlify/functions too): with no
 * credentials it serves the page and `/api/spotify` with demo data; pointed
 * at the HTTP fake Spotify it answers the contract in every scenario, as the
 * production build does in api.e2e.ts.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ErrorCode, Listening } from '../../src/lib/spotify/types';
import { FAKE_RETRY_AFTER_S, type ScenarioName } from '../../test-support/fake-spotify/scenarios';
import { startFakeSpotifyServer, type FakeSpotifyServer } from '../../test-support/fake-spotify/server';
import { startAstroDev } from './support/astro-dev';
import { closeAfterTest } from './support/artifacts';
import { browserForFile, openPage, unexpectedErrors } from './support/browser';
import { hostHtml, startHost } from './support/host';
import type { ServerProcess } from '../../test-support/serve/server-process';

const artifactsDir = inject('artifactsDir');
const root = join(artifactsDir, '..', '..');

/** Empty values hide a developer's own .env: the dev server never overwrites variables already set. */
const NO_CREDENTIALS = { SPOTIFY_CLIENT_ID: '', SPOTIFY_CLIENT_SECRET: '', SPOTIFY_REFRESH_TOKEN: '', CONTEXT: '' };

let fake: FakeSpotifyServer;
let demo: ServerProcess;
let live: ServerProcess;

beforeAll(async () => {
  const credentials = { clientId: 'dev-client', clientSecret: `dev-secret-${randomBytes(6).toString('hex')}`, refreshToken: `dev-refresh-${randomBytes(6).toString('hex')}` };
  fake = await startFakeSpotifyServer({ scenario: 'playing', ...credentials });
  [demo, live] = await Promise.all([
    startAstroDev({ cwd: root, env: NO_CREDENTIALS, logFile: join(artifactsDir, 'astro-dev-demo.log') }),
    startAstroDev({
      cwd: root,
      logFile: join(artifactsDir, 'astro-dev-live.log'),
      env: {
        ...NO_CREDENTIALS,
        SPOTIFY_CLIENT_ID: credentials.clientId,
        SPOTIFY_CLIENT_SECRET: credentials.clientSecret,
        SPOTIFY_REFRESH_TOKEN: credentials.refreshToken,
        SPOTIFY_ACCOUNTS_URL: fake.url,
        SPOTIFY_API_URL: fake.url,
        // Stateless, like the main served site: the tests switch scenarios between calls.
        SPOTIFY_REFRESH_INTERVAL_S: '0',
      },
    }),
  ]);
}, 120_000);

afterAll(async () => {
  await Promise.all([demo?.close(), live?.close()]);
  await fake?.close();
});

describe('npm run dev without credentials', () => {
  it('serves /api/spotify with demo data', async () => {
    const response = await fetch(`${demo.url}/api/spotify`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Listening;
    expect(body.demo).toBe(true);
    expect(body.nowPlaying?.title, 'a demo track').toBeTruthy();
    expect(body.topArtists?.length).toBe(5);
  });

  it('serves the page with the demo track in its first HTML', async () => {
    const html = await (await fetch(`${demo.url}/`)).text();
    expect(html).toMatch(/data-widget="listening"[^>]*data-state="playing"[^>]*data-demo/);
    expect(html).toContain('Demo data');
  });

  it('serves /connect with the setup command in a code element, not in raw backticks', async () => {
    const html = await (await fetch(`${demo.url}/connect`)).text();
    const panel = html.match(/<section[^>]*class="panel[\s\S]*?<\/section>/)?.[0] ?? '';
    expect(panel, 'the panel').toContain('Not connected');
    expect(panel.includes('`'), 'no backtick').toBe(false);
    expect(panel).toMatch(/<code[^>]*>npm run authorize -- --netlify<\/code>/);
  });

  it('serves the states page, which production builds answer with 404', async () => {
    const response = await fetch(`${demo.url}/states`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('data-state="error"');
  });
});

describe('npm run dev pointed at the fake Spotify', () => {
  const call = async (scenario: ScenarioName, init?: RequestInit) => {
    await fetch(`${fake.url}/__control`, { method: 'POST', body: JSON.stringify({ scenario }) });
    return fetch(`${live.url}/api/spotify`, init);
  };
  const code = async (response: Response) => ((await response.json()) as { error: { code: ErrorCode } }).error.code;

  it.each<[ScenarioName, Partial<Listening['nowPlaying'] & object> | null]>([
    ['playing', { isPlaying: true, source: 'current' }],
    ['paused', { isPlaying: false, source: 'current' }],
    ['last_played', { source: 'recent' }],
    ['episode', { type: 'episode' }],
    ['ad', { source: 'recent' }],
    ['local_file', { url: null, imageUrl: null, artists: [] }],
    ['empty_history', null],
  ])('answers 200 in the %s scenario', async (scenario, nowPlaying) => {
    const response = await call(scenario);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Listening;
    if (nowPlaying) expect(body.nowPlaying).toMatchObject(nowPlaying);
    else expect(body.nowPlaying).toBeNull();
    expect(body.demo).toBeUndefined();
  });

  it('answers 200 with the failed part in errors when only top artists lack their scope', async () => {
    const body = (await (await call('scope_missing')).json()) as Listening;
    expect(body.topArtists).toBeNull();
    expect(body.errors).toEqual({ topArtists: 'scope_missing' });
  });

  it.each<[ScenarioName, number, ErrorCode]>([
    ['revoked', 503, 'reauthorization_required'],
    ['rate_limited', 503, 'rate_limited'],
    ['down', 502, 'upstream_error'],
    ['malformed', 502, 'upstream_error'],
    ['hung', 504, 'upstream_timeout'],
  ])('answers the %s scenario with %i %s', async (scenario, status, expected) => {
    const response = await call(scenario);
    expect(response.status).toBe(status);
    if (scenario === 'rate_limited') expect(response.headers.get('retry-after')).toBe(String(FAKE_RETRY_AFTER_S));
    expect(await code(response)).toBe(expected);
  });

  it('answers HEAD like GET without a body, 405 for POST and OPTIONS, and 400 for a bad query', async () => {
    const head = await call('playing', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    for (const method of ['POST', 'OPTIONS']) {
      const refused = await call('playing', { method });
      expect(refused.status, method).toBe(405);
      expect(refused.headers.get('allow')).toBe('GET, HEAD');
    }
    const bad = await fetch(`${live.url}/api/spotify?limit=99`);
    expect(bad.status).toBe(400);
    expect(await code(bad)).toBe('bad_request');
  });
});

describe('the <listening-widget> element on another origin, against a site in demo mode', () => {
  const browser = browserForFile();

  it('loads every demo picture from the site that served it, with no console error', async (context) => {
    const host = await startHost();
    const probe = await openPage(browser());
    closeAfterTest(context, probe, 'dev-demo-element');
    try {
      const pictures: Array<{ url: string; status: number }> = [];
      probe.page.on('response', (response) => {
        if (response.request().resourceType() === 'image') pictures.push({ url: response.url(), status: response.status() });
      });
      await probe.page.goto(host.page('/demo', hostHtml(demo.url, '<listening-widget></listening-widget>')));
      const root = probe.page.locator('listening-widget [data-widget="listening"]');
      await expect.poll(() => root.getAttribute('data-state'), { timeout: 15_000 }).toBe('playing');
      await expect.poll(() => pictures.length, { timeout: 10_000 }).toBeGreaterThan(0);
      expect(pictures.filter((picture) => picture.status !== 200 || !picture.url.startsWith(`${demo.url}/demo/`)), 'pictures from the demo site, all found').toEqual([]);
      expect(unexpectedErrors(probe.errors, { apiMayFail: false })).toEqual([]);
    } finally {
      await host.close();
    }
  });
});
