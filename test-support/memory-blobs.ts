/**
 * An in-memory Netlify Blobs store with the same conditional-write semantics
 * (`onlyIfNew`, `onlyIfMatch` against an ETag), for unit tests and the bench.
 * It can be made to behave like the local Blobs server (no ETag on reads,
 * non-atomic conditional writes), to answer conflicts, or to fail.
 */
import type { JsonStore, WriteCondition } from '../src/server/store';

export interface MemoryBlobs extends JsonStore {
  /** The stored values, by key (parsed JSON). */
  readonly entries: Map<string, unknown>;
  /** Operations sent, by kind. */
  readonly counts: { reads: number; writes: number; deletes: number };
  /** The next `n` writes to `key` (any key when omitted) answer `modified: false` without writing. */
  conflictNext(n?: number, key?: string): void;
  /** Every operation throws while set. */
  failing: boolean;
}

export interface MemoryBlobsOptions {
  /** Like the local Blobs server: reads carry no ETag. */
  etagOnRead?: boolean;
}

export function createMemoryBlobs(options: MemoryBlobsOptions = {}): MemoryBlobs {
  const entries = new Map<string, unknown>();
  const etags = new Map<string, string>();
  let version = 0;
  const conflicts: Array<string | undefined> = [];

  const blobs: MemoryBlobs = {
    entries,
    counts: { reads: 0, writes: 0, deletes: 0 },
    failing: false,
    conflictNext(n = 1, key) {
      for (let i = 0; i < n; i += 1) conflicts.push(key);
    },
    async getWithMetadata(key) {
      blobs.counts.reads += 1;
      if (blobs.failing) throw new Error('Blobs is unavailable');
      if (!entries.has(key)) return null;
      const data = structuredClone(entries.get(key));
      return options.etagOnRead === false ? { data } : { data, etag: etags.get(key) };
    },
    async setJSON(key, data, condition: WriteCondition = {}) {
      blobs.counts.writes += 1;
      if (blobs.failing) throw new Error('Blobs is unavailable');
      const forced = conflicts.findIndex((target) => target === undefined || target === key);
      if (forced >= 0) {
        conflicts.splice(forced, 1);
        return { modified: false };
      }
      if (condition.onlyIfNew && entries.has(key)) return { modified: false };
      if (condition.onlyIfMatch !== undefined && etags.get(key) !== condition.onlyIfMatch) return { modified: false };
      version += 1;
      const etag = `"${version}"`;
      entries.set(key, JSON.parse(JSON.stringify(data)));
      etags.set(key, etag);
      return { modified: true, etag };
    },
    async delete(key) {
      blobs.counts.deletes += 1;
      if (blobs.failing) throw new Error('Blobs is unavailable');
      entries.delete(key);
      etags.delete(key);
    },
  };
  return blobs;
}
