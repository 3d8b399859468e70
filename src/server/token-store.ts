/**
 * Where a rotated Spotify refresh token lives between calls: Netlify Blobs.
 * The store only moves records; which token to use is decided by the core
 * (src/lib/spotify/rotation.ts).
 */
import { parsePersistedRefreshToken, type PersistedRefreshToken } from '../lib/spotify';
import { openBlobStore, withStoreTimeout, type JsonStore } from './blobs';

/** What the writer saw when it read, for compare-and-swap. */
interface StoreVersion {
  exists: boolean;
  /** Absent where the store sends no ETag (the local emulation): the version is then unknown. */
  etag?: string;
}

interface StoredRefreshToken {
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

export function createTokenStore(blobs: JsonStore = openBlobStore(TOKEN_STORE_NAME)): RefreshTokenStore {
  return {
    async read() {
      const found = await withStoreTimeout(blobs.getWithMetadata(TOKEN_KEY, { type: 'json' }), 'reading the rotated token');
      if (!found) return { record: null, version: { exists: false } };
      return { record: parsePersistedRefreshToken(found.data), version: { exists: true, etag: found.etag || undefined } };
    },
    async write(record, version) {
      const condition = !version.exists ? { onlyIfNew: true } : version.etag ? { onlyIfMatch: version.etag } : {};
      const result = await withStoreTimeout(blobs.setJSON(TOKEN_KEY, record, condition), 'saving the rotated token');
      return result.modified ? 'written' : 'conflict';
    },
  };
}
