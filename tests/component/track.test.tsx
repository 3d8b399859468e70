// @vitest-environment happy-dom
/**
 * Track: the playback position the widget shows while a track plays, which
 * moves on locally from the server's fetchedAt.
 */
import { cleanup } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { clock } from '../../src/lib/format';
import { scenarioStart, type Start } from '../../test-support/widget-states';
import { TEST_NOW } from '../mocks/spotify';
import { imagesLoad, renderWidget } from './widget';

let playing: Start;

beforeEach(async () => {
  playing = await scenarioStart('playing', TEST_NOW);
  imagesLoad('loading');
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

/** The position the widget shows `msAfterFetch` after the server fetched its data (polling off). */
function positionAt(msAfterFetch: number) {
  vi.useFakeTimers({ now: Date.parse(playing.initial!.fetchedAt) + msAfterFetch });
  const widget = renderWidget(playing, { pollMs: 0 });
  const bar = widget.root().querySelector('progress')!;
  const position = { text: widget.root().querySelector('.lw-prog span')!.textContent, value: bar.value };
  cleanup();
  return position;
}

describe('Track', () => {
  it('keeps the shown position between 0 and the track length, whatever the clock says', () => {
    const { durationMs, progressMs } = playing.initial!.nowPlaying!;
    const end = { text: clock(durationMs!), value: durationMs };
    expect(positionAt(10_000), 'moves on while it plays').toEqual({ text: clock(progressMs! + 10_000), value: progressMs! + 10_000 });
    expect(positionAt(durationMs! + 60 * 60_000), 'an hour past the end of the track').toEqual(end);
    expect(positionAt(-10 * 60_000), 'a visitor clock ten minutes behind the server').toEqual({ text: clock(progressMs!), value: progressMs });
  });
});
