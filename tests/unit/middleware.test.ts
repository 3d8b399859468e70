/**
 * The page middleware: security headers on every server-rendered answer, and
 * 405 for methods a page does not take, before the page renders and calls
 * Spotify.
 */
import { describe, expect, it, vi } from 'vitest';
import { onRequest, SECURITY_HEADERS } from '../../src/middleware';

// Astro's virtual module exists only inside Astro's Vite build; this is the file behind it.
vi.mock('astro:middleware', () => import('astro/virtual-modules/middleware.js'));

type Context = Parameters<typeof onRequest>[0];

/** Runs the middleware for one request; `next` stands for rendering the route. */
async function run(method: string, path = '/', routePattern = path, pageHeaders: Record<string, string> = {}) {
  const url = new URL(path, 'https://example.netlify.app');
  const context = { request: new Request(url, { method }), url, routePattern } as unknown as Context;
  const next = vi.fn(async () => new Response('<p>page</p>', { status: 200, headers: { 'Content-Type': 'text/html', ...pageHeaders } }));
  const response = (await onRequest(context, next)) as Response;
  return { response, rendered: next.mock.calls.length > 0 };
}

describe('onRequest', () => {
  it('renders a page for GET and HEAD, with the security headers', async () => {
    for (const method of ['GET', 'HEAD']) {
      const { response, rendered } = await run(method);
      expect(rendered, `${method} renders`).toBe(true);
      expect(response.status, `${method} status`).toBe(200);
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(response.headers.get(name), `${method}: ${name}`).toBe(value);
    }
  });

  it('keeps a stricter header a page set itself (the /connect pages send no referrer)', async () => {
    const { response } = await run('GET', '/connect/callback', '/connect/callback', { 'Referrer-Policy': 'no-referrer' });
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('answers other methods on a page 405 with Allow: GET, HEAD and the security headers, without rendering it', async () => {
    for (const [method, path] of [['OPTIONS', '/'], ['POST', '/'], ['DELETE', '/states']]) {
      const { response, rendered } = await run(method!, path);
      expect(rendered, `${method} ${path} must not render (a render calls Spotify)`).toBe(false);
      expect(response.status, `${method} ${path} status`).toBe(405);
      expect(response.headers.get('allow'), `${method} ${path} Allow`).toBe('GET, HEAD');
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(response.headers.get(name), `${method} ${path}: ${name}`).toBe(value);
    }
  });

  it("leaves other methods to the function's path, Astro's own routes and the 404 page", async () => {
    expect((await run('OPTIONS', '/api/spotify')).rendered, 'the function answers its own 405').toBe(true);
    expect((await run('POST', '/_server-islands/Widget', '/_server-islands/[name]')).rendered, 'server islands are POSTed').toBe(true);
    expect((await run('OPTIONS', '/no-such-page', '/404')).rendered, 'an unknown path stays a 404').toBe(true);
  });
});
