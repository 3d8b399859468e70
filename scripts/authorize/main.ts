/**
 * `npm run authorize [-- --netlify] [--port 8889] [--redirect-uri URI] [--dotenv PATH] [--timeout SECONDS] [--no-open]`
 *
 * Connects the owner's Spotify account once: opens Spotify's consent page,
 * receives the redirect on 127.0.0.1, and saves the refresh token to .env
 * (and, with --netlify, on the linked Netlify site).
 */
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_REDIRECT_URI } from '../../src/lib/spotify';
import { openInBrowser } from './browser';
import { readDotenvFile } from './files';
import { DEFAULT_TIMEOUT_MS, runAuthorize } from './flow';
import { netlifyCliRunner } from './netlify-env';
import { PRECEDENCE_HELP, shellOverDotenv } from './owner-env';
import { terminalPrompter } from './prompt';

const { values } = parseArgs({
  allowNegative: true,
  options: {
    netlify: { type: 'boolean', default: false },
    port: { type: 'string' },
    'redirect-uri': { type: 'string' },
    dotenv: { type: 'string', default: '.env' },
    timeout: { type: 'string' },
    open: { type: 'boolean', default: true },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log(`Usage: npm run authorize -- [options]
  --netlify             also store the values on the linked Netlify site
  --port N              listen on another port (default 8888; netlify dev uses 8888 too)
  --redirect-uri URI    the full redirect URI (default ${DEFAULT_REDIRECT_URI}, or SPOTIFY_REDIRECT_URI)
  --dotenv PATH         the .env file to read and update (default .env)
  --timeout SECONDS     how long to wait for Spotify (default ${DEFAULT_TIMEOUT_MS / 1000})
  --no-open             print the link without opening a browser
${PRECEDENCE_HELP}
The values it asks for, and the new refresh token, are saved to the .env file.`);
  process.exit(0);
}

const envFile = resolve(values.dotenv);
const lookup = shellOverDotenv(process.env, await readDotenvFile(envFile));
const redirect = new URL(values['redirect-uri'] ?? lookup('SPOTIFY_REDIRECT_URI') ?? DEFAULT_REDIRECT_URI);
if (values.port !== undefined) {
  if (!/^\d{1,5}$/.test(values.port) || Number(values.port) > 65_535) {
    console.error(`✗ --port must be a port number, got "${values.port}".`);
    process.exit(2);
  }
  redirect.port = values.port;
}
const timeoutSeconds = values.timeout === undefined ? DEFAULT_TIMEOUT_MS / 1000 : Number(values.timeout);
if (!(timeoutSeconds > 0)) {
  console.error(`✗ --timeout must be a number of seconds, got "${values.timeout}".`);
  process.exit(2);
}

const code = await runAuthorize(
  {
    envFile,
    redirectUri: redirect.href,
    timeoutMs: Math.round(timeoutSeconds * 1000),
    open: values.open,
    netlify: values.netlify,
  },
  {
    env: process.env,
    fetch: globalThis.fetch,
    prompter: () => terminalPrompter(),
    openBrowser: (url) => openInBrowser(url),
    netlifyRunner: netlifyCliRunner(dirname(envFile)),
    out: (line) => console.log(line),
    err: (line) => console.error(line),
    now: () => new Date(),
  },
);
process.exit(code);
