/**
 * The one shared state in Netlify Blobs (strong consistency): the last good
 * data of each part, the lockout, the request ledger and the pacing bucket,
 * in one record; plus the lease that lets one instance at a time refresh it.
 * The rules live in src/lib/spotify/refresh-policy.ts; this module only
 * stores and coordinates.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { LEASE_MS, LEASE_SETTLE_MS, parseSharedState, type SharedState } from '../lib/spotify';
import { openBlobStore, withStoreTimeout, type JsonStore } from './blobs';

export const STATE_STORE_NAME = 'spotify-state';
const STATE_KEY = 'state';

interface Lease {
  /** Frees the lease once the new state is written, so the next refresh need not wait for it to expire. */
  release(): Promise<void>;
}

export interface SharedStateStore {
  /** Null before the first refresh (or when the stored record is unreadable). */
  read(timeoutMs?: number): Promise<SharedState | null>;
  write(state: SharedState): Promise<void>;
  /** The right to refresh the state of `generation`, or null while another instance holds it. */
  lease(generation: number, now: number): Promise<Lease | null>;
}

interface LeaseRecord {
  holder: string;
  /** Epoch ms. */
  until: number;
}

export function createSharedStateStore(blobs: JsonStore = openBlobStore(STATE_STORE_NAME)): SharedStateStore {
  const readLease = async (key: string) =>
    ((await withStoreTimeout(blobs.getWithMetadata(key, { type: 'json' }), 'reading the refresh lease'))?.data ?? null) as LeaseRecord | null;

  return {
    async read(timeoutMs) {
      const found = await withStoreTimeout(blobs.getWithMetadata(STATE_KEY, { type: 'json' }), 'reading the shared state', timeoutMs);
      return found ? parseSharedState(found.data) : null;
    },
    async write(state) {
      await withStoreTimeout(blobs.setJSON(STATE_KEY, state), 'writing the shared state');
    },
    async lease(generation, now) {
      // One key per generation and time slot. A holder that died leaves its key
      // behind; the next slot's key is free once that lease has expired.
      const slot = Math.floor(now / LEASE_MS);
      const previous = await readLease(leaseKey(generation, slot - 1));
      if (previous && previous.until > now) return null;

      const key = leaseKey(generation, slot);
      const holder = randomUUID();
      const record: LeaseRecord = { holder, until: now + LEASE_MS };
      const written = await withStoreTimeout(blobs.setJSON(key, record, { onlyIfNew: true }), 'taking the refresh lease');
      if (!written.modified) return null;
      // `modified` is not proof: the local server's check is not atomic, so
      // writes in the same instant may all succeed and the last one stays.
      await sleep(LEASE_SETTLE_MS);
      if ((await readLease(key))?.holder !== holder) return null;
      return { release: () => withStoreTimeout(blobs.delete(key), 'releasing the refresh lease') };
    },
  };
}

const leaseKey = (generation: number, slot: number) => `lease/${generation}/${slot}`;
