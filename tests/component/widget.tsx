/**
 * Helpers for the widget's component tests: render the island as the page
 * does, and a stand-in for `fetch` whose answers each test releases by hand,
 * so overlapping requests, aborts and timing are all observable.
 */
import { cleanup, render } from '@testing-library/preact';
import { afterEach, beforeEach, vi } from 'vitest';
import ListeningWidget, { type Props } from '../../src/components/ListeningWidget';
import SpotifyMark from '../../src/components/SpotifyMark';
import type { Start } from '../../test-support/widget-states';
import { SpotifyError } from '../../src/lib/spotify/types';
import { apiResponse } from '../../src/lib/spotify/http';
import type { ErrorCode, Listening } from '../../src/lib/spotify/types';
import { TEST_NOW } from '../mocks/spotify';

export const INTERVAL_MS = 15_000;

/** With Spotify's mark as its children, as the page (the word too) and the element's compact layout (the icon alone) give it. */
export function renderWidget(start: Start, props: Partial<Props> = {}) {
  const view = render(
    <ListeningWidget url="/api/spotify" pollMs={INTERVAL_MS} showTopArtists count={5} {...start} {...props}>
      <SpotifyMark word={!props.compact} />
    </ListeningWidget>,
  );
  const root = () => view.container.querySelector<HTMLElement>('[data-widget="listening"]')!;
  return {
    ...view,
    root,
    state: () => root().dataset.state,
    title: () => root().querySelector('[data-field="title"]')?.textContent ?? null,
  };
}

interface Call {
  url: string;
  signal: AbortSignal;
  settled: boolean;
  respond(response: Response): void;
}

/** Replaces `fetch`; every call stays pending until the test answers it. */
export function stubApi() {
  const calls: Call[] = [];
  const fetch = vi.fn((url: string, init?: RequestInit) => {
    return new Promise<Response>((resolve, reject) => {
      const call: Call = {
        url,
        signal: init!.signal!,
        settled: false,
        respond(response) {
          call.settled = true;
          resolve(response);
        },
      };
      call.signal.addEventListener('abort', () => {
        call.settled = true;
        reject(new DOMException('The operation was aborted.', 'AbortError'));
      });
      calls.push(call);
    });
  });
  vi.stubGlobal('fetch', fetch);
  return {
    calls,
    get count() {
      return calls.length;
    },
    pending: () => calls.filter((call) => !call.settled).length,
    /** Answers the latest call. */
    last: () => calls.at(-1)!,
  };
}

export const ok = (data: Listening) => apiResponse({ ok: true, value: data }, 'GET');

export const failure = (code: ErrorCode, retryAfterSeconds?: number) =>
  apiResponse({ ok: false, error: new SpotifyError(code, `Test failure: ${code}`, { retryAfterSeconds }) }, 'GET');

let hidden = false;
/** Simulates the Page Visibility API: sets document.hidden and fires visibilitychange. */
export function setHidden(value: boolean, { notify = true } = {}) {
  hidden = value;
  Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (hidden ? 'hidden' : 'visible') });
  if (notify) document.dispatchEvent(new Event('visibilitychange'));
}

/**
 * happy-dom never loads images, and reports them complete with no width, which
 * is how a browser reports a load that failed before hydration. Tests start
 * with images "still loading" unless they say otherwise.
 */
export function imagesLoad(state: 'loading' | 'failed' = 'loading') {
  vi.spyOn(HTMLImageElement.prototype, 'complete', 'get').mockReturnValue(state === 'failed');
}

/**
 * The set-up of a suite that renders the widget without polling: the clock
 * frozen at TEST_NOW, images "still loading", and each render cleaned up.
 */
export function frozenWidgetSuite() {
  beforeEach(() => {
    vi.useFakeTimers({ now: TEST_NOW });
    imagesLoad('loading');
  });
  afterEach(() => {
    cleanup();
    vi.useRealTimers();
  });
}
