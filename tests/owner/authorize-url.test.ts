/** The pure half of `npm run authorize`: the URL, the callback's meaning, the redirect URI rules. */
import { describe, expect, it } from 'vitest';
import { buildAuthorizeUrl, loopbackRedirect, missingScopes, newAuthorizeState, readCallback } from '../../src/lib/spotify/authorize-url';

describe('buildAuthorizeUrl', () => {
  it('asks for a code with the three scopes, the redirect URI and the state', () => {
    const url = new URL(buildAuthorizeUrl({ accountsUrl: 'https://accounts.spotify.com', clientId: 'id', redirectUri: 'http://127.0.0.1:8888/callback', state: 's1' }));
    expect(url.origin + url.pathname).toBe('https://accounts.spotify.com/authorize');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'id',
      scope: 'user-read-currently-playing user-read-recently-played user-top-read',
      redirect_uri: 'http://127.0.0.1:8888/callback',
      state: 's1',
    });
  });
});

describe('newAuthorizeState', () => {
  it('is URL-safe and different every time', () => {
    const states = new Set(Array.from({ length: 50 }, newAuthorizeState));
    expect(states.size).toBe(50);
    for (const state of states) expect(state).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });
});

describe('readCallback', () => {
  const read = (query: string) => readCallback(new URLSearchParams(query), 'expected');
  it('accepts a code only with this run’s state', () => {
    expect(read('code=c&state=expected')).toEqual({ kind: 'code', code: 'c' });
    expect(read('code=c&state=other')).toEqual({ kind: 'bad_state' });
    expect(read('code=c')).toEqual({ kind: 'bad_state' });
  });
  it('reports Spotify’s error, but only with this run’s state', () => {
    expect(read('error=access_denied&state=expected')).toEqual({ kind: 'denied', error: 'access_denied', description: null });
    expect(read('error=access_denied&state=other')).toEqual({ kind: 'bad_state' });
  });
  it('notices a redirect with neither code nor error', () => {
    expect(read('state=expected')).toEqual({ kind: 'no_code' });
  });
});

describe('missingScopes', () => {
  it('names required scopes the grant lacks', () => {
    expect(missingScopes(['user-read-currently-playing', 'user-read-recently-played'])).toEqual(['user-top-read']);
    expect(missingScopes(['user-top-read', 'user-read-recently-played', 'user-read-currently-playing', 'extra'])).toEqual([]);
  });
});

describe('loopbackRedirect', () => {
  it('accepts http on 127.0.0.1 and [::1]', () => {
    expect(loopbackRedirect('http://127.0.0.1:8888/callback')).toEqual({ host: '127.0.0.1', port: 8888, path: '/callback' });
    expect(loopbackRedirect('http://[::1]:9000/cb')).toEqual({ host: '::1', port: 9000, path: '/cb' });
  });
  it('refuses localhost and https hosts, which the local server cannot be', () => {
    expect(loopbackRedirect('http://localhost:8888/callback')).toHaveProperty('message', expect.stringContaining('refuses "localhost"'));
    expect(loopbackRedirect('https://example.com/callback')).toHaveProperty('message');
    expect(loopbackRedirect('not a url')).toHaveProperty('message');
  });
});
