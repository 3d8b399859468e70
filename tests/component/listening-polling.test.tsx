// @vitest-environment happy-dom
/**
 * The island's polling rules and its local clock, with fake timers and a
 * hand-answered `fetch` (see ./widget.tsx). Data comes from the real core run
 * against the fake Spotify's scenarios.
 */
import { act, cleanup } from '@testing-library/preact';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { UNAVAILABLE } from '../../src/lib/format';
import { scenarioStart, type Start } from '../../test-support/widget-states';
import { BACKOFF_MAX_MS, TRACK_END_GRACE_MS } from '../../src/lib/spotify/limits';
import { PLAYLIST } from '../../test-support/fixtures';
import { DEFAULT_QUERY } from '../../src/lib/spotify/query';
import type { Listening } from '../../src/lib/spotify/types';
import { TEST_NOW } from '../mocks/spotify';
import { INTERVAL_MS, failure, imagesLoad, ok, renderWidget, setHidden, stubApi } from './widget';

const T0 = TEST_NOW.getTime();
const FIRST = PLAYLIST[0]!;
const FIRST_MS = FIRST.duration_ms!;

let paused: Start;
let playing: Start;
let lastPlayed: Start;
let noTopArtists: Start;
/** The second playlist track, one second in. */
let nextTrack: Start;
/** The first track with five seconds left. */
let endingSoon: Start;

beforeAll(async () => {
  paused = await scenarioStart('paused', TEST_NOW);
  playing = await scenarioStart('playing', TEST_NOW);
  lastPlayed = await scenarioStart('last_played', TEST_NOW);
  noTopArtists = await scenarioStart('scope_missing', TEST_NOW);
  nextTrack = await scenarioStart('playing', TEST_NOW, DEFAULT_QUERY, { playlistStartMs: T0 - FIRST_MS - 1_000 });
  endingSoon = await scenarioStart('playing', TEST_NOW, DEFAULT_QUERY, { playlistStartMs: T0 - (FIRST_MS - 5_000) });
});

beforeEach(() => {
  vi.useFakeTimers({ now: TEST_NOW, toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  imagesLoad('loading');
  setHidden(false, { notify: false });
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

/** Moves the fake clock and lets the island's promises settle. */
const advance = (ms: number) =>
  act(async () => {
    await vi.advanceTimersByTimeAsync(ms);
  });
const answer = async (call: { respond(r: Response): void }, response: Response) => {
  await act(async () => call.respond(response));
  for (let i = 0; i < 5; i += 1) await advance(0);
};
const data = (start: Start): Listening => start.initial!;
const progressValue = (root: HTMLElement) => Number(root.querySelector('progress')!.getAttribute('value') ?? (root.querySelector('progress') as HTMLProgressElement).value);

describe('useListening polling', () => {
  it('asks again one interval after the server-rendered data was read, not before, at the given URL', async () => {
    const api = stubApi();
    renderWidget(paused, { url: '/api/spotify?range=long_term' });
    await advance(INTERVAL_MS - 1);
    expect(api.count).toBe(0);
    await advance(1);
    expect(api.count).toBe(1);
    expect(api.last().url).toBe('/api/spotify?range=long_term');
  });

  it('fetches at once when the server render had no data, then shows it', async () => {
    const api = stubApi();
    const widget = renderWidget({ initial: null, failed: false });
    await advance(0);
    expect(api.count).toBe(1);
    await answer(api.last(), ok(data(playing)));
    expect(widget.state()).toBe('playing');
    expect(widget.title()).toBe(FIRST.name);
  });

  it('makes no request while the tab is hidden, and refreshes at once on return when the data is older than the interval', async () => {
    const api = stubApi();
    setHidden(true, { notify: false });
    renderWidget({ initial: null, failed: false });
    await advance(10 * 60_000);
    expect(api.count).toBe(0);
    setHidden(false);
    await advance(0);
    expect(api.count).toBe(1);
  });

  it('stops polling when the tab is hidden mid-way', async () => {
    const api = stubApi();
    renderWidget(paused);
    await advance(INTERVAL_MS);
    await answer(api.last(), ok(data(paused)));
    setHidden(true);
    await advance(5 * INTERVAL_MS);
    expect(api.count).toBe(1);
  });

  it('on return with data younger than the interval, waits for the interval instead', async () => {
    const api = stubApi();
    renderWidget(paused);
    await advance(5_000);
    setHidden(true);
    await advance(5_000);
    setHidden(false);
    await advance(0);
    expect(api.count).toBe(0);
    await advance(5_000);
    expect(api.count).toBe(1);
  });

  it('never has two requests in flight', async () => {
    const api = stubApi();
    renderWidget({ initial: null, failed: false });
    await advance(0);
    for (let i = 0; i < 4; i += 1) {
      await advance(2 * 60_000);
      setHidden(true);
      setHidden(false);
    }
    expect(api.count).toBe(1);
    await answer(api.last(), ok(data(paused)));
    await advance(INTERVAL_MS);
    expect(api.count).toBe(2);
    expect(api.pending()).toBe(1);
  });

  it('backs off exponentially on failure, capped at five minutes', async () => {
    const api = stubApi();
    renderWidget(paused);
    await advance(INTERVAL_MS);
    const gaps = [30_000, 60_000, 120_000, 240_000, 300_000, 300_000];
    for (const gap of gaps) {
      const before = api.count;
      await answer(api.last(), failure('upstream_error'));
      await advance(gap - 1);
      expect(api.count, `no request before ${gap} ms`).toBe(before);
      await advance(1);
      expect(api.count, `a request at ${gap} ms`).toBe(before + 1);
    }
  });

  it('honours Retry-After when it asks for longer than the backoff', async () => {
    const api = stubApi();
    renderWidget(paused);
    await advance(INTERVAL_MS);
    await answer(api.last(), failure('rate_limited', 120));
    await advance(120_000 - 1);
    expect(api.count).toBe(1);
    await advance(1);
    expect(api.count).toBe(2);
  });

  it("after a failed server render, retries one interval later", async () => {
    const api = stubApi();
    renderWidget({ initial: null, failed: true });
    await advance(INTERVAL_MS - 1);
    expect(api.count).toBe(0);
    await advance(1);
    expect(api.count).toBe(1);
  });

  it("after a rate-limited server render, waits for the server's Retry-After before the first retry", async () => {
    const api = stubApi();
    renderWidget({ initial: null, failed: true }, { retryAt: T0 + 120_000 });
    await advance(120_000 - 1);
    expect(api.count).toBe(0);
    await advance(1);
    expect(api.count).toBe(1);
  });

  it('caps a far-off server Retry-After (or a skewed clock) at the longest backoff', async () => {
    const api = stubApi();
    renderWidget({ initial: null, failed: true }, { retryAt: T0 + 60 * 60_000 });
    await advance(BACKOFF_MAX_MS - 1);
    expect(api.count).toBe(0);
    await advance(1);
    expect(api.count).toBe(1);
  });

  it('returns to the normal interval after a success, and starts the backoff over', async () => {
    const api = stubApi();
    renderWidget(paused);
    await advance(INTERVAL_MS);
    await answer(api.last(), failure('upstream_timeout'));
    await advance(2 * INTERVAL_MS);
    await answer(api.last(), ok(data(paused)));
    await advance(INTERVAL_MS - 1);
    expect(api.count).toBe(2);
    await advance(1);
    expect(api.count).toBe(3);
    await answer(api.last(), failure('upstream_timeout'));
    await advance(2 * INTERVAL_MS);
    expect(api.count, 'the first backoff step again, not the second').toBe(4);
  });

  it('treats a 200 that is not listening data as a failure', async () => {
    const api = stubApi();
    const widget = renderWidget(paused);
    await advance(INTERVAL_MS);
    await answer(api.last(), new Response('{"unexpected":true}', { status: 200 }));
    expect(widget.state()).toBe('error');
    await advance(INTERVAL_MS);
    expect(api.count, 'backed off, not the plain interval').toBe(1);
  });

  it('refreshes early, just after the playing track should have ended', async () => {
    const api = stubApi();
    renderWidget(endingSoon);
    await advance(5_000 + TRACK_END_GRACE_MS - 1);
    expect(api.count).toBe(0);
    await advance(1);
    expect(api.count).toBe(1);
  });

  it('does not poll in a burst when an answer is older than its track (a CDN copy)', async () => {
    const api = stubApi();
    renderWidget(endingSoon);
    await advance(5_000 + TRACK_END_GRACE_MS);
    await answer(api.last(), ok(data(endingSoon)));
    await advance(INTERVAL_MS - 1);
    expect(api.count).toBe(1);
    await advance(1);
    expect(api.count).toBe(2);
  });

  it('aborts the request in flight on unmount and polls no more', async () => {
    const api = stubApi();
    const widget = renderWidget({ initial: null, failed: false });
    await advance(0);
    const call = api.last();
    widget.unmount();
    expect(call.signal.aborted).toBe(true);
    await advance(10 * 60_000);
    expect(api.count).toBe(1);
  });
});

describe('Listening between polls', () => {
  it('moves the progress bar locally from fetchedAt + progressMs', async () => {
    stubApi();
    const widget = renderWidget(playing);
    const start = data(playing).nowPlaying!.progressMs!;
    expect(progressValue(widget.root())).toBe(start);
    await advance(5_000);
    expect(progressValue(widget.root())).toBe(start + 5_000);
    expect(widget.getByText('0:05')).toBeTruthy();
  });

  it('holds the progress bar still for visitors who prefer reduced motion', async () => {
    vi.stubGlobal('matchMedia', (query: string) => ({ matches: query.includes('reduce'), media: query }));
    stubApi();
    const widget = renderWidget(playing);
    const start = progressValue(widget.root());
    await advance(5_000);
    expect(progressValue(widget.root())).toBe(start);
  });

  it('keeps "Last played · 12 min ago" current', async () => {
    const widget = renderWidget(lastPlayed, { pollMs: 0 });
    expect(widget.getByText('Last played · 12 min ago')).toBeTruthy();
    await advance(60_000);
    expect(widget.getByText('Last played · 13 min ago')).toBeTruthy();
  });

  it('announces a track change politely, but not the track already on screen', async () => {
    const api = stubApi();
    const widget = renderWidget(playing);
    const region = widget.root().querySelector('[aria-live="polite"]')!;
    expect(region.textContent).toBe('');
    await advance(INTERVAL_MS);
    await answer(api.last(), ok(data(nextTrack)));
    expect(widget.title()).toBe(PLAYLIST[1]!.name);
    expect(region.textContent).toBe(`Now playing: ${PLAYLIST[1]!.name} by Mira Vale, Okonkwo & Sons`);
  });

  it('announces a return to the track it started with (A, B, then A again)', async () => {
    const api = stubApi();
    const widget = renderWidget(playing);
    const region = widget.root().querySelector('[aria-live="polite"]')!;
    await advance(INTERVAL_MS);
    await answer(api.last(), ok(data(nextTrack)));
    expect(region.textContent).toContain(PLAYLIST[1]!.name);
    await advance(INTERVAL_MS);
    await answer(api.last(), ok(data(playing)));
    expect(widget.title()).toBe(FIRST.name);
    expect(region.textContent).toBe(`Now playing: ${FIRST.name} by ${FIRST.artists![0]!.name}`);
  });
});

describe('Listening when polls fail', () => {
  it('keeps the last good data, says it is not updating, and recovers', async () => {
    const api = stubApi();
    const widget = renderWidget(paused);
    await advance(INTERVAL_MS);
    await answer(api.last(), failure('upstream_error'));
    expect(widget.state()).toBe('error');
    expect(widget.title()).toBe(FIRST.name);
    expect(widget.getByText('Not updating')).toBeTruthy();
    await advance(2 * INTERVAL_MS);
    await answer(api.last(), ok(data(paused)));
    expect(widget.state()).toBe('paused');
    expect(widget.queryByText('Not updating')).toBeNull();
  });

  it('stops claiming to be live while not updating: no bars, no moving position, an honest status', async () => {
    const api = stubApi();
    const widget = renderWidget(playing);
    const status = () => widget.root().querySelector('.lw-status')!.textContent;
    const start = data(playing).nowPlaying!.progressMs!;
    await advance(INTERVAL_MS);
    expect(status()).toBe('Now playing');
    await answer(api.last(), failure('upstream_error'));
    expect(widget.state()).toBe('error');
    expect(widget.root().querySelector('.lw-eq'), 'no equalizer bars').toBeNull();
    expect(status()).toBe('Was playing');
    const held = progressValue(widget.root());
    expect(held, 'the last position shown, not a jump back').toBe(start + INTERVAL_MS);
    await advance(INTERVAL_MS);
    expect(progressValue(widget.root()), 'the position holds still').toBe(held);

    await advance(INTERVAL_MS);
    await answer(api.last(), ok(data(nextTrack)));
    expect(status()).toBe('Now playing');
    expect(widget.root().querySelector('.lw-eq')).not.toBeNull();
    const resumed = progressValue(widget.root());
    await advance(2_000);
    expect(progressValue(widget.root()), 'the position moves again').toBe(resumed + 2_000);
  });

  it('shows the quiet sentence when the first fetch fails with no data', async () => {
    const api = stubApi();
    const widget = renderWidget({ initial: null, failed: false });
    await advance(0);
    await answer(api.last(), failure('upstream_error'));
    expect(widget.state()).toBe('error');
    expect(widget.getByText(UNAVAILABLE)).toBeTruthy();
  });

  it('shows the quiet sentence, and throws nothing, for a 200 outside the contract (a track without artists)', async () => {
    const api = stubApi();
    const widget = renderWidget({ initial: null, failed: false });
    await advance(0);
    const { artists: _, ...withoutArtists } = data(playing).nowPlaying!;
    const malformed = { ...data(playing), nowPlaying: withoutArtists };
    await answer(api.last(), new Response(JSON.stringify(malformed), { status: 200, headers: { 'Content-Type': 'application/json' } }));
    expect(widget.state()).toBe('error');
    expect(widget.getByText(UNAVAILABLE)).toBeTruthy();
  });

  it('keeps the previous track when an answer reports the now-playing part failed', async () => {
    const api = stubApi();
    const widget = renderWidget(paused);
    await advance(INTERVAL_MS);
    await answer(api.last(), ok({ ...data(playing), nowPlaying: null, errors: { nowPlaying: 'upstream_error' } }));
    expect(widget.state()).toBe('error');
    expect(widget.title()).toBe(FIRST.name);
  });

  it('keeps the previous top artists when only that part failed', async () => {
    const api = stubApi();
    const widget = renderWidget(playing);
    await advance(INTERVAL_MS);
    await answer(api.last(), ok(data(noTopArtists)));
    expect(widget.state()).toBe('playing');
    expect(widget.root().querySelectorAll('[data-field="top-artists"] li')).toHaveLength(data(playing).topArtists!.length);
    expect(widget.queryByText('Top artists are unavailable right now')).toBeNull();
  });
});

describe('stale data', () => {
  const staleUntil = (start: Start, retryInMs: number, readAgoMs = 2 * 3_600_000): Listening => ({
    ...data(start),
    fetchedAt: new Date(Date.now() - readAgoMs).toISOString(),
    stale: { code: 'rate_limited', retryAt: new Date(Date.now() + retryInMs).toISOString() },
  });

  it('shows the last good data with when it was read, and no outage wording', async () => {
    const widget = renderWidget({ initial: staleUntil(playing, 13 * 3_600_000), failed: false });
    expect(widget.title()).toBe(data(playing).nowPlaying!.title);
    expect(widget.root().querySelector('[data-field="updated"]')?.textContent).toBe('Updated 2 hours ago');
    expect(widget.queryByText(UNAVAILABLE)).toBeNull();
    expect(widget.queryByText('Not updating')).toBeNull();
    expect(widget.queryByText('Now playing'), 'an old read claims nothing live').toBeNull();
  });

  it('polls no more than once a minute while the next refresh is far off', async () => {
    const api = stubApi();
    renderWidget({ initial: staleUntil(playing, 13 * 3_600_000, 0), failed: false });
    await advance(60_000 - 1);
    expect(api.count).toBe(0);
    await advance(1);
    expect(api.count).toBe(1);
    await answer(api.last(), ok(staleUntil(playing, 13 * 3_600_000, 0)));
    await advance(59_000);
    expect(api.count, 'still a minute apart').toBe(1);
    await advance(1_000);
    expect(api.count).toBe(2);
  });

  it('asks again at the interval once a refresh may happen sooner', async () => {
    const api = stubApi();
    renderWidget({ initial: staleUntil(playing, 5_000, 0), failed: false });
    await advance(INTERVAL_MS);
    expect(api.count).toBe(1);
  });
});
