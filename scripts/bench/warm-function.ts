/** Starts warm-host.ts in its own process (so its memory can be read on its own) and stops it. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { treeRssBytes } from '../../test-support/serve/process-tree';

export interface WarmFunction {
  url: string;
  rssBytes(): number | null;
  close(): void;
}

export function startWarmFunction(modulePath: string, blobsDirectory: string, env: Record<string, string>): Promise<WarmFunction> {
  const host = fileURLToPath(new URL('./warm-host.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', host, modulePath, blobsDirectory], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    let ready = false;
    child.once('exit', (code) => reject(new Error(`the warm function host exited with code ${code} before it was ready`)));
    // Keeps draining the function's own log lines after start-up, so the pipe never fills.
    child.stdout.on('data', (chunk: Buffer) => {
      if (ready) return;
      output += chunk.toString();
      const match = /listening (\S+)/.exec(output);
      if (!match) return;
      ready = true;
      child.removeAllListeners('exit');
      resolve({
        url: match[1]!,
        rssBytes: () => (child.pid === undefined ? null : treeRssBytes(child.pid)),
        close: () => child.kill('SIGKILL'),
      });
    });
  });
}
