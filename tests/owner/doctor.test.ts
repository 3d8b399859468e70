/**
 * `npm run doctor` in this process (one run as its own process, as npm starts
 * it) against the fake Spotify over HTTP: the
 * report for a good setup and for each broken one, each problem with its fix,
 * the exit code, and no secret value in the output. Then `diagnose` in this
 * process, for the renewal link to the linked site.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { http, passthrough } from 'msw';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { REFRESH_TOKEN_LIFETIME_DAYS } from '../../src/lib/spotify/limits';
import type { ScenarioName } from '../../test-support/fake-spotify/scenarios';
import { doctorCommand } from '../../scripts/doctor/command';
import { diagnose } from '../../scripts/doctor/diagnose';
import { FAKE_OWNER_ID, createFakeSpotify } from '../../test-support/fake-spotify/fake-spotify';
import { startFakeSpotifyServer, type FakeSpotifyServer } from '../../test-support/fake-spotify/server';
import { server as msw } from '../setup/msw';
import { runCli, runCommand } from './cli';

const SECRETS = { SPOTIFY_CLIENT_ID: 'doctor-client-id', SPOTIFY_CLIENT_SECRET: 'doctor-client-secret-xyz', SPOTIFY_REFRESH_TOKEN: 'doctor-refresh-token-abc' };
const DAY = 24 * 60 * 60 * 1000;
// An hour short of whole days, so the days left do not depend on how long the run takes.
const daysAgo = (days: number) => new Date(Date.now() - days * DAY + 60 * 60 * 1000).toISOString();
/** Both ways to renew, when SPOTIFY_OWNER_ID lets /connect renew; no site is linked in these runs. */
const RENEW = 'fix: renew on https://<your-site>/connect, or run `npm run authorize -- --netlify && npm run deploy`';

let dir: string;
let spotify: FakeSpotifyServer | undefined;
beforeEach(async () => {
  msw.use(http.all(/^http:\/\/127\.0\.0\.1:\d+\//, () => passthrough()));
  dir = await mkdtemp(join(tmpdir(), 'owner-doctor-'));
});
afterEach(async () => {
  await spotify?.close();
  spotify = undefined;
  await rm(dir, { recursive: true, force: true });
});

/** `npm run doctor -- --dotenv <a .env of SECRETS and env>`, in this process unless `asProcess`, with `hosts` and `shell` as the shell's variables. */
async function doctor(options: { scenario?: ScenarioName; env?: Record<string, string | undefined>; hosts?: string; shell?: Record<string, string>; asProcess?: boolean } = {}) {
  spotify = await startFakeSpotifyServer({
    scenario: options.scenario ?? 'playing',
    clientId: SECRETS.SPOTIFY_CLIENT_ID,
    clientSecret: SECRETS.SPOTIFY_CLIENT_SECRET,
    refreshToken: SECRETS.SPOTIFY_REFRESH_TOKEN,
  });
  const values: Record<string, string | undefined> = { ...SECRETS, SPOTIFY_REFRESH_TOKEN_ISSUED_AT: daysAgo(30), SPOTIFY_OWNER_ID: FAKE_OWNER_ID, ...options.env };
  const envFile = join(dir, '.env');
  const text = Object.entries(values).filter(([, value]) => value !== undefined).map(([key, value]) => `${key}=${value}`).join('\n');
  await writeFile(envFile, `# doctor test\n${text}\n`);
  const hosts = options.hosts ?? spotify.url;
  const shell = { SPOTIFY_ACCOUNTS_URL: hosts, SPOTIFY_API_URL: hosts, ...options.shell };
  const argv = ['--dotenv', envFile];
  const cli = options.asProcess ? runCli('scripts/doctor/main.ts', argv, { env: shell }) : runCommand((io) => doctorCommand(argv, io), { env: shell });
  const code = await cli.exit;
  const output = cli.stdout() + cli.stderr();
  for (const secret of Object.values(SECRETS)) expect(output, 'no secret value in the report').not.toContain(secret);
  return { code, output, envFile };
}

describe('npm run doctor', () => {
  it('reports every check passing and the days left, and exits 0 on a good setup', async () => {
    // As its own process, the way npm starts it: main.ts hands the command its arguments, variables, output and exit code.
    const { code, output } = await doctor({ asProcess: true });
    expect(code, output).toBe(0);
    for (const line of [
      '✓ SPOTIFY_CLIENT_ID is set',
      '✓ SPOTIFY_CLIENT_SECRET is set',
      '✓ SPOTIFY_REFRESH_TOKEN is set',
      '✓ SPOTIFY_REFRESH_TOKEN_ISSUED_AT is set',
      `✓ ${REFRESH_TOKEN_LIFETIME_DAYS - 30} days left before the refresh token expires`,
      '✓ Token exchange works',
      '✓ All scopes granted',
      '✓ Currently playing endpoint reachable',
      '✓ Recently played endpoint reachable',
      '✓ Top artists endpoint reachable',
      '✓ SPOTIFY_OWNER_ID is set',
      `✓ SPOTIFY_OWNER_ID matches the token's Spotify account (${FAKE_OWNER_ID}): /connect can renew`,
      'All good',
    ]) {
      expect(output).toContain(line);
    }
    expect(spotify!.fake.requests.map((request) => request.url.pathname)).toEqual(
      expect.arrayContaining(['/api/token', '/v1/me/player/currently-playing', '/v1/me/player/recently-played', '/v1/me/top/artists', '/v1/me']),
    );
    expect(output, 'no renewal link while none is due').not.toContain('/connect,');
  });

  it('names each missing variable with its fix, does not call Spotify, and exits 1', async () => {
    const { code, output } = await doctor({ env: { SPOTIFY_CLIENT_SECRET: undefined, SPOTIFY_REFRESH_TOKEN: undefined } });
    expect(code).toBe(1);
    expect(output).toContain('✗ SPOTIFY_CLIENT_SECRET is missing');
    expect(output).toMatch(/✗ SPOTIFY_REFRESH_TOKEN is missing\n\s+fix: npm run authorize\n/);
    expect(output).toContain('✓ SPOTIFY_CLIENT_ID is set');
    expect(spotify!.fake.requests).toHaveLength(0);
  });

  it('reports a revoked or expired refresh token with the re-authorize command', async () => {
    const { code, output } = await doctor({ scenario: 'revoked' });
    expect(code).toBe(1);
    expect(output).toContain('✗ Token exchange failed: Spotify no longer accepts the refresh token');
    expect(output).toContain(RENEW);
  });

  it('reports a wrong client secret (invalid_client) with where to copy it from', async () => {
    const { code, output } = await doctor({ env: { SPOTIFY_CLIENT_SECRET: 'wrong-secret-value' } });
    expect(code).toBe(1);
    expect(output).toMatch(/✗ Token exchange failed: .*invalid_client/);
    expect(output).toContain('developer.spotify.com/dashboard');
    expect(output).not.toContain('wrong-secret-value');
  });

  it('names a scope that was not granted and the read it breaks', async () => {
    const { code, output } = await doctor({ scenario: 'scope_missing' });
    expect(code).toBe(1);
    expect(output).toContain('✗ Scopes not granted: user-top-read');
    expect(output).toMatch(/✗ Top artists endpoint failed \(scope_missing\)/);
    expect(output).toContain('✓ Currently playing endpoint reachable');
    expect(output).toContain(RENEW);
  });

  it('warns with the /connect link and the renew command when fewer than 14 days remain, or none', async () => {
    const { code, output } = await doctor({ env: { SPOTIFY_REFRESH_TOKEN_ISSUED_AT: daysAgo(REFRESH_TOKEN_LIFETIME_DAYS - 5) } });
    expect(code).toBe(1);
    expect(output).toMatch(/✗ The Spotify refresh token expires in 5 days \(on \d{4}-\d\d-\d\d\)\n\s+fix: renew on https:\/\/<your-site>\/connect, or run/);
    expect(output).toContain(RENEW);
    expect(output, 'a renewal on /connect leaves .env as it was').toContain('Renewed on /connect already? The site uses that token');
    await spotify!.close();
    const expired = await doctor({ env: { SPOTIFY_REFRESH_TOKEN_ISSUED_AT: daysAgo(REFRESH_TOKEN_LIFETIME_DAYS + 3) } });
    expect(expired.output).toMatch(/✗ The Spotify refresh token expired on \S+ \(six months after authorization\)\n\s+fix: renew on https:\/\/<your-site>\/connect/);
  });

  it('says renewal from /connect is disabled without SPOTIFY_OWNER_ID, and offers only the command to renew', async () => {
    const { code, output } = await doctor({ env: { SPOTIFY_OWNER_ID: undefined, SPOTIFY_REFRESH_TOKEN_ISSUED_AT: daysAgo(REFRESH_TOKEN_LIFETIME_DAYS - 5) } });
    expect(code).toBe(1);
    expect(output).toMatch(/✗ SPOTIFY_OWNER_ID is missing: renewal from \/connect on your site is disabled\n\s+fix: npm run authorize -- --netlify && npm run deploy \(it records/);
    expect(output).toMatch(/✗ The Spotify refresh token expires in 5 days.*\n\s+fix: npm run authorize -- --netlify && npm run deploy\n/);
    expect(output, 'no link to a page that cannot renew').not.toContain('/connect,');
    expect(spotify!.fake.requests.map((request) => request.url.pathname)).not.toContain('/v1/me');
  });

  it('names both accounts when SPOTIFY_OWNER_ID is not the token’s, and how to put them back in step', async () => {
    const { code, output } = await doctor({ env: { SPOTIFY_OWNER_ID: 'someone-else' } });
    expect(code).toBe(1);
    expect(output).toContain(`✗ SPOTIFY_OWNER_ID is "someone-else", but the refresh token belongs to the Spotify account "${FAKE_OWNER_ID}": renewal from /connect accepts only "someone-else"`);
    expect(output).toContain('fix: Log in to Spotify (in the browser) as the account whose listening the widget shows, then run `npm run authorize -- --netlify && npm run deploy`');
  });

  it('reports an issue time that is missing or not a date', async () => {
    const missing = await doctor({ env: { SPOTIFY_REFRESH_TOKEN_ISSUED_AT: undefined } });
    expect(missing.code).toBe(1);
    expect(missing.output).toContain('✗ Days left before the refresh token expires: unknown');
    await spotify!.close();
    const garbled = await doctor({ env: { SPOTIFY_REFRESH_TOKEN_ISSUED_AT: 'last spring' } });
    expect(garbled.output).toContain('✗ SPOTIFY_REFRESH_TOKEN_ISSUED_AT is not a date ("last spring")');
  });

  it('reports a rate-limited API with how long to wait', async () => {
    const { code, output } = await doctor({ scenario: 'rate_limited' });
    expect(code).toBe(1);
    expect(output).toMatch(/✗ Currently playing endpoint failed \(rate_limited\)/);
    expect(output).toContain('fix: Wait 17 seconds, then run `npm run doctor` again.');
  });

  it('reports Spotify down or unreachable with what to check', async () => {
    const down = await doctor({ scenario: 'down' });
    expect(down.code).toBe(1);
    expect(down.output).toMatch(/✗ Token exchange failed: .*503/);
    await spotify!.close();
    const unreachable = await doctor({ hosts: 'http://127.0.0.1:9' });
    expect(unreachable.code).toBe(1);
    expect(unreachable.output).toContain('✗ Token exchange failed');
    expect(unreachable.output).toContain('check the connection (and SPOTIFY_ACCOUNTS_URL / SPOTIFY_API_URL if set)');
  });

  it('lets the shell environment win over .env, as npm run dev does, and says so in --help', async () => {
    // .env points at a port nothing listens on; the shell points at the fake.
    const nowhere = 'http://127.0.0.1:9';
    const { code, output } = await doctor({ env: { SPOTIFY_ACCOUNTS_URL: nowhere, SPOTIFY_API_URL: nowhere } });
    expect(code, output).toBe(0);
    expect(output).toContain(`Using Spotify hosts from SPOTIFY_ACCOUNTS_URL / SPOTIFY_API_URL: ${spotify!.url}, ${spotify!.url}`);
    expect(spotify!.fake.requests.map((request) => request.url.pathname)).toContain('/v1/me/player/currently-playing');

    const help = runCommand((io) => doctorCommand(['--help'], io));
    expect(await help.exit).toBe(0);
    expect(help.stdout()).toContain('A variable set in the shell environment wins over the same variable in .env');
  });

  it('shows the Spotify hosts it uses without the username and password in them', async () => {
    const { output } = await doctor({ hosts: 'http://widget-owner:proxy-password-123@127.0.0.1:9' });
    expect(output).toContain('Using Spotify hosts from SPOTIFY_ACCOUNTS_URL / SPOTIFY_API_URL: http://127.0.0.1:9, http://127.0.0.1:9');
    expect(output, 'no password').not.toContain('proxy-password-123');
    expect(output, 'no username').not.toContain('widget-owner');
  });

  it('saves a refresh token Spotify rotated during the check, and says how to update the site', async () => {
    const { code, output, envFile } = await doctor({ scenario: 'rotation' });
    expect(code).toBe(1);
    expect(output).toContain('Spotify issued a new refresh token during this check; saved it to .env');
    expect(output).toContain('fix: npm run netlify:env && npm run deploy');
    const saved = await readFile(envFile, 'utf8');
    expect(saved).toContain(`SPOTIFY_REFRESH_TOKEN=${spotify!.fake.acceptedRefreshToken}`);
    expect(saved.startsWith('# doctor test\n')).toBe(true);
  });

  it('warns when the shell sets the refresh token too, since it hides the rotated one it saved', async () => {
    const { output } = await doctor({ scenario: 'rotation', shell: { SPOTIFY_REFRESH_TOKEN: SECRETS.SPOTIFY_REFRESH_TOKEN } });
    expect(output).toContain('Token exchange works');
    expect(output).toContain('SPOTIFY_REFRESH_TOKEN is also set in your shell, which wins over');
    expect(output).toContain('unset SPOTIFY_REFRESH_TOKEN');
  });
});

describe('diagnose', () => {
  it('links to /connect on the linked site when it can name it, and asks for the site only when a renewal is due', async () => {
    const spotify = createFakeSpotify({ scenario: 'revoked' });
    const env = { ...SECRETS, SPOTIFY_REFRESH_TOKEN_ISSUED_AT: daysAgo(30), SPOTIFY_OWNER_ID: FAKE_OWNER_ID, SPOTIFY_ACCOUNTS_URL: 'http://spotify.test', SPOTIFY_API_URL: 'http://spotify.test' };
    const siteUrl = vi.fn(async () => 'https://my-widget.netlify.app');
    const revoked = await diagnose((name) => env[name as keyof typeof env], spotify.fetch, new Date(), { siteUrl });
    const refused = revoked.checks.find((check) => check.label.startsWith('Token exchange failed'));
    expect(refused?.fix).toBe('renew on https://my-widget.netlify.app/connect, or run `npm run authorize -- --netlify && npm run deploy`');

    spotify.scenario = 'playing';
    siteUrl.mockClear();
    const healthy = await diagnose((name) => env[name as keyof typeof env], spotify.fetch, new Date(), { siteUrl });
    expect(healthy.checks.every((check) => check.status !== 'problem'), JSON.stringify(healthy.checks)).toBe(true);
    expect(siteUrl, 'the Netlify CLI is not started for nothing').not.toHaveBeenCalled();
  });
});
