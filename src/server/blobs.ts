/**
 * The slice of Netlify Blobs this project uses, behind one small interface so
 * tests can supply a store with the same conditional-write semantics. Every
 * operation is bounded by STORE_TIMEOUT_MS: Blobs is shared state, never a
 * reason for a call to hang.
 */
import { getStore } from '@netlify/blobs';
import { STORE_TIMEOUT_MS, within } from '../lib/spotify';

export type WriteCondition = { onlyIfNew?: boolean; onlyIfMatch?: never } | { onlyIfMatch?: string; onlyIfNew?: never };

export interface JsonStore {
  /** Null when the key is absent. The local Blobs server sends no ETag on reads. */
  getWithMetadata(key: string, options: { type: 'json' }): Promise<{ data: unknown; etag?: string } | null>;
  /** `modified: false` when the condition failed. */
  setJSON(key: string, data: unknown, condition?: WriteCondition): Promise<{ modified: boolean; etag?: string }>;
  delete(key: string): Promise<void>;
}

/**
 * A store with strong consistency (read-after-write), resolved on first use:
 * outside a Netlify context getStore throws, and that must surface as a failed
 * operation, never as a failed import.
 */
export function openBlobStore(name: string): JsonStore {
  const store = () => getStore({ name, consistency: 'strong' });
  return {
    getWithMetadata: (key, options) => store().getWithMetadata(key, options),
    setJSON: (key, data, condition) => store().setJSON(key, data, condition),
    delete: (key) => store().delete(key),
  };
}

/** Bounds one store operation; `what` names it in the error ("reading the shared state"). */
export async function withStoreTimeout<T>(work: Promise<T>, what: string, timeoutMs: number = STORE_TIMEOUT_MS): Promise<T> {
  // Boxed, so that a store answering null (an absent key) is not taken for the timeout.
  const done = await within(work.then((value) => ({ value })), timeoutMs);
  if (!done) throw new Error(`Netlify Blobs did not answer within ${timeoutMs} ms when ${what}.`);
  return done.value;
}

export const describeError = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));
