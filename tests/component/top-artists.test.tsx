// @vitest-environment happy-dom
/**
 * Top artists whose names repeat and who have no Spotify link: each renders
 * in its own row, with keys Preact can tell apart. preact/debug reports
 * repeated keys, which can make rows swap or vanish on the next update.
 */
import 'preact/debug';
import { cleanup, render } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import TopArtists from '../../src/components/TopArtists';
import type { Artist } from '../../src/lib/spotify/types';
import { imagesLoad } from './widget';

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

const unlinked = (name: string, image: string): Artist => ({ name, url: null, imageUrl: `https://i.scdn.co/image/${image}` });

describe('TopArtists', () => {
  it('keys each artist apart when names repeat and links are missing', () => {
    imagesLoad('loading');
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const twins = [unlinked('Twin', 'a'), unlinked('Twin', 'b'), unlinked('Solo', 'c')];
    const view = render(<TopArtists artists={twins} range="short_term" />);
    const rows = () => [...view.container.querySelectorAll('li')].map((li) => `${li.textContent} ${li.querySelector('img')?.getAttribute('src')}`);
    expect(rows()).toEqual(twins.map((artist) => `${artist.name} ${artist.imageUrl}`));

    const reordered = [twins[2]!, twins[1]!, twins[0]!];
    view.rerender(<TopArtists artists={reordered} range="short_term" />);
    expect(rows()).toEqual(reordered.map((artist) => `${artist.name} ${artist.imageUrl}`));
    expect(errors.mock.calls.map(([message]) => String(message)).filter((message) => /same key/.test(message))).toEqual([]);
  });
});
