/**
 * Served sites in throwaway copies of the project: the main e2e site and the
 * shared-state suite's own. Two `netlify serve` in one project directory
 * would share more than a port: each build rewrites dist/ and .netlify/ under
 * the other (the served HTML then names asset files that no longer exist, and
 * no island hydrates), and the local Netlify Blobs server keeps its data in
 * the project (.netlify/blobs-serve), so both would read and write one store.
 * In a copy, the build, the functions and the Blobs are the server's own.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { copyProject as copyProjectTo, type PrivateBuild } from '../../../scripts/private-build';
import { startNetlifyServe, type ServeOptions, type ServedSite } from '../../../test-support/serve/netlify-serve';

export type ProjectCopy = PrivateBuild;

/** The working tree as it is now (uncommitted edits included), with node_modules linked, not copied. */
export const copyProject = (root: string): ProjectCopy => copyProjectTo('listening-serve-', root);

/** The Spotify app a served site uses: its credentials, and the fake Spotify that stands in for both the accounts service and the Web API. */
export interface FakeSpotifyApp {
  clientId: string;
  clientSecret: string;
  /** The site's SPOTIFY_REFRESH_TOKEN. */
  refreshToken: string;
  /** The fake's URL. */
  url: string;
}

/**
 * Serves a project copy with `netlify serve`, pointed at a fake Spotify; `env` adds to (or overrides) the Spotify settings.
 * With `spotify` null the site has no Spotify credentials (blank, so none comes in from the shell): a Last.fm-only site.
 */
export function serveCopy(
  copy: ProjectCopy,
  spotify: FakeSpotifyApp | null,
  { env, ...options }: Omit<ServeOptions, 'cwd' | 'env'> & { env?: Record<string, string> },
): Promise<ServedSite> {
  return startNetlifyServe({
    ...options,
    cwd: copy.dir,
    env: {
      SPOTIFY_CLIENT_ID: spotify?.clientId ?? '',
      SPOTIFY_CLIENT_SECRET: spotify?.clientSecret ?? '',
      SPOTIFY_REFRESH_TOKEN: spotify?.refreshToken ?? '',
      ...(spotify && { SPOTIFY_ACCOUNTS_URL: spotify.url, SPOTIFY_API_URL: spotify.url }),
      ...env,
    },
  });
}

/** Where reuseBuild keeps the build's functions: outside .netlify/v1, which every `netlify serve` empties first. */
const KEPT_BUILD = '.e2e-built-v1';

/**
 * Makes every later `netlify serve` of this copy serve the build it has now
 * instead of building again, so a file can restart its site with another
 * environment in seconds. Call it once a `serveCopy` of the copy is ready.
 * The site reads its configuration at run time, so the build does not depend
 * on the environment. `netlify serve` always runs the build command and first
 * empties .netlify/v1 (the SSR function the Astro build wrote there): the
 * copy's build command becomes putting that folder back; dist/ stays as built.
 */
export function reuseBuild(copy: ProjectCopy): void {
  cpSync(join(copy.dir, '.netlify', 'v1'), join(copy.dir, KEPT_BUILD), { recursive: true });
  const config = join(copy.dir, 'netlify.toml');
  const before = readFileSync(config, 'utf8');
  const after = before.replace(/^(\s*command\s*=\s*)".*"$/m, `$1"mkdir -p .netlify/v1 && cp -R ${KEPT_BUILD}/. .netlify/v1/"`);
  if (after === before) throw new Error(`No build command to replace in ${config}.`);
  writeFileSync(config, after);
}

/**
 * Empties Blobs stores of a site served from `dir`. The local Blobs server
 * (@netlify/blobs/server, started by netlify serve) keeps each entry as a
 * file, `.netlify/blobs-serve/{entries,metadata}/<site id>/site:<store>/<key>`,
 * and reads the disk on every request, so deleting the folders empties the
 * stores for the running server at once. Only safe while no function writes:
 * wait until the site is quiet first.
 */
export function clearBlobStores(dir: string, stores: readonly string[]): void {
  const base = join(dir, '.netlify', 'blobs-serve');
  for (const kind of ['entries', 'metadata']) {
    for (const site of safeReaddir(join(base, kind))) {
      for (const store of stores) rmSync(join(base, kind, site, `site:${store}`), { recursive: true, force: true });
    }
  }
}

/** One Blobs entry of a site served from `dir`, as stored on disk (layout as above), or null when there is none. */
export function readBlobEntry(dir: string, store: string, key: string): string | null {
  const base = join(dir, '.netlify', 'blobs-serve', 'entries');
  for (const site of safeReaddir(base)) {
    try {
      return readFileSync(join(base, site, `site:${store}`, key), 'utf8');
    } catch {
      // Not stored for this site id.
    }
  }
  return null;
}

function safeReaddir(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}

/**
 * Makes one Blobs entry of a site served from `dir` unreadable until the
 * returned function puts it back. `fails`: a symlink loop, which the local
 * Blobs server answers with a 500 (ELOOP). `hangs`: a named pipe with no
 * writer, whose open blocks, so the read never answers; putting the entry back
 * opens the pipe for writing once, which lets the blocked reads finish.
 */
export function breakBlobEntry(dir: string, store: string, key: string, how: 'fails' | 'hangs'): () => void {
  const base = join(dir, '.netlify', 'blobs-serve', 'entries');
  const path = safeReaddir(base)
    .map((site) => join(base, site, `site:${store}`, key))
    .find((candidate) => safeRead(candidate) !== null);
  if (!path) throw new Error(`No Blobs entry ${store}/${key} under ${base} to break.`);
  renameSync(path, `${path}.kept`);
  if (how === 'fails') symlinkSync(path, path);
  else execFileSync('mkfifo', [path]);
  return () => {
    if (how === 'hangs') execFileSync('bash', ['-c', `exec 3<>"$1"; exec 3>&-`, 'release', path], { timeout: 5_000 });
    rmSync(path, { force: true });
    renameSync(`${path}.kept`, path);
  };
}

function safeRead(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/**
 * Waits until the fakes have seen no request for a second (`requests` counts
 * what they have seen so far): whatever refresh was under way has written
 * its state, so emptying the stores now cannot race it.
 */
export async function waitUntilQuiet(requests: () => Promise<number>): Promise<void> {
  let seen = await requests();
  for (let round = 0; round < 20; round += 1) {
    await sleep(1_000);
    const now = await requests();
    if (now === seen) return;
    seen = now;
  }
  throw new Error('The fakes kept receiving requests for 20 s after the test ended.');
}

/** A site's answer as the state tests read it. */
export interface Answer {
  status: number;
  text: string;
  headers: Headers;
}

/** GET on a served site: status, body and headers. */
export async function fetchAnswer(site: ServedSite | undefined, path: string): Promise<Answer> {
  if (!site) throw new Error('The site is not served yet.');
  const response = await fetch(`${site.url}${path}`);
  return { status: response.status, text: await response.text(), headers: response.headers };
}
