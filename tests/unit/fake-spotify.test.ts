/**
 * The fake Spotify's behaviour that other suites rely on for an exact answer
 * (the e2e tests compare status, body and headers with what Spotify sends),
 * and the consent page and code exchange that renewal tests drive.
 */
import { createHash } from 'node:crypto';
import { http, passthrough } from 'msw';
import { describe, expect, it } from 'vitest';
import { controlFake, fakeState } from '../../test-support/fake-spotify/control';
import { FAKE_OWNER_ID, FAKE_RENEWED_PREFIX, createFakeSpotify, type FakeSpotify } from '../../test-support/fake-spotify/fake-spotify';
import { startFakeSpotifyServer } from '../../test-support/fake-spotify/server';
import { FAKE_QUOTA_RETRY_AFTER_S } from '../../test-support/fake-spotify/scenarios';
import { server as msw } from '../setup/msw';

const API = 'https://api.spotify.invalid';
const ACCOUNTS = 'https://accounts.spotify.invalid';

describe('createFakeSpotify, quota scenario', () => {
  it('still issues tokens, then answers every Web API read 429 QUOTA_EXCEEDED with a Retry-After of hours', async () => {
    const fake = createFakeSpotify({ scenario: 'quota' });
    const grant = await fake.fetch(`${ACCOUNTS}/api/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'any' }),
    });
    expect(grant.status, 'the token endpoint keeps working').toBe(200);
    const { access_token: token } = (await grant.json()) as { access_token: string };

    for (const path of ['/v1/me/player/currently-playing', '/v1/me/player/recently-played?limit=1', '/v1/me/top/artists?limit=5']) {
      const response = await fake.fetch(`${API}${path}`, { headers: { Authorization: `Bearer ${token}` } });
      expect(response.status, path).toBe(429);
      expect(response.headers.get('retry-after'), path).toBe(String(FAKE_QUOTA_RETRY_AFTER_S));
      expect(await response.json(), path).toEqual({ error: { status: 429, message: 'Too many requests', reason: 'QUOTA_EXCEEDED' } });
    }
    expect(FAKE_QUOTA_RETRY_AFTER_S, 'the Retry-After Spotify sent in a real quota block').toBe(48_925);
  });
});

describe('createFakeSpotify, consent page and code exchange', () => {
  const REDIRECT = 'https://widget.example/connect/callback';
  const VERIFIER = 'a-verifier-of-forty-three-characters-0123456';
  // base64url(SHA-256(VERIFIER)), worked out independently of the fake.
  const CHALLENGE = createHash('sha256').update(VERIFIER).digest('base64url');

  /** The consent page's answer, as the redirect back to the site. */
  async function consent(fake: FakeSpotify, extra: Record<string, string> = {}): Promise<URL> {
    const query = new URLSearchParams({ response_type: 'code', client_id: 'id', redirect_uri: REDIRECT, state: 's1', ...extra });
    const page = await fake.fetch(`${ACCOUNTS}/authorize?${query}`);
    expect(page.status, 'the consent page redirects back').toBe(302);
    return new URL(page.headers.get('location')!);
  }
  const exchange = (fake: FakeSpotify, form: Record<string, string>) =>
    fake.fetch(`${ACCOUNTS}/api/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'authorization_code', redirect_uri: REDIRECT, ...form }) });
  const refresh = (fake: FakeSpotify, token: string) =>
    fake.fetch(`${ACCOUNTS}/api/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token }) });
  async function accountOf(fake: FakeSpotify, grant: Response): Promise<unknown> {
    const { access_token: token } = (await grant.json()) as { access_token: string };
    return (await fake.fetch(`${API}/v1/me`, { headers: { Authorization: `Bearer ${token}` } })).json();
  }

  it('takes a code bound to a PKCE challenge only once, and only with the verifier whose S256 matches', async () => {
    const fake = createFakeSpotify({ refreshToken: 'starting-token' });
    const first = (await consent(fake, { code_challenge: CHALLENGE, code_challenge_method: 'S256' })).searchParams.get('code')!;
    const wrong = await exchange(fake, { code: first, code_verifier: 'not-the-verifier' });
    expect(wrong.status, 'a wrong verifier').toBe(400);
    expect(await wrong.json()).toMatchObject({ error: 'invalid_grant' });
    expect((await exchange(fake, { code: first, code_verifier: VERIFIER })).status, 'the code was spent by the failed try').toBe(400);

    const code = (await consent(fake, { code_challenge: CHALLENGE, code_challenge_method: 'S256' })).searchParams.get('code')!;
    expect((await exchange(fake, { code })).status, 'no verifier at all').toBe(400);
    const elsewhere = (await consent(fake, { code_challenge: CHALLENGE, code_challenge_method: 'S256' })).searchParams.get('code')!;
    expect((await exchange(fake, { code: elsewhere, code_verifier: VERIFIER, redirect_uri: 'https://other.example/cb' })).status, 'another redirect URI').toBe(400);
    const again = (await consent(fake, { code_challenge: CHALLENGE, code_challenge_method: 'S256' })).searchParams.get('code')!;
    const granted = await exchange(fake, { code: again, code_verifier: VERIFIER });
    expect(granted.status).toBe(200);
    const reused = await exchange(fake, { code: again, code_verifier: VERIFIER });
    expect(await reused.json(), 'a code used twice').toMatchObject({ error: 'invalid_grant' });
  });

  it('makes the refresh token of a code exchange the only one accepted, for the account that consented', async () => {
    const fake = createFakeSpotify({ refreshToken: 'starting-token' });
    expect(await accountOf(fake, await refresh(fake, 'starting-token')), 'the starting token is the owner’s').toEqual({ id: FAKE_OWNER_ID, display_name: 'Fake Owner' });

    fake.account = 'someone-else';
    const code = (await consent(fake)).searchParams.get('code')!;
    const granted = await exchange(fake, { code });
    const { refresh_token: renewed } = (await granted.clone().json()) as { refresh_token: string };
    expect(renewed.startsWith(FAKE_RENEWED_PREFIX)).toBe(true);
    expect(fake.acceptedRefreshToken).toBe(renewed);
    expect(await accountOf(fake, granted)).toMatchObject({ id: 'someone-else' });
    expect((await refresh(fake, 'starting-token')).status, 'the old token is refused').toBe(400);
    expect(await accountOf(fake, await refresh(fake, renewed)), 'the renewed token keeps its account').toMatchObject({ id: 'someone-else' });
  });

  it('redirects back with access_denied and the state when told to deny, and issues no code', async () => {
    const fake = createFakeSpotify();
    fake.deny = true;
    const back = await consent(fake);
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.get('state')).toBe('s1');
    expect(back.searchParams.has('code')).toBe(false);
  });
});

describe('startFakeSpotifyServer, /__control account and deny', () => {
  it('sets the consenting account and denial, reports them with the token’s account, and a reset restores the defaults', async () => {
    msw.use(http.all(/^http:\/\/127\.0\.0\.1:\d+\//, () => passthrough()));
    const server = await startFakeSpotifyServer({ refreshToken: 'starting-token' });
    try {
      expect(await controlFake(server.url, { account: 'someone-else', deny: true })).toMatchObject({ account: 'someone-else', deny: true, refreshTokenAccount: FAKE_OWNER_ID });
      await expect(controlFake(server.url, { account: '' }), 'an empty account').rejects.toThrow(/account/);
      await controlFake(server.url, { deny: false });
      const redirect = 'http://127.0.0.1:1/callback';
      const page = await fetch(`${server.url}/authorize?${new URLSearchParams({ response_type: 'code', client_id: 'id', redirect_uri: redirect })}`, { redirect: 'manual' });
      const code = new URL(page.headers.get('location')!).searchParams.get('code')!;
      await fetch(`${server.url}/api/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirect }) });

      const state = await controlFake(server.url, { reset: true });
      expect(state, 'a reset restores the consent page and keeps the renewed token with its account').toMatchObject({
        account: FAKE_OWNER_ID,
        deny: false,
        refreshTokenAccount: 'someone-else',
        acceptedRefreshToken: expect.stringMatching(/^fake-renewed-/),
      });
      expect(await fakeState(server.url)).toEqual(state);
      expect(await controlFake(server.url, { reset: true, forgetRotations: true }), 'forgetRotations goes back to the starting token and its account').toMatchObject({
        acceptedRefreshToken: 'starting-token',
        refreshTokenAccount: FAKE_OWNER_ID,
      });
    } finally {
      await server.close();
    }
  });
});
