/**
 * `npm run fake-spotify -- [--port 8790] [--scenario playing] [--refresh-token T]
 * [--client-id ID --client-secret SECRET] [--account ID]`: serves the fake Spotify until
 * stopped, and prints the variables that point the project at it. With a
 * client id and secret, its token endpoint answers `invalid_client` to any others.
 */
import { parseArgs } from 'node:util';
import { FAKE_OWNER_ID } from './fake-spotify';
import { SCENARIO_NAMES, isScenarioName } from './scenarios';
import { startFakeSpotifyServer } from './server';

const USAGE = `Usage: npm run fake-spotify -- [options]
  --port N                 port on 127.0.0.1 (default 8790)
  --scenario NAME          one of: ${SCENARIO_NAMES.join(', ')} (default playing)
  --refresh-token TOKEN    accept only this refresh token (and its rotated successors)
  --client-id ID           with --client-secret: accept only these client credentials,
  --client-secret SECRET   so any others get invalid_client (default: any are accepted)
  --account ID             the Spotify account its consent page signs in as (default ${FAKE_OWNER_ID})`;

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8790' },
    scenario: { type: 'string', default: 'playing' },
    'refresh-token': { type: 'string' },
    'client-id': { type: 'string' },
    'client-secret': { type: 'string' },
    account: { type: 'string', default: FAKE_OWNER_ID },
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
  account: values.account,
});
console.log(`Fake Spotify (${values.scenario}) at ${server.url}
  SPOTIFY_ACCOUNTS_URL=${server.url}
  SPOTIFY_API_URL=${server.url}
Client credentials: ${values['client-id'] === undefined ? 'any accepted (--client-id and --client-secret make others get invalid_client)' : 'only the --client-id and --client-secret given; others get invalid_client'}
Consent page: signs in as ${values.account}
Switch scenario: curl -X POST ${server.url}/__control -d '{"scenario":"paused"}'
Sign in as another account: curl -X POST ${server.url}/__control -d '{"account":"someone-else"}'
Refuse consent (access_denied): curl -X POST ${server.url}/__control -d '{"deny":true}'`);
