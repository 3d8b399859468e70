/**
 * The one-shot loopback server that receives Spotify's redirect. It binds to
 * the redirect URI's loopback address only, answers the browser with a page,
 * and settles once: on a code handled, on Spotify's error, or on timeout.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readCallback } from '../../src/lib/spotify/authorize-url';

export type CallbackResult =
  | { kind: 'done'; ok: boolean }
  | { kind: 'denied'; error: string; description: string | null }
  | { kind: 'no_code' }
  | { kind: 'timeout' };

/** What handling the code produced: the page the browser shows and whether the run succeeded. */
export interface CodeOutcome {
  ok: boolean;
  title: string;
  message: string;
}

export interface CallbackServerOptions {
  host: string;
  port: number;
  path: string;
  state: string;
  timeoutMs: number;
  onCode(code: string): Promise<CodeOutcome>;
  /** A request with a missing or foreign state: ignored, and reported. */
  onBadState(): void;
}

export interface CallbackServer {
  /** The address actually bound: the redirect URI's loopback host, never all interfaces. */
  address: string;
  /** The port actually bound (differs from the requested one when that was 0). */
  port: number;
  result: Promise<CallbackResult>;
  close(): Promise<void>;
}

/** Another process already listens on the port (EADDRINUSE). */
export class PortBusyError extends Error {
  override readonly name = 'PortBusyError';
}

/** The system does not let this process listen on the port (EACCES), e.g. a port below 1024 without admin rights. */
export class PortDeniedError extends Error {
  override readonly name = 'PortDeniedError';
}

export async function startCallbackServer(options: CallbackServerOptions): Promise<CallbackServer> {
  let settle!: (result: CallbackResult) => void;
  const result = new Promise<CallbackResult>((resolve) => (settle = resolve));
  let handling = false;

  const server = createServer((req, res) => {
    respond(req, res).catch(() => {
      if (!res.headersSent) page(res, 500, 'Something went wrong', 'See the terminal for details.');
    });
  });

  async function respond(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://loopback');
    if (req.method !== 'GET' || url.pathname !== options.path) {
      return page(res, 404, 'Not found', `This one-time server only answers ${options.path}.`);
    }
    const outcome = readCallback(url.searchParams, options.state);
    switch (outcome.kind) {
      case 'bad_state':
        options.onBadState();
        return page(res, 400, 'Not from this run', 'The state in this link does not match the one `npm run authorize` sent, so it was ignored. Open the link the terminal printed.');
      case 'denied':
        page(res, 400, 'Spotify did not authorize', `Spotify answered "${outcome.error}". See the terminal for what to do next.`);
        return settle(outcome);
      case 'no_code':
        page(res, 400, 'No authorization code', 'Spotify sent no code. See the terminal for what to do next.');
        return settle(outcome);
      case 'code': {
        if (handling) return page(res, 409, 'Already handled', 'This authorization was already received. You can close this tab.');
        handling = true;
        const handled = await options.onCode(outcome.code);
        page(res, handled.ok ? 200 : 502, handled.title, handled.message);
        return settle({ kind: 'done', ok: handled.ok });
      }
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') reject(new PortBusyError(error.message));
      else if (error.code === 'EACCES') reject(new PortDeniedError(error.message));
      else reject(error);
    });
    server.listen(options.port, options.host, resolve);
  });
  const timer = setTimeout(() => settle({ kind: 'timeout' }), options.timeoutMs);
  result.finally(() => clearTimeout(timer)).catch(() => {});

  const bound = server.address() as AddressInfo;
  return {
    address: bound.address,
    port: bound.port,
    result,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function page(res: ServerResponse, status: number, title: string, message: string): void {
  const html = `<!doctype html><html lang="en"><meta charset="utf-8"><title>${escape(title)}</title>
<body style="font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;line-height:1.5">
<h1>${escape(title)}</h1><p>${escape(message)}</p></body></html>`;
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'close' });
  res.end(html);
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
