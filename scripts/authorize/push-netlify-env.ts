/**
 * `npm run netlify:env [-- --dotenv PATH]`: stores the Spotify and Last.fm
 * values from .env on the linked Netlify site (see varsToStore), without
 * authorizing again (for example after `npx netlify link`, or after
 * `npm run doctor` saved a rotated token).
 * A variable set in the shell wins over .env, as for every owner tool.
 */
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readDotenvFile } from './files';
import { NETLIFY_VARS, isNetlifyLinked, netlifyCliRunner, notLinkedMessage, pushToNetlify, varsToStore } from './netlify-env';
import { shellOverDotenv } from './owner-env';

const { values } = parseArgs({ options: { dotenv: { type: 'string', default: '.env' } } });
const envFile = resolve(values.dotenv);
const projectDir = dirname(envFile);

const lookup = shellOverDotenv(process.env, await readDotenvFile(envFile));
const stored = Object.fromEntries(NETLIFY_VARS.map((name) => [name, lookup(name) ?? '']));
if (!(await isNetlifyLinked(projectDir, process.env))) {
  for (const line of notLinkedMessage(varsToStore(stored))) console.error(line);
  process.exit(1);
}
const fromShell = NETLIFY_VARS.filter((name) => process.env[name] !== undefined);
if (fromShell.length > 0) console.log(`Using ${fromShell.join(', ')} from the shell environment, which wins over ${envFile}.`);
const report = await pushToNetlify(stored, netlifyCliRunner(projectDir));
for (const line of report.lines) (report.ok ? console.log : console.error)(line);
process.exit(report.ok ? 0 : 1);
