/**
 * Renewal from /connect, through src/server/renewal.ts with in-memory Blobs:
 * PKCE and the browser-bound state, the owner check, each refusal with
 * nothing stored, the rate limit, and the renewed token in use from the next
 * call on. No code, verifier or token in any message or log line. Under
 * concurrency: the rate limit holds in one instance and across fresh ones,
 * one state is exchanged once; a failing store answers 503 on every route
 * before any request to Spotify.
 */
import { createHash } from 'node:crypto';
import { http, HttpResponse } from 'msw';
import { beforeEach, describe, expect, it } from 'vitest';
import { RENEWAL_ATTEMPTS_PER_WINDOW } from '../../src/lib/spotify/limits';
import { DEFAULT_ACCOUNTS_URL, DEFAULT_API_URL } from '../../src/lib/spotify/config';
import { loadListening } from '../../src/server/listening-service';
import { applyUnavailable, connectStatus, createAttemptCounter, finishRenewal, startRenewal, type RenewalDeps, type Unavailable } from '../../src/server/renewal';
import type { JsonStore } from '../../src/server/store';
import { createMemoryBlobs, type MemoryBlobs } from '../../test-support/memory-blobs';
import { memoryStores, testEnv } from '../helpers/service';
import { LASTFM_ENV } from '../mocks/lastfm';
import { TEST_NOW, useFakeSpotify } from '../mocks/spotify';
import { server } from '../setup/msw';

const SITE = new URL('https://owner.example/connect/start');
const OWNER = 'owner-account';
const RENEWED = 'renewed-refresh-token-value';
const CODE = 'one-time-code-value';
const SCOPES = 'user-read-currently-playing user-read-recently-played user-top-read';

let clock = TEST_NOW.getTime();
let deps: RenewalDeps & ReturnType<typeof memoryStores>;
let lines: string[];
let exchanges: URLSearchParams[];
let account: string;
/** Requests to Spotify (accounts and API) made through the renewal's fetch. */
let spotifyRequests: number;

beforeEach(() => {
  clock = TEST_NOW.getTime();
  lines = [];
  exchanges = [];
  account = OWNER;
  spotifyRequests = 0;
  const fake = useFakeSpotify({ refreshToken: RENEWED });
  deps = {
    ...memoryStores(),
    connectStore: createMemoryBlobs(),
    attempts: createAttemptCounter(),
    fetch: (input, init) => {
      spotifyRequests += 1;
      return fetch(input, init);
    },
    env: testEnv({ SPOTIFY_OWNER_ID: OWNER, SPOTIFY_REFRESH_INTERVAL_S: '15' }),
    now: () => new Date(clock),
    log: { warn: (line) => lines.push(line), error: (line) => lines.push(line) },
  };
  handlers = [
    http.post(`${DEFAULT_ACCOUNTS_URL}/api/token`, async ({ request }) => {
      const form = new URLSearchParams(await request.clone().text());
      if (form.get('grant_type') !== 'authorization_code') return fake.handle(request);
      exchanges.push(form);
      if (form.get('code') !== CODE) return HttpResponse.json({ error: 'invalid_grant', error_description: 'Invalid authorization code' }, { status: 400 });
      return HttpResponse.json({ access_token: 'renewal-access-token', token_type: 'Bearer', expires_in: 3600, scope: SCOPES, refresh_token: RENEWED });
    }),
    http.get(`${DEFAULT_API_URL}/v1/me`, () => HttpResponse.json({ id: account, display_name: 'Owner' })),
  ];
});
let handlers: Parameters<typeof server.use> = [];

const start = async () => {
  server.use(...handlers);
  const outcome = await startRenewal(SITE, '203.0.113.7', deps);
  if (outcome.kind !== 'redirect') throw new Error(`start refused: ${outcome.message}`);
  return { ...outcome, url: new URL(outcome.location) };
};
const callback = (params: Record<string, string>, nonce: string | undefined) =>
  finishRenewal(new URL(`https://owner.example/connect/callback?${new URLSearchParams(params)}`), nonce, '203.0.113.7', deps);
const stored = () => deps.tokenBlobs.entries.get('refresh-token') as { refreshToken: string; authorizedAt?: string } | undefined;

describe('startRenewal', () => {
  it('sends the owner to Spotify with PKCE (S256), the state and this site’s callback, and the verifier nowhere', async () => {
    const { url, browserNonce } = await start();
    expect(url.pathname).toBe('/authorize');
    expect(url.searchParams.get('redirect_uri')).toBe('https://owner.example/connect/callback');
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('scope')).toBe(SCOPES);
    expect(url.searchParams.get('state')).toMatch(/^[\w-]{32}$/);
    expect(url.href).not.toContain(browserNonce);
  });

  it('refuses, and explains how to turn renewal on, without SPOTIFY_OWNER_ID', async () => {
    deps.env = testEnv();
    const outcome = await startRenewal(SITE, '203.0.113.7', deps);
    expect(outcome.kind === 'refused' && outcome.reason).toBe('no_owner');
    expect(outcome.kind === 'refused' && outcome.message).toContain('npm run authorize -- --netlify');
  });

  it(`refuses a client after ${RENEWAL_ATTEMPTS_PER_WINDOW} starts in ten minutes, and lets it try again after`, async () => {
    for (let i = 0; i < RENEWAL_ATTEMPTS_PER_WINDOW; i += 1) await start();
    const refused = await startRenewal(SITE, '203.0.113.7', deps);
    expect(refused.kind === 'refused' && refused.status).toBe(429);
    expect((await startRenewal(SITE, '198.51.100.1', deps)).kind, 'another client').toBe('redirect');
    clock += 10 * 60_000;
    expect((await startRenewal(SITE, '203.0.113.7', deps)).kind).toBe('redirect');
  });
});

describe('finishRenewal', () => {
  it('stores the owner’s new token with its issue time, proving the verifier, and the next call uses it', async () => {
    const { url, browserNonce } = await start();
    const outcome = await callback({ code: CODE, state: url.searchParams.get('state')! }, browserNonce);
    expect(outcome).toEqual({ kind: 'renewed', daysLeft: 182 });
    const verifier = exchanges[0]!.get('code_verifier')!;
    expect(createHash('sha256').update(verifier).digest('base64url')).toBe(url.searchParams.get('code_challenge'));
    expect(stored()).toMatchObject({ refreshToken: RENEWED, authorizedAt: TEST_NOW.toISOString() });

    const listening = await loadListening({ range: 'short_term', limit: 5 }, { ...deps, log: deps.log });
    expect(listening.ok, 'the fake accepts only the renewed token').toBe(true);
    const status = await connectStatus(deps);
    expect(status.kind === 'ready' && status.source).toBe('renewed');
    expect(status.kind === 'ready' && status.expiry?.daysLeft).toBe(182);
  });

  it('lifts the lockout the refused old token caused', async () => {
    useFakeSpotify({ refreshToken: 'something-else' });
    await loadListening({ range: 'short_term', limit: 5 }, deps);
    expect(((await deps.stateStore.read())?.lockout?.code)).toBe('reauthorization_required');
    const { url, browserNonce } = await start();
    await callback({ code: CODE, state: url.searchParams.get('state')! }, browserNonce);
    expect((await deps.stateStore.read())?.lockout).toBeNull();
  });

  it('says renewal is needed while Last.fm covers a refused token, and that Spotify is not in use on a Last.fm-only site', async () => {
    useFakeSpotify({ refreshToken: 'something-else' });
    const both = { ...deps, env: testEnv({ ...LASTFM_ENV, SPOTIFY_OWNER_ID: OWNER, SPOTIFY_REFRESH_INTERVAL_S: '15' }) };
    const answer = await loadListening({ range: 'short_term', limit: 5 }, both);
    expect(answer.ok && answer.value.service).toBe('lastfm');
    expect(await connectStatus(both)).toMatchObject({ kind: 'ready', refused: true, covered: true, lockout: { code: 'reauthorization_required' } });

    const lastfmOnlyEnv: Record<string, string> = { ...LASTFM_ENV, SPOTIFY_OWNER_ID: OWNER };
    const lastfmOnly = { ...deps, env: (name: string) => lastfmOnlyEnv[name] };
    const status = await connectStatus(lastfmOnly);
    expect(status.kind === 'not_configured' && status.message).toContain('Spotify is not in use');
    const started = await startRenewal(SITE, '203.0.113.7', lastfmOnly);
    expect(started.kind === 'refused' && [started.status, started.message]).toEqual([503, expect.stringContaining('Spotify is not in use')]);
  });

  describe('refuses, storing nothing', () => {
    const expectNothingStored = () => expect(stored()).toBeUndefined();

    it('another account: 403', async () => {
      account = 'someone-else';
      const { url, browserNonce } = await start();
      const outcome = await callback({ code: CODE, state: url.searchParams.get('state')! }, browserNonce);
      expect(outcome.kind === 'refused' && [outcome.status, outcome.reason]).toEqual([403, 'wrong_account']);
      expectNothingStored();
    });

    it('a forged state: 400', async () => {
      const { browserNonce } = await start();
      const outcome = await callback({ code: CODE, state: 'forged-state-value-forged-state-v' }, browserNonce);
      expect(outcome.kind === 'refused' && [outcome.status, outcome.reason]).toEqual([400, 'bad_state']);
      expectNothingStored();
    });

    it('a missing or foreign cookie: 400', async () => {
      const { url } = await start();
      for (const nonce of [undefined, 'another-browser']) {
        const outcome = await callback({ code: CODE, state: url.searchParams.get('state')! }, nonce);
        expect(outcome.kind === 'refused' && outcome.status).toBe(400);
      }
      expectNothingStored();
    });

    it('an expired state: 400', async () => {
      const { url, browserNonce } = await start();
      clock += 10 * 60_000 + 1;
      const outcome = await callback({ code: CODE, state: url.searchParams.get('state')! }, browserNonce);
      expect(outcome.kind === 'refused' && outcome.status).toBe(400);
      expectNothingStored();
    });

    it('a replayed callback: 400, and the first one’s token stays', async () => {
      const { url, browserNonce } = await start();
      const params = { code: CODE, state: url.searchParams.get('state')! };
      expect((await callback(params, browserNonce)).kind).toBe('renewed');
      deps.tokenBlobs.entries.delete('refresh-token');
      const replay = await callback(params, browserNonce);
      expect(replay.kind === 'refused' && [replay.status, replay.reason]).toEqual([400, 'bad_state']);
      expectNothingStored();
      expect(exchanges).toHaveLength(1);
    });

    it('access_denied: a friendly page', async () => {
      const { url, browserNonce } = await start();
      const outcome = await callback({ error: 'access_denied', state: url.searchParams.get('state')! }, browserNonce);
      expect(outcome.kind === 'refused' && [outcome.status, outcome.reason]).toEqual([200, 'denied']);
      expectNothingStored();
    });

    it('a code Spotify rejects: says to try again', async () => {
      const { url, browserNonce } = await start();
      const outcome = await callback({ code: 'stale-code', state: url.searchParams.get('state')! }, browserNonce);
      expect(outcome.kind === 'refused' && outcome.reason).toBe('code_rejected');
      expect(outcome.kind === 'refused' && outcome.message).toMatch(/Try again/);
      expectNothingStored();
    });
  });

  it('never puts the code, the verifier or a token in a message or a log line', async () => {
    const secrets = [CODE, RENEWED, 'renewal-access-token'];
    const { url, browserNonce } = await start();
    const messages: string[] = [];
    account = 'someone-else';
    for (const outcome of [await callback({ code: CODE, state: url.searchParams.get('state')! }, browserNonce), await callback({ code: CODE, state: 'x' }, browserNonce)]) {
      if (outcome.kind === 'refused') messages.push(outcome.message);
    }
    secrets.push(...exchanges.map((form) => form.get('code_verifier')!));
    for (const text of [...messages, ...lines]) for (const secret of secrets) expect(text).not.toContain(secret);
    expect(lines.some((line) => /refused \(wrong_account\)/.test(line)), 'failures are logged').toBe(true);
  });
});

/**
 * Like the local Blobs server: `onlyIfNew` is checked as a write arrives, but
 * the write lands a moment later, so writes arriving together all report
 * `modified` and the last one stays.
 */
function racyBlobs(): MemoryBlobs {
  const blobs = createMemoryBlobs({ etagOnRead: false });
  const write = blobs.setJSON;
  const racy: JsonStore['setJSON'] = async (key, data, condition) => {
    if (condition?.onlyIfNew && blobs.entries.has(key)) return { modified: false };
    await new Promise((landed) => setImmediate(landed));
    return write(key, data);
  };
  return Object.assign(blobs, { setJSON: racy });
}

describe('under concurrency', () => {
  const BURST = 30;
  const burst = async (run: () => Promise<Awaited<ReturnType<typeof startRenewal>>>) => {
    server.use(...handlers);
    const outcomes = await Promise.all(Array.from({ length: BURST }, run));
    const accepted = outcomes.filter((outcome) => outcome.kind === 'redirect').length;
    const others = outcomes.filter((outcome) => outcome.kind !== 'redirect').map((outcome) => outcome.kind === 'refused' && outcome.status);
    return { accepted, others };
  };

  it(`accepts ${RENEWAL_ATTEMPTS_PER_WINDOW} of ${BURST} simultaneous starts from one address in one instance, even over a store whose conditional writes race`, async () => {
    deps.connectStore = racyBlobs();
    const { accepted, others } = await burst(() => startRenewal(SITE, '203.0.113.7', deps));
    expect(accepted, 'counted in memory before any await').toBe(RENEWAL_ATTEMPTS_PER_WINDOW);
    expect(new Set(others), 'the rest: 429').toEqual(new Set([429]));
  });

  it(`accepts at most ${2 * RENEWAL_ATTEMPTS_PER_WINDOW} of ${BURST} simultaneous starts from one address, each in a fresh instance (as under netlify serve)`, async () => {
    const { accepted, others } = await burst(() => startRenewal(SITE, '203.0.113.7', { ...deps, attempts: createAttemptCounter() }));
    expect(accepted, 'one store slot per attempt').toBeLessThanOrEqual(2 * RENEWAL_ATTEMPTS_PER_WINDOW);
    expect(accepted).toBeGreaterThan(0);
    expect(new Set(others), 'the rest: 429').toEqual(new Set([429]));
  });

  it('holds across fresh instances on the local Blobs server too, where a claimed slot is read back after a settle', async () => {
    deps.connectStore = racyBlobs();
    const { accepted, others } = await burst(() => startRenewal(SITE, '203.0.113.7', { ...deps, attempts: createAttemptCounter(), local: true }));
    expect(accepted).toBeLessThanOrEqual(2 * RENEWAL_ATTEMPTS_PER_WINDOW);
    expect(accepted).toBeGreaterThan(0);
    expect(new Set(others), 'the rest: 429').toEqual(new Set([429]));
  });

  it('lets one of five racing callbacks with one state exchange its code, and stores one renewal', async () => {
    const { url, browserNonce } = await start();
    const params = { code: CODE, state: url.searchParams.get('state')! };
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => callback(params, browserNonce)));
    expect(exchanges, 'code exchanges').toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome.kind === 'renewed'), 'renewed').toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome.kind === 'refused' && outcome.reason === 'bad_state'), 'the others: already used').toHaveLength(4);
    expect(deps.tokenBlobs.counts.writes, 'token writes').toBe(1);
    expect(stored()?.refreshToken).toBe(RENEWED);
  });

  it(`refuses callbacks from a client once its failures went past ${RENEWAL_ATTEMPTS_PER_WINDOW}, in fresh instances too`, async () => {
    const { browserNonce } = await start();
    const forged = () =>
      finishRenewal(new URL('https://owner.example/connect/callback?code=x&state=forged'), browserNonce, '203.0.113.7', { ...deps, attempts: createAttemptCounter() });
    for (let i = 0; i < RENEWAL_ATTEMPTS_PER_WINDOW; i += 1) {
      const outcome = await forged();
      expect(outcome.kind === 'refused' && outcome.status, `forged callback ${i + 1}`).toBe(400);
    }
    const outcome = await forged();
    expect(outcome.kind === 'refused' && outcome.status, 'past the limit').toBe(429);
  });
});

describe('while Netlify Blobs fails', () => {
  const failAll = () => {
    for (const blobs of [deps.connectStore as MemoryBlobs, deps.tokenBlobs, deps.stateBlobs]) blobs.failing = true;
  };
  const expect503 = (outcome: { kind: string } | Unavailable, label: string) => {
    expect(outcome.kind, label).toBe('unavailable');
    if (!('retryAfterS' in outcome)) return;
    const response = { status: 200, headers: new Headers() };
    applyUnavailable(response, outcome);
    expect([response.status, response.headers.get('Retry-After')], `${label}: status and Retry-After`).toEqual([503, '30']);
    expect(outcome.message, label).toMatch(/Try again in a moment/);
  };

  it('answers the status page, a start and a callback with 503 and Retry-After, and asks Spotify nothing', async () => {
    const { url, browserNonce } = await start();
    spotifyRequests = 0;
    failAll();
    expect503(await connectStatus(deps), '/connect');
    expect503(await startRenewal(SITE, '203.0.113.7', deps), '/connect/start');
    expect503(await callback({ code: CODE, state: url.searchParams.get('state')! }, browserNonce), '/connect/callback');
    expect(spotifyRequests, 'requests to Spotify').toBe(0);
    expect(exchanges).toHaveLength(0);
  });

  it('answers a start and a callback with 503 and Retry-After when the connect store hangs, within its time limit, and asks Spotify nothing', async () => {
    const { url, browserNonce } = await start();
    spotifyRequests = 0;
    const never = () => new Promise<never>(() => {});
    deps.connectStore = { ...(deps.connectStore as MemoryBlobs), getWithMetadata: never, setJSON: never, delete: never };
    const began = Date.now();
    const [started, finished] = await Promise.all([
      startRenewal(SITE, '203.0.113.7', { ...deps, attempts: createAttemptCounter() }),
      callback({ code: CODE, state: url.searchParams.get('state')! }, browserNonce),
    ]);
    expect503(started, '/connect/start, store hung');
    expect503(finished, '/connect/callback, store hung');
    expect(Date.now() - began, 'within the store time limit').toBeLessThan(5_000);
    expect(spotifyRequests, 'requests to Spotify').toBe(0);
  });

  it('answers a start with 503 and Retry-After once its time runs out on a slow store, before the platform would stop it', async () => {
    const slow = <T>(work: Promise<T>) => new Promise<T>((done) => setTimeout(() => done(work), 40));
    const store = deps.connectStore as MemoryBlobs;
    deps.connectStore = { ...store, getWithMetadata: (...args) => slow(store.getWithMetadata(...args)), setJSON: (...args) => slow(store.setJSON(...args)) };
    const started = await startRenewal(SITE, '203.0.113.7', { ...deps, attempts: createAttemptCounter(), startBudgetMs: 60 });
    expect503(started, '/connect/start, past its budget');
    expect(spotifyRequests, 'requests to Spotify').toBe(0);
  });

  it('answers the status page with 503 when only the saved token cannot be read, rather than guess', async () => {
    deps.tokenBlobs.failing = true;
    expect503(await connectStatus(deps), '/connect');
  });

  it('answers 503 when only the connect store fails, and the state still works once it is back', async () => {
    const { url, browserNonce } = await start();
    const connect = deps.connectStore as MemoryBlobs;
    connect.failing = true;
    const params = { code: CODE, state: url.searchParams.get('state')! };
    expect503(await callback(params, browserNonce), '/connect/callback');
    connect.failing = false;
    expect((await callback(params, browserNonce)).kind).toBe('renewed');
  });
});
