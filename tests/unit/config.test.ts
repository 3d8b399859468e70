/**
 * readConfig: which source of data the environment allows, and messages that
 * say what to do.
 */
import { describe, expect, it } from 'vitest';
import { readConfig } from '../../src/lib/spotify/config';

const envOf = (values: Record<string, string>) => (name: string) => values[name];
const credentials = { SPOTIFY_CLIENT_ID: 'id', SPOTIFY_CLIENT_SECRET: 'secret', SPOTIFY_REFRESH_TOKEN: 'refresh' };

describe('readConfig', () => {
  it('is ready with all three credentials, using Spotify\'s hosts by default', () => {
    const state = readConfig(envOf(credentials));
    expect(state).toMatchObject({
      status: 'ready',
      spotify: { accountsUrl: 'https://accounts.spotify.com', apiUrl: 'https://api.spotify.com', refreshTokenIssuedAt: null },
    });
  });

  it('takes base URLs from the environment without a trailing slash', () => {
    const state = readConfig(envOf({ ...credentials, SPOTIFY_API_URL: 'http://127.0.0.1:8790/', SPOTIFY_ACCOUNTS_URL: 'http://127.0.0.1:8790' }));
    expect(state.status === 'ready' && [state.spotify?.apiUrl, state.spotify?.accountsUrl]).toEqual([
      'http://127.0.0.1:8790',
      'http://127.0.0.1:8790',
    ]);
  });

  it('parses the issue time of the refresh token, and ignores a bad one', () => {
    const good = readConfig(envOf({ ...credentials, SPOTIFY_REFRESH_TOKEN_ISSUED_AT: '2026-08-01T10:00:00Z' }));
    expect(good.status === 'ready' && good.spotify?.refreshTokenIssuedAt?.toISOString()).toBe('2026-08-01T10:00:00.000Z');
    const bad = readConfig(envOf({ ...credentials, SPOTIFY_REFRESH_TOKEN_ISSUED_AT: 'soon' }));
    expect(bad.status === 'ready' && bad.spotify?.refreshTokenIssuedAt).toBeNull();
  });

  it('offers demo data only when no credential is set and the site is not deployed', () => {
    expect(readConfig(envOf({})).status).toBe('demo');
    expect(readConfig(envOf({ CONTEXT: 'dev' })).status).toBe('demo');
    expect(readConfig(envOf({ CONTEXT: 'production' })).status).toBe('invalid');
  });

  it('takes the deploy context from the request when the environment has none', () => {
    expect(readConfig(envOf({}), 'production').status).toBe('invalid');
    expect(readConfig(envOf({}), 'deploy-preview').status).toBe('invalid');
    expect(readConfig(envOf({}), 'dev').status).toBe('demo');
    expect(readConfig(envOf({}), '').status).toBe('demo');
  });

  it('treats blank values as missing and names each missing variable', () => {
    const state = readConfig(envOf({ ...credentials, SPOTIFY_CLIENT_SECRET: '  ', SPOTIFY_REFRESH_TOKEN: '' }));
    expect(state).toMatchObject({ status: 'invalid', missing: ['SPOTIFY_CLIENT_SECRET', 'SPOTIFY_REFRESH_TOKEN'] });
  });

  it('rejects a base URL that is not http(s)', () => {
    const state = readConfig(envOf({ ...credentials, SPOTIFY_ACCOUNTS_URL: 'ftp://example.com' }));
    expect(state.status === 'invalid' && state.message).toContain('SPOTIFY_ACCOUNTS_URL');
  });

  it('never echoes a bad base URL, which could hold credentials, into the message', () => {
    for (const raw of ['ftp://user:hunter2@example.com', 'not a url hunter2']) {
      const state = readConfig(envOf({ ...credentials, SPOTIFY_API_URL: raw }));
      expect(state.status === 'invalid' && state.message).not.toContain('hunter2');
    }
  });
});
