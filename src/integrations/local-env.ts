import type { AstroIntegration } from 'astro';
import { DEMO_NOTICE } from '../lib/spotify/demo';
import { readConfig } from '../lib/spotify/config';

/**
 * Local development glue. `astro dev` hands `.env` to Vite's `import.meta.env`
 * only, but the function and the server render read secrets at run time from
 * `process.env` (so they are never inlined into a build). Loading `.env` into
 * `process.env` here makes local runs see what a deployed function would see.
 * Variables already set in the shell win, as on Netlify.
 */
export function loadDotEnv(path = '.env'): void {
  try {
    process.loadEnvFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/** Tells the owner once, when the dev server starts, that the widget is on demo data and how to connect. */
export function demoNotice(): AstroIntegration {
  return {
    name: 'listening-widget:demo-notice',
    hooks: {
      'astro:server:start': ({ logger }) => {
        if (readConfig((name) => process.env[name]).status === 'demo') logger.info(DEMO_NOTICE);
      },
    },
  };
}
