/**
 * The pure rules behind renewing from /connect: PKCE (S256) and the
 * precedence between the environment token, its rotated descendants and a
 * renewal ("the most recently issued token wins").
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildAuthorizeUrl, codeChallengeOf, newCodeVerifier } from '../../src/lib/spotify/authorize-url';
import { RENEWAL_LINE, chooseRefreshToken, parsePersistedRefreshToken, renewedRecord, tokenFingerprint } from '../../src/lib/spotify/rotation';

describe('PKCE', () => {
  it('makes 43-character URL-safe verifiers, never the same twice', () => {
    const verifiers = new Set(Array.from({ length: 50 }, newCodeVerifier));
    expect(verifiers.size).toBe(50);
    for (const verifier of verifiers) expect(verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('derives the S256 challenge as base64url(SHA-256(verifier))', async () => {
    const verifier = newCodeVerifier();
    expect(await codeChallengeOf(verifier)).toBe(createHash('sha256').update(verifier).digest('base64url'));
  });

  it('puts the challenge and S256 in the authorize URL, never the verifier', async () => {
    const verifier = newCodeVerifier();
    const url = new URL(
      buildAuthorizeUrl({ accountsUrl: 'https://accounts.example', clientId: 'id', redirectUri: 'https://site.example/connect/callback', state: 's', codeChallenge: await codeChallengeOf(verifier) }),
    );
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toBe(await codeChallengeOf(verifier));
    expect(url.href).not.toContain(verifier);
  });
});

describe('chooseRefreshToken: the most recently issued token wins', () => {
  const environment = async (issuedAt: string | null) => ({
    refreshToken: 'env-token',
    fingerprint: await tokenFingerprint('env-token'),
    issuedAt: issuedAt ? new Date(issuedAt) : null,
  });
  const renewal = renewedRecord('renewed-token', new Date('2026-11-01T00:00:00Z'));

  it('prefers a renewal over an older environment token, and counts its expiry from the renewal', async () => {
    const choice = chooseRefreshToken(await environment('2026-06-01T00:00:00Z'), renewal);
    expect(choice).toEqual({ source: 'renewed', refreshToken: 'renewed-token', issuedAt: new Date('2026-11-01T00:00:00Z') });
  });

  it('prefers an environment token issued after the renewal', async () => {
    const choice = chooseRefreshToken(await environment('2026-11-02T00:00:00Z'), renewal);
    expect(choice.source).toBe('environment');
  });

  it('treats an environment token of unknown age as older than a renewal', async () => {
    expect(chooseRefreshToken(await environment(null), renewal).source).toBe('renewed');
  });

  it('uses a rotated descendant of the environment token, with the environment token’s issue time', async () => {
    const env = await environment('2026-06-01T00:00:00Z');
    const choice = chooseRefreshToken(env, { refreshToken: 'env-token~r3', descendsFrom: env.fingerprint, rotatedAt: '' });
    expect(choice).toEqual({ source: 'persisted', refreshToken: 'env-token~r3', issuedAt: env.issuedAt });
  });

  it('ignores a descendant of another environment token', async () => {
    const choice = chooseRefreshToken(await environment(null), { refreshToken: 'old~r3', descendsFrom: await tokenFingerprint('old'), rotatedAt: '' });
    expect(choice.source).toBe('environment');
  });

  it('reads back a renewal record, and refuses one without its authorization time', () => {
    expect(parsePersistedRefreshToken(JSON.parse(JSON.stringify(renewal)))).toEqual(renewal);
    expect(parsePersistedRefreshToken({ refreshToken: 'x', descendsFrom: RENEWAL_LINE, rotatedAt: '' })).toBeNull();
  });

  it('reads back a rotated record only when it names its environment token by a SHA-256 fingerprint', async () => {
    const fingerprint = await tokenFingerprint('env-token');
    const rotated = { refreshToken: 'env-token~r1', descendsFrom: fingerprint, rotatedAt: '2026-06-01T00:00:00.000Z' };
    expect(parsePersistedRefreshToken(rotated)).toEqual(rotated);
    for (const descendsFrom of ['', 'env-token', fingerprint.toUpperCase(), fingerprint.slice(1), `${fingerprint}0`, `${fingerprint.slice(1)}g`]) {
      expect(parsePersistedRefreshToken({ ...rotated, descendsFrom }), JSON.stringify(descendsFrom)).toBeNull();
    }
  });
});
