import { randomBytes } from 'node:crypto';
import { readFile, readlink, realpath, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { setDotenvValues } from './dotenv';

/** The file's text, or '' when it does not exist yet. */
export async function readTextIfExists(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw error;
  }
}

/**
 * Writes beside the target, then renames over it: a crash or a full disk
 * leaves the old `.env` whole, never half a file. Owner-only, since it holds secrets.
 * When `path` is a symlink, the file it points to is the one replaced, so the
 * link stays a link (renaming over the link itself would turn it into a copy).
 */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const target = await linkTarget(path);
  const temporary = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temporary, text, { mode: 0o600 });
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** The file that a write to `path` should replace: `path` itself, or the file its symlinks end at. */
async function linkTarget(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    // Nothing there yet, or a link to a file not created yet: write where the link points.
    const link = await readlink(path).catch(() => null);
    return link === null ? path : linkTarget(resolve(dirname(path), link));
  }
}

/** The values the file assigns, read as `npm run dev` reads them. */
export async function readDotenvFile(path: string): Promise<Record<string, string>> {
  // parseEnv only ever sets keys to strings; its type allows undefined.
  return parseEnv(await readTextIfExists(path)) as Record<string, string>;
}

export async function updateDotenvFile(path: string, values: Record<string, string>): Promise<void> {
  await writeFileAtomic(path, setDotenvValues(await readTextIfExists(path), values));
}

/** Shows that a secret is there without showing it. */
export const mask = (secret: string): string => (secret.length <= 8 ? '•'.repeat(secret.length) : `${secret.slice(0, 4)}…(${secret.length} characters)`);
