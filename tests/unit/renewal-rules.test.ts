/**
 * The pure rules behind renewing from /connect: PKCE (S256), the
 * precedence between the environment token, its rotated descendants and a
 * renewal ("the most recently issued token wins"), the record a rotation
 * leaves, and the rate limit's count (in memory, and the store's slots).
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildAuthorizeUrl, codeChallengeOf, newCodeVerifier } from '../../src/lib/spotify/authorize-url';
import { RENEWAL_ATTEMPTS_PER_WINDOW as LIMIT } from '../../src/lib/spotify/limits';
import { RENEWAL_LINE, chooseRefreshToken, parsePersistedRefreshToken, renewedRecord, rotatedRecord, tokenFingerprint } from '../../src/lib/spotify/rotation';
import { countAttempt, createAttemptCounter, slotToClaim } from '../../src/server/renewal';

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

  it('keeps a renewal’s line and authorization time when Spotify rotates its token, and names the environment token otherwise', async () => {
    const env = await environment('2026-06-01T00:00:00Z');
    const now = new Date('2026-12-01T00:00:00Z');
    const fromRenewal = rotatedRecord('renewed-token~r1', chooseRefreshToken(env, renewal), env, now);
    expect(fromRenewal).toEqual({ refreshToken: 'renewed-token~r1', descendsFrom: RENEWAL_LINE, authorizedAt: renewal.authorizedAt, rotatedAt: now.toISOString() });
    expect(parsePersistedRefreshToken(JSON.parse(JSON.stringify(fromRenewal))), 'read back as a renewal').toEqual(fromRenewal);
    const fromEnvironment = rotatedRecord('env-token~r1', chooseRefreshToken(env, null), env, now);
    expect(fromEnvironment).toEqual({ refreshToken: 'env-token~r1', descendsFrom: env.fingerprint, rotatedAt: now.toISOString() });
  });

  it('reads back a renewal record, and refuses one without its authorization time', () => {
    expect(parsePersistedRefreshToken(JSON.parse(JSON.stringify(renewal)))).toEqual(renewal);
    expect(parsePersistedRefreshToken({ refreshToken: 'x', descendsFrom: RENEWAL_LINE, rotatedAt: '' })).toBeNull();
    expect(parsePersistedRefreshToken({ refreshToken: 'x', descendsFrom: RENEWAL_LINE, rotatedAt: '', authorizedAt: 5 }), 'a number is no time').toBeNull();
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

describe('countAttempt: the rate limit on one client’s count in a window', () => {
  it(`allows ${LIMIT} starts, counting each, and refuses the next without counting it`, () => {
    expect(countAttempt(0, 'start')).toEqual({ allowed: true, count: 1 });
    expect(countAttempt(LIMIT - 1, 'start')).toEqual({ allowed: true, count: LIMIT });
    expect(countAttempt(LIMIT, 'start')).toEqual({ allowed: false, count: LIMIT });
  });

  it('lets the last start allowed come back, and refuses callbacks once a failure went past the limit', () => {
    expect(countAttempt(LIMIT, 'check')).toEqual({ allowed: true, count: LIMIT });
    expect(countAttempt(LIMIT, 'failure')).toEqual({ allowed: false, count: LIMIT + 1 });
    expect(countAttempt(LIMIT + 1, 'check').allowed).toBe(false);
    expect(countAttempt(LIMIT - 1, 'failure')).toEqual({ allowed: true, count: LIMIT });
  });
});

describe('slotToClaim: the store’s count, one slot per attempt', () => {
  const taken = (...slots: number[]) => Array.from({ length: LIMIT }, (_, slot) => slots.includes(slot));

  it('takes a free slot, spread by the random number, never a taken one', () => {
    expect(slotToClaim(taken(), 'start', () => 0)).toBe(0);
    expect(slotToClaim(taken(), 'start', () => 0.999)).toBe(LIMIT - 1);
    expect(slotToClaim(taken(0, 1, 3), 'start', () => 0.5)).toBe(4);
    for (const random of [0, 0.3, 0.6, 0.99]) expect(slotToClaim(taken(0, 2, 3, 4, 5), 'failure', () => random)).toBe(1);
  });

  it('refuses a start when all are taken, and sends a failure to the slot past the limit', () => {
    const full = taken(...Array.from({ length: LIMIT }, (_, slot) => slot));
    expect(slotToClaim(full, 'start')).toBeNull();
    expect(slotToClaim(full, 'failure')).toBe(LIMIT);
  });
});

describe('createAttemptCounter: one instance’s count in memory', () => {
  const client = (id: string, window = 7) => ({ id, window });

  it(`refuses a client’s start past ${LIMIT} in a window, not another client’s, and counts afresh in the next window`, () => {
    const counter = createAttemptCounter();
    const starts = Array.from({ length: LIMIT + 2 }, () => counter.take(client('a'), 'start'));
    expect(starts.filter(Boolean)).toHaveLength(LIMIT);
    expect(counter.take(client('b'), 'start'), 'another client').toBe(true);
    expect(counter.take(client('a'), 'check'), 'the last start may come back').toBe(true);
    expect(counter.take(client('a', 8), 'start'), 'the next window').toBe(true);
  });

  it('forgets the least recently counted client past its capacity', () => {
    const counter = createAttemptCounter(2);
    for (let i = 0; i < LIMIT; i += 1) counter.take(client('a'), 'start');
    counter.take(client('b'), 'start');
    counter.take(client('c'), 'start');
    expect(counter.take(client('a'), 'start'), 'a was forgotten').toBe(true);
    const full = createAttemptCounter(2);
    for (let i = 0; i < LIMIT; i += 1) full.take(client('a'), 'start');
    full.take(client('b'), 'start');
    expect(full.take(client('a'), 'start'), 'within capacity, a is remembered').toBe(false);
  });
});
