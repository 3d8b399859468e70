/**
 * Everything this project keeps in Netlify Blobs (strong consistency), and
 * the runtime's environment: the shared state, the refresh lease, and the
 * rotated or renewed refresh token. The rules live in the pure core
 * (src/lib/spotify/refresh-policy.ts, rotation.ts); this module only moves
 * records, each operation time-limited, because Blobs is shared state and
 * never a reason for a call to hang.
 *
 * The local Blobs server (netlify dev, netlify serve, astro dev) answers
 * conditional writes without atomicity, so the few waits that work around it
 * run only where `isLocalRuntime` says so. A deployed site pays none.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { getStore } from '@netlify/blobs';
import type { EnvAccessor } from '../lib/spotify/config';
import { LEASE_MS, LOCAL_LEASE_SETTLE_MS, LOCAL_STORE_TIMEOUT_MS, ROTATION_SETTLE_MS, STORE_TIMEOUT_MS, within } from '../lib/spotify/limits';
import { parseSharedState, type SharedState } from '../lib/spotify/refresh-policy';
import { parsePersistedRefreshToken, type PersistedRefreshToken } from '../lib/spotify/rotation';

/** The server modules' waits share this one import. */
export { sleep };

/* --- The runtime --- */

/** Netlify's runtime global, absent elsewhere. */
type WithNetlify = { Netlify?: { env: { get(name: string): string | undefined } } };

/**
 * Environment variables at run time: `Netlify.env` on Netlify's runtime,
 * `process.env` elsewhere (astro dev, tests, CLIs). Never `import.meta.env`:
 * Astro would inline secrets into the build.
 */
export const runtimeEnv: EnvAccessor = (name) => (globalThis as WithNetlify).Netlify?.env.get(name) ?? process.env[name];

/**
 * Netlify's own signal for a local run, as its functions runtime reads it:
 * the CLI sets NETLIFY_DEV for `netlify dev` and `functions:serve`, and its
 * config sets NETLIFY_LOCAL for local builds and `netlify serve`. Neither is
 * set on a deployed site.
 */
export const isLocalRuntime = (env: EnvAccessor = runtimeEnv) => Boolean(env('NETLIFY_DEV') || env('NETLIFY_LOCAL'));

/* --- Blobs, time-limited --- */

export type WriteCondition = { onlyIfNew?: boolean; onlyIfMatch?: never } | { onlyIfMatch?: string; onlyIfNew?: never };

/** The slice of Netlify Blobs used, so tests can supply a store with the same conditional-write semantics. */
export interface JsonStore {
  /** Null when the key is absent. The local Blobs server sends no ETag on reads. */
  getWithMetadata(key: string, options: { type: 'json' }): Promise<{ data: unknown; etag?: string } | null>;
  /** `modified: false` when the condition failed. */
  setJSON(key: string, data: unknown, condition?: WriteCondition): Promise<{ modified: boolean; etag?: string }>;
  delete(key: string): Promise<void>;
}

/**
 * Store `name`, strongly consistent, resolved on each use: outside a Netlify
 * context getStore throws, and that must surface as a failed operation,
 * never as a failed import.
 */
const blobStore = (name: string): JsonStore => getStore({ name, consistency: 'strong' });

/** Store `name` as a JsonStore, resolved on each use (blobStore). */
export function openBlobStore(name: string): JsonStore {
  const store = () => blobStore(name);
  return {
    getWithMetadata: (key, options) => store().getWithMetadata(key, options),
    setJSON: (key, data, condition) => store().setJSON(key, data, condition),
    delete: (key) => store().delete(key),
  };
}

/**
 * Bounds one store operation; `what` names it in the error ("reading the shared state").
 * Deployed Blobs answers in tens of milliseconds. The local server, a fresh
 * worker per call on a small machine, was measured at up to 2.8 s per
 * operation in a burst, so it gets longer.
 */
export async function withStoreTimeout<T>(work: Promise<T>, what: string, local = isLocalRuntime()): Promise<T> {
  const timeoutMs = local ? LOCAL_STORE_TIMEOUT_MS : STORE_TIMEOUT_MS;
  // Boxed, so that a store answering null (an absent key) is not taken for the timeout.
  const done = await within(work.then((value) => ({ value })), timeoutMs);
  if (!done) throw new Error(`Netlify Blobs did not answer within ${timeoutMs} ms when ${what}.`);
  return done.value;
}

export const describeError = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

/**
 * The keys of store `name` (or of `blobs`, in tests): each key's reads and
 * writes bounded by the runtime's store timeout, errors naming the key; `get`
 * answers the value, undefined when the key is absent.
 */
function timedKeys(name: string, blobs: JsonStore | undefined, local: boolean) {
  const store = () => blobs ?? blobStore(name);
  return (key: string) => ({
    get: async () => (await withStoreTimeout(store().getWithMetadata(key, { type: 'json' }), `reading ${key}`, local))?.data,
    set: (data: unknown, condition?: WriteCondition) => withStoreTimeout(store().setJSON(key, data, condition), `writing ${key}`, local),
    delete: () => withStoreTimeout(store().delete(key), `deleting ${key}`, local),
  });
}

/* --- The shared state and its lease --- */

export const STATE_STORE_NAME = 'spotify-state';

interface Lease {
  /** Frees the lease once the new state is written, so the next refresh need not wait for it to expire. */
  release(): Promise<void>;
}

export interface SharedStateStore {
  /** Null before the first refresh (or when the stored record is unreadable); throws when Blobs fails. */
  read(): Promise<SharedState | null>;
  write(state: SharedState): Promise<void>;
  /** The right to refresh the state of `generation`, or null while another instance holds it. */
  lease(generation: number, now: number): Promise<Lease | null>;
  /** The last state this instance read or wrote: what a warm instance answers from while Blobs is down. */
  readonly remembered: SharedState | null;
}

interface LeaseRecord {
  holder: string;
  /** Epoch ms. */
  until: number;
}

export function createSharedStateStore(blobs?: JsonStore, local = isLocalRuntime()): SharedStateStore {
  const keyed = timedKeys(STATE_STORE_NAME, blobs, local);
  const stored = keyed('state');
  const lease = (generation: number, slot: number) => keyed(`lease/${generation}/${slot}`);
  let remembered: SharedState | null = null;

  return {
    get remembered() {
      return remembered;
    },
    async read() {
      const state = parseSharedState(await stored.get());
      if (state) remembered = state;
      return state;
    },
    async write(state) {
      await stored.set(state);
      remembered = state;
    },
    async lease(generation, now) {
      // One key per generation and time slot. A holder that died leaves its key
      // behind; the next slot's key is free once that lease has expired, and a
      // lease taken late in the previous slot still holds across the boundary.
      const slot = Math.floor(now / LEASE_MS);
      const previous = (await lease(generation, slot - 1).get()) as LeaseRecord | undefined;
      if (previous && previous.until > now) return null;

      const key = lease(generation, slot);
      const holder = randomUUID();
      if (!(await key.set({ holder, until: now + LEASE_MS } satisfies LeaseRecord, { onlyIfNew: true })).modified) return null;
      if (local) {
        // The local server reports `modified` to every same-instant writer and keeps the last:
        // the winner is whoever still holds the key a moment later.
        await sleep(LOCAL_LEASE_SETTLE_MS);
        if (((await key.get()) as LeaseRecord | undefined)?.holder !== holder) return null;
      }
      return { release: key.delete };
    },
  };
}


/* --- The rotated or renewed refresh token --- */

export const TOKEN_STORE_NAME = 'spotify-auth';

export interface RefreshTokenStore {
  /**
   * `afterRefusal`: Spotify just refused the token read last. Locally, a
   * rotation another worker made may take a moment to show, so the read
   * waits first; deployed Blobs is read-after-write consistent.
   */
  read(options?: { afterRefusal?: boolean }): Promise<PersistedRefreshToken | null>;
  /**
   * Unconditional: the record written is the newest token whatever another
   * writer saved meanwhile (a compare-and-swap would only retry the same write).
   */
  write(record: PersistedRefreshToken): Promise<void>;
}

export function createTokenStore(blobs?: JsonStore, local = isLocalRuntime()): RefreshTokenStore {
  const stored = timedKeys(TOKEN_STORE_NAME, blobs, local)('refresh-token');
  return {
    async read(options = {}) {
      // Only the local server needs this wait.
      if (options.afterRefusal && local) await sleep(ROTATION_SETTLE_MS);
      return parsePersistedRefreshToken(await stored.get());
    },
    async write(record) {
      await stored.set(record);
    },
  };
}
