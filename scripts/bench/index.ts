/**
 * `npm run bench`: builds the site, serves the production build with
 * `netlify serve --offline` against the HTTP fake Spotify, and prints one table:
 *   (a) latency one call owes to Spotify (upstream delayed by L) vs the naive sequential pattern,
 *   (b) the page's gzipped JavaScript vs its budget (the widget's size script),
 *   (c) the function's bundle as Netlify's bundler builds it,
 *   (d) load runs: p50, p99, errors (must be 0) and the server's memory before and after,
 *       against the bundled function as one warm instance (autocannon, 5,000 requests at
 *       concurrency 50) and, shorter, against `netlify serve` itself.
 * Why two load runs: the local `netlify serve` starts a fresh worker for every call
 * (~130 ms of CPU each, ~80 MB each while it lives). On two cores it answers about
 * 5-10 calls a second, so 5,000 calls at concurrency 50 would take over a quarter of
 * an hour and several GB; a deployed function instance is warm and serves many calls.
 * Prints figures; exits non-zero only when a load run has errors or the page is over budget.
 *
 * Options: --delay 100  --samples 15  --requests 5000  --connections 50
 *          --serve-requests 200  --serve-connections 10
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startFakeSpotifyServer } from '../../test-support/fake-spotify/server';
import { controlFake } from '../../test-support/fake-spotify/control';
import { startNetlifyServe, type ServedSite } from '../../tests/e2e/support/netlify-serve';
import { readFunctionBundle, unpackFunction } from './function-bundle';
import { measureOwedLatency, type OwedLatency } from './latency';
import { autocannonLoad, fetchLoad, type LoadResult } from './load';
import { describeMachine } from './machine';
import { naiveListening } from './naive';
import { measurePageJavaScript } from './page-js';
import { startWarmFunction, type WarmFunction } from './warm-function';

const { values } = parseArgs({
  options: {
    delay: { type: 'string', default: '100' },
    samples: { type: 'string', default: '15' },
    requests: { type: 'string', default: '5000' },
    connections: { type: 'string', default: '50' },
    'serve-requests': { type: 'string', default: '200' },
    'serve-connections': { type: 'string', default: '10' },
  },
});
const delayMs = Number(values.delay);
const samples = Number(values.samples);
const requests = Number(values.requests);
const connections = Number(values.connections);
const serveRequests = Number(values['serve-requests']);
const serveConnections = Number(values['serve-connections']);

const projectDir = process.cwd();
const credentials = {
  clientId: 'bench-client-id',
  clientSecret: 'bench-client-secret',
  refreshToken: `bench-refresh-${randomBytes(6).toString('hex')}`,
};

const outputDir = join(projectDir, 'test-results', 'bench');
const step = (text: string) => console.error(`bench: ${text}`);

const fake = await startFakeSpotifyServer({ scenario: 'playing', ...credentials });
let site: ServedSite | undefined;
let warm: WarmFunction | undefined;
let failed = false;
try {
  step('building and starting netlify serve (production build)…');
  const env = {
    SPOTIFY_CLIENT_ID: credentials.clientId,
    SPOTIFY_CLIENT_SECRET: credentials.clientSecret,
    SPOTIFY_REFRESH_TOKEN: credentials.refreshToken,
    SPOTIFY_ACCOUNTS_URL: fake.url,
    SPOTIFY_API_URL: fake.url,
  };
  site = await startNetlifyServe({ cwd: projectDir, logFile: join(outputDir, 'netlify-serve.log'), env });
  const served = site;
  const setDelay = async (ms: number) => {
    await controlFake(fake.url, { delayMs: ms });
  };
  const callFunction = async () => {
    const response = await fetch(`${served.url}/api/spotify`);
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`/api/spotify answered ${response.status} during the latency bench`);
  };
  const callNaive = () => naiveListening(fake.url, credentials);

  const latency: { label: string; ours: OwedLatency; naive: OwedLatency; naiveTrips: number }[] = [];
  for (const [scenario, label, naiveTrips] of [
    ['playing', 'a track is playing', 4],
    ['last_played', 'nothing playing → last played', 5],
  ] as const) {
    await controlFake(fake.url, { reset: true, scenario });
    step(`(a) latency, ${label}: ${samples} calls at L=0 and at L=${delayMs} ms, each way…`);
    const ours = await measureOwedLatency({ call: callFunction, setDelay, delayMs, samples });
    const naive = await measureOwedLatency({ call: callNaive, setDelay, delayMs, samples });
    latency.push({ label, ours, naive, naiveTrips });
  }

  step('(b) page JavaScript…');
  const pageJs = await measurePageJavaScript();

  step('(c) function bundle…');
  const bundle = readFunctionBundle(projectDir, 'spotify');

  await controlFake(fake.url, { reset: true, scenario: 'playing' });
  step(`(d) load on the bundled function, warm: ${requests} requests at concurrency ${connections}…`);
  const hosted = (warm = await startWarmFunction(unpackFunction(bundle, join(outputDir, 'function')), join(outputDir, 'blobs'), env));
  await fetch(`${hosted.url}/api/spotify`).then((response) => response.arrayBuffer());
  const warmLoad = await autocannonLoad({ url: `${hosted.url}/api/spotify`, requests, connections, rss: () => hosted.rssBytes() });
  hosted.close();

  step(`(d) load on netlify serve: ${serveRequests} requests at concurrency ${serveConnections}…`);
  const serveLoad = await fetchLoad({
    url: `${served.url}/api/spotify`,
    requests: serveRequests,
    connections: serveConnections,
    rss: () => served.rssBytes(),
  });

  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  const mb = (bytes: number | null) => (bytes === null ? 'n/a' : `${(bytes / 1024 ** 2).toFixed(0)} MB`);
  const ms = (value: number) => `${Math.round(value)} ms`;
  const times = (value: number) => `${(value / delayMs).toFixed(1)}×L`;

  const rows: [string, string, string][] = [];
  for (const { label, ours, naive, naiveTrips } of latency) {
    rows.push([
      `(a) owed to Spotify per call, L=${delayMs} ms, ${label}`,
      `/api/spotify ${ms(ours.owedMs)} (${times(ours.owedMs)})`,
      `naive ${naiveTrips} trips ${ms(naive.owedMs)} (${times(naive.owedMs)}); naive/ours ${(naive.owedMs / ours.owedMs).toFixed(1)}×; ` +
        `medians ours ${ms(ours.medianAtZeroMs)}→${ms(ours.medianAtDelayMs)}, naive ${ms(naive.medianAtZeroMs)}→${ms(naive.medianAtDelayMs)}, n=${samples}`,
    ]);
  }
  rows.push([
    '(b) page JavaScript, gzipped',
    `${kb(pageJs.gzipBytes)} of ${kb(pageJs.budgetBytes)}`,
    `${pageJs.gzipBytes <= pageJs.budgetBytes ? 'within' : 'OVER'} budget; ${pageJs.detail}`,
  ]);
  rows.push([
    `(c) function bundle (${bundle.bundler}, .netlify/functions/spotify.zip)`,
    `${kb(bundle.zipBytes)} zip`,
    `own code ${bundle.ownCode.name} ${kb(bundle.ownCode.bytes)} (${kb(bundle.ownCode.compressedBytes)} compressed); Netlify's ` +
      bundle.entries
        .filter((file) => file.kind === 'file' && file !== bundle.ownCode)
        .map((file) => `${file.name} ${kb(file.bytes)}`)
        .join(', '),
  ]);
  const loadRow = (label: string, load: LoadResult): [string, string, string] => [
    `(d) load, ${label}: ${load.requests} requests at concurrency ${load.connections}`,
    `p50 ${ms(load.p50Ms)}, p99 ${ms(load.p99Ms)}, errors ${load.errors}`,
    `${load.tool}; non-2xx ${load.non2xx}; ${load.durationS.toFixed(1)} s (${(load.requests / load.durationS).toFixed(0)} req/s); ` +
      `server RSS ${mb(load.rssBeforeBytes)} before → ${mb(load.rssAfterBytes)} after`,
  ];
  rows.push(loadRow('the bundled function as one warm instance', warmLoad));
  rows.push(loadRow('local netlify serve (a fresh worker per call)', serveLoad));
  const load = { errors: warmLoad.errors + serveLoad.errors };

  console.log(`\nBench on ${describeMachine()}, ${new Date().toISOString()}\n`);
  console.log('| figure | result | detail |');
  console.log('|---|---|---|');
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);

  if (load.errors > 0) {
    failed = true;
    console.error(`\nThe load runs had ${load.errors} errors; they must have none. Server log: ${served.logFile}`);
  }
  if (pageJs.gzipBytes > pageJs.budgetBytes) {
    failed = true;
    console.error(`\nThe page loads ${kb(pageJs.gzipBytes)} of gzipped JavaScript, over the ${kb(pageJs.budgetBytes)} budget.`);
  }
} catch (error) {
  failed = true;
  console.error(error instanceof Error ? error.stack ?? error.message : error);
} finally {
  warm?.close();
  await site?.close();
  await fake.close();
}
process.exit(failed ? 1 : 0);
