/**
 * Builds the site with dummy secrets in the environment (in a private copy,
 * see scripts/private-build.ts) and checks that no secret reaches the build
 * output, dist/ or .netlify/, nor the server-rendered page, whose render uses
 * those secrets against the fake Spotify. Also checks the page's security
 * headers as the production build sends them, that the build carries
 * neither the fake Spotify nor its fixtures (the same build serves both), and
 * that the Spotify icon is inlined rather than loaded from simple-icons at run time.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildPrivateCopy, filesUnder, needlesIn, renderPath, type PrivateBuild } from '../../scripts/private-build';
import { FIXTURE_NEEDLES } from './fixture-needles';
import { useFakeSpotify } from '../mocks/spotify';

const SECRETS = {
  SPOTIFY_CLIENT_ID: 'leakcheck-client-id-5b0e71',
  SPOTIFY_CLIENT_SECRET: 'leakcheck-client-secret-c93f2a',
  SPOTIFY_REFRESH_TOKEN: 'leakcheck-refresh-token-8d41aa',
};
/** The secrets as they travel: each value, and the Basic credentials built from two of them. */
const NEEDLES = [
  ...Object.values(SECRETS),
  btoa(`${SECRETS.SPOTIFY_CLIENT_ID}:${SECRETS.SPOTIFY_CLIENT_SECRET}`),
];

let build: PrivateBuild;
beforeAll(() => {
  build = buildPrivateCopy(SECRETS);
}, 180_000);
afterAll(() => build?.remove());

const leaks = (files: string[]) => needlesIn(files, NEEDLES);

describe('the production build', () => {
  it('wires no session store: the site never uses Astro.session (astro.config.mjs `session: false`)', () => {
    expect(build.log, 'the build log').toContain('Complete!');
    expect(build.log, 'the build log').not.toMatch(/Enabling sessions/i);
  });

  it('puts no secret in the client output (dist/)', () => {
    const files = filesUnder(join(build.dir, 'dist'));
    expect(files.some((file) => file.endsWith('.js')), 'the build emitted client scripts').toBe(true);
    expect(leaks(files)).toEqual([]);
  });

  it('puts no secret in the server output (.netlify/): secrets are read at run time only', () => {
    const files = filesUnder(join(build.dir, '.netlify'));
    expect(files.some((file) => file.endsWith('.mjs')), 'the build emitted server code').toBe(true);
    expect(leaks(files)).toEqual([]);
  });

  it('server-renders the track using the secrets, with no secret or token in the page or its headers', async () => {
    for (const [name, value] of Object.entries(SECRETS)) vi.stubEnv(name, value);
    vi.stubEnv('CONTEXT', 'production');
    // No Blobs here: with the shared state the render would fail closed, so read Spotify per call.
    vi.stubEnv('SPOTIFY_REFRESH_INTERVAL_S', '0');
    const fake = useFakeSpotify({
      clientId: SECRETS.SPOTIFY_CLIENT_ID,
      clientSecret: SECRETS.SPOTIFY_CLIENT_SECRET,
      refreshToken: SECRETS.SPOTIFY_REFRESH_TOKEN,
    });
    const response = await renderPath(build.dir, '/');
    const html = await response.text();
    const headers = JSON.stringify([...response.headers]);

    expect(response.status).toBe(200);
    expect(fake.requests.some((request) => request.url.pathname === '/api/token'), 'the render used the secrets').toBe(true);
    expect(html).toMatch(/data-field="title"[^>]*>(?:<a [^>]*>)?Harbour Lights</);
    // Spotify's attribution, server-rendered as the island's children so the page's script need not carry the
    // icon. In the widget's heading row: Astro also keeps a hydration copy in a <template>, which does not count.
    const head = /<div class="lw-head">([\s\S]*?)<\/div>/.exec(html)?.[1] ?? '';
    expect(head, 'the Spotify mark beside the data').toMatch(/<a class="lw-brand" href="https:\/\/open\.spotify\.com" data-field="spotify">[\s\S]*?<path d="M12 0[^"]*"[\s\S]*?<span>Spotify<\/span><\/a>/);
    for (const needle of [...NEEDLES, 'fake-access-']) {
      expect(html, 'page').not.toContain(needle);
      expect(headers, 'headers').not.toContain(needle);
    }
  });

  it('answers /connect/start and /connect/callback with a 503 and Retry-After, never a 500, when Netlify Blobs cannot be reached', async () => {
    for (const [name, value] of Object.entries(SECRETS)) vi.stubEnv(name, value);
    vi.stubEnv('CONTEXT', 'production');
    vi.stubEnv('SPOTIFY_OWNER_ID', 'owner-1');
    // No Blobs here (no Netlify context): every store write fails. (The status page reads a missing
    // Blobs environment as no store at all, so tests/server/renewal.test.ts covers its 503.)
    for (const path of ['/connect/start', '/connect/callback?state=s&code=c']) {
      const response = await renderPath(build.dir, path);
      const html = await response.text();
      expect([response.status, response.headers.get('retry-after')], path).toEqual([503, '30']);
      expect(html, path).toContain('could not reach its storage');
    }
  });

  it('sends the security headers, with a CSP that allows only this site plus https images', async () => {
    const response = await renderPath(build.dir, '/');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("img-src 'self' https:");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toMatch(/script-src 'self'( 'sha256-[^']+')+/);
    expect(csp).not.toContain('unsafe-inline');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
  });

  it("carries Spotify's icon inline: no server module imports simple-icons, whose index is every brand (5 MB)", () => {
    const modules = filesUnder(join(build.dir, '.netlify')).filter((file) => file.endsWith('.mjs'));
    const importers = modules.filter((file) => /(?:\bfrom|\bimport\(?)\s*["']simple-icons/.test(readFileSync(file, 'utf8')));
    expect(importers).toEqual([]);
  });

  it('holds no fixture and no fake, server or client', () => {
    const files = [...filesUnder(join(build.dir, '.netlify')), ...filesUnder(join(build.dir, 'dist'))];
    expect(files.some((file) => file.includes('states')), 'the build has the states page (as a 404)').toBe(true);
    expect(needlesIn(files, FIXTURE_NEEDLES)).toEqual([]);
  });

  it('answers 404 for the states page, which only the dev server shows', async () => {
    const response = await renderPath(build.dir, '/states');
    expect(response.status).toBe(404);
  });
});
