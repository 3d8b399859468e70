import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { setupServer } from 'msw/node';
import { lastfmHandlers, useFakeLastfm } from '../mocks/lastfm';
import { spotifyHandlers, useFakeSpotify } from '../mocks/spotify';

export const server = setupServer(...spotifyHandlers, ...lastfmHandlers);

// 'error': a request no handler expects fails the test instead of reaching the network.
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
beforeEach(() => {
  useFakeSpotify();
  useFakeLastfm();
});
afterEach(() => server.resetHandlers());
afterAll(() => server.close());
