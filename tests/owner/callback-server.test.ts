/** The one-shot callback server: where it listens, and how it reports a port it cannot have. */
import { describe, expect, it } from 'vitest';
import { startCallbackServer, type CallbackServerOptions } from '../../scripts/authorize/callback-server';
import { loopbackRedirect } from '../../src/lib/spotify/authorize-url';

const options = (host: string): CallbackServerOptions => ({
  host,
  port: 0,
  path: '/callback',
  state: 'state',
  timeoutMs: 60_000,
  onCode: async () => ({ ok: true, title: 'ok', message: 'ok' }),
  onBadState: () => {},
});

describe('startCallbackServer', () => {
  it('listens on the redirect URI’s loopback address only, not on every interface', async () => {
    const loopback = loopbackRedirect('http://127.0.0.1:0/callback');
    if ('message' in loopback) throw new Error(loopback.message);
    const server = await startCallbackServer(options(loopback.host));
    try {
      expect(server.address).toBe('127.0.0.1');
      expect(server.port).toBeGreaterThan(0);
    } finally {
      await server.close();
    }
  });
});
