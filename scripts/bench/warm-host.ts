/**
 * Runs one bundled Netlify Function (v2: `default(request) => Response`) as a
 * single warm instance behind node:http, the way a deployed function serves
 * many requests from one module instance. Netlify Blobs come from the local
 * BlobsServer that @netlify/blobs ships, wired in the way `netlify dev` does it.
 *
 * Usage: node --import tsx scripts/bench/warm-host.ts <module.mjs> <blobs-dir>
 * Prints `listening <url>` once ready. Environment (credentials, Spotify URLs) is inherited.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { BlobsServer } from '@netlify/blobs/server';

const [modulePath, blobsDirectory] = process.argv.slice(2);
if (!modulePath || !blobsDirectory) throw new Error('usage: warm-host.ts <module.mjs> <blobs-dir>');

const token = randomBytes(16).toString('hex');
const blobs = new BlobsServer({ directory: blobsDirectory, token });
const { port: blobsPort } = await blobs.start();
const blobsUrl = `http://127.0.0.1:${blobsPort}`;
process.env.NETLIFY_BLOBS_CONTEXT = Buffer.from(
  JSON.stringify({ edgeURL: blobsUrl, uncachedEdgeURL: blobsUrl, token, siteID: 'bench-site', deployID: 'bench' }),
).toString('base64');
process.env.CONTEXT ??= 'production';

const handler = ((await import(pathToFileURL(modulePath).href)) as { default: (request: Request) => Promise<Response> }).default;

const server = createServer((req, res) => {
  const url = `http://${req.headers.host ?? '127.0.0.1'}${req.url ?? '/'}`;
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(name, value);
  handler(new Request(url, { method: req.method, headers }))
    .then(async (response) => {
      res.writeHead(response.status, Object.fromEntries(response.headers));
      if (response.body) Readable.fromWeb(response.body as import('node:stream/web').ReadableStream).pipe(res);
      else res.end();
    })
    .catch((error: unknown) => {
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(error instanceof Error ? error.message : 'function failed');
    });
});
server.listen(0, '127.0.0.1', () => {
  console.log(`listening http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
