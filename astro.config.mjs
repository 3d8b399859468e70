// @ts-check
import { defineConfig } from 'astro/config';
import netlify from '@astrojs/netlify';
import preact from '@astrojs/preact';
import { embedScript } from './src/integrations/embed.ts';
import { demoNotice, loadDotEnv } from './src/integrations/local-env.ts';
import { CSP_DIRECTIVES } from './src/security-policy.ts';

loadDotEnv();

export default defineConfig({
  output: 'server',
  adapter: netlify({
    // Edge-function emulation downloads Deno, which this project never needs.
    devFeatures: { edgeFunctions: false, environmentVariables: false, images: false },
    imageCDN: false,
  }),
  // No Astro.session anywhere: without this the Netlify adapter wires a Blobs session store into the function.
  session: false,
  // embedScript: /embed.js, the <listening-widget> element for other sites (docs/embed.md).
  integrations: [preact(), demoNotice(), embedScript()],
  // No Markdown here; Shiki's inline styles would also clash with the CSP below.
  markdown: { syntaxHighlight: false },
  // Vite's dev server answers CORS preflights itself (OPTIONS → 204); the function must, to send 405.
  vite: { server: { cors: false } },
  // Astro hashes the inline scripts and styles it emits (the island loader) into the
  // page's Content-Security-Policy; src/security-policy.ts says why the rest lives here too.
  security: { csp: { directives: [...CSP_DIRECTIVES] } },
});
