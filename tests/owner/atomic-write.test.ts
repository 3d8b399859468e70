/**
 * The .env update is atomic: when the step that replaces the file fails (a
 * crash, a full disk, a lost rename), the old .env is still there, whole, and
 * no temporary copy of the secrets is left beside it.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { updateDotenvFile } from '../../scripts/authorize/files';

const failRename = vi.hoisted(() => ({ on: false }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...real,
    rename: async (...args: Parameters<typeof real.rename>) => {
      if (failRename.on) throw Object.assign(new Error('simulated crash before the rename'), { code: 'EIO' });
      return real.rename(...args);
    },
  };
});

const BEFORE = '# mine\nSPOTIFY_CLIENT_ID=id\nSPOTIFY_REFRESH_TOKEN=old-token\n';
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'owner-atomic-'));
  await writeFile(join(dir, '.env'), BEFORE);
});
afterEach(async () => {
  failRename.on = false;
  await rm(dir, { recursive: true, force: true });
});

describe('updateDotenvFile', () => {
  it('replaces .env with the new text when the rename succeeds', async () => {
    await updateDotenvFile(join(dir, '.env'), { SPOTIFY_REFRESH_TOKEN: 'new-token' });
    expect(await readFile(join(dir, '.env'), 'utf8')).toBe('# mine\nSPOTIFY_CLIENT_ID=id\nSPOTIFY_REFRESH_TOKEN=new-token\n');
    expect(await readdir(dir)).toEqual(['.env']);
  });

  it('leaves the old .env intact and no temporary file when the write cannot be completed', async () => {
    failRename.on = true;
    await expect(updateDotenvFile(join(dir, '.env'), { SPOTIFY_REFRESH_TOKEN: 'new-token' })).rejects.toThrow(/simulated crash/);
    expect(await readFile(join(dir, '.env'), 'utf8')).toBe(BEFORE);
    expect(await readdir(dir)).toEqual(['.env']);
  });
});
