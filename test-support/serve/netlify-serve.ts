/**
 * The production build served the way Netlify runs it locally:
 * `netlify serve --offline --internal-disable-edge-functions` builds the site
 * (CONTEXT=production) and serves the static files and functions. Shared by
 * the e2e suite and `npm run bench`.
 */
import { freePort } from './ports';
import { startServerProcess, type ServerProcess } from './server-process';

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

export type ServedSite = ServerProcess;

export async function startNetlifyServe(options: ServeOptions): Promise<ServedSite> {
  const [port, staticPort] = [await freePort(), await freePort()];
  return startServerProcess({
    name: 'netlify serve',
    npxArgs: [
      'netlify', 'serve', '--offline', '--internal-disable-edge-functions',
      '--port', String(port),
      // Without it the static server takes a fixed port (3999) and two servers collide.
      '--staticServerPort', String(staticPort),
    ],
    cwd: options.cwd,
    env: options.env,
    logFile: options.logFile,
    url: `http://localhost:${port}`,
    // The proxy only listens once the build is done, so any answer means ready.
    readyPath: '/favicon.ico',
    readyTimeoutMs: options.readyTimeoutMs ?? 240_000,
  });
}
