/**
 * msw handlers for Last.fm's API host, answering from the same in-memory fake
 * the e2e HTTP fake uses (test-support/fake-lastfm/). Tests pick a scenario
 * with `useFakeLastfm({ scenario })` and read `fake.requests`.
 */
import { http } from 'msw';
import { DEFAULT_LASTFM_API_URL } from '../../src/lib/spotify/lastfm-config';
import { FAKE_LASTFM_API_KEY, FAKE_LASTFM_USER, createFakeLastfm, type FakeLastfm, type FakeLastfmOptions } from '../../test-support/fake-lastfm/fake-lastfm';
import { TEST_NOW } from './spotify';

/** The variables of a Last.fm source that the fake accepts. */
export const LASTFM_ENV = { LASTFM_USER: FAKE_LASTFM_USER, LASTFM_API_KEY: FAKE_LASTFM_API_KEY } as const;

let current: FakeLastfm = createFakeLastfm({ now: () => TEST_NOW });

export function useFakeLastfm(options: FakeLastfmOptions = {}): FakeLastfm {
  current = createFakeLastfm({ now: () => TEST_NOW, ...options });
  return current;
}

export const lastfmHandlers = [http.all(`${DEFAULT_LASTFM_API_URL}/*`, ({ request }) => current.handle(request))];
