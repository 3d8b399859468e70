import { defineMiddleware } from 'astro:middleware';

export const SECURITY_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'strict-origin-when-cross-origin',
  // For browsers that predate frame-ancestors.
  'X-Frame-Options': 'DENY',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=()',
};

/**
 * Security headers on every server-rendered response (Netlify's `_headers`
 * file covers static files only). The Content-Security-Policy itself comes
 * from Astro (`security.csp` in astro.config.mjs, directives in
 * src/security-policy.ts); there is none under `astro dev`, where Vite's
 * client injects inline code.
 */
export const onRequest = defineMiddleware(async (_context, next) => {
  const response = await next();
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.headers.set(name, value);
  return response;
});
