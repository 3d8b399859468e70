/**
 * The page's server render of the widget: the SSR time budget, failures and
 * throws never break the page, and the island's API URL.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { apiUrl, firstPaint, queryOf } from '../../src/components/first-paint';
import { scenarioStart } from '../../src/components/state-fixtures';
import { SSR_BUDGET_MS } from '../../src/lib/spotify/budget';
import { SpotifyError, fail, ok } from '../../src/lib/spotify/errors';
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
    await expect(paint).resolves.toEqual({ data: listening, failed: false });
  });

  it('gives up at the budget and renders the skeleton, leaving the fetch to the island', async () => {
    const paint = firstPaint(() => new Promise((resolve) => setTimeout(resolve, SSR_BUDGET_MS + 1, ok(listening))));
    await vi.advanceTimersByTimeAsync(SSR_BUDGET_MS);
    await expect(paint).resolves.toEqual({ data: null, failed: false });
  });

  it('renders the quiet error state when loading fails', async () => {
    const paint = firstPaint(async () => fail(new SpotifyError('upstream_error', 'Spotify answered 500.')));
    await expect(paint).resolves.toEqual({ data: null, failed: true });
  });

  it('survives a loader that throws, logging no error message', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const paint = firstPaint(() => Promise.reject(new TypeError('secret-looking detail')));
    await expect(paint).resolves.toEqual({ data: null, failed: true });
    expect(warn).toHaveBeenCalledOnce();
    expect(String(warn.mock.calls[0]?.[0])).not.toContain('secret-looking detail');
  });

  it('survives a loader that throws synchronously', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const paint = firstPaint(() => {
      throw new Error('boom');
    });
    await expect(paint).resolves.toEqual({ data: null, failed: true });
  });
});

describe('apiUrl', () => {
  it('passes only the parameters that differ from the defaults', () => {
    expect(apiUrl({ range: 'short_term', limit: 5 })).toBe('/api/spotify');
    expect(apiUrl({ range: 'long_term', limit: 5 })).toBe('/api/spotify?range=long_term');
    expect(apiUrl({ range: 'medium_term', limit: 12 })).toBe('/api/spotify?range=medium_term&limit=12');
  });
});

describe('queryOf', () => {
  it('clamps an out-of-range top-artists count into 1–50', () => {
    expect(queryOf({ topArtistsRange: 'short_term', topArtistsCount: 0 }).limit).toBe(1);
    expect(queryOf({ topArtistsRange: 'short_term', topArtistsCount: 80 }).limit).toBe(50);
    expect(queryOf({ topArtistsRange: 'long_term', topArtistsCount: 7.4 })).toEqual({ range: 'long_term', limit: 7 });
  });
});
