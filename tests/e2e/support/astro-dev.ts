/**
 * `astro dev`, as `npm run dev` starts it, on a free port. `--ignore-lock`
 * lets it run beside a developer's own dev server (Astro allows one per
 * project otherwise), and keeps Astro from moving it to the background.
 */
import { freePort } from '../../../test-support/serve/ports';
import { startServerProcess, type ServerProcess } from '../../../test-support/serve/server-process';

export async function startAstroDev(options: { cwd: string; env: Record<string, string>; logFile: string }): Promise<ServerProcess> {
  const port = await freePort();
  return startServerProcess({
    name: 'astro dev',
    npxArgs: ['astro', 'dev', '--ignore-lock', '--port', String(port), '--host', '127.0.0.1'],
    cwd: options.cwd,
    env: options.env,
    logFile: options.logFile,
    url: `http://127.0.0.1:${port}`,
    readyPath: '/favicon.svg',
    readyTimeoutMs: 90_000,
  });
}
