/**
 * The page's Content-Security-Policy besides script-src and style-src, which
 * Astro writes itself with a hash of each inline script and style it emits
 * (the island loader, scoped styles). Images may come from any https host
 * (Spotify's image CDNs vary); everything else only from this site, and no
 * one may frame the page. Kept in astro.config.mjs's `security.csp` so Astro
 * writes one complete header: directives added to the header in middleware
 * were dropped when Astro set its own on the Netlify build.
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
