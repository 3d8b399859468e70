/**
 * `npm run authorize` end to end: the command in this process (one run as its
 * own process, as npm starts it), the fake Spotify over HTTP as the accounts
 * server, and this test as the browser.
 */
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { http, passthrough } from 'msw';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FAKE_OWNER_ID } from '../../test-support/fake-spotify/fake-spotify';
import { startFakeSpotifyServer, type FakeSpotifyServer } from '../../test-support/fake-spotify/server';
import { server as msw } from '../setup/msw';
import { authorizeCommand } from '../../scripts/authorize/command';
import { runCli, runCommand, type CliRun, type RunningCli } from './cli';

const CLIENT_ID = 'owner-client-id';
const CLIENT_SECRET = 'owner-client-secret-0123456789';
const ENV_BEFORE = `# Spotify app (kept as written)
SPOTIFY_CLIENT_ID=${CLIENT_ID}
SPOTIFY_CLIENT_SECRET=${CLIENT_SECRET}

# unrelated settings stay too
OTHER_SETTING="keep me"  # with a comment
SPOTIFY_REFRESH_TOKEN=
`;

let dir: string;
let envFile: string;
let spotify: FakeSpotifyServer;
const processes: RunningCli[] = [];
const commands: CliRun[] = [];

beforeEach(async () => {
  msw.use(http.all(/^http:\/\/127\.0\.0\.1:\d+\//, () => passthrough()));
  dir = await mkdtemp(join(tmpdir(), 'owner-authorize-'));
  envFile = join(dir, '.env');
  await writeFile(envFile, ENV_BEFORE);
  spotify = await startFakeSpotifyServer({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
});
afterEach(async () => {
  for (const cli of processes.splice(0)) cli.kill();
  // A run still waiting for Spotify ends as if the browser said Cancel.
  for (const cli of commands.splice(0)) await stop(cli);
  await spotify.close();
  await rm(dir, { recursive: true, force: true });
});

/** `npm run authorize -- <argv>` in this process, with `env` as the shell's variables. */
function command(argv: string[], options: { stdin?: string; env?: Record<string, string> } = {}): CliRun {
  const cli = runCommand((io) => authorizeCommand(argv, io), options);
  commands.push(cli);
  return cli;
}

function authorize(args: string[] = [], options: { stdin?: string; env?: Record<string, string> } = {}): CliRun {
  return command(['--dotenv', envFile, '--port', '0', '--no-open', '--timeout', '20', ...args], {
    env: { SPOTIFY_ACCOUNTS_URL: spotify.url, SPOTIFY_API_URL: spotify.url, ...options.env },
    stdin: options.stdin,
  });
}

async function stop(cli: CliRun): Promise<void> {
  if (cli.exited()) return;
  const url = /^  (https?:\/\/\S+\/authorize\?\S+)$/m.exec(cli.stdout())?.[1];
  if (url) await callback(new URL(url), { error: 'access_denied', state: new URL(url).searchParams.get('state')! });
  await cli.exit;
}

async function authorizeUrl(cli: CliRun): Promise<URL> {
  return new URL((await cli.waitFor(/^  (https?:\/\/\S+\/authorize\?\S+)$/m))[1]!);
}

/** What the browser does: open Spotify's page, which redirects to the callback. */
async function agreeInBrowser(url: URL): Promise<Response> {
  const consent = await fetch(url, { redirect: 'manual' });
  expect(consent.status, await consent.clone().text()).toBe(302);
  return fetch(consent.headers.get('location')!);
}

const callback = (url: URL, params: Record<string, string>) => {
  const target = new URL(url.searchParams.get('redirect_uri')!);
  for (const [key, value] of Object.entries(params)) target.searchParams.set(key, value);
  return fetch(target);
};

describe('npm run authorize', () => {
  it('prints an authorize URL with the scopes, a loopback redirect URI and a random state', async () => {
    const cli = authorize();
    const url = await authorizeUrl(cli);
    expect(url.origin + url.pathname).toBe(`${spotify.url}/authorize`);
    expect(url.searchParams.get('response_type')).toBe('code');
    expect(url.searchParams.get('client_id')).toBe(CLIENT_ID);
    expect(url.searchParams.get('scope')).toBe('user-read-currently-playing user-read-recently-played user-top-read');
    expect(url.searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    expect(url.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const other = await authorizeUrl(authorize());
    expect(other.searchParams.get('state')).not.toBe(url.searchParams.get('state'));
  });

  it('saves the refresh token, its issue time and the account id into .env, keeping every other line, and exits 0', async () => {
    const cli = authorize();
    const page = await agreeInBrowser(await authorizeUrl(cli));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Spotify is connected');
    expect(await cli.exit).toBe(0);

    const after = await readFile(envFile, 'utf8');
    const token = /^SPOTIFY_REFRESH_TOKEN=(fake-renewed-\w+)$/m.exec(after)?.[1];
    expect(token, after).toBeDefined();
    const issued = /^SPOTIFY_REFRESH_TOKEN_ISSUED_AT=(.+)$/m.exec(after)?.[1];
    expect(Math.abs(Date.parse(issued!) - Date.now())).toBeLessThan(60_000);
    expect(after, 'the account the token belongs to, read from /v1/me').toMatch(new RegExp(`^SPOTIFY_OWNER_ID=${FAKE_OWNER_ID}$`, 'm'));
    expect(
      after
        .replace(/^SPOTIFY_REFRESH_TOKEN=.*$/m, 'SPOTIFY_REFRESH_TOKEN=')
        .replace(/^SPOTIFY_REFRESH_TOKEN_ISSUED_AT=.*\n/m, '')
        .replace(/^SPOTIFY_OWNER_ID=.*\n/m, ''),
    ).toBe(ENV_BEFORE);
    expect(cli.stdout()).toContain(`SPOTIFY_OWNER_ID=${FAKE_OWNER_ID}`);
    expect(cli.stdout(), 'both ways to renew').toContain('renew it before then on /connect on your site, or with `npm run authorize -- --netlify && npm run deploy`');

    const printed = cli.stdout() + cli.stderr();
    expect(printed).not.toContain(token!);
    expect(printed).not.toContain(CLIENT_SECRET);
    const exchange = spotify.fake.requests.find((request) => request.url.pathname === '/api/token');
    expect(new URLSearchParams(exchange!.body).get('redirect_uri')).toBe((await authorizeUrl(cli)).searchParams.get('redirect_uri'));
  });

  it('rejects a callback with a wrong or missing state, saves nothing, and keeps waiting for the real one', async () => {
    const cli = authorize();
    const url = await authorizeUrl(cli);
    const forged = await callback(url, { code: 'fake-code', state: 'not-the-state' });
    expect(forged.status).toBe(400);
    const stateless = await callback(url, { code: 'fake-code' });
    expect(stateless.status).toBe(400);
    expect(spotify.fake.requests.filter((request) => request.url.pathname === '/api/token')).toHaveLength(0);
    expect(await readFile(envFile, 'utf8')).toBe(ENV_BEFORE);
    expect(cli.stderr()).toMatch(/state is missing or not from this run/);

    expect((await agreeInBrowser(url)).status).toBe(200);
    expect(await cli.exit).toBe(0);
  });

  it('records the account that consented, and warns when SPOTIFY_OWNER_ID named another one before', async () => {
    await writeFile(envFile, `${ENV_BEFORE}SPOTIFY_OWNER_ID=${FAKE_OWNER_ID}\n`);
    spotify.fake.account = 'someone-else';
    const cli = authorize();
    expect((await agreeInBrowser(await authorizeUrl(cli))).status).toBe(200);
    expect(await cli.exit).toBe(0);
    const after = await readFile(envFile, 'utf8');
    expect(after).toMatch(/^SPOTIFY_OWNER_ID=someone-else$/m);
    expect(after).not.toContain(`SPOTIFY_OWNER_ID=${FAKE_OWNER_ID}`);
    expect(cli.stderr()).toContain(`belongs to the Spotify account "someone-else", not "${FAKE_OWNER_ID}"`);
    expect(cli.stderr()).toContain('log out of Spotify in the browser');
  });

  it('keeps the new token when the account cannot be read, and says SPOTIFY_OWNER_ID was not recorded and what to do', async () => {
    // Tokens still work; every /v1 read, /v1/me included, answers 429.
    spotify.fake.scenario = 'rate_limited';
    const cli = authorize();
    expect((await agreeInBrowser(await authorizeUrl(cli))).status).toBe(200);
    expect(await cli.exit, 'the token is what matters: `authorize && deploy` must go on').toBe(0);
    const after = await readFile(envFile, 'utf8');
    expect(after).toMatch(/^SPOTIFY_REFRESH_TOKEN=fake-renewed-\w+$/m);
    expect(after).not.toContain('SPOTIFY_OWNER_ID');
    expect(cli.stderr()).toContain('Could not read which Spotify account the token belongs to (/v1/me)');
    expect(cli.stderr()).toContain('SPOTIFY_OWNER_ID was not recorded, so renewing from /connect on your site stays off');
    expect(cli.stderr()).toContain('run `npm run authorize -- --netlify` again, then `npm run deploy`');
    expect(cli.stdout(), 'no /connect hint while it is off').not.toContain('/connect');
  });

  it('shows Spotify’s access_denied clearly, saves nothing and exits 1', async () => {
    const cli = authorize();
    const url = await authorizeUrl(cli);
    const page = await callback(url, { error: 'access_denied', state: url.searchParams.get('state')! });
    expect(page.status).toBe(400);
    expect(await page.text()).toContain('access_denied');
    expect(await cli.exit).toBe(1);
    expect(cli.stderr()).toMatch(/access was denied \(access_denied\)/);
    expect(cli.stderr()).toContain('npm run authorize');
    expect(await readFile(envFile, 'utf8')).toBe(ENV_BEFORE);
  });

  it('reports a code Spotify rejects, saves nothing and exits 1', async () => {
    const cli = authorize();
    const url = await authorizeUrl(cli);
    const page = await callback(url, { code: 'stale-code', state: url.searchParams.get('state')! });
    expect(page.status).toBe(502);
    expect(await cli.exit).toBe(1);
    expect(cli.stderr()).toMatch(/rejected the authorization code/);
    expect(await readFile(envFile, 'utf8')).toBe(ENV_BEFORE);
  });

  it('names the scopes Spotify did not grant and saves nothing', async () => {
    spotify.fake.scenario = 'scope_missing';
    const cli = authorize();
    expect((await agreeInBrowser(await authorizeUrl(cli))).status).toBe(502);
    expect(await cli.exit).toBe(1);
    expect(cli.stderr()).toMatch(/without user-top-read/);
    expect(await readFile(envFile, 'utf8')).toBe(ENV_BEFORE);
  });

  it('says the port is busy, that netlify dev uses 8888 too, and how to pick another port', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((listening) => blocker.listen(0, '127.0.0.1', listening));
    const port = (blocker.address() as { port: number }).port;
    try {
      const cli = command(['--dotenv', envFile, '--port', String(port), '--no-open'], {
        env: { SPOTIFY_ACCOUNTS_URL: spotify.url },
      });
      expect(await cli.exit).toBe(1);
      expect(cli.stderr()).toContain(`Port ${port} on 127.0.0.1 is already in use`);
      expect(cli.stderr()).toContain('`netlify dev` also listens on 8888');
      expect(cli.stderr()).toContain(`npm run authorize -- --port ${port + 1}`);
      expect(cli.stderr()).toContain('http://127.0.0.1:8888/callback');
    } finally {
      blocker.close();
    }
  });

  it('waits 5 minutes for Spotify when no --timeout is given', async () => {
    const cli = command(['--dotenv', envFile, '--port', '0', '--no-open'], { env: { SPOTIFY_ACCOUNTS_URL: spotify.url } });
    const waiting = await cli.waitFor(/^Waiting for Spotify on \S+ \(for ([^)]+)\)\.$/m);
    expect(waiting[1]).toBe('5 minutes');
    const help = command(['--help']);
    expect(await help.exit).toBe(0);
    expect(help.stdout()).toMatch(/--timeout SECONDS .*\(default 300\)/);
  });

  it('gives up after the timeout with a clear message and exits 1', async () => {
    const cli = authorize(['--timeout', '0.5']);
    expect(await cli.exit).toBe(1);
    expect(cli.stderr()).toMatch(/Timed out after 0\.5 seconds waiting for Spotify/);
    expect(await readFile(envFile, 'utf8')).toBe(ENV_BEFORE);
  });

  it('asks for the client id and secret when .env lacks them, and saves them', async () => {
    await writeFile(envFile, '# only a comment\n');
    // As its own process, the way npm starts it: main.ts hands the command its arguments, stdin, stdout and exit code.
    const cli = runCli('scripts/authorize/main.ts', ['--dotenv', envFile, '--port', '0', '--no-open', '--timeout', '20'], {
      env: { SPOTIFY_ACCOUNTS_URL: spotify.url, SPOTIFY_API_URL: spotify.url },
      stdin: `${CLIENT_ID}\n${CLIENT_SECRET}\n`,
    });
    processes.push(cli);
    expect((await agreeInBrowser(await authorizeUrl(cli))).status).toBe(200);
    expect(await cli.exit).toBe(0);
    const after = await readFile(envFile, 'utf8');
    expect(after).toMatch(/^# only a comment\nSPOTIFY_CLIENT_ID=owner-client-id\nSPOTIFY_CLIENT_SECRET=owner-client-secret-0123456789\nSPOTIFY_REFRESH_TOKEN=fake-renewed-\w+\nSPOTIFY_REFRESH_TOKEN_ISSUED_AT=\S+\nSPOTIFY_OWNER_ID=fake-owner\n$/);
    expect(cli.stdout()).not.toContain(CLIENT_SECRET);
  });

  it('takes the client id from the shell over .env, and saves to .env only what it asked for', async () => {
    await writeFile(envFile, '# stale id below\nSPOTIFY_CLIENT_ID=stale-client-id\n');
    // Only the secret is typed: asking for the id too would take it as the id.
    const cli = authorize([], { stdin: `${CLIENT_SECRET}\n`, env: { SPOTIFY_CLIENT_ID: CLIENT_ID } });
    const url = await authorizeUrl(cli);
    expect(url.searchParams.get('client_id')).toBe(CLIENT_ID);
    expect((await agreeInBrowser(url)).status).toBe(200);
    expect(await cli.exit).toBe(0);
    const after = await readFile(envFile, 'utf8');
    expect(after).toMatch(/^# stale id below\nSPOTIFY_CLIENT_ID=stale-client-id\nSPOTIFY_CLIENT_SECRET=owner-client-secret-0123456789\nSPOTIFY_REFRESH_TOKEN=fake-renewed-\w+\n/);
  });

  it('warns when the shell sets the refresh token too, since it would hide the one saved, and says so in --help', async () => {
    const cli = authorize([], { env: { SPOTIFY_REFRESH_TOKEN: 'stale-shell-token' } });
    expect((await agreeInBrowser(await authorizeUrl(cli))).status).toBe(200);
    expect(await cli.exit).toBe(0);
    expect(cli.stderr()).toContain('SPOTIFY_REFRESH_TOKEN is also set in your shell, which wins over');
    expect(cli.stderr()).toContain('unset SPOTIFY_REFRESH_TOKEN');

    const help = command(['--help']);
    expect(await help.exit).toBe(0);
    expect(help.stdout()).toContain('A variable set in the shell environment wins over the same variable in .env');
  });

  it('with --netlify and no linked site, saves .env and says exactly which commands to run', async () => {
    const cli = authorize(['--netlify']);
    expect((await agreeInBrowser(await authorizeUrl(cli))).status).toBe(200);
    expect(await cli.exit).toBe(1);
    expect(await readFile(envFile, 'utf8')).toMatch(/^SPOTIFY_REFRESH_TOKEN=fake-renewed-/m);
    expect(cli.stderr()).toContain('No Netlify site is linked');
    expect(cli.stderr()).toContain('npx netlify link');
    expect(cli.stderr()).toContain('npm run netlify:env');
    expect(cli.stderr()).toContain('npx netlify env:set SPOTIFY_REFRESH_TOKEN "<SPOTIFY_REFRESH_TOKEN>" --secret --context production deploy-preview branch-deploy --scope functions --force');
  });
});

describe('npm run authorize with a bad argument', () => {
  it.each([
    { args: ['--redirect-uri', 'notaurl'], problem: '--redirect-uri must be a full URL such as http://127.0.0.1:8888/callback, got "notaurl".' },
    { args: ['--port', '-1'], problem: "Option '--port' argument is ambiguous." },
    { args: ['--bogus'], problem: "Unknown option '--bogus'" },
  ])('$args: says what is wrong in one line, then the usage, exits 2 and changes nothing', async ({ args, problem }) => {
    const cli = command(['--dotenv', envFile, '--no-open', ...args], { env: { SPOTIFY_ACCOUNTS_URL: spotify.url } });
    expect(await cli.exit, cli.stderr()).toBe(2);
    const [line, usage] = cli.stderr().split('\n');
    expect(line, 'the problem, on one line').toMatch(/^✗ /);
    expect(line).toContain(problem);
    expect(usage).toBe('Usage: npm run authorize -- [options]');
    expect(cli.stderr(), 'no stack trace').not.toMatch(/^\s+at |Error/m);
    expect(await readFile(envFile, 'utf8')).toBe(ENV_BEFORE);
  });
});

describe('npm run netlify:env', () => {
  it('refuses with the link commands when no site is linked', async () => {
    await mkdir(join(dir, '.netlify'), { recursive: true });
    await writeFile(join(dir, '.netlify', 'state.json'), '{}');
    const cli = runCli('scripts/authorize/push-netlify-env.ts', ['--dotenv', envFile]);
    processes.push(cli);
    expect(await cli.exit).toBe(1);
    expect(cli.stderr()).toContain('npx netlify login');
  });
});
