/**
 * GET /api/spotify, called as Netlify calls it: the default export with a
 * Request. Every row of the contract in docs/api.md: statuses, codes, headers,
 * partial failures, and what never leaves the server.
 */
import { http, HttpResponse } from 'msw';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import spotify from '../../netlify/functions/spotify.mts';
import { DEFAULT_ACCOUNTS_URL, DEFAULT_API_URL } from '../../src/lib/spotify/config';
import type { ErrorBody, Listening } from '../../src/lib/spotify/types';
import { PLAYLIST } from '../../test-support/fixtures';
import { FAKE_RETRY_AFTER_S } from '../../test-support/fake-spotify/scenarios';
import { callFunction, configureCredentials, SECRET_VALUES, stubEnv } from '../helpers/function';
import { TEST_CREDENTIALS, useFakeSpotify } from '../mocks/spotify';
import { server } from '../setup/msw';

const logged: string[] = [];

beforeEach(() => {
  configureCredentials();
  logged.length = 0;
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      logged.push(args.map(String).join(' '));
    });
  }
});

afterEach(() => {
  for (const line of logged) {
    for (const secret of SECRET_VALUES) expect(line, 'no secret in any log line').not.toContain(secret);
    expect(line, 'no access token in any log line').not.toContain('fake-access');
  }
});

async function expectError(response: Response, status: number, code: string): Promise<ErrorBody> {
  expect(response.status).toBe(status);
  const text = await response.text();
  for (const secret of [...SECRET_VALUES, TEST_CREDENTIALS.SPOTIFY_CLIENT_ID, 'fake-access']) {
    expect(text, 'no credential or access token in an error body').not.toContain(secret);
  }
  const body = JSON.parse(text) as ErrorBody;
  expect(body.error.code).toBe(code);
  expect(body.error.message.length).toBeGreaterThan(10);
  return body;
}

const cdnSeconds = (response: Response) =>
  Number(/s-maxage=(\d+)/.exec(response.headers.get('netlify-cdn-cache-control') ?? '')?.[1]);

describe('GET /api/spotify: success', () => {
  it('answers 200 with now playing, top artists, range and fetchedAt', async () => {
    useFakeSpotify({ scenario: 'playing' });
    const response = await callFunction();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    const body = (await response.json()) as Listening;
    expect(body.nowPlaying).toMatchObject({ isPlaying: true, source: 'current', type: 'track', title: PLAYLIST[0]!.name });
    expect(body.topArtists).toHaveLength(5);
    expect(body.range).toBe('short_term');
    expect(Number.isNaN(Date.parse(body.fetchedAt))).toBe(false);
    expect(body).not.toHaveProperty('demo');
    expect(body).not.toHaveProperty('errors');
  });

  it('never sends the refresh token, client secret or access token to the browser', async () => {
    useFakeSpotify({ scenario: 'playing' });
    const text = await (await callFunction()).text();
    for (const secret of [...SECRET_VALUES, TEST_CREDENTIALS.SPOTIFY_CLIENT_ID, 'fake-access']) {
      expect(text).not.toContain(secret);
    }
  });

  it('passes range and limit to the top-artists read', async () => {
    const fake = useFakeSpotify({ scenario: 'playing' });
    const body = (await (await callFunction('?range=long_term&limit=12')).json()) as Listening;
    expect(body.range).toBe('long_term');
    expect(body.topArtists).toHaveLength(12);
    const top = fake.requests.find((r) => r.url.pathname === '/v1/me/top/artists')!;
    expect(top.url.searchParams.get('time_range')).toBe('long_term');
    expect(top.url.searchParams.get('limit')).toBe('12');
  });

  it('carries CDN cache headers with 5 ≤ s-maxage ≤ 60 and a browser max-age no longer', async () => {
    useFakeSpotify({ scenario: 'playing' });
    const response = await callFunction();
    const cdn = response.headers.get('netlify-cdn-cache-control') ?? '';
    expect(cdn).toMatch(/^public, durable, s-maxage=\d+, stale-while-revalidate=\d+$/);
    expect(cdnSeconds(response)).toBeGreaterThanOrEqual(5);
    expect(cdnSeconds(response)).toBeLessThanOrEqual(60);
    const maxAge = Number(/max-age=(\d+)/.exec(response.headers.get('cache-control') ?? '')?.[1]);
    expect(maxAge).toBeLessThanOrEqual(cdnSeconds(response));
  });

  it('keys the CDN cache on range and limit only, and forbids sniffing, on every answer', async () => {
    useFakeSpotify({ scenario: 'playing' });
    for (const response of [await callFunction(), await callFunction('?limit=x'), await callFunction('', { method: 'POST' })]) {
      expect(response.headers.get('netlify-vary'), String(response.status)).toBe('query=range|limit');
      expect(response.headers.get('x-content-type-options'), String(response.status)).toBe('nosniff');
    }
  });

  it('answers HEAD with the same status and headers and no body', async () => {
    useFakeSpotify({ scenario: 'playing' });
    const get = await callFunction();
    useFakeSpotify({ scenario: 'playing' });
    const head = await callFunction('', { method: 'HEAD' });
    expect(head.status).toBe(get.status);
    expect(head.headers.get('netlify-cdn-cache-control')).toBe(get.headers.get('netlify-cdn-cache-control'));
    expect(head.headers.get('content-type')).toBe(get.headers.get('content-type'));
    expect(await head.text()).toBe('');
  });
});

describe('GET /api/spotify: request validation', () => {
  it.each([
    ['an unknown parameter', '?foo=1'],
    ['a repeated parameter', '?range=short_term&range=long_term'],
    ['an empty parameter', '?limit='],
    ['a bad range', '?range=forever'],
    ['a limit of 0', '?limit=0'],
    ['a limit of 51', '?limit=51'],
    ['a limit with a leading zero', '?limit=05'],
    ['a negative limit', '?limit=-3'],
    ['a fractional limit', '?limit=2.5'],
    ['a limit with a plus sign', '?limit=%2B5'],
    ['a percent-encoded limit', '?limit=%35'],
    ['a percent-encoded range', '?range=short%5Fterm'],
    ['a parameter name in escapes', '?%6Cimit=5'],
    ['nothing but empty pairs', '?&&&'],
    ['a trailing empty pair', '?limit=5&'],
  ])('rejects %s with 400 bad_request and no call to Spotify', async (_, query) => {
    const fake = useFakeSpotify();
    await expectError(await callFunction(query), 400, 'bad_request');
    expect(fake.requests).toHaveLength(0);
  });

  it.each(['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'])('rejects %s with 405 and Allow: GET, HEAD', async (method) => {
    const fake = useFakeSpotify();
    const response = await callFunction('', { method });
    await expectError(response, 405, 'method_not_allowed');
    expect(response.headers.get('allow')).toBe('GET, HEAD');
    expect(fake.requests).toHaveLength(0);
  });

  it('accepts the boundary limits 1 and 50', async () => {
    useFakeSpotify();
    expect((await callFunction('?limit=1')).status).toBe(200);
    useFakeSpotify();
    expect((await callFunction('?limit=50')).status).toBe(200);
  });
});

describe('GET /api/spotify: configuration', () => {
  it.each(['production', 'deploy-preview', 'branch-deploy'])(
    'answers 503 not_configured on a %s deploy without credentials, naming what is missing',
    async (context) => {
      const fake = useFakeSpotify();
      stubEnv({ SPOTIFY_CLIENT_ID: undefined, SPOTIFY_CLIENT_SECRET: undefined, SPOTIFY_REFRESH_TOKEN: undefined, CONTEXT: context });
      const response = await callFunction();
      const body = await expectError(response, 503, 'not_configured');
      expect(body.error.message).toContain('SPOTIFY_REFRESH_TOKEN');
      expect(body.error.message).toContain('npm run authorize');
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(fake.requests).toHaveLength(0);
    },
  );

  it('answers not_configured when only the request context says the site is deployed', async () => {
    // On Netlify, CONTEXT exists at build time only; functions learn the deploy context from their context object.
    const fake = useFakeSpotify();
    stubEnv({ SPOTIFY_CLIENT_ID: undefined, SPOTIFY_CLIENT_SECRET: undefined, SPOTIFY_REFRESH_TOKEN: undefined, CONTEXT: undefined });
    const response = await callFunction('', {}, { deploy: { context: 'production', id: 'deploy-1', published: true } });
    await expectError(response, 503, 'not_configured');
    expect(fake.requests).toHaveLength(0);
  });

  it('serves demo data, marked demo, when no credentials are set outside a deploy', async () => {
    const fake = useFakeSpotify();
    stubEnv({ SPOTIFY_CLIENT_ID: undefined, SPOTIFY_CLIENT_SECRET: undefined, SPOTIFY_REFRESH_TOKEN: undefined, CONTEXT: 'dev' });
    const response = await callFunction();
    expect(response.status).toBe(200);
    const body = (await response.json()) as Listening;
    expect(body.demo).toBe(true);
    expect(body.nowPlaying?.title).toBeTruthy();
    expect(body.topArtists?.length).toBe(5);
    expect(fake.requests, 'demo data never reaches Spotify').toHaveLength(0);
    // The element on another site reads this answer: its pictures must not resolve against the host page.
    const pictures = [body.nowPlaying?.imageUrl, ...(body.topArtists ?? []).map((artist) => artist.imageUrl)];
    expect(pictures.every((url) => url?.startsWith('https://example.netlify.app/demo/')), pictures.join(' ')).toBe(true);
  });

  it('answers only on /api/spotify: other spellings of the path are sent there with a 308, reading nothing', async () => {
    configureCredentials();
    const fake = useFakeSpotify();
    for (const path of ['/API/spotify', '/api/Spotify', '/api/spotify/']) {
      const response = await spotify(new Request(`https://example.netlify.app${path}?limit=3`));
      expect([response.status, response.headers.get('location')], path).toEqual([308, '/api/spotify?limit=3']);
      expect(await response.text(), path).toBe('');
    }
    expect(fake.requests).toHaveLength(0);
  });

  it('answers not_configured, not demo data, when only some credentials are set', async () => {
    useFakeSpotify();
    stubEnv({ SPOTIFY_REFRESH_TOKEN: undefined });
    const body = await expectError(await callFunction(), 503, 'not_configured');
    expect(body.error.message).toContain('SPOTIFY_REFRESH_TOKEN');
    expect(body.error.message).not.toContain('SPOTIFY_CLIENT_ID');
  });

  it('reports a malformed SPOTIFY_API_URL by name', async () => {
    useFakeSpotify();
    stubEnv({ SPOTIFY_API_URL: 'not a url' });
    const body = await expectError(await callFunction(), 503, 'not_configured');
    expect(body.error.message).toContain('SPOTIFY_API_URL');
  });
});

describe('GET /api/spotify: upstream faults', () => {
  it('maps a revoked refresh token to 503 reauthorization_required, telling the owner to run npm run authorize', async () => {
    useFakeSpotify({ scenario: 'revoked' });
    const response = await callFunction();
    const body = await expectError(response, 503, 'reauthorization_required');
    expect(body.error.message).toContain('npm run authorize');
    expect(cdnSeconds(response)).toBeGreaterThanOrEqual(10);
    expect(cdnSeconds(response)).toBeLessThanOrEqual(60);
  });

  it('maps rejected client credentials to not_configured with what to check', async () => {
    useFakeSpotify({ clientSecret: 'another-secret' });
    const body = await expectError(await callFunction(), 503, 'not_configured');
    expect(body.error.message).toContain('SPOTIFY_CLIENT_SECRET');
  });

  it('passes a 429 on as 503 rate_limited with Retry-After, CDN-cached for that long', async () => {
    useFakeSpotify({ scenario: 'rate_limited' });
    const response = await callFunction();
    await expectError(response, 503, 'rate_limited');
    expect(response.headers.get('retry-after')).toBe(String(FAKE_RETRY_AFTER_S));
    expect(cdnSeconds(response)).toBe(FAKE_RETRY_AFTER_S);
  });

  it('caches a long Retry-After on the CDN for at most 300 s, and passes the full wait on', async () => {
    useFakeSpotify();
    server.use(http.get(`${DEFAULT_API_URL}/v1/*`, () => new HttpResponse(null, { status: 429, headers: { 'Retry-After': '3600' } })));
    const response = await callFunction();
    await expectError(response, 503, 'rate_limited');
    expect(response.headers.get('retry-after')).toBe('3600');
    expect(cdnSeconds(response)).toBe(300);
  });

  it('CDN-caches a missing scope and a timeout for 10–60 s like other upstream faults', async () => {
    useFakeSpotify();
    server.use(http.get(`${DEFAULT_API_URL}/v1/*`, () => new HttpResponse(null, { status: 403 })));
    const refused = await callFunction();
    await expectError(refused, 503, 'scope_missing');
    expect(cdnSeconds(refused)).toBeGreaterThanOrEqual(10);
    expect(cdnSeconds(refused)).toBeLessThanOrEqual(60);

    useFakeSpotify();
    server.use(http.post(`${DEFAULT_ACCOUNTS_URL}/api/token`, () => HttpResponse.error()));
    const unreachable = await callFunction();
    await expectError(unreachable, 502, 'upstream_error');
    expect(cdnSeconds(unreachable)).toBeGreaterThanOrEqual(10);
  });

  it('maps a Spotify outage to 502 upstream_error, CDN-cached briefly', async () => {
    useFakeSpotify({ scenario: 'down' });
    const response = await callFunction();
    await expectError(response, 502, 'upstream_error');
    expect(cdnSeconds(response)).toBeGreaterThanOrEqual(10);
    expect(cdnSeconds(response)).toBeLessThanOrEqual(60);
  });

  it('maps a malformed body to 502 upstream_error', async () => {
    useFakeSpotify({ scenario: 'malformed' });
    await expectError(await callFunction(), 502, 'upstream_error');
  });

  it('answers 504 upstream_timeout when Spotify hangs, CDN-cached briefly', { timeout: 12_000 }, async () => {
    useFakeSpotify({ scenario: 'hung' });
    const response = await callFunction();
    await expectError(response, 504, 'upstream_timeout');
    expect(cdnSeconds(response)).toBeGreaterThanOrEqual(10);
    expect(cdnSeconds(response)).toBeLessThanOrEqual(60);
  });

  it('answers 200 with top artists null and errors.topArtists when only that read lacks its scope', async () => {
    useFakeSpotify({ scenario: 'scope_missing' });
    const response = await callFunction();
    expect(response.status).toBe(200);
    const body = (await response.json()) as Listening;
    expect(body.nowPlaying?.isPlaying).toBe(true);
    expect(body.topArtists).toBeNull();
    expect(body.errors).toEqual({ topArtists: 'scope_missing' });
  });
});
