/**
 * `npm run doctor [-- --dotenv PATH]`: checks the Spotify and Last.fm setup
 * end to end and prints a short report. Exits 1 when anything needs fixing.
 * Honours SPOTIFY_ACCOUNTS_URL, SPOTIFY_API_URL and LASTFM_API_URL, so it
 * also runs against fakes.
 * Like `npm run dev`, it lets the shell environment win over .env.
 */
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { mask, readDotenvFile, updateDotenvFile } from '../authorize/files';
import { linkedSiteUrl, netlifyCliRunner } from '../authorize/netlify-env';
import { PRECEDENCE_HELP, hiddenByShell, hiddenByShellMessage, shellOverDotenv } from '../authorize/owner-env';
import { diagnose } from './diagnose';

const { values } = parseArgs({ options: { dotenv: { type: 'string', default: '.env' }, help: { type: 'boolean', default: false } } });
if (values.help) {
  console.log(`Usage: npm run doctor -- [options]
Checks the Spotify setup (and Last.fm's, when LASTFM_USER is set) end to end and prints what to fix. Exits 1 on any problem.
  --dotenv PATH   the .env file to read (default .env)
${PRECEDENCE_HELP}
SPOTIFY_ACCOUNTS_URL and SPOTIFY_API_URL point it at another Spotify (such as \`npm run fake-spotify\`), LASTFM_API_URL at another Last.fm.`);
  process.exit(0);
}
const envFile = resolve(values.dotenv);
/** How long the renewal link waits for the Netlify CLI to name the site; without it, a placeholder. */
const SITE_URL_TIMEOUT_MS = 15_000;
const lookup = shellOverDotenv(process.env, await readDotenvFile(envFile));

console.log(`Checking the setup (variables from the shell environment, then ${envFile})`);
const projectDir = dirname(envFile);
const { checks, rotatedRefreshToken } = await diagnose(lookup, globalThis.fetch, new Date(), {
  siteUrl: () => linkedSiteUrl(projectDir, process.env, netlifyCliRunner(projectDir, { timeoutMs: SITE_URL_TIMEOUT_MS })),
});

if (rotatedRefreshToken) {
  // Spotify may stop accepting the old token: keep the new one, or the next run fails.
  await updateDotenvFile(envFile, { SPOTIFY_REFRESH_TOKEN: rotatedRefreshToken });
  checks.push({
    status: 'problem',
    label: `Spotify issued a new refresh token during this check; saved it to .env (${mask(rotatedRefreshToken)})`,
    fix: 'npm run netlify:env && npm run deploy',
  });
  const hidden = hiddenByShell(process.env, { SPOTIFY_REFRESH_TOKEN: rotatedRefreshToken });
  if (hidden.length > 0) for (const line of hiddenByShellMessage(hidden, envFile)) console.error(line);
}

const MARKS = { ok: '✓', problem: '✗', info: '·' } as const;
for (const check of checks) {
  console.log(`  ${MARKS[check.status]} ${check.label}`);
  if (check.status === 'problem' && check.fix) console.log(`      fix: ${check.fix}`);
}
const problems = checks.filter((check) => check.status === 'problem').length;
console.log(problems === 0 ? 'All good: the widget can read your listening data.' : `${problems} problem${problems === 1 ? '' : 's'} found.`);
process.exit(problems === 0 ? 0 : 1);
