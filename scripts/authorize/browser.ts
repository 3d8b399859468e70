import { spawn } from 'node:child_process';

/**
 * Opens a URL in the desktop browser when there is one. Headless machines
 * (no DISPLAY on Linux, or BROWSER=none) get only the printed URL.
 */
export function openInBrowser(url: string, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.BROWSER === 'none') return false;
  const command =
    process.platform === 'darwin' ? ['open', url]
    : process.platform === 'win32' ? ['cmd', '/c', 'start', '""', url.replace(/&/g, '^&')]
    : env.DISPLAY || env.WAYLAND_DISPLAY ? ['xdg-open', url]
    : null;
  if (!command) return false;
  try {
    const child = spawn(command[0]!, command.slice(1), { detached: true, stdio: 'ignore' });
    child.on('error', () => {});
    child.unref();
    return true;
  } catch {
    return false;
  }
}
