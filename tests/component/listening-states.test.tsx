// @vitest-environment happy-dom
/**
 * The widget in each state, from the one set of fixtures: every example is the
 * real core's answer for a fake Spotify scenario (test-support/widget-states.ts),
 * the same data the dev states page shows. Polling is off here; the polling
 * rules are in listening-polling.test.tsx.
 */
import { act, cleanup, fireEvent, within } from '@testing-library/preact';
import { beforeAll, describe, expect, it } from 'vitest';
import { SPOTIFY_ICON_PATH } from '../../src/lib/brand';
import { UNAVAILABLE } from '../../src/lib/format';
import { scenarioStart, stateExamples, type Start, type StateExample } from '../../test-support/widget-states';
import { TEST_NOW } from '../mocks/spotify';
import { frozenWidgetSuite, imagesLoad, renderWidget } from './widget';

const frozen = { pollMs: 0 };
let examples: StateExample[];
const example = (title: string) => examples.find((e) => e.title === title)!;
const start = (title: string): Start => {
  const { initial, failed } = example(title);
  return { initial, failed };
};

beforeAll(async () => {
  examples = await stateExamples(TEST_NOW);
});
frozenWidgetSuite();

describe('Listening states', () => {
  it('shows a playing track with linked title and artists, equalizer bars and progress', () => {
    const widget = renderWidget(start('Playing'), frozen);
    const item = example('Playing').initial!.nowPlaying!;
    expect(widget.state()).toBe('playing');
    expect(widget.title()).toBe(item.title);
    expect(widget.getByRole('link', { name: item.title }).getAttribute('href')).toBe(item.url);
    const artistLine = within(widget.root().querySelector<HTMLElement>('.lw-meta')!);
    for (const artist of item.artists) expect(artistLine.getByRole('link', { name: artist.name }).getAttribute('href')).toBe(artist.url);
    expect(widget.getByText('Now playing')).toBeTruthy();
    expect(widget.root().querySelectorAll('.lw-eq i')).toHaveLength(3);
    const progress = widget.root().querySelector('progress')!;
    expect(Number(progress.getAttribute('max'))).toBe(item.durationMs);
    const cover = widget.getByAltText(`Cover of ${item.album}`) as HTMLImageElement;
    expect([cover.getAttribute('width'), cover.getAttribute('height')]).toEqual(['112', '112']);
    expect(cover.getAttribute('src')).toMatch(/^https:\/\//);
  });

  it('shows a paused track without equalizer bars', () => {
    const widget = renderWidget(start('Paused'), frozen);
    expect(widget.state()).toBe('paused');
    expect(widget.getByText('Paused')).toBeTruthy();
    expect(widget.root().querySelector('.lw-eq')).toBeNull();
  });

  it('shows the last played track with how long ago it played', () => {
    const widget = renderWidget(start('Last played'), frozen);
    expect(widget.state()).toBe('recent');
    expect(widget.getByText('Last played · 12 min ago')).toBeTruthy();
    expect(widget.root().querySelector('progress')).toBeNull();
  });

  it('shows a podcast episode with its show publisher linked to the show', () => {
    const widget = renderWidget(start('Podcast episode'), frozen);
    const item = example('Podcast episode').initial!.nowPlaying!;
    expect(widget.state()).toBe('episode');
    expect(widget.getByText('Now playing · Podcast')).toBeTruthy();
    expect(widget.getByRole('link', { name: item.artists[0]!.name }).getAttribute('href')).toMatch(/open\.spotify\.com\/show\//);
  });

  it('says there is nothing to show when nothing played and no top artists exist', () => {
    const widget = renderWidget(start('Nothing to show'), frozen);
    expect(widget.state()).toBe('empty');
    expect(widget.getByText('Nothing playing right now')).toBeTruthy();
    expect(widget.getByText('No top artists yet')).toBeTruthy();
  });

  it('labels demo data, and only demo data', () => {
    const demo = renderWidget(start('Demo'), frozen);
    expect(demo.root().hasAttribute('data-demo')).toBe(true);
    expect(demo.getByText('Demo data')).toBeTruthy();
    cleanup();
    const real = renderWidget(start('Playing'), frozen);
    expect(real.root().hasAttribute('data-demo')).toBe(false);
    expect(real.queryByText('Demo data')).toBeNull();
  });

  it('shows demo data with its pictures, which the site serves itself', () => {
    const widget = renderWidget(start('Demo'), frozen);
    const pictures = [...widget.root().querySelectorAll('img')].map((img) => img.getAttribute('src'));
    expect(widget.root().querySelector('.lw-ph'), 'no placeholder').toBeNull();
    expect(pictures.length, 'a cover and top-artist portraits').toBe(1 + example('Demo').initial!.topArtists!.length);
    for (const src of pictures) expect(src).toMatch(/^\/demo\/.+\.svg$/);
  });

  it('shows only the quiet sentence when Spotify failed before any good data', () => {
    const widget = renderWidget(start('Error, no data'), frozen);
    expect(widget.state()).toBe('error');
    expect(widget.root().querySelector('.lw-quiet')?.textContent).toBe(UNAVAILABLE);
    expect(widget.root().querySelector('[data-field="top-artists"]')).toBeNull();
  });

  it('keeps the last good data when a later attempt failed', () => {
    const widget = renderWidget(start('Error, last data kept'), frozen);
    expect(widget.state()).toBe('error');
    expect(widget.title()).toBe(example('Playing').initial!.nowPlaying!.title);
    expect(widget.getByText('Not updating')).toBeTruthy();
  });

  it('shows a busy skeleton while it has neither data nor an error', () => {
    const widget = renderWidget({ initial: null, failed: false }, frozen);
    expect(widget.state()).toBe('loading');
    expect(widget.root().getAttribute('aria-busy')).toBe('true');
    expect(widget.root().querySelectorAll('.lw-row .lw-avatar')).toHaveLength(5);
    expect(widget.title()).toBeNull();
  });

  it('keeps now playing when only top artists failed, and says so quietly', () => {
    const widget = renderWidget(start('Top artists failed'), frozen);
    expect(widget.state()).toBe('playing');
    expect(widget.getByText('Top artists are unavailable right now')).toBeTruthy();
  });

  it('shows top artists as fixed-size round images with names, links and the range in words', async () => {
    const widget = renderWidget(start('Playing'), frozen);
    const list = widget.root().querySelector<HTMLElement>('[data-field="top-artists"]')!;
    const artists = example('Playing').initial!.topArtists!;
    expect(list.querySelectorAll('li')).toHaveLength(artists.length);
    for (const artist of artists) {
      const link = within(list).getByRole('link', { name: artist.name });
      expect(link.getAttribute('href')).toBe(artist.url);
      const img = link.querySelector('img')!;
      expect([img.getAttribute('width'), img.getAttribute('height'), img.getAttribute('alt')]).toEqual(['56', '56', '']);
      expect(img.classList.contains('lw-avatar')).toBe(true);
    }
    expect(widget.getByText('· Last 4 weeks')).toBeTruthy();
    cleanup();
    for (const [range, words] of [['medium_term', 'Last 6 months'], ['long_term', 'All time']] as const) {
      const other = renderWidget(await scenarioStart('playing', TEST_NOW, { range, limit: 5 }), frozen);
      expect(other.getByText(`· ${words}`)).toBeTruthy();
      cleanup();
    }
  });

  it('leaves top artists out when the owner turned them off', () => {
    const widget = renderWidget(start('Playing'), { ...frozen, showTopArtists: false });
    expect(widget.root().querySelector('.lw-top')).toBeNull();
  });

  it('shows same-size placeholders instead of missing album art, and no empty links', () => {
    const widget = renderWidget(start('Local file'), frozen);
    expect(widget.root().querySelector('img.lw-cover')).toBeNull();
    expect(widget.root().querySelector('.lw-cover.lw-ph')).not.toBeNull();
    expect(widget.title()).toBe('demo-take-3.mp3');
    expect(widget.root().querySelector('[data-field="title"] a')).toBeNull();
  });

  it('replaces an image that fails to load with the placeholder', () => {
    const widget = renderWidget(start('Playing'), frozen);
    const cover = widget.root().querySelector('img.lw-cover')!;
    act(() => {
      fireEvent.error(cover);
    });
    expect(widget.root().querySelector('img.lw-cover')).toBeNull();
    expect(widget.root().querySelector('.lw-cover.lw-ph')).not.toBeNull();
  });

  it('shows the placeholder for an image that failed before the island hydrated', () => {
    imagesLoad('failed');
    const widget = renderWidget(start('Playing'), frozen);
    expect(widget.root().querySelector('img.lw-cover')).toBeNull();
    expect(widget.root().querySelector('.lw-cover.lw-ph')).not.toBeNull();
  });

  it('renders names from Spotify as text, never as markup, and drops non-https links and images', () => {
    const widget = renderWidget(start('Hostile text'), frozen);
    const title = widget.root().querySelector('[data-field="title"]')!;
    expect(title.textContent).toContain('<img src=x onerror="alert(1)">');
    expect(title.querySelector('img, script')).toBeNull();
    expect(widget.root().querySelector('img.lw-cover')).toBeNull();
    for (const link of widget.root().querySelectorAll('a')) expect(link.getAttribute('href')).toMatch(/^https:\/\//);
  });

  it('isolates every name from Spotify in its own direction, so right-to-left text cannot reorder its neighbours', () => {
    for (const { title, initial, failed } of examples) {
      const widget = renderWidget({ initial, failed }, frozen);
      const item = initial?.nowPlaying;
      const names = [
        ...widget.root().querySelectorAll('[data-field="title"] > *, .lw-meta > .lw-muted > *, .lw-album > *, .lw-row > li > .lw-artist'),
      ];
      const expected = item ? 1 + item.artists.length + (item.album ? 1 : 0) + (initial?.topArtists?.length ?? 0) : 0;
      if (!failed) expect(names, `${title}: names`).toHaveLength(expected);
      for (const name of names) {
        expect(name.tagName === 'BDI' || name.getAttribute('dir') === 'auto', `${title}: "${name.textContent}" isolated`).toBe(true);
      }
      cleanup();
    }
  });

  it('credits Spotify beside the data in every state: its icon and its name, linking to Spotify', () => {
    for (const { title, initial, failed } of examples) {
      const widget = renderWidget({ initial, failed }, frozen);
      const mark = widget.getByRole('link', { name: 'Spotify' });
      expect(mark.getAttribute('href'), title).toBe('https://open.spotify.com');
      expect(mark.querySelector('svg path')?.getAttribute('d'), `${title}: simple-icons' icon`).toBe(SPOTIFY_ICON_PATH);
      expect(mark.textContent, `${title}: the word beside the icon`).toBe('Spotify');
      expect(mark.closest('.lw-head'), `${title}: in the heading row, above the data`).not.toBeNull();
      cleanup();
    }
  });

  it('never shows undefined, null, NaN, an empty link or an image without size and alt, in any state', () => {
    for (const { title, initial, failed } of examples) {
      const widget = renderWidget({ initial, failed }, frozen);
      const text = widget.root().textContent ?? '';
      expect(text, title).not.toMatch(/undefined|null|NaN|\[object/);
      for (const link of widget.root().querySelectorAll('a')) expect(link.textContent?.trim(), `${title}: link text`).toBeTruthy();
      const images = widget.root().querySelectorAll('img');
      if (initial?.nowPlaying?.imageUrl?.startsWith('https://')) expect(images.length, `${title}: images`).toBeGreaterThan(0);
      for (const img of images) {
        expect(img.hasAttribute('alt'), `${title}: alt`).toBe(true);
        expect(img.getAttribute('width'), `${title}: width`).toMatch(/^\d+$/);
        expect(img.getAttribute('height'), `${title}: height`).toMatch(/^\d+$/);
      }
      expect(widget.state(), title).toMatch(/^(loading|playing|paused|recent|episode|empty|error)$/);
      cleanup();
    }
  });
});
