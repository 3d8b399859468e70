/**
 * `npm run authorize [-- --netlify] [--port 8889] [--redirect-uri URI] [--dotenv PATH] [--timeout SECONDS] [--no-open]`
 *
 * Connects the owner's Spotify account once: opens Spotify's consent page,
 * receives the redirect on 127.0.0.1, and saves the refresh token and the
 * account id (SPOTIFY_OWNER_ID) to .env (and, with --netlify, on the linked
 * Netlify site).
 */
import { dirname, resolve } from 'node:path';
import { USAGE, UsageError, chooseRedirectUri, parseAuthorizeArgs } from './args';
import { openInBrowser } from './browser';
import { readDotenvFile } from './files';
import { runAuthorize } from './flow';
import { netlifyCliRunner } from './netlify-env';
import { shellOverDotenv } from './owner-env';
import { terminalPrompter } from './prompt';

const args = exitOnUsageError(() => parseAuthorizeArgs(process.argv.slice(2)));
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}

const envFile = resolve(args.dotenv);
const lookup = shellOverDotenv(process.env, await readDotenvFile(envFile));
const redirectUri = exitOnUsageError(() => chooseRedirectUri(args, lookup('SPOTIFY_REDIRECT_URI')));

const code = await runAuthorize(
  {
    envFile,
    redirectUri,
    timeoutMs: args.timeoutMs,
    open: args.open,
    netlify: args.netlify,
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

/** A bad argument is the user's typo, not a crash: one line and the usage, never a stack trace. */
function exitOnUsageError<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`✗ ${error.message}`);
    console.error(USAGE);
    process.exit(2);
  }
}
