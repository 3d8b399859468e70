/**
 * A production build in a throwaway copy of the project, so checks that need
 * a build (the size budget, the secret-leak test) never touch the dist/ and
 * .netlify/ that other tools are using. node_modules is linked, not copied.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { environmentForAstro } from '../test-support/serve/astro-environment';

const ROOT = resolve(import.meta.dirname, '..');
/** Build output, caches, VCS data and local secrets stay behind. */
const LEFT_BEHIND = new Set(['node_modules', 'dist', '.netlify', '.astro', '.git', 'test-results', 'coverage']);
const isLocalEnvFile = (name: string) => name.startsWith('.env') && name !== '.env.example';

export interface PrivateBuild {
  dir: string;
  remove(): void;
  /** What `astro build` printed (buildPrivateCopy only). */
  log?: string;
}

/**
 * The working tree as it is now (uncommitted edits included) in a temp folder
 * named `prefix…`, with node_modules linked, not copied.
 */
export function copyProject(prefix: string, root: string = ROOT): PrivateBuild {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cpSync(root, dir, {
    recursive: true,
    filter: (source) => {
      const top = relative(root, source).split(sep)[0] ?? '';
      return !LEFT_BEHIND.has(top) && !isLocalEnvFile(top);
    },
  });
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Copies the project to a temp folder and runs `astro build` there with `env` added. Throws with the build log on failure. */
export function buildPrivateCopy(env: Record<string, string> = {}): PrivateBuild {
  const { dir, remove } = copyProject('listening-build-');
  const result = spawnSync('npx', ['astro', 'build'], { cwd: dir, env: { ...environmentForAstro(), ...env }, encoding: 'utf8' });
  if (result.status !== 0) {
    remove();
    throw new Error(`astro build failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
  }
  return { dir, remove, log: `${result.stdout}\n${result.stderr}` };
}

/** Server-renders one path of a private build through the Netlify SSR function it produced. */
export async function renderPath(dir: string, path = '/'): Promise<Response> {
  const ssr = (await import(join(dir, '.netlify/v1/functions/ssr/ssr.mjs'))) as {
    default: (request: Request, context: unknown) => Promise<Response>;
  };
  const context = { waitUntil: () => {}, next: () => {}, geo: {}, ip: '127.0.0.1', params: {} };
  return ssr.default(new Request(new URL(path, 'http://localhost')), context);
}

/** Every regular file under `dir`, not following links (node_modules is one). */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/** `file: needle` for each needle found in one of `files`, read as bytes so binaries count too. */
export function needlesIn(files: string[], needles: readonly string[]): string[] {
  return files.flatMap((file) => {
    const text = readFileSync(file).toString('latin1');
    return needles.filter((needle) => text.includes(needle)).map((needle) => `${file}: ${needle}`);
  });
}
