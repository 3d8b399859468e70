/**
 * `npm run authorize`'s command line: its usage text, and the checks that
 * turn a bad argument into one line saying what is wrong instead of a stack trace.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_REDIRECT_URI } from '../../src/lib/spotify/authorize-url';
import { DEFAULT_TIMEOUT_MS } from './flow';
import { PRECEDENCE_HELP } from './owner-env';

export const USAGE = `Usage: npm run authorize -- [options]
  --netlify             also store the values on the linked Netlify site
  --port N              listen on another port (default 8888; netlify dev uses 8888 too)
  --redirect-uri URI    the full redirect URI (default ${DEFAULT_REDIRECT_URI}, or SPOTIFY_REDIRECT_URI)
  --dotenv PATH         the .env file to read and update (default .env)
  --timeout SECONDS     how long to wait for Spotify (default ${DEFAULT_TIMEOUT_MS / 1000})
  --no-open             print the link without opening a browser
${PRECEDENCE_HELP}
The values it asks for, the new refresh token and your Spotify account id (SPOTIFY_OWNER_ID,
the only account allowed to renew from /connect on your site) are saved to the .env file.`;

/** A mistake in the arguments: the caller prints the message and the usage, and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface AuthorizeArgs {
  help: boolean;
  netlify: boolean;
  open: boolean;
  dotenv: string;
  /** Digits only, at most 65535; 0 picks a free port. */
  port?: string;
  /** As given: checked by `chooseRedirectUri`, which also checks SPOTIFY_REDIRECT_URI. */
  redirectUri?: string;
  timeoutMs: number;
}

export function parseAuthorizeArgs(argv: string[]): AuthorizeArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
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
    }));
  } catch (error) {
    // Node's own wording is clear (it suggests --port=-1 for `--port -1`), but spans lines.
    throw new UsageError((error as Error).message.replace(/\s*\n\s*/g, ' '));
  }

  const { port, timeout } = values;
  if (port !== undefined && (!/^\d{1,5}$/.test(port) || Number(port) > 65_535)) {
    throw new UsageError(`--port must be a port number, got "${port}".`);
  }
  const timeoutSeconds = timeout === undefined ? DEFAULT_TIMEOUT_MS / 1000 : Number(timeout);
  if (!(timeoutSeconds > 0)) throw new UsageError(`--timeout must be a number of seconds, got "${timeout}".`);

  const { help, netlify, open, dotenv } = values;
  return { help, netlify, open, dotenv, port, redirectUri: values['redirect-uri'], timeoutMs: Math.round(timeoutSeconds * 1000) };
}

/** The redirect URI to use: --redirect-uri, else SPOTIFY_REDIRECT_URI, else the default, with --port applied. */
export function chooseRedirectUri(args: AuthorizeArgs, fromEnv: string | undefined): string {
  const url =
    args.redirectUri !== undefined
      ? checkedUrl('--redirect-uri', args.redirectUri)
      : checkedUrl('SPOTIFY_REDIRECT_URI (from the shell or .env)', fromEnv ?? DEFAULT_REDIRECT_URI);
  if (args.port !== undefined) url.port = args.port;
  return url.href;
}

function checkedUrl(source: string, raw: string): URL {
  if (!URL.canParse(raw)) throw new UsageError(`${source} must be a full URL such as ${DEFAULT_REDIRECT_URI}, got "${raw}".`);
  return new URL(raw);
}
