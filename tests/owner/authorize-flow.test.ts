/**
 * runAuthorize in this process, with its I/O injected: what it asks the
 * browser to open, how it reports a port the system will not give it, and
 * what it stores on Netlify when the shell sets some values.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { http, passthrough } from 'msw';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runAuthorize, type AuthorizeIO, type AuthorizeSettings } from '../../scripts/authorize/flow';
import { FAKE_OWNER_ID, createFakeSpotify } from '../../test-support/fake-spotify/fake-spotify';
import { server as msw } from '../setup/msw';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'owner-flow-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function setup(overrides: Partial<AuthorizeSettings> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const openBrowser = vi.fn((_url: string) => true);
  const settings: AuthorizeSettings = {
    envFile: join(dir, '.env'),
    redirectUri: 'http://127.0.0.1:0/callback',
    // No browser answers here: the run ends at this timeout.
    timeoutMs: 200,
    open: true,
    netlify: false,
    ...overrides,
  };
  const io: AuthorizeIO = {
    env: { SPOTIFY_CLIENT_ID: 'flow-client-id', SPOTIFY_CLIENT_SECRET: 'flow-client-secret' },
    fetch: () => Promise.reject(new Error('no request to Spotify is expected')),
    prompter: () => {
      throw new Error('no question is expected');
    },
    openBrowser,
    netlifyRunner: () => Promise.reject(new Error('no Netlify call is expected')),
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    now: () => new Date('2026-12-01T00:00:00Z'),
  };
  return { settings, io, out, err, openBrowser, run: () => runAuthorize(settings, io) };
}

const printedAuthorizeUrl = (out: string[]) => out.map((line) => /^\s*(https:\/\/accounts\.spotify\.com\/authorize\?\S+)\s*$/.exec(line)?.[1]).find(Boolean);

describe('runAuthorize and the browser', () => {
  it('opens the printed authorize URL in the browser when open is on', async () => {
    const flow = setup({ open: true });
    expect(await flow.run()).toBe(1);
    const url = printedAuthorizeUrl(flow.out);
    expect(url).toMatch(/[?&]state=[\w-]{32}/);
    expect(flow.openBrowser).toHaveBeenCalledTimes(1);
    expect(flow.openBrowser).toHaveBeenCalledWith(url);
    expect(flow.out).toContain('(Opened it in your browser.)');
  });

  it('does not open a browser with --no-open, and still prints the URL', async () => {
    const flow = setup({ open: false });
    expect(await flow.run()).toBe(1);
    expect(printedAuthorizeUrl(flow.out)).toBeDefined();
    expect(flow.openBrowser).not.toHaveBeenCalled();
  });
});

describe('runAuthorize and a port it may not use', () => {
  it('says the system refused the port (EACCES), not that it is busy, and how to pick one above 1024', async () => {
    // What the OS answers an unprivileged process that listens on a port below 1024.
    vi.spyOn(Server.prototype, 'listen').mockImplementation(function (this: Server) {
      process.nextTick(() => this.emit('error', Object.assign(new Error('listen EACCES: permission denied 127.0.0.1:80'), { code: 'EACCES' })));
      return this;
    });
    const flow = setup({ redirectUri: 'http://127.0.0.1:80/callback' });
    expect(await flow.run()).toBe(1);
    const message = flow.err.join('\n');
    expect(message).toContain('does not allow listening on port 80 on 127.0.0.1 (EACCES)');
    expect(message).not.toMatch(/already in use/);
    expect(message).toContain('pick a port above 1024');
    expect(message).toContain('npm run authorize -- --port 8888');
    expect(message).toContain('(http://127.0.0.1:8888/callback) still matches; keep its host and path the same');
    expect(flow.openBrowser).not.toHaveBeenCalled();
  });
});

describe('runAuthorize --netlify with values in the shell', () => {
  const CLIENT_ID = 'flow-client-id';
  const CLIENT_SECRET = 'flow-client-secret';

  /** A run against an in-memory Spotify whose consent page the "browser" agrees to, on a linked site. */
  function agreeingRun(shell: NodeJS.ProcessEnv) {
    msw.use(http.all(/^http:\/\/127\.0\.0\.1:\d+\//, () => passthrough()));
    const spotify = createFakeSpotify({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    const flow = setup({ netlify: true, timeoutMs: 20_000 });
    const pushed: string[][] = [];
    flow.io.env = { NETLIFY_SITE_ID: 'site-id', SPOTIFY_ACCOUNTS_URL: 'http://spotify.test', ...shell };
    flow.io.fetch = spotify.fetch;
    flow.io.netlifyRunner = async (args) => {
      pushed.push(args);
      return { code: 0, output: '' };
    };
    flow.io.openBrowser = (url) => {
      void spotify.handle(new Request(url)).then((consent) => fetch(consent.headers.get('location')!));
      return true;
    };
    return { ...flow, pushed, spotify };
  }

  it('stores the shell’s client id with the new token on Netlify, and leaves .env’s id as it was', async () => {
    const flow = agreeingRun({ SPOTIFY_CLIENT_ID: CLIENT_ID, SPOTIFY_CLIENT_SECRET: CLIENT_SECRET });
    await writeFile(flow.settings.envFile, 'SPOTIFY_CLIENT_ID=stale-id\n');
    expect(await flow.run(), flow.err.join('\n')).toBe(0);
    const saved = await readFile(flow.settings.envFile, 'utf8');
    const token = /^SPOTIFY_REFRESH_TOKEN=(fake-renewed-\w+)$/m.exec(saved)?.[1];
    expect(saved).toMatch(/^SPOTIFY_CLIENT_ID=stale-id\nSPOTIFY_REFRESH_TOKEN=/);
    const values = Object.fromEntries(flow.pushed.map((args) => [args[1], args[2]]));
    expect(values).toMatchObject({ SPOTIFY_CLIENT_ID: CLIENT_ID, SPOTIFY_CLIENT_SECRET: CLIENT_SECRET, SPOTIFY_REFRESH_TOKEN: token });
    expect(flow.pushed, 'the account id, public, for the functions that serve /connect').toContainEqual(['env:set', 'SPOTIFY_OWNER_ID', FAKE_OWNER_ID, '--scope', 'functions', '--force']);
  });

  it('still stores the new token on Netlify when the account cannot be read, and says SPOTIFY_OWNER_ID was left out', async () => {
    const flow = agreeingRun({ SPOTIFY_CLIENT_ID: CLIENT_ID, SPOTIFY_CLIENT_SECRET: CLIENT_SECRET });
    flow.spotify.scenario = 'rate_limited';
    expect(await flow.run(), flow.err.join('\n')).toBe(0);
    const token = /^SPOTIFY_REFRESH_TOKEN=(fake-renewed-\w+)$/m.exec(await readFile(flow.settings.envFile, 'utf8'))?.[1];
    expect(flow.pushed.map((args) => args[1])).toEqual(['SPOTIFY_CLIENT_ID', 'SPOTIFY_CLIENT_SECRET', 'SPOTIFY_REFRESH_TOKEN', 'SPOTIFY_REFRESH_TOKEN_ISSUED_AT']);
    expect(flow.pushed[2]?.[2]).toBe(token);
    expect(flow.err.join('\n')).toContain('SPOTIFY_OWNER_ID was not recorded');
    expect(flow.out.join('\n')).toContain('! SPOTIFY_OWNER_ID is not set in .env (nor in the shell), so it was not stored on Netlify');
  });

  it('stores nothing on Netlify when the shell hides the token just saved, and says why', async () => {
    const flow = agreeingRun({ SPOTIFY_CLIENT_ID: CLIENT_ID, SPOTIFY_CLIENT_SECRET: CLIENT_SECRET, SPOTIFY_REFRESH_TOKEN: 'stale-shell-token' });
    expect(await flow.run()).toBe(1);
    expect(flow.pushed).toEqual([]);
    expect(flow.err.join('\n')).toContain('unset SPOTIFY_REFRESH_TOKEN');
    expect(flow.err.join('\n')).toContain('Nothing was stored on Netlify');
  });
});
