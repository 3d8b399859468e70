/**
 * `npm run fake-spotify -- [--port 8790] [--scenario playing]`: serves the fake
 * Spotify until stopped, and prints the variables that point the project at it.
 */
import { parseArgs } from 'node:util';
import { SCENARIO_NAMES, isScenarioName } from '../../src/lib/spotify/fake/scenarios';
import { startFakeSpotifyServer } from './server';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8790' },
    scenario: { type: 'string', default: 'playing' },
    'refresh-token': { type: 'string' },
  },
});
if (!isScenarioName(values.scenario)) {
  console.error(`Unknown scenario "${values.scenario}". Choose one of: ${SCENARIO_NAMES.join(', ')}`);
  process.exit(2);
}
const server = await startFakeSpotifyServer({
  port: Number(values.port),
  scenario: values.scenario,
  refreshToken: values['refresh-token'],
});
console.log(`Fake Spotify (${values.scenario}) at ${server.url}
  SPOTIFY_ACCOUNTS_URL=${server.url}
  SPOTIFY_API_URL=${server.url}
Switch scenario: curl -X POST ${server.url}/__control -d '{"scenario":"paused"}'`);
