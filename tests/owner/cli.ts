/**
 * Runs an owner CLI (scripts/**) with stdout and stderr collected and a way
 * to wait for a line: as its own process, the way `npm run` does (runCli),
 * or as its command function in this process (runCommand), which is much
 * faster and sees the same arguments, variables and output.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { Readable, Writable } from 'node:stream';
import type { AuthorizeCommandIO } from '../../scripts/authorize/command';
import { terminalPrompter } from '../../scripts/authorize/prompt';

export interface CliRun {
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `pattern` in stdout, waiting for it to appear. */
  waitFor(pattern: RegExp): Promise<RegExpExecArray>;
  exit: Promise<number>;
  exited(): boolean;
}

export interface RunningCli extends CliRun {
  kill(): void;
}

/** Variables that would point a CLI at a real account or a real browser. */
const CLEARED = ['SPOTIFY_CLIENT_ID', 'SPOTIFY_CLIENT_SECRET', 'SPOTIFY_REFRESH_TOKEN', 'SPOTIFY_REFRESH_TOKEN_ISSUED_AT', 'SPOTIFY_OWNER_ID', 'SPOTIFY_ACCOUNTS_URL', 'SPOTIFY_API_URL', 'SPOTIFY_REDIRECT_URI', 'NETLIFY_SITE_ID', 'LASTFM_USER', 'LASTFM_API_KEY', 'LASTFM_API_URL'];

export function runCli(script: string, args: string[], options: { env?: Record<string, string>; stdin?: string; cwd?: string } = {}): RunningCli {
  const env: NodeJS.ProcessEnv = { ...process.env, BROWSER: 'none', NO_COLOR: '1' };
  for (const name of CLEARED) delete env[name];
  Object.assign(env, options.env);
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(script), ...args], {
    cwd: options.cwd ?? process.cwd(),
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const output = collect(() => child.exitCode !== null);
  child.stdout.on('data', (chunk: Buffer) => output.out(chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => output.err(chunk.toString('utf8')));
  child.stdin.end(options.stdin ?? '');
  const exit = new Promise<number>((done) => child.on('exit', (code) => done(code ?? 1)));
  exit.then(output.ended);
  return { ...output.run(exit), kill: () => child.kill() };
}

/**
 * A command function (such as authorizeCommand) in this process, given the
 * I/O main.ts gives it from the process: `env` alone as the shell's
 * variables, `stdin` as piped input, and stdout and stderr collected. No
 * browser may open: the runs pass --no-open.
 */
export function runCommand(command: (io: AuthorizeCommandIO) => Promise<number>, options: { env?: Record<string, string>; stdin?: string } = {}): CliRun {
  let exited = false;
  const output = collect(() => exited);
  const stdout = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      output.out(chunk.toString());
      done();
    },
  });
  const io: AuthorizeCommandIO = {
    env: { ...options.env },
    fetch: (input, init) => globalThis.fetch(input, init),
    prompter: () => terminalPrompter(Readable.from(options.stdin ? [options.stdin] : []) as NodeJS.ReadStream, stdout as NodeJS.WriteStream),
    openBrowser: () => {
      throw new Error('a browser was opened despite --no-open');
    },
    out: (line) => output.out(`${line}\n`),
    err: (line) => output.err(`${line}\n`),
    now: () => new Date(),
  };
  const exit = command(io).finally(() => {
    exited = true;
    output.ended();
  });
  return output.run(exit);
}

/** stdout and stderr as they arrive, and the waiters for a line on stdout. */
function collect(hasExited: () => boolean) {
  let out = '';
  let err = '';
  const waiters: Array<() => void> = [];
  const wake = () => {
    for (const waiter of waiters.splice(0)) waiter();
  };
  return {
    out(text: string) {
      out += text;
      wake();
    },
    err: (text: string) => (err += text),
    ended: wake,
    run: (exit: Promise<number>): CliRun => ({
      exited: hasExited,
      stdout: () => out,
      stderr: () => err,
      exit,
      async waitFor(pattern) {
        for (;;) {
          const match = pattern.exec(out);
          if (match) return match;
          if (hasExited()) throw new Error(`exited (${await exit}) before printing ${pattern}:\n${out}\n${err}`);
          await new Promise<void>((waiter) => waiters.push(waiter));
        }
      },
    }),
  };
}
