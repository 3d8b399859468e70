/**
 * Runs an owner CLI (scripts/**) as its own process, the way `npm run` does,
 * with stdout and stderr collected and a way to wait for a line.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

export interface RunningCli {
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `pattern` in stdout, waiting for it to appear. */
  waitFor(pattern: RegExp): Promise<RegExpExecArray>;
  exit: Promise<number>;
  kill(): void;
}

/** Variables that would point a CLI at a real account or a real browser. */
const CLEARED = ['SPOTIFY_CLIENT_ID', 'SPOTIFY_CLIENT_SECRET', 'SPOTIFY_REFRESH_TOKEN', 'SPOTIFY_REFRESH_TOKEN_ISSUED_AT', 'SPOTIFY_OWNER_ID', 'SPOTIFY_ACCOUNTS_URL', 'SPOTIFY_API_URL', 'SPOTIFY_REDIRECT_URI', 'NETLIFY_SITE_ID'];

export function runCli(script: string, args: string[], options: { env?: Record<string, string>; stdin?: string; cwd?: string } = {}): RunningCli {
  const env: NodeJS.ProcessEnv = { ...process.env, BROWSER: 'none', NO_COLOR: '1' };
  for (const name of CLEARED) delete env[name];
  Object.assign(env, options.env);
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(script), ...args], {
    cwd: options.cwd ?? process.cwd(),
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters: Array<() => void> = [];
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
    for (const wake of waiters.splice(0)) wake();
  });
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  child.stdin.end(options.stdin ?? '');
  const exit = new Promise<number>((done) => child.on('exit', (code) => done(code ?? 1)));
  exit.then(() => {
    for (const wake of waiters.splice(0)) wake();
  });

  return {
    stdout: () => out,
    stderr: () => err,
    exit,
    kill: () => child.kill(),
    async waitFor(pattern) {
      for (;;) {
        const match = pattern.exec(out);
        if (match) return match;
        if (child.exitCode !== null) throw new Error(`exited (${child.exitCode}) before printing ${pattern}:\n${out}\n${err}`);
        await new Promise<void>((wake) => waiters.push(wake));
      }
    },
  };
}
