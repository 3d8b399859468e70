/**
 * The .env update is atomic: when the step that replaces the file fails (a
 * crash, a full disk, a lost rename), the old .env is still there, whole, and
 * no temporary copy of the secrets is left beside it. A .env that is a
 * symlink stays one, and the file it points to gets the new values.
 */
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
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

  it('writes through a symlinked .env to its target, and leaves the link a link', async () => {
    await mkdir(join(dir, 'secrets'));
    await writeFile(join(dir, 'secrets', 'widget.env'), BEFORE);
    await rm(join(dir, '.env'));
    await symlink(join('secrets', 'widget.env'), join(dir, '.env'));

    await updateDotenvFile(join(dir, '.env'), { SPOTIFY_REFRESH_TOKEN: 'new-token' });
    expect((await lstat(join(dir, '.env'))).isSymbolicLink(), '.env is still a symlink').toBe(true);
    expect(await readlink(join(dir, '.env'))).toBe(join('secrets', 'widget.env'));
    expect(await readFile(join(dir, 'secrets', 'widget.env'), 'utf8')).toContain('SPOTIFY_REFRESH_TOKEN=new-token\n');
    expect(await readdir(join(dir, 'secrets')), 'no temporary file left beside the target').toEqual(['widget.env']);
  });

  it('creates the file a dangling .env symlink points to, instead of replacing the link', async () => {
    await rm(join(dir, '.env'));
    await symlink('widget.env', join(dir, '.env'));

    await updateDotenvFile(join(dir, '.env'), { SPOTIFY_REFRESH_TOKEN: 'new-token' });
    expect((await lstat(join(dir, '.env'))).isSymbolicLink(), '.env is still a symlink').toBe(true);
    expect(await readFile(join(dir, 'widget.env'), 'utf8')).toBe('SPOTIFY_REFRESH_TOKEN=new-token\n');
  });
});
