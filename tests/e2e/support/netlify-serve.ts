/**
 * The production build served the way Netlify runs it locally:
 * `netlify serve --offline --internal-disable-edge-functions` builds the site
 * (CONTEXT=production) and serves the static files and functions. Shared by
 * the e2e suite and `npm run bench`.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { freePort } from './ports';
import { treeRssBytes } from './process-tree';

export interface ServeOptions {
  /** The project directory; the build writes dist/ and .netlify/ here. */
  cwd: string;
  /** Extra environment for the build and the functions (credentials, Spotify URLs). */
  env: Record<string, string>;
  /** Where the server's output goes, for reading when something fails. */
  logFile: string;
  /** Build plus start-up; a cold build on a slow machine takes a while. */
  readyTimeoutMs?: number;
}

export interface ServedSite {
  url: string;
  pid: number;
  logFile: string;
  /** Resident memory of the server's whole process tree, in bytes (null off Linux). */
  rssBytes(): number | null;
  close(): Promise<void>;
}

const READY_POLL_MS = 250;

export async function startNetlifyServe(options: ServeOptions): Promise<ServedSite> {
  const [port, staticPort] = [await freePort(), await freePort()];
  mkdirSync(dirname(options.logFile), { recursive: true });
  const log = openSync(options.logFile, 'w');
  const child = spawn(
    'npx',
    [
      'netlify', 'serve', '--offline', '--internal-disable-edge-functions',
      '--port', String(port),
      // Without it the static server takes a fixed port (3999) and two servers collide.
      '--staticServerPort', String(staticPort),
    ],
    {
      cwd: options.cwd,
      env: { ...process.env, ...options.env, BROWSER: 'none', CI: 'true' },
      // Its own process group, so closing it also ends the build, functions and workers it started.
      detached: true,
      stdio: ['ignore', log, log],
    },
  );
  closeSync(log);
  const pid = child.pid;
  if (pid === undefined) throw new Error('Could not start `npx netlify serve` (is netlify-cli installed? Run `npm install`).');

  let exited: string | null = null;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = `exited with ${signal ?? `code ${code}`}`;
      resolve();
    });
  });
  const url = `http://localhost:${port}`;
  const site: ServedSite = {
    url,
    pid,
    logFile: options.logFile,
    rssBytes: () => treeRssBytes(pid),
    close: async () => {
      if (exited) return;
      signalGroup(pid, 'SIGTERM');
      const stopped = await Promise.race([exit.then(() => true), delay(5_000).then(() => false)]);
      if (!stopped) signalGroup(pid, 'SIGKILL');
      // Workers may outlive the leader for a moment; make sure nothing of the group is left.
      signalGroup(pid, 'SIGKILL');
    },
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 240_000);
  while (Date.now() < deadline) {
    if (exited) throw new Error(`netlify serve ${exited} before it was ready.\n${tail(options.logFile)}`);
    // The proxy only listens once the build is done, so any answer means ready.
    const answered = await fetch(`${url}/favicon.ico`, { signal: AbortSignal.timeout(2_000) }).then(
      () => true,
      () => false,
    );
    if (answered) return site;
    await delay(READY_POLL_MS);
  }
  await site.close();
  throw new Error(`netlify serve was not ready after ${options.readyTimeoutMs ?? 240_000} ms.\n${tail(options.logFile)}`);
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The end of the server's log, for error messages. */
export function tail(file: string, lines = 40): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return `(no log at ${file})`;
  }
}
