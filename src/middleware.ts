import { defineMiddleware } from 'astro:middleware';

/**
 * The Content-Security-Policy besides script-src and style-src. Images may
 * come from any https host (Spotify's image CDN); everything else only from
 * this site, and no one may frame the page.
 */
export const CSP_DIRECTIVES = [
  "default-src 'self'",
  "img-src 'self' https:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
] as const;

/** Used only if Astro wrote no policy of its own (security.csp turned off): still no inline code. */
const FALLBACK_CODE_DIRECTIVES = "script-src 'self'; style-src 'self'";

export const SECURITY_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'strict-origin-when-cross-origin',
  // For browsers that predate frame-ancestors.
  'X-Frame-Options': 'DENY',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=()',
};

/**
 * Security headers on every server-rendered response (Netlify's `_headers`
 * file covers static files only). With `security.csp` on, Astro puts
 * script-src and style-src in the response's CSP header, with a hash of each
 * inline script and style it emits (the island loader, scoped styles); this
 * adds the other directives to that same header. Under `astro dev` there is no
 * policy: Vite's client injects inline code, and Astro writes none there.
 */
export const onRequest = defineMiddleware(async (_context, next) => {
  const response = await next();
  const headers = response.headers;
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) headers.set(name, value);
  if (!import.meta.env.DEV) {
    const astroPolicy = headers.get('Content-Security-Policy')?.trim().replace(/;$/, '');
    headers.set('Content-Security-Policy', [...CSP_DIRECTIVES, astroPolicy || FALLBACK_CODE_DIRECTIVES].join('; '));
  }
  return response;
});
