/**
 * runAuthorize in this process, with its I/O injected: what it asks the
 * browser to open, and how it reports a port the system will not give it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runAuthorize, type AuthorizeIO, type AuthorizeSettings } from '../../scripts/authorize/flow';

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
