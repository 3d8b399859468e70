/**
 * The page's server render of the widget: the SSR time budget, failures and
 * throws never break the page, and the page's cache headers.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { firstPaint, retryAtOf } from '../../src/server/first-paint';
import { scenarioStart } from '../../test-support/widget-states';
import { CDN_MAX_AGE_S, LATE_PAGE_CACHE_S, MAX_RETRY_CACHE_S, SSR_BUDGET_MS, UPSTREAM_ERROR_CACHE_S } from '../../src/lib/spotify/limits';
import { pageCacheHeaders } from '../../src/lib/spotify/http';
import { SpotifyError, fail, ok } from '../../src/lib/spotify/types';
import type { Listening } from '../../src/lib/spotify/types';
import { TEST_NOW } from '../mocks/spotify';

let listening: Listening;
beforeEach(async () => {
  listening = (await scenarioStart('playing', TEST_NOW)).initial!;
  vi.useFakeTimers();
});
afterEach(() => vi.useRealTimers());

describe('firstPaint', () => {
  it('renders the data when it arrives within the budget', async () => {
    const paint = firstPaint(() => new Promise((resolve) => setTimeout(resolve, SSR_BUDGET_MS - 1, ok(listening))));
    await vi.advanceTimersByTimeAsync(SSR_BUDGET_MS - 1);
    await expect(paint).resolves.toEqual({ data: listening, failed: false, error: null });
  });

  it('gives up at the budget and renders the skeleton, leaving the fetch to the island', async () => {
    const paint = firstPaint(() => new Promise((resolve) => setTimeout(resolve, SSR_BUDGET_MS + 1, ok(listening))));
    await vi.advanceTimersByTimeAsync(SSR_BUDGET_MS);
    await expect(paint).resolves.toEqual({ data: null, failed: false, error: null });
  });

  it('renders the quiet error state when loading fails, and says why', async () => {
    const error = new SpotifyError('upstream_error', 'Spotify answered 500.');
    const paint = firstPaint(async () => fail(error));
    await expect(paint).resolves.toEqual({ data: null, failed: true, error });
  });

  it('survives a loader that throws, logging no error message', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const paint = firstPaint(() => Promise.reject(new TypeError('secret-looking detail')));
    await expect(paint).resolves.toEqual({ data: null, failed: true, error: null });
    expect(warn).toHaveBeenCalledOnce();
    expect(String(warn.mock.calls[0]?.[0])).not.toContain('secret-looking detail');
  });

  it('survives a loader that throws synchronously', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const paint = firstPaint(() => {
      throw new Error('boom');
    });
    await expect(paint).resolves.toEqual({ data: null, failed: true, error: null });
  });
});

describe('pageCacheHeaders', () => {
  const cdnAge = (headers: Record<string, string>) => /s-maxage=(\d+)/.exec(headers['Netlify-CDN-Cache-Control'] ?? '')?.[1];
  const failing = (code: SpotifyError['code'], retryAfterSeconds?: number) =>
    firstPaint(async () => fail(new SpotifyError(code, `Test failure: ${code}`, { retryAfterSeconds })));

  it('caches a page with fresh data like a good answer', async () => {
    const headers = pageCacheHeaders(await firstPaint(async () => ok(listening)));
    expect(cdnAge(headers)).toBe(String(CDN_MAX_AGE_S));
    expect(headers['Cache-Control']).toBe('public, max-age=0, must-revalidate');
  });

  it('caches a page with stale data until its next refresh may happen, at most 300 s, on one key whatever the query', async () => {
    const staleUntil = (seconds: number) => ({ ...listening, stale: { code: 'rate_limited' as const, retryAt: new Date(Date.now() + seconds * 1_000).toISOString() } });
    const soon = pageCacheHeaders(await firstPaint(async () => ok(staleUntil(40))));
    expect(Number(cdnAge(soon))).toBeGreaterThanOrEqual(39);
    expect(Number(cdnAge(soon))).toBeLessThanOrEqual(40);
    expect(cdnAge(pageCacheHeaders(await firstPaint(async () => ok(staleUntil(48_925)))))).toBe('300');
    expect(soon['Netlify-Vary'], 'no query parameter splits the page').toBe('query=none');
  });

  it('caches a page Spotify failed briefly, so visitors do not each reach a failing Spotify', async () => {
    for (const code of ['upstream_error', 'upstream_timeout', 'reauthorization_required'] as const) {
      expect(cdnAge(pageCacheHeaders(await failing(code))), code).toBe(String(UPSTREAM_ERROR_CACHE_S));
    }
  });

  it('caches a rate-limited page for its Retry-After, up to the cap', async () => {
    expect(cdnAge(pageCacheHeaders(await failing('rate_limited', 120)))).toBe('120');
    expect(cdnAge(pageCacheHeaders(await failing('rate_limited', 3_600)))).toBe(String(MAX_RETRY_CACHE_S));
  });

  it('does not cache a page whose setup is broken, so the fix shows at once', async () => {
    const headers = pageCacheHeaders(await failing('not_configured'));
    expect(headers).toEqual({ 'Cache-Control': 'no-store' });
  });

  it('does not cache a page whose loader threw', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const headers = pageCacheHeaders(await firstPaint(() => Promise.reject(new Error('bug'))));
    expect(headers).toEqual({ 'Cache-Control': 'no-store' });
  });

  it('caches a page rendered past the budget for a few seconds only', async () => {
    const paint = firstPaint(() => new Promise(() => {}));
    await vi.advanceTimersByTimeAsync(SSR_BUDGET_MS);
    expect(cdnAge(pageCacheHeaders(await paint))).toBe(String(LATE_PAGE_CACHE_S));
  });
});

describe('retryAtOf', () => {
  it("turns a rate limit's Retry-After into the time the island may ask again", async () => {
    const paint = await firstPaint(async () => fail(new SpotifyError('rate_limited', 'Slow down.', { retryAfterSeconds: 17 })));
    expect(retryAtOf(paint, 1_000_000)).toBe(1_017_000);
  });

  it('gives no hint for other failures or for data', async () => {
    expect(retryAtOf(await firstPaint(async () => fail(new SpotifyError('upstream_error', 'Spotify answered 500.'))))).toBeUndefined();
    expect(retryAtOf(await firstPaint(async () => ok(listening)))).toBeUndefined();
  });
});
