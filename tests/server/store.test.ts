/**
 * The store module: against the file-backed local Blobs server (the same
 * emulation `astro dev` and `netlify dev` use), records survive a restart, a
 * first write refuses to clobber a record written meanwhile, the lease has one
 * holder, and the service keeps a rotated token across a restart; over
 * in-memory Blobs, the lease's slot rule and the local-only waits.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setEnvironmentContext } from '@netlify/blobs';
import { BlobsServer } from '@netlify/blobs/server';
import { http, passthrough } from 'msw';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LEASE_MS } from '../../src/lib/spotify/limits';
import { DEFAULT_QUERY } from '../../src/lib/spotify/query';
import { tokenFingerprint } from '../../src/lib/spotify/rotation';
import { loadListening } from '../../src/server/listening-service';
import { createSharedStateStore, createTokenStore, isLocalRuntime, openBlobStore } from '../../src/server/store';
import { createMemoryBlobs } from '../../test-support/memory-blobs';
import { testEnv } from '../helpers/service';
import { TEST_CREDENTIALS, useFakeSpotify } from '../mocks/spotify';
import { server as msw } from '../setup/msw';

const TOKEN = 'local-blobs-token';
let directory: string;
let blobs: BlobsServer | undefined;

async function startBlobs(): Promise<void> {
  blobs = new BlobsServer({ directory, token: TOKEN });
  const { port } = await blobs.start();
  const url = `http://127.0.0.1:${port}`;
  setEnvironmentContext({ edgeURL: url, uncachedEdgeURL: url, siteID: 'owner-test-site', token: TOKEN });
}

beforeEach(async () => {
  msw.use(http.all(/^http:\/\/127\.0\.0\.1:\d+\//, () => passthrough()));
  directory = await mkdtemp(join(tmpdir(), 'owner-blobs-'));
  await startBlobs();
});
afterEach(async () => {
  await blobs?.stop();
  delete process.env.NETLIFY_BLOBS_CONTEXT;
  await rm(directory, { recursive: true, force: true });
});

describe('createTokenStore over the local Blobs server', () => {
  it('reads back what it wrote, after the Blobs server restarted', async () => {
    const record = { refreshToken: 'rotated', descendsFrom: await tokenFingerprint('env'), rotatedAt: '2026-11-23T12:00:00.000Z' };
    const store = createTokenStore(openBlobStore('owner-test'));
    expect(await store.read()).toBeNull();
    await store.write(record);

    await blobs!.stop();
    await startBlobs();
    expect(await createTokenStore(openBlobStore('owner-test')).read()).toEqual(record);
  });
});

describe('loadListening with the default Blobs store', () => {
  it('keeps working across a restart after Spotify rotated the token and refused the old one', async () => {
    const fake = useFakeSpotify({ scenario: 'rotation' });
    // Stateless, so the second call exchanges again: this is about the token, not the shared state.
    const env = testEnv();
    const lines: string[] = [];
    const log = { warn: (line: string) => lines.push(line) };

    expect((await loadListening(DEFAULT_QUERY, { env, log })).ok).toBe(true);
    await blobs!.stop();
    await startBlobs();
    const afterRestart = await loadListening(DEFAULT_QUERY, { env, log });

    expect(afterRestart.ok, lines.join('\n')).toBe(true);
    expect(fake.acceptedRefreshToken).toBe(`${TEST_CREDENTIALS.SPOTIFY_REFRESH_TOKEN}~r2`);
    expect(lines).toEqual([]);
  });
});

describe('the refresh lease over the local Blobs server', () => {
  it('has exactly one holder when 30 instances ask at once, although the server may report every write as a success', async () => {
    const store = createSharedStateStore(openBlobStore('lease-test'), true);
    const now = Date.now();
    const leases = await Promise.all(Array.from({ length: 30 }, () => store.lease(7, now)));
    expect(leases.filter(Boolean)).toHaveLength(1);
  });

  it('is free again once released, and taken again by one', async () => {
    const store = createSharedStateStore(openBlobStore('lease-test'));
    const now = Date.now();
    const first = await store.lease(8, now);
    expect(await store.lease(8, now), 'held').toBeNull();
    await first!.release();
    expect(await store.lease(8, now), 'released').not.toBeNull();
  });
});

describe('the lease and the local-only waits, over in-memory Blobs', () => {
  it('still holds across a slot boundary: a lease taken late in one slot blocks the next slot until it expires', async () => {
    const store = createSharedStateStore(createMemoryBlobs(), false);
    const lateInSlot = 1_000 * LEASE_MS - 1;
    expect(await store.lease(3, lateInSlot), 'taken').not.toBeNull();
    expect(await store.lease(3, lateInSlot + 2), 'next slot, lease unexpired').toBeNull();
    expect(await store.lease(3, lateInSlot + LEASE_MS + 1), 'once it has expired').not.toBeNull();
  });

  it('reads the lease back only on the local server, whose conditional writes are not atomic', async () => {
    const deployed = createMemoryBlobs();
    await createSharedStateStore(deployed, false).lease(1, 0);
    const local = createMemoryBlobs();
    await createSharedStateStore(local, true).lease(1, 0);
    expect([deployed.counts.reads, local.counts.reads], 'the previous slot; plus the read-back locally').toEqual([1, 2]);
  });

  it('waits before a second look at a refused token only on the local server', async () => {
    const firstToSettle = (local: boolean) =>
      Promise.race([
        createTokenStore(createMemoryBlobs(), local).read({ afterRefusal: true }).then(() => 'read'),
        new Promise((resolve) => setImmediate(resolve, 'waited')),
      ]);
    expect(await firstToSettle(false), 'deployed').toBe('read');
    expect(await firstToSettle(true), 'local').toBe('waited');
  });

  it('knows a local run by Netlify’s own signals, NETLIFY_DEV and NETLIFY_LOCAL', () => {
    const env = (values: Record<string, string>) => (name: string) => values[name];
    expect(isLocalRuntime(env({ NETLIFY_DEV: 'true' }))).toBe(true);
    expect(isLocalRuntime(env({ NETLIFY_LOCAL: 'true' }))).toBe(true);
    expect(isLocalRuntime(env({ NETLIFY: 'true', CONTEXT: 'production' }))).toBe(false);
  });
});
