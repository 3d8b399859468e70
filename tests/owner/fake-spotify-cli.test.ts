/** `npm run fake-spotify`: the owner's hand-run fake, checking client credentials when given them. */
import { http, passthrough } from 'msw';
import { afterEach, describe, expect, it } from 'vitest';
import { server as msw } from '../setup/msw';
import { runCli, type RunningCli } from './cli';

const running: RunningCli[] = [];
afterEach(() => {
  for (const cli of running.splice(0)) cli.kill();
});

function fakeSpotify(args: string[]): RunningCli {
  const cli = runCli('test-support/fake-spotify/cli.ts', ['--port', '0', ...args]);
  running.push(cli);
  return cli;
}

const exchange = (url: string, id: string, secret: string) =>
  fetch(`${url}/api/token`, {
    method: 'POST',
    headers: { Authorization: `Basic ${btoa(`${id}:${secret}`)}`, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'any-token' }),
  });

describe('npm run fake-spotify', () => {
  it('answers invalid_client to credentials other than --client-id and --client-secret', async () => {
    msw.use(http.all(/^http:\/\/127\.0\.0\.1:\d+\//, () => passthrough()));
    const cli = fakeSpotify(['--client-id', 'hand-id', '--client-secret', 'hand-secret']);
    const url = (await cli.waitFor(/^ {2}SPOTIFY_ACCOUNTS_URL=(\S+)$/m))[1]!;
    const wrong = await exchange(url, 'hand-id', 'wrong-secret');
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toMatchObject({ error: 'invalid_client' });
    expect((await exchange(url, 'hand-id', 'hand-secret')).status).toBe(200);
  });

  it('names the client flags in its usage, and refuses one without the other', async () => {
    const help = fakeSpotify(['--help']);
    expect(await help.exit).toBe(0);
    expect(help.stdout()).toMatch(/--client-id ID[\s\S]*--client-secret SECRET[\s\S]*invalid_client/);
    const half = fakeSpotify(['--client-id', 'only-id']);
    expect(await half.exit).toBe(2);
    expect(half.stderr()).toContain('Give --client-id and --client-secret together');
  });
});
