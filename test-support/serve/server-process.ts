/**
 * A local server started for tests or the bench: its own process group (so
 * closing it also ends the builds, functions and workers it started), output
 * to a log file, and a wait until it answers HTTP.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { environmentForAstro } from './astro-environment';
import { treeRssBytes } from './process-tree';

export interface ServerProcess {
  url: string;
  pid: number;
  logFile: string;
  /** Resident memory of the server's whole process tree, in bytes (null off Linux). */
  rssBytes(): number | null;
  close(): Promise<void>;
}

export interface StartOptions {
  /** What to run, e.g. `['netlify', 'serve', …]` through npx. */
  npxArgs: string[];
  cwd: string;
  env: Record<string, string>;
  logFile: string;
  /** The server's base URL once it listens. */
  url: string;
  /** A path that answers (any status) once the server is ready. */
  readyPath: string;
  readyTimeoutMs: number;
  /** Named in error messages. */
  name: string;
}

const READY_POLL_MS = 250;

export async function startServerProcess(options: StartOptions): Promise<ServerProcess> {
  mkdirSync(dirname(options.logFile), { recursive: true });
  const log = openSync(options.logFile, 'w');
  const child = spawn('npx', options.npxArgs, {
    cwd: options.cwd,
    env: { ...environmentForAstro(), ...options.env, BROWSER: 'none', CI: 'true' },
    detached: true,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`Could not start \`npx ${options.npxArgs.join(' ')}\` (run \`npm install\`).`);

  let exited: string | null = null;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = `exited with ${signal ?? `code ${code}`}`;
      resolve();
    });
  });
  const server: ServerProcess = {
    url: options.url,
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

  const deadline = Date.now() + options.readyTimeoutMs;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${options.name} ${exited} before it was ready.\n${tail(options.logFile)}`);
    const answered = await fetch(`${options.url}${options.readyPath}`, { signal: AbortSignal.timeout(2_000) }).then(
      () => true,
      () => false,
    );
    if (answered) return server;
    await delay(READY_POLL_MS);
  }
  await server.close();
  throw new Error(`${options.name} was not ready after ${options.readyTimeoutMs} ms.\n${tail(options.logFile)}`);
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
