/**
 * `npm run doctor` as a function of its arguments and I/O, so it runs the
 * same in this process as from main.ts: runs `diagnose`, saves a refresh
 * token Spotify rotated meanwhile, and prints the report. Returns the exit code.
 */
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Fetch } from '../../src/lib/spotify/spotify-api';
import { mask, readDotenvFile, updateDotenvFile } from '../authorize/files';
import { linkedSiteUrl, netlifyCliRunner } from '../authorize/netlify-env';
import { PRECEDENCE_HELP, hiddenByShell, hiddenByShellMessage, shellOverDotenv } from '../authorize/owner-env';
import { diagnose } from './diagnose';

export interface DoctorIO {
  env: NodeJS.ProcessEnv;
  fetch: Fetch;
  out(line: string): void;
  err(line: string): void;
  now(): Date;
}

/** How long the renewal link waits for the Netlify CLI to name the site; without it, a placeholder. */
const SITE_URL_TIMEOUT_MS = 15_000;
const MARKS = { ok: '✓', problem: '✗', info: '·' } as const;

export async function doctorCommand(argv: string[], io: DoctorIO): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { dotenv: { type: 'string', default: '.env' }, help: { type: 'boolean', default: false } } });
  if (values.help) {
    io.out(`Usage: npm run doctor -- [options]
Checks the Spotify setup (and Last.fm's, when LASTFM_USER is set) end to end and prints what to fix. Exits 1 on any problem.
  --dotenv PATH   the .env file to read (default .env)
${PRECEDENCE_HELP}
SPOTIFY_ACCOUNTS_URL and SPOTIFY_API_URL point it at another Spotify (such as \`npm run fake-spotify\`), LASTFM_API_URL at another Last.fm.`);
    return 0;
  }
  const envFile = resolve(values.dotenv);
  const lookup = shellOverDotenv(io.env, await readDotenvFile(envFile));

  io.out(`Checking the setup (variables from the shell environment, then ${envFile})`);
  const projectDir = dirname(envFile);
  const { checks, rotatedRefreshToken } = await diagnose(lookup, io.fetch, io.now(), {
    siteUrl: () => linkedSiteUrl(projectDir, io.env, netlifyCliRunner(projectDir, { timeoutMs: SITE_URL_TIMEOUT_MS })),
  });

  if (rotatedRefreshToken) {
    // Spotify may stop accepting the old token: keep the new one, or the next run fails.
    await updateDotenvFile(envFile, { SPOTIFY_REFRESH_TOKEN: rotatedRefreshToken });
    checks.push({
      status: 'problem',
      label: `Spotify issued a new refresh token during this check; saved it to .env (${mask(rotatedRefreshToken)})`,
      fix: 'npm run netlify:env && npm run deploy',
    });
    const hidden = hiddenByShell(io.env, { SPOTIFY_REFRESH_TOKEN: rotatedRefreshToken });
    if (hidden.length > 0) for (const line of hiddenByShellMessage(hidden, envFile)) io.err(line);
  }

  for (const check of checks) {
    io.out(`  ${MARKS[check.status]} ${check.label}`);
    if (check.status === 'problem' && check.fix) io.out(`      fix: ${check.fix}`);
  }
  const problems = checks.filter((check) => check.status === 'problem').length;
  io.out(problems === 0 ? 'All good: the widget can read your listening data.' : `${problems} problem${problems === 1 ? '' : 's'} found.`);
  return problems === 0 ? 0 : 1;
}
