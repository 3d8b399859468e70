import type { EnvAccessor } from '../lib/spotify';

declare const Netlify: { env: { get(name: string): string | undefined } } | undefined;

/**
 * Environment variables at run time. Netlify's runtime exposes `Netlify.env`;
 * elsewhere (astro dev, tests, CLIs) `process.env` holds the same values.
 * Never `import.meta.env`: Astro would inline secrets into the build.
 */
export const runtimeEnv: EnvAccessor = (name) => {
  const fromNetlify = typeof Netlify !== 'undefined' ? Netlify?.env.get(name) : undefined;
  return fromNetlify ?? process.env[name];
};
