import { defineMiddleware } from 'astro:middleware';

export const SECURITY_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'strict-origin-when-cross-origin',
  // For browsers that predate frame-ancestors.
  'X-Frame-Options': 'DENY',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=()',
};

/** What a page answers to; the function at /api/spotify has its own 405. */
const PAGE_METHODS = ['GET', 'HEAD'];

/**
 * Security headers on every server-rendered response (Netlify's `_headers`
 * file covers static files only). The Content-Security-Policy itself comes
 * from Astro (`security.csp` in astro.config.mjs, directives in
 * src/security-policy.ts); there is none under `astro dev`, where Vite's
 * client injects inline code.
 *
 * A page asked with any other method gets 405 before it renders, since
 * rendering it calls Spotify.
 */
export const onRequest = defineMiddleware(async (context, next) => {
  const refused = isPage(context.routePattern, context.url) && !PAGE_METHODS.includes(context.request.method);
  const response = refused ? new Response(null, { status: 405, headers: { Allow: PAGE_METHODS.join(', ') } }) : await next();
  // A page may set a stricter one of its own (the /connect pages send no referrer).
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) if (!response.headers.has(name)) response.headers.set(name, value);
  return response;
});

/**
 * Pages only: not the error pages (an unknown path stays a 404), not Astro's
 * own routes (/_image, /_server-islands, /_actions) with their own methods,
 * and not the function's path.
 */
function isPage(routePattern: string, url: URL): boolean {
  return !/^\/(?:_|404$|500$)/.test(routePattern) && !url.pathname.startsWith('/api/');
}
