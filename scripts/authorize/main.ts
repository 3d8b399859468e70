/**
 * `npm run authorize [-- --netlify] [--port 8889] [--redirect-uri URI] [--dotenv PATH] [--timeout SECONDS] [--no-open]`
 *
 * Connects the owner's Spotify account once: opens Spotify's consent page,
 * receives the redirect on 127.0.0.1, and saves the refresh token and the
 * account id (SPOTIFY_OWNER_ID) to .env (and, with --netlify, on the linked
 * Netlify site). The command itself is in command.ts; this wires it to the process.
 */
import { openInBrowser } from './browser';
import { authorizeCommand } from './command';
import { terminalPrompter } from './prompt';

const code = await authorizeCommand(process.argv.slice(2), {
  env: process.env,
  fetch: globalThis.fetch,
  prompter: () => terminalPrompter(),
  openBrowser: (url) => openInBrowser(url),
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  now: () => new Date(),
});
process.exit(code);
