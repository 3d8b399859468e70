/**
 * `npm run authorize` as a function of its arguments and I/O, so it runs the
 * same in this process as from main.ts: reads the arguments and .env, then
 * hands over to runAuthorize. Returns the exit code.
 */
import { dirname, resolve } from 'node:path';
import { USAGE, UsageError, chooseRedirectUri, parseAuthorizeArgs } from './args';
import { readDotenvFile } from './files';
import { runAuthorize, type AuthorizeIO, type AuthorizeSettings } from './flow';
import { netlifyCliRunner } from './netlify-env';
import { shellOverDotenv } from './owner-env';

/** The process's I/O. The Netlify CLI runs in the .env file's folder, so the command makes its runner itself. */
export type AuthorizeCommandIO = Omit<AuthorizeIO, 'netlifyRunner'>;

export async function authorizeCommand(argv: string[], io: AuthorizeCommandIO): Promise<number> {
  let settings: AuthorizeSettings;
  try {
    const args = parseAuthorizeArgs(argv);
    if (args.help) {
      io.out(USAGE);
      return 0;
    }
    const envFile = resolve(args.dotenv);
    const lookup = shellOverDotenv(io.env, await readDotenvFile(envFile));
    const redirectUri = chooseRedirectUri(args, lookup('SPOTIFY_REDIRECT_URI'));
    settings = { envFile, redirectUri, timeoutMs: args.timeoutMs, open: args.open, netlify: args.netlify };
  } catch (error) {
    // A bad argument is the user's typo, not a crash: one line and the usage, never a stack trace.
    if (!(error instanceof UsageError)) throw error;
    io.err(`✗ ${error.message}`);
    io.err(USAGE);
    return 2;
  }
  return runAuthorize(settings, { ...io, netlifyRunner: netlifyCliRunner(dirname(settings.envFile)) });
}
