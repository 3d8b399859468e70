/**
 * `npm run fake-spotify -- [--port 8790] [--scenario playing] [--refresh-token T]
 * [--client-id ID --client-secret SECRET]`: serves the fake Spotify until
 * stopped, and prints the variables that point the project at it. With a
 * client id and secret, its token endpoint answers `invalid_client` to any others.
 */
import { parseArgs } from 'node:util';
import { SCENARIO_NAMES, isScenarioName } from './scenarios';
import { startFakeSpotifyServer } from './server';

const USAGE = `Usage: npm run fake-spotify -- [options]
  --port N                 port on 127.0.0.1 (default 8790)
  --scenario NAME          one of: ${SCENARIO_NAMES.join(', ')} (default playing)
  --refresh-token TOKEN    accept only this refresh token (and its rotated successors)
  --client-id ID           with --client-secret: accept only these client credentials,
  --client-secret SECRET   so any others get invalid_client (default: any are accepted)`;

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8790' },
    scenario: { type: 'string', default: 'playing' },
    'refresh-token': { type: 'string' },
    'client-id': { type: 'string' },
    'client-secret': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
if (!isScenarioName(values.scenario)) {
  console.error(`Unknown scenario "${values.scenario}". Choose one of: ${SCENARIO_NAMES.join(', ')}`);
  process.exit(2);
}
if ((values['client-id'] === undefined) !== (values['client-secret'] === undefined)) {
  console.error('Give --client-id and --client-secret together (or neither, to accept any client).');
  process.exit(2);
}
const server = await startFakeSpotifyServer({
  port: Number(values.port),
  scenario: values.scenario,
  refreshToken: values['refresh-token'],
  clientId: values['client-id'],
  clientSecret: values['client-secret'],
});
console.log(`Fake Spotify (${values.scenario}) at ${server.url}
  SPOTIFY_ACCOUNTS_URL=${server.url}
  SPOTIFY_API_URL=${server.url}
Client credentials: ${values['client-id'] === undefined ? 'any accepted (--client-id and --client-secret make others get invalid_client)' : 'only the --client-id and --client-secret given; others get invalid_client'}
Switch scenario: curl -X POST ${server.url}/__control -d '{"scenario":"paused"}'`);
