/**
 * Where a rotated Spotify refresh token lives between calls: Netlify Blobs in
 * the function and the page's server render (emulated by `astro dev` and
 * `netlify dev`), or memory in tests. The store only moves records; which
 * token to use is decided by the core (src/lib/spotify/rotation.ts).
 */
import { getStore } from '@netlify/blobs';
import { parsePersistedRefreshToken, type PersistedRefreshToken } from '../lib/spotify';

/** What the writer saw when it read, for compare-and-swap. */
export interface StoreVersion {
  exists: boolean;
  /** Absent where the store sends no ETag (the local emulation): the version is then unknown. */
  etag?: string;
}

export interface StoredRefreshToken {
  record: PersistedRefreshToken | null;
  version: StoreVersion;
}

export interface RefreshTokenStore {
  read(): Promise<StoredRefreshToken>;
  /** `conflict` when another writer got there first since `version` was read. */
  write(record: PersistedRefreshToken, version: StoreVersion): Promise<'written' | 'conflict'>;
}

export const TOKEN_STORE_NAME = 'spotify-auth';
const TOKEN_KEY = 'refresh-token';

export function createBlobsTokenStore(name = TOKEN_STORE_NAME): RefreshTokenStore {
  // Resolved on first use: outside a Netlify context getStore throws, and that
  // must surface as a failed read or write, never as a failed import.
  const store = () => getStore({ name, consistency: 'strong' });
  return {
    async read() {
      const found = await store().getWithMetadata(TOKEN_KEY, { type: 'json' });
      if (!found) return { record: null, version: { exists: false } };
      return { record: parsePersistedRefreshToken(found.data), version: { exists: true, etag: found.etag || undefined } };
    },
    async write(record, version) {
      const condition = !version.exists ? { onlyIfNew: true as const } : version.etag ? { onlyIfMatch: version.etag } : {};
      const result = await store().setJSON(TOKEN_KEY, record, condition);
      return result.modified ? 'written' : 'conflict';
    },
  };
}

/** An in-memory store with ETags, for tests and for running without Blobs. */
export function createMemoryTokenStore(initial: PersistedRefreshToken | null = null): RefreshTokenStore & {
  readonly record: PersistedRefreshToken | null;
  writes: number;
} {
  let record = initial;
  let generation = initial ? 1 : 0;
  return {
    writes: 0,
    get record() {
      return record;
    },
    async read() {
      return { record, version: record ? { exists: true, etag: `"${generation}"` } : { exists: false } };
    },
    async write(next, version) {
      const current = record ? `"${generation}"` : undefined;
      if (version.exists !== Boolean(record) || (version.etag !== undefined && version.etag !== current)) return 'conflict';
      record = next;
      generation += 1;
      this.writes += 1;
      return 'written';
    },
  };
}
