/**
 * `npm run netlify:env [-- --dotenv PATH]`: stores the Spotify values from
 * .env on the linked Netlify site, without authorizing again (for example
 * after `npx netlify link`, or after `npm run doctor` saved a rotated token).
 */
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readDotenvFile } from './files';
import { isNetlifyLinked, netlifyCliRunner, notLinkedMessage, pushToNetlify } from './netlify-env';

const { values } = parseArgs({ options: { dotenv: { type: 'string', default: '.env' } } });
const envFile = resolve(values.dotenv);
const projectDir = dirname(envFile);

if (!(await isNetlifyLinked(projectDir, process.env))) {
  for (const line of notLinkedMessage()) console.error(line);
  process.exit(1);
}
const report = await pushToNetlify(await readDotenvFile(envFile), netlifyCliRunner(projectDir));
for (const line of report.lines) (report.ok ? console.log : console.error)(line);
process.exit(report.ok ? 0 : 1);
