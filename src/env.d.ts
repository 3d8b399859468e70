/// <reference types="astro/client" />

// Server code gets Netlify's request context (deploy context, geo, …) from the adapter.
// Optional: `astro dev` may render a page without it.
declare namespace App {
  interface Locals extends Partial<import('@astrojs/netlify').NetlifyLocals> {}
}
