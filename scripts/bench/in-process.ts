/**
 * The real listening service in this process, wired to the in-memory fake
 * Spotify and in-memory Blobs: one simulated function instance. The day
 * simulation and the from-state latency figure both run on it; nothing here
 * touches the network.
 */
import { createFakeSpotify, type FakeSpotify } from '../../test-support/fake-spotify/fake-spotify';
import { createMemoryBlobs } from '../../test-support/memory-blobs';
import type { ListeningQuery } from '../../src/lib/spotify/query';
import type { Listening, Result } from '../../src/lib/spotify/types';
import { loadListening } from '../../src/server/listening-service';
import { createSharedStateStore, createTokenStore } from '../../src/server/store';

export interface InProcessOptions {
  now: () => Date;
  /** SPOTIFY_REFRESH_INTERVAL_S; 0 reads Spotify on every call. Unset: the service's default. */
  intervalS?: number;
  /** SPOTIFY_DAILY_BUDGET. Unset: the service's default. */
  dailyBudget?: number;
  /** The fake's delay before every answer (real time). */
  delayMs?: number;
  /** When the fake's looping playlist started (epoch ms); defaults to the clock's time now. */
  playlistStartMs?: number;
}

export interface InProcessService {
  /** The fake Spotify behind it; `requests` is every request it received, exchanges included. */
  fake: FakeSpotify;
  /**
   * One call, like the function's (or the page's, with `refreshWaitMs`). It
   * resolves once the answer and any refresh it started are done, so a
   * caller that then moves a fake clock never moves it under a refresh.
   */
  call(query: ListeningQuery, options?: { refreshWaitMs?: number }): Promise<Result<Listening>>;
}

const credentials = { clientId: 'sim-client-id', clientSecret: 'sim-client-secret', refreshToken: 'sim-refresh-token' };
const silent = { warn() {}, error() {} };

export function createInProcessService(options: InProcessOptions): InProcessService {
  const fake = createFakeSpotify({
    scenario: 'playing',
    now: options.now,
    delayMs: options.delayMs,
    playlistStartMs: options.playlistStartMs,
    ...credentials,
  });
  const vars: Record<string, string | undefined> = {
    SPOTIFY_CLIENT_ID: credentials.clientId,
    SPOTIFY_CLIENT_SECRET: credentials.clientSecret,
    SPOTIFY_REFRESH_TOKEN: credentials.refreshToken,
    SPOTIFY_REFRESH_INTERVAL_S: options.intervalS?.toString(),
    SPOTIFY_DAILY_BUDGET: options.dailyBudget?.toString(),
  };
  // The production store code, as a deployed site runs it (no local-only waits), over in-memory Blobs.
  const stateStore = createSharedStateStore(createMemoryBlobs(), false);
  const tokenStore = createTokenStore(createMemoryBlobs(), false);

  return {
    fake,
    async call(query, callOptions = {}) {
      const background: Promise<unknown>[] = [];
      const result = await loadListening(query, {
        env: (name) => vars[name],
        fetch: fake.fetch,
        now: options.now,
        stateStore,
        tokenStore,
        log: silent,
        refreshWaitMs: callOptions.refreshWaitMs,
        waitUntil: (work) => background.push(work),
      });
      await Promise.allSettled(background);
      return result;
    },
  };
}
