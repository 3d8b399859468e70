/**
 * `npm run doctor [-- --dotenv PATH]`: checks the Spotify and Last.fm setup
 * end to end and prints a short report. Exits 1 when anything needs fixing.
 * Honours SPOTIFY_ACCOUNTS_URL, SPOTIFY_API_URL and LASTFM_API_URL, so it
 * also runs against fakes.
 * Like `npm run dev`, it lets the shell environment win over .env.
 * The command itself is in command.ts; this wires it to the process.
 */
import { doctorCommand } from './command';

const code = await doctorCommand(process.argv.slice(2), {
  env: process.env,
  fetch: globalThis.fetch,
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  now: () => new Date(),
});
process.exit(code);
