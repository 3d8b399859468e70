// @vitest-environment happy-dom
/**
 * `<listening-widget>` (src/embed/element.tsx) fed an answer it cannot use: it
 * must show its quiet error in its shadow root, never throw on the host page.
 * The element in a real browser is tests/e2e/embed.e2e.ts.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { UNAVAILABLE } from '../../src/lib/format';
import '../../src/embed/element';

afterEach(() => {
  document.body.replaceChildren();
  vi.unstubAllGlobals();
});

describe('<listening-widget>', () => {
  it('shows the quiet sentence for a 200 whose track has no artists', async () => {
    const nowPlaying = {
      isPlaying: true, source: 'current', type: 'track', title: 'x', album: null, imageUrl: null, url: null,
      progressMs: 0, durationMs: 180_000, playedAt: null, // and no `artists`
    };
    const body = { nowPlaying, topArtists: [], range: 'short_term', fetchedAt: new Date().toISOString() };
    const fetch = vi.fn(async () => new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } }));
    vi.stubGlobal('fetch', fetch);
    const errors: unknown[] = [];
    const onError = (event: ErrorEvent) => errors.push(event.error);
    window.addEventListener('error', onError);

    const element = document.createElement('listening-widget');
    element.setAttribute('api', 'https://widget.example/api/spotify');
    document.body.append(element);
    const root = () => element.shadowRoot!.querySelector<HTMLElement>('[data-widget="listening"]')!;
    await vi.waitFor(() => expect(root().dataset.state).toBe('error'));

    window.removeEventListener('error', onError);
    expect(fetch).toHaveBeenCalledOnce();
    expect(root().textContent).toContain(UNAVAILABLE);
    expect(errors, 'nothing thrown').toEqual([]);
  });
});
