import type { EnvAccessor } from '../../src/lib/spotify/config';
import { createSharedStateStore, createTokenStore } from '../../src/server/store';
import { createMemoryBlobs } from '../../test-support/memory-blobs';
import { TEST_CREDENTIALS } from '../mocks/spotify';

/** The test credentials plus `extra`; stateless (interval 0) unless `extra` sets an interval. */
export function testEnv(extra: Record<string, string> = {}): EnvAccessor {
  const values: Record<string, string> = { ...TEST_CREDENTIALS, SPOTIFY_REFRESH_INTERVAL_S: '0', ...extra };
  return (name) => values[name];
}

/** Both stores of the service over in-memory Blobs, with the Blobs exposed for assertions. */
export function memoryStores() {
  const tokenBlobs = createMemoryBlobs();
  const stateBlobs = createMemoryBlobs();
  return {
    tokenBlobs,
    stateBlobs,
    tokenStore: createTokenStore(tokenBlobs),
    stateStore: createSharedStateStore(stateBlobs),
  };
}
