// @vitest-environment happy-dom
/**
 * The one-line layout the element offers (`layout="compact"`): the same data
 * and states as the card layout, in one line, never passing old data off as live.
 */
import { cleanup } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import Compact from '../../src/components/Compact';
import { SPOTIFY_ICON_PATH } from '../../src/lib/brand';
import { UNAVAILABLE } from '../../src/lib/format';
import { scenarioStart } from '../../test-support/widget-states';
import { TEST_NOW } from '../mocks/spotify';
import { frozenWidgetSuite, renderWidget } from './widget';

const compact = { pollMs: 0, compact: Compact };

frozenWidgetSuite();

describe('ListeningWidget, compact layout', () => {
  it('shows art, title and artists on one line, and says the track is not live', async () => {
    const start = await scenarioStart('last_played', TEST_NOW);
    const item = start.initial!.nowPlaying!;
    const widget = renderWidget(start, { ...compact, theme: 'forest' });
    expect(widget.state()).toBe('recent');
    expect(widget.title()).toBe(item.title);
    expect(widget.getByRole('link', { name: item.artists[0]!.name })).toBeTruthy();
    expect(widget.root().querySelector('.lw-one')!.getAttribute('title'), 'the status on hover').toMatch(/^Last played · /);
    expect(widget.root().textContent, 'the status read out').toMatch(/Last played · .+: /);
    expect(widget.root().querySelector('.lw-eq'), 'no equalizer for a past track').toBeNull();
    expect(widget.queryByRole('heading'), 'no heading row').toBeNull();
    expect(widget.root().dataset.theme).toBe('forest');
  });

  it('credits Spotify with its icon alone, linked to Spotify and named for screen readers', async () => {
    const widget = renderWidget(await scenarioStart('playing', TEST_NOW), compact);
    const mark = widget.getByRole('link', { name: 'Spotify' });
    expect(mark.getAttribute('href')).toBe('https://open.spotify.com');
    expect(mark.querySelector('svg path')?.getAttribute('d'), "simple-icons' icon").toBe(SPOTIFY_ICON_PATH);
    expect(mark.textContent, 'no word: the line has no room').toBe('');
    expect(mark.querySelector('svg')?.getAttribute('aria-hidden'), 'the drawing is not read out twice').toBe('true');
  });

  it('keeps the quiet error and the empty state', async () => {
    expect(renderWidget({ initial: null, failed: true }, compact).getByText(UNAVAILABLE)).toBeTruthy();
    cleanup();
    const empty = renderWidget(await scenarioStart('empty_history', TEST_NOW), compact);
    expect(empty.state()).toBe('empty');
    expect(empty.getByText('Nothing playing right now')).toBeTruthy();
  });
});
