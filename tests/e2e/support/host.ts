/**
 * A host page on another origin (127.0.0.1 and its own port; the served
 * sites are localhost), for the `<listening-widget>` element and the card.
 */
import { createServer, type Server } from 'node:http';
import { freePort } from '../../../test-support/serve/ports';

export interface Host {
  url: string;
  /** Serves `html` at `path`, with `csp` as its Content-Security-Policy when given. */
  page(path: string, html: string, csp?: string): string;
  close(): Promise<void>;
}

export async function startHost(): Promise<Host> {
  const pages = new Map<string, { html: string; csp?: string }>();
  const server: Server = createServer((request, response) => {
    const found = pages.get(request.url ?? '');
    if (!found) return void response.writeHead(404).end();
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', ...(found.csp ? { 'Content-Security-Policy': found.csp } : {}) });
    response.end(found.html);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    page(path, html, csp) {
      pages.set(path, { html, csp });
      return `${url}${path}`;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A plain page elsewhere that loads the element from `site`, with the snippet docs/embed.md gives. */
export const hostHtml = (site: string, body: string, head = '') =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">` +
  `<title>A blog elsewhere</title>${head}<script type="module" src="${site}/embed.js"></script></head>` +
  `<body><main><h1>A blog elsewhere</h1>${body}</main></body></html>`;

