/**
 * `/api/spotify` on the production build (`netlify serve --offline`), against
 * the HTTP fake Spotify: every scenario gives the contract's answer (issue 2),
 * and no answer carries a secret. The unit tests prove the same rows with msw;
 * these prove them through Netlify's bundler, runtime and routing.
 */
import { beforeEach, describe, expect, inject, it } from 'vitest';
import { EPISODE, HOSTILE_TRACK, PLAYLIST } from '../../test-support/fixtures';
import { FAKE_RETRY_AFTER_S, type ScenarioName } from '../../test-support/fake-spotify/scenarios';
import type { ErrorCode, Listening } from '../../src/lib/spotify/types';
import { fakeState, useScenario } from '../../test-support/fake-spotify/control';

const siteUrl = inject('siteUrl');
const fakeUrl = inject('fakeUrl');
const secrets = inject('secrets');

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  ms: number;
}

async function call(path = '/api/spotify', init?: RequestInit): Promise<Answer> {
  const started = performance.now();
  const response = await fetch(`${siteUrl}${path}`, init);
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, ms: performance.now() - started };
}

const listening = (answer: Answer) => JSON.parse(answer.text) as Listening;
const errorCode = (answer: Answer) => (JSON.parse(answer.text) as { error: { code: ErrorCode } }).error.code;

describe('GET /api/spotify on the production build', () => {
  beforeEach(async () => {
    await useScenario(fakeUrl, 'playing');
  });

  it('answers with the playing track, the top artists and CDN cache headers', async () => {
    const answer = await call();
    expect(answer.status, answer.text).toBe(200);
    const body = listening(answer);
    expect(body.nowPlaying).toMatchObject({ isPlaying: true, source: 'current', type: 'track', title: PLAYLIST[0]!.name });
    expect(body.topArtists?.length, 'default limit').toBe(5);
    expect(body.demo, 'a configured production build never serves demo data').toBeUndefined();
    expect(answer.headers.get('netlify-cdn-cache-control')).toMatch(/s-maxage=\d+/);
  });

  it('makes one token exchange and three reads per call', async () => {
    const before = (await fakeState(fakeUrl)).requests;
    expect((await call()).status).toBe(200);
    expect((await fakeState(fakeUrl)).requests - before).toBe(4);
  });

  it('answers HEAD with the GET status and no body, and 405 with Allow for POST', async () => {
    const head = await call('/api/spotify', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
    const post = await call('/api/spotify', { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('answers only on /api/spotify: other spellings get a 308 to it and never data of their own', async () => {
    const before = (await fakeState(fakeUrl)).requests;
    for (const path of ['/API/spotify', '/api/Spotify', '/api/spotify/']) {
      const answer = await call(`${path}?limit=3`, { redirect: 'manual' });
      expect(answer.status, `${path}: ${answer.text.slice(0, 80)}`).not.toBe(200);
      expect(answer.text, path).not.toContain('nowPlaying');
      if (answer.status === 308) expect(answer.headers.get('location'), path).toBe('/api/spotify?limit=3');
    }
    expect((await fakeState(fakeUrl)).requests, 'no call to Spotify').toBe(before);
  });

  it('rejects a bad query with 400 and no call to Spotify', async () => {
    const before = (await fakeState(fakeUrl)).requests;
    const answer = await call('/api/spotify?limit=051');
    expect(answer.status).toBe(400);
    expect(errorCode(answer)).toBe('bad_request');
    expect((await fakeState(fakeUrl)).requests).toBe(before);
  });

  const twoHundreds: Record<string, (body: Listening) => void> = {
    paused: (body) => expect(body.nowPlaying).toMatchObject({ isPlaying: false, source: 'current', title: PLAYLIST[0]!.name }),
    last_played: (body) => {
      expect(body.nowPlaying).toMatchObject({ isPlaying: false, source: 'recent', title: PLAYLIST[1]!.name });
      expect(Number.isNaN(Date.parse(body.nowPlaying!.playedAt ?? ''))).toBe(false);
    },
    episode: (body) => expect(body.nowPlaying).toMatchObject({ type: 'episode', title: EPISODE.name, album: EPISODE.show?.name }),
    ad: (body) => expect(body.nowPlaying, 'an ad falls back to the last played track').toMatchObject({ source: 'recent' }),
    local_file: (body) => {
      expect(body.nowPlaying).toMatchObject({ imageUrl: null, url: null, album: null });
      expect(body.nowPlaying!.artists.every((artist) => artist.name.trim() !== '')).toBe(true);
    },
    hostile: (body) => {
      expect(body.nowPlaying?.title, 'names pass through verbatim').toBe(HOSTILE_TRACK.name);
      expect(body.nowPlaying?.imageUrl, 'http images are dropped').toBeNull();
    },
    empty_history: (body) => {
      expect(body.nowPlaying).toBeNull();
      expect(body.topArtists).toEqual([]);
    },
    scope_missing: (body) => {
      expect(body.nowPlaying?.title).toBe(PLAYLIST[0]!.name);
      expect(body.topArtists).toBeNull();
      expect(body.errors).toEqual({ topArtists: 'scope_missing' });
    },
  };
  for (const [scenario, check] of Object.entries(twoHundreds)) {
    it(`answers 200 in the ${scenario} scenario`, async () => {
      await useScenario(fakeUrl, scenario as ScenarioName);
      const answer = await call();
      expect(answer.status, answer.text).toBe(200);
      check(listening(answer));
    });
  }

  const failures: [ScenarioName, number, ErrorCode][] = [
    ['revoked', 503, 'reauthorization_required'],
    ['rate_limited', 503, 'rate_limited'],
    ['down', 502, 'upstream_error'],
    ['malformed', 502, 'upstream_error'],
    ['hung', 504, 'upstream_timeout'],
  ];
  for (const [scenario, status, code] of failures) {
    it(`answers ${status} ${code} in the ${scenario} scenario, with a message and CDN caching`, async () => {
      await useScenario(fakeUrl, scenario);
      const answer = await call();
      expect(answer.status, answer.text).toBe(status);
      expect(errorCode(answer)).toBe(code);
      expect((JSON.parse(answer.text) as { error: { message: string } }).error.message.length).toBeGreaterThan(10);
      expect(answer.headers.get('netlify-cdn-cache-control'), 'an upstream failure is cached briefly').toMatch(/s-maxage=\d+/);
      if (scenario === 'rate_limited') expect(answer.headers.get('retry-after')).toBe(String(FAKE_RETRY_AFTER_S));
      if (scenario === 'hung') expect(answer.ms, 'a hung Spotify is cut off within 10 s').toBeLessThan(10_000);
    });
  }

  it('keeps working after Spotify rotates the refresh token and rejects the old one', async () => {
    const { acceptedRefreshToken: before } = await useScenario(fakeUrl, 'rotation');
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      const answer = await call();
      expect(answer.status, `call ${attempt}: ${answer.text}`).toBe(200);
    }
    const after = (await fakeState(fakeUrl)).acceptedRefreshToken;
    expect(after, 'the fake rotated the token and now rejects the old one').toMatch(/~r3$/);
    expect(after).not.toBe(before);
  });

  it('never sends the client secret or the refresh token', async () => {
    for (const scenario of ['playing', 'revoked', 'rotation', 'down'] as const) {
      await useScenario(fakeUrl, scenario);
      const answer = await call();
      const everything = `${answer.text}\n${[...answer.headers].join('\n')}`;
      for (const secret of secrets) expect(everything.includes(secret), `${scenario} leaks a secret`).toBe(false);
    }
  });
});
