import { useEffect, useState } from 'preact/hooks';
import { BACKOFF_MAX_MS, STALE_POLL_MS, TRACK_END_GRACE_MS } from '../lib/spotify/limits';
import { parseListening } from '../lib/listening-shape';
import type { Listening } from '../lib/spotify/types';

interface Feed {
  /** The last good data; kept through failures. */
  data: Listening | null;
  /** The latest attempt failed (or the server render did). */
  failed: boolean;
}

/**
 * When to ask again: one interval after `base`, or just after the playing
 * track should end if that comes first (and has not already passed: a
 * CDN-cached answer can be older than its track, and must not cause a burst).
 * Stale data cannot change before its `retryAt`: wait for it, but no longer
 * than STALE_POLL_MS, so a lifted lockout still shows within a minute.
 */
function dueAt(data: Listening, base: number, intervalMs: number): number {
  const retryAt = Date.parse(data.stale?.retryAt ?? '');
  if (Number.isFinite(retryAt)) return Math.max(base + intervalMs, Math.min(retryAt, base + STALE_POLL_MS));
  const np = data.nowPlaying;
  const end =
    np?.isPlaying && np.durationMs !== null && np.progressMs !== null
      ? Date.parse(data.fetchedAt) + np.durationMs - np.progressMs + TRACK_END_GRACE_MS
      : 0;
  const next = base + intervalMs;
  return end > Date.now() && end < next ? end : next;
}

/** A partial answer never throws away good data: a failed part keeps what we had. */
function merge(prev: Listening | null, next: Listening): Feed {
  if (prev && next.errors?.nowPlaying) return { data: prev, failed: true };
  return { data: prev && !next.topArtists ? { ...next, topArtists: prev.topArtists } : next, failed: false };
}

/**
 * Keeps the listening data fresh while the tab is visible. One request at a
 * time; nothing while hidden; exponential backoff and Retry-After on failure
 * (`retryAt` carries the server render's, capped like the backoff in case the
 * clocks disagree); the request in flight is aborted on unmount. `intervalMs`
 * 0 freezes the data (the states page).
 */
export function useListening(
  url: string,
  initial: Listening | null,
  initialFailed: boolean,
  intervalMs: number,
  retryAt = 0,
): Feed {
  const [feed, setFeed] = useState<Feed>({ data: initial, failed: initialFailed });

  useEffect(() => {
    if (!intervalMs) return;
    const abort = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let busy = false;
    let failures = 0;
    // Server-rendered data may come from a CDN cache: its age counts from when Spotify was read.
    let nextAt = initial
      ? dueAt(initial, Math.min(Date.parse(initial.fetchedAt), Date.now()), intervalMs)
      : initialFailed
        ? Math.max(Date.now() + intervalMs, Math.min(retryAt, Date.now() + BACKOFF_MAX_MS))
        : 0;

    const schedule = (at: number) => {
      nextAt = at;
      clearTimeout(timer);
      timer = setTimeout(poll, at - Date.now());
    };

    async function poll() {
      // Hidden: do nothing; the visibility listener resumes. Busy: the running request reschedules.
      if (busy || document.hidden) return;
      busy = true;
      let next: number;
      try {
        const response = await fetch(url, { signal: abort.signal });
        // An answer outside the contract is a failed poll: the quiet error, never a throw while rendering.
        const body = response.ok ? parseListening(await response.json()) : null;
        if (!body) throw response;
        failures = 0;
        setFeed((prev) => merge(prev.data, body));
        next = dueAt(body, Date.now(), intervalMs);
      } catch (error) {
        if (abort.signal.aborted) return;
        failures += 1;
        // Only a refused answer (the Response thrown above) has headers; a network error has none.
        const retryAfter = Number((error as Partial<Response>).headers?.get('Retry-After')) * 1000 || 0;
        next = Date.now() + Math.max(Math.min(intervalMs * 2 ** failures, BACKOFF_MAX_MS), retryAfter);
        setFeed((prev) => ({ ...prev, failed: true }));
      } finally {
        busy = false;
      }
      schedule(next);
    }

    // The abort that ends the request in flight on unmount removes this listener too.
    document.addEventListener('visibilitychange', () => !document.hidden && Date.now() >= nextAt && poll(), { signal: abort.signal });
    schedule(nextAt);
    return () => {
      abort.abort();
      clearTimeout(timer);
    };
    // The island mounts once; its props never change.
  }, []);

  return feed;
}

/** The current time, re-read every `stepMs` while the tab is visible; `stepMs` 0 holds it. */
export function useNow(stepMs: number): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    // A new pace starts from the current time, not from where a held clock stopped.
    setNow(Date.now());
    if (!stepMs) return;
    const id = setInterval(() => document.hidden || setNow(Date.now()), stepMs);
    return () => clearInterval(id);
  }, [stepMs]);
  return now;
}
