// @vitest-environment happy-dom
/**
 * `<listening-widget>` (src/embed/element.tsx) fed an answer it cannot use: it
 * must show its quiet error in its shadow root, never throw on the host page.
 * And it credits the data as the page does: Spotify's mark, or Last.fm.
 * The element in a real browser is tests/e2e/embed.e2e.ts.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SPOTIFY_ICON_PATH } from '../../src/lib/brand';
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

  it('carries the Spotify mark linking to Spotify: the icon and the word in the card layout, the icon alone in the compact one', async () => {
    const body = { nowPlaying: null, topArtists: [], range: 'short_term', fetchedAt: new Date().toISOString() };
    vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } })));
    for (const layout of ['card', 'compact']) {
      const element = document.createElement('listening-widget');
      element.setAttribute('api', 'https://widget.example/api/spotify');
      element.setAttribute('layout', layout);
      document.body.append(element);
      const mark = () => element.shadowRoot!.querySelector<HTMLAnchorElement>('[data-field="spotify"]');
      await vi.waitFor(() => expect(mark(), layout).not.toBeNull());
      expect(mark()!.href, layout).toBe('https://open.spotify.com/');
      expect(mark()!.querySelector('path')!.getAttribute('d'), `${layout}: simple-icons' icon`).toBe(SPOTIFY_ICON_PATH);
      const name = mark()!.getAttribute('aria-label') ?? mark()!.textContent;
      expect(name, `${layout}: its accessible name`).toBe('Spotify');
      expect(mark()!.textContent, layout).toBe(layout === 'card' ? 'Spotify' : '');
      element.remove();
    }
  });

  it("credits Last.fm's data to Last.fm, linked to the owner's profile, in place of the Spotify mark", async () => {
    const profileUrl = 'https://www.last.fm/user/test-listener';
    const body = { nowPlaying: null, topArtists: [], range: 'short_term', fetchedAt: new Date().toISOString(), service: 'lastfm', profileUrl };
    vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } })));
    const element = document.createElement('listening-widget');
    element.setAttribute('api', 'https://widget.example/api/spotify');
    document.body.append(element);
    const credit = () => element.shadowRoot!.querySelector<HTMLAnchorElement>(`a[href="${profileUrl}"]`);
    await vi.waitFor(() => expect(credit(), 'the Last.fm credit').not.toBeNull());
    expect(credit()!.textContent, 'its accessible name').toBe('Listening data from Last.fm');
    expect(element.shadowRoot!.querySelector('[data-field="spotify"]'), 'no Spotify mark').toBeNull();
  });
});
