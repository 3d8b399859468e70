/**
 * Which value the owner tools use when a variable is both in the shell and in
 * `.env`: the shell's, as astro dev (Node's process.loadEnvFile) and the
 * Netlify CLI decide it, so every tool sees what the widget sees. A variable
 * set in the shell hides the .env line even when it is empty, as in Node.
 */
import type { EnvAccessor } from '../../src/lib/spotify/config';

export function shellOverDotenv(shell: NodeJS.ProcessEnv, fromFile: Record<string, string>): EnvAccessor {
  return (name) => (shell[name] ?? fromFile[name])?.trim() || undefined;
}

/** The names just saved to .env that the shell sets to something else: nothing reads what was saved. */
export function hiddenByShell(shell: NodeJS.ProcessEnv, saved: Record<string, string>): string[] {
  return Object.keys(saved).filter((name) => shell[name] !== undefined && shell[name] !== saved[name]);
}

export function hiddenByShellMessage(names: string[], envFile: string): string[] {
  return [
    `! ${names.join(' and ')} ${names.length === 1 ? 'is' : 'are'} also set in your shell, which wins over ${envFile}, so the value just saved is not used.`,
    `  Run \`unset ${names.join(' ')}\` (and remove ${names.length === 1 ? 'it' : 'them'} from your shell profile), then run the command again.`,
  ];
}

/** One line for `--help`. */
export const PRECEDENCE_HELP = 'A variable set in the shell environment wins over the same variable in .env (as in `npm run dev`).';
