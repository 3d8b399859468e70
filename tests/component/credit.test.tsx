// @vitest-environment happy-dom
/**
 * Whom the widget credits for its data (issue 16): Spotify's mark beside
 * Spotify's data; beside Last.fm's data the name "Last.fm", linked to the
 * owner's profile when the answer's profileUrl is on www.last.fm, and no
 * Spotify mark. The mark's own look is in listening-states.test.tsx.
 */
import { act, cleanup, within } from '@testing-library/preact';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import Compact from '../../src/components/Compact';
import type { Listening } from '../../src/lib/spotify/types';
import { scenarioStart } from '../../test-support/widget-states';
import { TEST_NOW } from '../mocks/spotify';
import { INTERVAL_MS, imagesLoad, ok, renderWidget, stubApi } from './widget';

const PROFILE = 'https://www.last.fm/user/test-listener';
let spotify: Listening;
/** The same data as read from Last.fm. */
const lastfm = (profileUrl: string = PROFILE): Listening => ({ ...spotify, service: 'lastfm', profileUrl });

beforeAll(async () => {
  spotify = (await scenarioStart('playing', TEST_NOW)).initial!;
});
beforeEach(() => {
  vi.useFakeTimers({ now: TEST_NOW, toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  imagesLoad('loading');
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

/** What the widget credits: the Spotify mark, the Last.fm credit (and where it links), and all its text. */
function creditsOf(root: HTMLElement) {
  const view = within(root);
  return {
    spotifyMark: root.querySelector('[data-field="spotify"]'),
    lastfmLink: view.queryByRole('link', { name: 'Listening data from Last.fm' }),
    text: root.textContent ?? '',
  };
}

describe('ListeningWidget: the credit for the data', () => {
  it('shows the Spotify mark for Spotify data, and switches to Last.fm, linked to the profile, when a poll answers from Last.fm', async () => {
    const api = stubApi();
    const widget = renderWidget({ initial: spotify, failed: false });
    let credits = creditsOf(widget.root());
    expect(credits.spotifyMark, 'the Spotify mark').not.toBeNull();
    expect(credits.text, 'no Last.fm credit').not.toContain('Last.fm');

    await act(async () => {
      await vi.advanceTimersByTimeAsync(INTERVAL_MS);
    });
    await act(async () => api.last().respond(ok(lastfm())));
    await vi.waitFor(() => expect(creditsOf(widget.root()).lastfmLink, 'the Last.fm credit').not.toBeNull());
    credits = creditsOf(widget.root());
    expect(credits.lastfmLink!.getAttribute('href'), "the owner's profile").toBe(PROFILE);
    expect(credits.lastfmLink!.textContent, 'the name on screen').toContain('Last.fm');
    expect(credits.lastfmLink!.closest('.lw-head'), 'where the mark was').not.toBeNull();
    expect(credits.spotifyMark, 'no Spotify mark').toBeNull();
    expect(widget.queryByRole('link', { name: 'Spotify' }), 'no link named Spotify').toBeNull();
  });

  it('credits Last.fm data to Last.fm in the compact layout too, with no Spotify mark', () => {
    const widget = renderWidget({ initial: lastfm(), failed: false }, { pollMs: 0, compact: Compact });
    const credits = creditsOf(widget.root());
    expect(credits.lastfmLink?.getAttribute('href')).toBe(PROFILE);
    expect(credits.spotifyMark).toBeNull();
  });

  it('shows "Last.fm" unlinked when profileUrl is not a page on www.last.fm', () => {
    const hostile = ['javascript:alert(1)', 'https://evil.example/user/x', 'https://www.last.fm.evil.example/user/x', 'http://www.last.fm/user/x', '//www.last.fm/user/x'];
    for (const profileUrl of hostile) {
      const widget = renderWidget({ initial: lastfm(profileUrl), failed: false }, { pollMs: 0 });
      const credits = creditsOf(widget.root());
      expect(credits.lastfmLink, `${profileUrl}: no link`).toBeNull();
      expect(widget.root().querySelector('.lw-head')!.textContent, `${profileUrl}: still credited`).toContain('Listening data from Last.fm');
      expect(widget.root().querySelector(`[href="${CSS.escape(profileUrl)}"]`), `${profileUrl}: nowhere`).toBeNull();
      expect(credits.spotifyMark, `${profileUrl}: no Spotify mark`).toBeNull();
      cleanup();
    }
  });
});
